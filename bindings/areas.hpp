#pragma once
// One registration function per area; module.cpp calls them in order.
#include <pybind11/pybind11.h>

namespace ragkernel::py_bindings {

void register_errors(pybind11::module_& m);
void register_build_info(pybind11::module_& m);
void register_kernels(pybind11::module_& m);
void register_eval(pybind11::module_& m);
void register_store(pybind11::module_& m);
void register_embedding_cache(pybind11::module_& m);
void register_llm_cache(pybind11::module_& m);
void register_chunk(pybind11::module_& m);
void register_text(pybind11::module_& m);
void register_filter(pybind11::module_& m);
void register_fusion(pybind11::module_& m);
void register_vector(pybind11::module_& m);
void register_collection(pybind11::module_& m);

}  // namespace ragkernel::py_bindings

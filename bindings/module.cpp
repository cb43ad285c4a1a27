// The extension module. It only registers the areas; each lives in register_<area>.cpp.
#include <pybind11/pybind11.h>

#include "areas.hpp"

PYBIND11_MODULE(_core, m) {
  m.doc() = "ragkernel's compiled core. Import `ragkernel`, not this module.";
  m.attr("__version__") = RAGKERNEL_VERSION;
  ragkernel::py_bindings::register_errors(m);
  ragkernel::py_bindings::register_build_info(m);
  ragkernel::py_bindings::register_kernels(m);
  ragkernel::py_bindings::register_eval(m);
  ragkernel::py_bindings::register_store(m);
  ragkernel::py_bindings::register_embedding_cache(m);
  ragkernel::py_bindings::register_llm_cache(m);
  ragkernel::py_bindings::register_chunk(m);
  ragkernel::py_bindings::register_text(m);
  ragkernel::py_bindings::register_filter(m);
  ragkernel::py_bindings::register_fusion(m);
  ragkernel::py_bindings::register_vector(m);
  ragkernel::py_bindings::register_collection(m);
}

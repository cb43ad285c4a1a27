#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/typing.h>

#include "areas.hpp"
#include "ragkernel/build_info.hpp"
#include "ragkernel/diagnostics.hpp"

namespace py = pybind11;

namespace ragkernel::py_bindings {

void register_build_info(py::module_& m) {
  m.def(
      "build_info",
      []() -> py::typing::Dict<py::str, py::object> {
        const BuildInfo info = ragkernel::build_info();
        py::dict d;
        d["version"] = info.version;
        d["compiler"] = info.compiler;
        d["build_type"] = info.build_type;
        d["compiled_simd"] = info.compiled_simd;
        d["supported_simd"] = info.supported_simd;
        d["active_simd"] = info.active_simd;
        d["openmp_max_threads"] = info.openmp_max_threads;
        d["openmp_version"] = info.openmp_version;
        return d;
      },
      "Version, compiler, compiled/supported/active SIMD levels and OpenMP threads.");

  m.def(
      "self_check",
      []() -> py::typing::List<py::typing::Dict<py::str, py::object>> {
        std::vector<SelfCheckResult> results;
        {
          py::gil_scoped_release release;
          results = ragkernel::self_check();
        }
        py::list out;
        for (const SelfCheckResult& r : results) {
          py::dict d;
          d["level"] = r.level;
          d["kernel"] = r.kernel;
          d["max_error"] = r.max_error;
          d["ok"] = r.ok;
          out.append(d);
        }
        return out;
      },
      "Run every supported SIMD level's kernels against the scalar reference.");

  m.def(
      "measure_read_bandwidth",
      [](std::size_t bytes, int threads, int repeats) {
        py::gil_scoped_release release;
        return ragkernel::measure_read_bandwidth(bytes, threads, repeats);
      },
      py::arg("bytes") = std::size_t{1} << 30, py::arg("threads") = 1, py::arg("repeats") = 5,
      "Sustained memory-read bandwidth in bytes/s (best of `repeats` passes over a `bytes` buffer).");
}

}  // namespace ragkernel::py_bindings

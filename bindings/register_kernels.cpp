// Distance kernels for Python: one query against the rows of a matrix, on the active SIMD
// level or on a named one (tests use that to compare every level with the scalar reference).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/typing.h>

#include <optional>
#include <string>

#include "areas.hpp"
#include "arrays.hpp"
#include "ragkernel/simd/kernels.hpp"

namespace py = pybind11;

namespace ragkernel::py_bindings {
namespace {

const simd::Kernels& pick(const std::optional<std::string>& level) {
  return level ? simd::for_level(simd::parse_level(*level)) : simd::active();
}

// out[i] = kernel(query, rows[i]) for element type In, result type Out.
template <class In, class Out, class Fn>
py::array_t<Out> rows_kernel(const py::object& query, const py::object& rows, Fn&& fn) {
  const std::span<const In> q = as_vector<In>(query, "query");
  const MatrixView<In> x = as_matrix<In>(rows, "rows");
  require_same_dim(q.size(), x.cols, "query");
  py::array_t<Out> out(static_cast<py::ssize_t>(x.rows));
  Out* dst = out.mutable_data();
  {
    py::gil_scoped_release release;  // inputs are kept alive by the caller's references
    fn(q.data(), x.data, x.rows, x.cols, dst);
  }
  return out;
}

}  // namespace

void register_kernels(py::module_& m) {
  m.def(
      "simd_levels",
      []() -> py::typing::Dict<py::str, py::object> {
        py::dict d;
        std::vector<std::string> compiled, supported;
        for (simd::Level l : simd::compiled_levels()) compiled.emplace_back(simd::to_string(l));
        for (simd::Level l : simd::supported_levels()) supported.emplace_back(simd::to_string(l));
        d["compiled"] = compiled;
        d["supported"] = supported;
        d["active"] = std::string(simd::to_string(simd::active().level));
        return d;
      },
      "Compiled, supported and active SIMD levels.");

  const char* level_doc = "level: a SIMD level name to force (default: the active level).";

  m.def(
      "kernel_dot",
      [](const py::object& query, const py::object& rows, const std::optional<std::string>& level) {
        const simd::Kernels& k = pick(level);
        return rows_kernel<float, float>(
            query, rows, [&k](auto q, auto x, auto n, auto d, auto out) { k.dot_f32_rows(q, x, n, d, d, out); });
      },
      py::arg("query"), py::arg("rows"), py::arg("level") = py::none(),
      (std::string("Inner product of a float32 query [d] with each row of rows [n, d]. ") + level_doc).c_str());

  m.def(
      "kernel_l2sq",
      [](const py::object& query, const py::object& rows, const std::optional<std::string>& level) {
        const simd::Kernels& k = pick(level);
        return rows_kernel<float, float>(
            query, rows, [&k](auto q, auto x, auto n, auto d, auto out) { k.l2sq_f32_rows(q, x, n, d, d, out); });
      },
      py::arg("query"), py::arg("rows"), py::arg("level") = py::none(),
      (std::string("Squared L2 distance of a float32 query [d] to each row of rows [n, d]. ") + level_doc).c_str());

  m.def(
      "kernel_cosine",
      [](const py::object& query, const py::object& rows, const std::optional<std::string>& level) {
        const simd::Kernels& k = pick(level);
        return rows_kernel<float, float>(query, rows, [&k](auto q, auto x, auto n, auto d, auto out) {
          for (std::size_t i = 0; i < n; ++i) out[i] = k.cosine_f32(q, x + i * d, d);
        });
      },
      py::arg("query"), py::arg("rows"), py::arg("level") = py::none(),
      (std::string("Cosine similarity of a float32 query [d] with each row (0 for zero vectors). ") + level_doc)
          .c_str());

  m.def(
      "kernel_dot_i8",
      [](const py::object& query, const py::object& rows, const std::optional<std::string>& level) {
        const simd::Kernels& k = pick(level);
        return rows_kernel<std::int8_t, std::int32_t>(
            query, rows, [&k](auto q, auto x, auto n, auto d, auto out) { k.dot_i8_rows(q, x, n, d, d, out); });
      },
      py::arg("query"), py::arg("rows"), py::arg("level") = py::none(),
      (std::string("Exact int32 inner product of an int8 query [d] with each int8 row. ") + level_doc).c_str());

  m.def(
      "kernel_hamming",
      [](const py::object& query, const py::object& rows, const std::optional<std::string>& level) {
        const simd::Kernels& k = pick(level);
        return rows_kernel<std::uint8_t, std::uint32_t>(
            query, rows, [&k](auto q, auto x, auto n, auto d, auto out) { k.hamming_rows(q, x, n, d, d, out); });
      },
      py::arg("query"), py::arg("rows"), py::arg("level") = py::none(),
      (std::string("Hamming distance between packed bit vectors: uint8 query [b] and rows [n, b]. ") + level_doc)
          .c_str());
}

}  // namespace ragkernel::py_bindings

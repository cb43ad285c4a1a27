// Fusion of ranked lists for Python: numpy arrays in, numpy arrays out.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/typing.h>

#include <optional>
#include <string>
#include <vector>

#include "areas.hpp"
#include "arrays.hpp"
#include "ragkernel/error.hpp"
#include "ragkernel/fusion/fusion.hpp"

namespace py = pybind11;

namespace ragkernel::py_bindings {

void register_fusion(py::module_& m) {
  m.def(
      "fuse",
      [](const py::typing::List<py::array_t<std::uint32_t>>& ids, const py::typing::List<py::array_t<float>>& scores,
         const std::optional<std::vector<double>>& weights, const std::string& method, double rrf_k,
         const std::string& normalizer, const std::optional<std::vector<double>>& lower,
         const std::optional<std::vector<double>>& upper, std::size_t k) {
        const std::size_t n = ids.size();
        if (scores.size() != n) {
          throw InvalidArgument("fuse got " + std::to_string(n) + " id arrays but " + std::to_string(scores.size()) +
                                " score arrays");
        }
        auto check_len = [n](const std::optional<std::vector<double>>& v, const char* what) {
          if (v && v->size() != n) {
            throw InvalidArgument(std::string(what) + " has " + std::to_string(v->size()) + " entries for " +
                                  std::to_string(n) + " sources");
          }
        };
        check_len(weights, "weights");
        check_len(lower, "lower");
        check_len(upper, "upper");
        std::vector<fusion::Source> sources(n);
        for (std::size_t s = 0; s < n; ++s) {
          sources[s].ids = as_vector<std::uint32_t>(ids[s], "ids");
          sources[s].scores = as_vector<float>(scores[s], "scores");
          if (weights) sources[s].weight = (*weights)[s];
          if (lower) sources[s].lower = (*lower)[s];
          if (upper) sources[s].upper = (*upper)[s];
        }
        fusion::Options options{fusion::parse_method(method), rrf_k, fusion::parse_normalizer(normalizer), k};
        fusion::Fused fused;
        {
          py::gil_scoped_release release;  // the arrays stay referenced by the caller's lists
          fused = fusion::fuse(sources, options);
        }
        const auto rows = static_cast<py::ssize_t>(fused.ids.size());
        const auto cols = static_cast<py::ssize_t>(n);
        py::array_t<std::uint32_t> out_ids(rows);
        py::array_t<double> out_scores(rows);
        py::array_t<float> out_source_scores({rows, cols});
        py::array_t<std::uint32_t> out_ranks({rows, cols});
        std::copy(fused.ids.begin(), fused.ids.end(), out_ids.mutable_data());
        std::copy(fused.scores.begin(), fused.scores.end(), out_scores.mutable_data());
        std::copy(fused.source_scores.begin(), fused.source_scores.end(), out_source_scores.mutable_data());
        std::copy(fused.source_ranks.begin(), fused.source_ranks.end(), out_ranks.mutable_data());
        return py::typing::Tuple<py::array_t<std::uint32_t>, py::array_t<double>, py::array_t<float>,
                                 py::array_t<std::uint32_t>>(
            py::make_tuple(out_ids, out_scores, out_source_scores, out_ranks));
      },
      py::arg("ids"), py::arg("scores"), py::arg("weights") = py::none(), py::arg("method") = "rrf",
      py::arg("rrf_k") = 60.0, py::arg("normalizer") = "minmax", py::arg("lower") = py::none(),
      py::arg("upper") = py::none(), py::arg("k") = 0,
      "Fuses ranked lists (uint32 ids, float32 scores per source, best first). Returns (ids, fused "
      "scores, per-source scores [n, sources] with NaN where absent, 1-based ranks with 0 where absent).");
}

}  // namespace ragkernel::py_bindings

// ragkernel.VectorIndex's compiled half: string ids and float32 numpy arrays in, (ids, scores)
// arrays out. Validation of arrays here, the GIL released around every index call.
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
#include "ragkernel/vector/vector_index.hpp"

namespace py = pybind11;

namespace ragkernel::py_bindings {
namespace {

using vector::VectorIndex;

// vectors as a [n, dim] float32 matrix (a 1-D array is one row), checked against the index.
MatrixView<float> rows_of(const VectorIndex& index, const py::object& vectors, const char* name) {
  const MatrixView<float> m = as_matrix<float>(vectors, name, true);
  if (m.cols != index.dim()) {
    throw InvalidArgument(std::string(name) + " have dimension " + std::to_string(m.cols) + ", the index expects " +
                          std::to_string(index.dim()));
  }
  return m;
}

void check_count(std::size_t ids, std::size_t rows) {
  if (ids != rows) {
    throw InvalidArgument("got " + std::to_string(ids) + " ids but " + std::to_string(rows) +
                          " vectors; expected one vector per id");
  }
}

py::typing::Tuple<py::array, py::array_t<float>> search(const VectorIndex& index, const py::object& queries,
                                                        long long k,
                                                        const std::optional<std::vector<std::string>>& allow,
                                                        std::size_t ef, std::size_t rescore,
                                                        std::size_t exact_threshold, int threads,
                                                        std::optional<const vector::AllowSet*> prepared) {
  if (k <= 0) throw InvalidArgument("k must be at least 1, got " + std::to_string(k));
  const MatrixView<float> q = rows_of(index, queries, "queries");
  vector::SearchParams params;
  params.ef = ef;
  params.rescore = rescore;
  params.exact_threshold = exact_threshold;
  params.threads = threads;
  const vector::AllowSet* allow_set = prepared.value_or(nullptr);
  if (allow && allow_set != nullptr) throw InvalidArgument("pass either allow or allow_set, not both");
  std::optional<vector::AllowSet> made;
  vector::KeyedResults found;
  {
    py::gil_scoped_release release;
    if (allow) {
      made = index.allow_set(*allow);
      allow_set = &*made;
    }
    found = index.search(q.data, q.rows, static_cast<std::size_t>(k), allow_set, params);
  }
  const auto nq = static_cast<py::ssize_t>(found.nq);
  const auto kk = static_cast<py::ssize_t>(found.k);
  py::array ids(py::dtype("O"), {nq, kk});
  auto** cells = static_cast<PyObject**>(ids.mutable_data());
  for (std::size_t i = 0; i < found.ids.size(); ++i) {
    PyObject* s = PyUnicode_DecodeUTF8(found.ids[i].data(), static_cast<py::ssize_t>(found.ids[i].size()), "replace");
    if (s == nullptr) throw py::error_already_set();
    Py_XDECREF(cells[i]);
    cells[i] = s;
  }
  py::array_t<float> scores({nq, kk});
  std::copy(found.scores.begin(), found.scores.end(), scores.mutable_data());
  return py::make_tuple(ids, scores);
}

}  // namespace

void register_vector(py::module_& m) {
  py::class_<vector::AllowSet>(m, "AllowSet",
                               "The internal ids of some keys of one VectorIndex, made once by allow_set() and "
                               "reused by many searches; refused after a removal from that index.")
      .def("__len__", &vector::AllowSet::size, "Keys that were in the index when the set was made.");
  py::class_<VectorIndex>(m, "VectorIndex",
                          "Vector index with string ids (flat or HNSW; float32, int8, int4 or binary).")
      .def(py::init([](std::size_t dim, const std::string& metric, const std::string& kind,
                       const std::string& quantization, bool keep_float, std::size_t M, std::size_t ef_construction,
                       std::size_t ef_search, std::uint64_t seed) {
             vector::IndexOptions o;
             o.dim = dim;
             o.metric = vector::parse_metric(metric);
             o.kind = vector::parse_kind(kind);
             o.quantization = vector::parse_quantization(quantization);
             o.keep_float = keep_float;
             o.M = M;
             o.ef_construction = ef_construction;
             o.ef_search = ef_search;
             o.seed = seed;
             return std::make_unique<VectorIndex>(o);
           }),
           py::arg("dim"), py::arg("metric") = "cosine", py::arg("kind") = "flat", py::arg("quantization") = "none",
           py::arg("keep_float") = true, py::arg("M") = 16, py::arg("ef_construction") = 200, py::arg("ef_search") = 64,
           py::arg("seed") = 42)
      .def_property_readonly("dim", &VectorIndex::dim)
      .def_property_readonly("metric", [](const VectorIndex& v) { return std::string(to_string(v.options().metric)); })
      .def_property_readonly("kind", [](const VectorIndex& v) { return std::string(to_string(v.options().kind)); })
      .def_property_readonly("quantization",
                             [](const VectorIndex& v) { return std::string(to_string(v.options().quantization)); })
      .def_property_readonly("keep_float", [](const VectorIndex& v) { return v.options().keep_float; })
      .def_property_readonly("M", [](const VectorIndex& v) { return v.options().M; })
      .def_property_readonly("ef_construction", [](const VectorIndex& v) { return v.options().ef_construction; })
      .def_property_readonly("ef_search", [](const VectorIndex& v) { return v.options().ef_search; })
      .def(
          "add",
          [](VectorIndex& v, const std::vector<std::string>& ids, const py::object& vectors) {
            const MatrixView<float> x = rows_of(v, vectors, "vectors");
            check_count(ids.size(), x.rows);
            py::gil_scoped_release release;
            v.add(ids, x.data);
          },
          py::arg("ids"), py::arg("vectors"), "Adds new ids; raises ValueError if one is present.")
      .def(
          "upsert",
          [](VectorIndex& v, const std::vector<std::string>& ids, const py::object& vectors) {
            const MatrixView<float> x = rows_of(v, vectors, "vectors");
            check_count(ids.size(), x.rows);
            py::gil_scoped_release release;
            v.upsert(ids, x.data);
          },
          py::arg("ids"), py::arg("vectors"), "Adds or replaces.")
      .def(
          "remove",
          [](VectorIndex& v, const std::vector<std::string>& ids) {
            py::gil_scoped_release release;
            v.remove(ids);
          },
          py::arg("ids"), "Removes ids; raises KeyError naming the first unknown id.")
      .def(
          "get",
          [](const VectorIndex& v, const std::vector<std::string>& ids) {
            py::array_t<float> out({static_cast<py::ssize_t>(ids.size()), static_cast<py::ssize_t>(v.dim())});
            float* dst = out.mutable_data();
            {
              py::gil_scoped_release release;
              v.get(ids, dst);
            }
            return out;
          },
          py::arg("ids"), "Stored vectors [n, dim] (cosine: as given, not normalised).")
      .def(
          "train",
          [](VectorIndex& v, const py::object& vectors) {
            const MatrixView<float> x = rows_of(v, vectors, "vectors");
            py::gil_scoped_release release;
            v.train(x.data, x.rows);
          },
          py::arg("vectors"), "Fits the quantizer before the first add.")
      .def("contains", &VectorIndex::contains, py::arg("id"))
      .def("__len__", &VectorIndex::size)
      .def("memory_usage", &VectorIndex::memory_usage, "Bytes held by vectors, codes, graph and ids.")
      .def("optimize", &VectorIndex::optimize, py::call_guard<py::gil_scoped_release>(),
           "Lays a graph index out for faster searches (add does it after a bulk load).")
      .def(
          "allow_set",
          [](const VectorIndex& v, const std::vector<std::string>& ids) {
            py::gil_scoped_release release;
            return v.allow_set(ids);
          },
          py::arg("ids"), "A reusable allow-set of these ids (ids not in the index are ignored).")
      .def("search", &search, py::arg("queries"), py::arg("k") = 10, py::arg("allow") = py::none(), py::arg("ef") = 0,
           py::arg("rescore") = 0, py::arg("exact_threshold") = 0, py::arg("threads") = 0,
           py::arg("allow_set") = py::none(),
           "(ids [nq, k] object, scores [nq, k] float32); missing results are '' / NaN.")
      .def(
          "save",
          [](const VectorIndex& v, const std::string& path) {
            py::gil_scoped_release release;
            v.save(path);
          },
          py::arg("path"))
      .def_static(
          "load",
          [](const std::string& path, bool mmap) {
            py::gil_scoped_release release;
            return VectorIndex::load(path, mmap);
          },
          py::arg("path"), py::arg("mmap") = false)
      .def("to_bytes",
           [](const VectorIndex& v) {
             std::vector<std::byte> bytes;
             {
               py::gil_scoped_release release;
               bytes = v.to_bytes();
             }
             return py::bytes(reinterpret_cast<const char*>(bytes.data()), bytes.size());
           })
      .def_static(
          "from_bytes",
          [](const py::bytes& data) {
            const std::string_view view(data);
            const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(view.data()), view.size());
            py::gil_scoped_release release;
            return VectorIndex::from_bytes(bytes);
          },
          py::arg("data"));
}

}  // namespace ragkernel::py_bindings

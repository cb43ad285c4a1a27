// Evaluation for Python: judgments and runs built from dicts or read from files, metrics
// computed with the GIL released, and the paired significance tests.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/typing.h>

#include <string>
#include <string_view>
#include <vector>

#include "areas.hpp"
#include "arrays.hpp"
#include "ragkernel/eval/evaluate.hpp"
#include "ragkernel/eval/significance.hpp"
#include "ragkernel/eval/trec_io.hpp"

namespace py = pybind11;

namespace ragkernel::py_bindings {
namespace {

using eval::Qrels;
using eval::Run;
using QrelsDict = py::typing::Dict<py::str, py::typing::Dict<py::str, py::int_>>;
using RunDict = py::typing::Dict<py::str, py::typing::Dict<py::str, py::float_>>;

// A str key or value as UTF-8, without a copy (CPython caches the UTF-8 form of a str; an
// ASCII str is its own UTF-8, read without a call).
std::string_view utf8(PyObject* obj, const char* what, PyObject* context) {
  if (PyUnicode_CheckExact(obj) && PyUnicode_IS_COMPACT_ASCII(obj)) {
    return {static_cast<const char*>(PyUnicode_DATA(obj)), static_cast<std::size_t>(PyUnicode_GET_LENGTH(obj))};
  }
  if (!PyUnicode_Check(obj)) {
    throw InvalidArgument(std::string(what) + " must be str, got " + Py_TYPE(obj)->tp_name +
                          (context ? " (in query '" + std::string(py::str(context)) + "')" : std::string()));
  }
  Py_ssize_t size = 0;
  const char* data = PyUnicode_AsUTF8AndSize(obj, &size);
  if (data == nullptr) throw py::error_already_set();
  return {data, static_cast<std::size_t>(size)};
}

PyObject* require_dict(PyObject* obj, const char* what, PyObject* query) {
  if (!PyDict_Check(obj)) {
    std::string where = query ? " for query '" + std::string(py::str(query)) + "'" : std::string();
    throw InvalidArgument(std::string(what) + where + " must be a dict, got " + Py_TYPE(obj)->tp_name);
  }
  return obj;
}

// {query: {doc: grade}}; grades must be int (bool is refused: it is almost always a mistake).
Qrels qrels_from_dict(const QrelsDict& dict) {
  Qrels qrels;
  PyObject *query = nullptr, *docs = nullptr;
  Py_ssize_t pos = 0;
  while (PyDict_Next(dict.ptr(), &pos, &query, &docs)) {
    const std::string_view q = utf8(query, "a query id", nullptr);
    require_dict(docs, "judgments", query);
    PyObject *doc = nullptr, *grade = nullptr;
    Py_ssize_t inner = 0;
    while (PyDict_Next(docs, &inner, &doc, &grade)) {
      if (!PyLong_Check(grade) || PyBool_Check(grade)) {
        throw InvalidArgument("query '" + std::string(q) + "' grades document '" + std::string(py::str(doc)) +
                              "' with " + Py_TYPE(grade)->tp_name + "; expected an int grade such as 0, 1 or 2");
      }
      const long value = PyLong_AsLong(grade);
      if (value == -1 && PyErr_Occurred()) throw py::error_already_set();
      qrels.add(q, utf8(doc, "a document id", query), static_cast<int>(value));
    }
  }
  return qrels;
}

// A score: a float or an int (bool is refused).
double score_value(PyObject* query, PyObject* doc, PyObject* score) {
  if (PyFloat_CheckExact(score)) return PyFloat_AS_DOUBLE(score);
  if ((PyFloat_Check(score) || PyLong_Check(score)) && !PyBool_Check(score)) {
    const double value = PyFloat_AsDouble(score);
    if (value == -1.0 && PyErr_Occurred()) throw py::error_already_set();
    return value;
  }
  throw InvalidArgument("query '" + std::string(py::str(query)) + "' scores document '" + std::string(py::str(doc)) +
                        "' with " + Py_TYPE(score)->tp_name + "; expected a float or int score");
}

// {query: {doc: score}}; scores must be int or float. Reading millions of str and float
// objects is bound by memory latency (PyDict_Next reads each key's cached hash), so each
// query's (key, value) pointers are first collected in a tight loop, where the CPU overlaps
// the cache misses, and read afterwards from cache.
Run run_from_dict(const RunDict& dict) {
  struct Pair {
    PyObject* doc;
    PyObject* score;
  };
  Run run;
  std::vector<Pair> pairs;
  PyObject *query = nullptr, *docs = nullptr;
  Py_ssize_t pos = 0;
  while (PyDict_Next(dict.ptr(), &pos, &query, &docs)) {
    const std::size_t q = run.add_query(utf8(query, "a query id", nullptr));
    require_dict(docs, "retrieved documents", query);
    pairs.clear();
    Py_ssize_t inner = 0;
    Pair next{};
    while (PyDict_Next(docs, &inner, &next.doc, &next.score)) pairs.push_back(next);
    run.reserve(q, pairs.size(), 16 * pairs.size());
    for (const Pair& p : pairs) run.add_at(q, utf8(p.doc, "a document id", query), score_value(query, p.doc, p.score));
    run.mark_docs_unique(q);  // the keys of one dict
  }
  return run;
}

RunDict run_to_dict(const Run& run) {
  RunDict out;
  for (std::size_t q = 0; q < run.num_queries(); ++q) {
    py::dict docs;
    for (const Run::Entry& e : run.entries(q)) {
      const std::string_view doc = run.doc(q, e);
      docs[py::str(doc.data(), doc.size())] = py::float_(e.score);
    }
    out[py::str(run.query_id(q))] = docs;
  }
  return out;
}

QrelsDict qrels_to_dict(const Qrels& qrels) {
  QrelsDict out;
  for (std::size_t q = 0; q < qrels.num_queries(); ++q) {
    py::dict docs;
    for (const eval::Judgment& j : qrels.judgments(q)) docs[py::str(j.doc)] = py::int_(j.relevance);
    out[py::str(qrels.query_id(q))] = docs;
  }
  return out;
}

std::vector<std::string> run_query_ids(const Run& run) {
  std::vector<std::string> ids;
  for (std::size_t q = 0; q < run.num_queries(); ++q) ids.push_back(run.query_id(q));
  return ids;
}

std::vector<std::string> qrels_query_ids(const Qrels& qrels) {
  std::vector<std::string> ids;
  for (std::size_t q = 0; q < qrels.num_queries(); ++q) ids.push_back(qrels.query_id(q));
  return ids;
}

std::span<const double> doubles(const py::object& obj, const char* name) { return as_vector<double>(obj, name); }

}  // namespace

void register_eval(py::module_& m) {
  py::class_<Qrels>(m, "EvalQrels", "Relevance judgments: for each query, documents with an integer grade.")
      .def(py::init<>())
      .def_static("from_dict", &qrels_from_dict, py::arg("qrels"), "From {query_id: {doc_id: grade}}.")
      .def_static(
          "read_trec",
          [](const std::string& path) {
            py::gil_scoped_release release;
            return eval::read_trec_qrels(path);
          },
          py::arg("path"), "Read a TREC qrels file (query iteration doc grade).")
      .def_static(
          "read_beir",
          [](const std::string& path) {
            py::gil_scoped_release release;
            return eval::read_beir_qrels(path);
          },
          py::arg("path"), "Read a BEIR qrels TSV (header, then query-id, corpus-id, score).")
      .def("add", &Qrels::add, py::arg("query"), py::arg("doc"), py::arg("relevance"))
      .def("to_dict", &qrels_to_dict, "As {query_id: {doc_id: grade}}.")
      .def("query_ids", &qrels_query_ids, "Query ids in the order they were first added.")
      .def_property_readonly("num_queries", &Qrels::num_queries)
      .def("__len__", &Qrels::size, "Number of judgments over all queries.");

  py::class_<Run>(m, "EvalRun", "Retrieved documents with scores, per query.")
      .def(py::init<>())
      .def_static("from_dict", &run_from_dict, py::arg("run"), "From {query_id: {doc_id: score}}.")
      .def_static(
          "read_trec",
          [](const std::string& path) {
            py::gil_scoped_release release;
            return eval::read_trec_run(path);
          },
          py::arg("path"), "Read a TREC run file (query Q0 doc rank score tag).")
      .def("add", &Run::add, py::arg("query"), py::arg("doc"), py::arg("score"))
      .def("to_dict", &run_to_dict, "As {query_id: {doc_id: score}}.")
      .def("query_ids", &run_query_ids, "Query ids in the order they were first added.")
      .def_property_readonly("num_queries", &Run::num_queries)
      .def("__len__", &Run::size, "Number of retrieved entries over all queries.");

  m.def(
      "eval_metric_name", [](const std::string& name) { return eval::parse_metric(name).name(); }, py::arg("name"),
      "The canonical (pytrec_eval) name of a metric; raises ValueError for an unknown one.");

  m.def(
      "eval_evaluate",
      [](const Qrels& qrels, const Run& run, const std::vector<std::string>& names, int relevance_level, bool complete,
         bool judged_docs_only, bool remove_query_id) {
        std::vector<eval::Metric> metrics;
        for (const std::string& name : names) metrics.push_back(eval::parse_metric(name));
        const eval::EvalOptions options{relevance_level, complete, judged_docs_only, remove_query_id};
        eval::EvalResult result;
        {
          py::gil_scoped_release release;  // qrels and run are kept alive by the caller's references
          result = eval::evaluate(qrels, run, metrics, options);
        }
        py::array_t<double> values(
            {static_cast<py::ssize_t>(result.num_queries()), static_cast<py::ssize_t>(metrics.size())});
        std::copy(result.values.begin(), result.values.end(), values.mutable_data());
        return py::make_tuple(result.query_ids, values);
      },
      py::arg("qrels"), py::arg("run"), py::arg("metrics"), py::arg("relevance_level") = 1, py::arg("complete") = false,
      py::arg("judged_docs_only") = false, py::arg("remove_query_id") = false,
      "Per-query metric values: (query_ids, float64 array [queries, metrics]).");

  m.def(
      "eval_paired_t_test",
      [](const py::object& a, const py::object& b) {
        auto x = doubles(a, "a"), y = doubles(b, "b");
        const eval::TestResult r = eval::paired_t_test(x, y);
        return py::make_tuple(r.statistic, r.p_value);
      },
      py::arg("a"), py::arg("b"), "Paired t-test of a - b (float64 arrays): (t, two-sided p).");

  m.def(
      "eval_randomization_tests",
      [](const py::object& systems, const py::object& baseline, std::size_t permutations, std::uint64_t seed) {
        const MatrixView<double> x = as_matrix<double>(systems, "systems", true);
        const std::span<const double> base = doubles(baseline, "baseline");
        require_same_dim(x.cols, base.size(), "systems");
        std::vector<eval::TestResult> results;
        {
          py::gil_scoped_release release;
          results = eval::randomization_tests({x.data, x.rows * x.cols}, x.rows, base, permutations, seed);
        }
        py::array_t<double> out({static_cast<py::ssize_t>(results.size()), py::ssize_t{2}});
        auto view = out.mutable_unchecked<2>();
        for (std::size_t s = 0; s < results.size(); ++s) {
          view(static_cast<py::ssize_t>(s), 0) = results[s].statistic;
          view(static_cast<py::ssize_t>(s), 1) = results[s].p_value;
        }
        return out;
      },
      py::arg("systems"), py::arg("baseline"), py::arg("permutations"), py::arg("seed"),
      "Fisher randomization test of each row of systems [s, n] against baseline [n]: array [s, 2] of "
      "(mean difference, two-sided p).");

  m.def(
      "eval_bootstrap_ci",
      [](const py::object& values, double confidence, std::size_t resamples, std::uint64_t seed) {
        auto v = doubles(values, "values");
        eval::Interval ci;
        {
          py::gil_scoped_release release;
          ci = eval::bootstrap_ci(v, confidence, resamples, seed);
        }
        return py::make_tuple(ci.low, ci.high);
      },
      py::arg("values"), py::arg("confidence"), py::arg("resamples"), py::arg("seed"),
      "Percentile bootstrap interval of the mean: (low, high).");

  m.def(
      "eval_holm", [](const std::vector<double>& p) { return eval::holm(p); }, py::arg("p_values"),
      "Holm-Bonferroni adjusted p-values, in input order.");

  m.def("eval_student_t_sf", &eval::student_t_sf, py::arg("t"), py::arg("df"),
        "P(T > t) for Student's t distribution with df degrees of freedom.");
}

}  // namespace ragkernel::py_bindings

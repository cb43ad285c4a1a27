#pragma once
// A BM25 explanation as the dict Python sees (BM25Index.explain and Hit.explain share it).
#include <pybind11/pybind11.h>
#include <pybind11/typing.h>

#include <string>

#include "ragkernel/text/inverted_index.hpp"

namespace ragkernel::py_bindings {

namespace py = pybind11;

inline py::typing::Dict<py::str, py::object> explanation_dict(const text::Explanation& e, const std::string& id) {
  using Record = py::typing::Dict<py::str, py::object>;
  py::typing::List<Record> terms;
  for (const auto& t : e.terms) {
    Record d;
    d["term"] = t.term;
    d["query_count"] = t.query_count;
    d["tf"] = t.tf;
    d["df"] = t.df;
    d["idf"] = t.idf;
    d["score"] = t.score;
    terms.append(d);
  }
  Record out;
  out["id"] = id;
  out["score"] = e.score;
  out["doc_length"] = e.doc_length;
  out["avg_doc_length"] = e.avg_doc_length;
  out["num_docs"] = e.num_docs;
  out["terms"] = terms;
  return out;
}

}  // namespace ragkernel::py_bindings

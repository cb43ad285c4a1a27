#pragma once
// Conversions for the Collection bindings: Python documents and queries in, hits and records
// out. Conversion only; the core checks everything.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "arrays.hpp"
#include "explanation.hpp"
#include "json_convert.hpp"
#include "ragkernel/collection/collection.hpp"
#include "store_options.hpp"
#include "texts.hpp"

namespace ragkernel::py_bindings {

namespace py = pybind11;

using Record = py::typing::Dict<py::str, py::object>;
using TextList = py::typing::List<py::typing::Union<py::str, py::bytes>>;
using HitTuple =
    py::typing::Tuple<py::str, py::float_, py::object, py::object, py::object, py::object, py::object, py::object>;

// Documents whose vectors view the numpy array (kept alive by the caller during the call).
inline collection::Documents to_documents(const collection::Collection& col, const std::vector<std::string>& ids,
                                          const TextList& texts, const py::object& vectors,
                                          const py::object& metadata) {
  collection::Documents docs;
  docs.ids = ids;
  docs.texts = to_texts(texts, "text");
  if (!metadata.is_none()) {
    const auto records = metadata.cast<py::list>();
    if (records.size() != ids.size()) {
      throw InvalidArgument("got " + std::to_string(ids.size()) + " ids but " + std::to_string(records.size()) +
                            " metadata records; pass one per id (None for none)");
    }
    docs.metadata.reserve(records.size());
    for (std::size_t i = 0; i < records.size(); ++i) {
      const py::handle r = records[i];
      if (r.is_none()) {
        docs.metadata.emplace_back();
        continue;
      }
      try {
        docs.metadata.push_back(filter::metadata_from_json(to_json(r)));
      } catch (const InvalidArgument& e) {
        throw InvalidArgument("metadata of id '" + ids[i] + "': " + e.what());
      }
    }
  }
  if (!vectors.is_none()) {
    const MatrixView<float> m = as_matrix<float>(vectors, "vectors", ids.size() == 1);
    if (m.rows != ids.size()) {
      throw InvalidArgument("vectors has " + std::to_string(m.rows) + " rows for " + std::to_string(ids.size()) +
                            " ids; pass one row per id");
    }
    if (col.dim() != 0) require_same_dim(m.cols, col.dim(), "vectors");
    docs.vectors = std::span<const float>(m.data, m.rows * m.cols);
  }
  return docs;
}

// The fusion part of a query from its Python form.
inline collection::FusionOptions to_fusion(const std::string& method, double rrf_k, const std::string& normalizer,
                                           std::pair<double, double> weights) {
  collection::FusionOptions f;
  f.method = fusion::parse_method(method);
  f.rrf_k = rrf_k;
  f.normalizer = fusion::parse_normalizer(normalizer);
  f.weights = {weights.first, weights.second};
  return f;
}

// Filters per query: one dict for all, or a list with a dict (or None) per query. The same
// dict object is parsed (and later compiled) once.
inline std::vector<std::shared_ptr<const filter::Filter>> to_filters(const py::object& filters, std::size_t nq) {
  std::vector<std::shared_ptr<const filter::Filter>> out(nq);
  if (filters.is_none()) return out;
  std::map<PyObject*, std::shared_ptr<const filter::Filter>> parsed;
  auto parse = [&](const py::handle& f) -> std::shared_ptr<const filter::Filter> {
    if (f.is_none()) return nullptr;
    auto& slot = parsed[f.ptr()];
    if (!slot) slot = std::make_shared<const filter::Filter>(filter::parse_filter(to_json(f)));
    return slot;
  };
  if (py::isinstance<py::dict>(filters)) {
    const auto shared = parse(filters);
    for (auto& f : out) f = shared;
    return out;
  }
  const auto list = filters.cast<py::list>();
  if (list.size() != nq) {
    throw InvalidArgument("filter is a list of " + std::to_string(list.size()) + " for " + std::to_string(nq) +
                          " queries; pass one dict for all, or one per query");
  }
  for (std::size_t i = 0; i < nq; ++i) out[i] = parse(list[i]);
  return out;
}

inline Record metadata_dict(const filter::Metadata& m) {
  Record d;
  for (const auto& [field, value] : m) d[py::str(field)] = to_python(value);
  return d;
}

// A hit as a tuple: (id, score, bm25 score, bm25 rank, vector score, vector rank, text, metadata),
// with None for a source that did not return it and for fields not asked for.
inline HitTuple hit_tuple(const collection::Hit& h, unsigned fields) {
  auto source = [&](collection::Source s) -> std::pair<py::object, py::object> {
    const auto& x = h.sources[s];
    if (x.rank == 0) return {py::none(), py::none()};
    return {py::float_(x.score), py::int_(x.rank)};
  };
  const auto [bs, br] = source(collection::kBm25);
  const auto [vs, vr] = source(collection::kDense);
  py::object text = (fields & collection::kText) ? py::object(py::str(h.text)) : py::object(py::none());
  py::object meta = (fields & collection::kMetadata) ? py::object(metadata_dict(h.metadata)) : py::object(py::none());
  return HitTuple(py::make_tuple(h.id, h.score, bs, br, vs, vr, text, meta));
}

inline Record collection_stats_dict(const collection::CollectionStats& s) {
  Record d;
  d["documents"] = s.documents;
  d["vocabulary"] = s.vocabulary;
  d["avg_doc_length"] = s.avg_doc_length;
  d["bm25_bytes"] = s.bm25_bytes;
  d["vector_bytes"] = s.vector_bytes;
  d["metadata_fields"] = s.metadata_fields;
  if (s.store) {
    d["store"] = stats_dict(*s.store);
    d["snapshot_generation"] = s.snapshot_generation;
    d["snapshot_bytes"] = s.snapshot_bytes;
    d["pending_changes"] = s.pending_changes;
  }
  return d;
}

}  // namespace ragkernel::py_bindings

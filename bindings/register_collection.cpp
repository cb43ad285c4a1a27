// ragkernel.Collection's compiled half: documents, queries and filters converted here, the GIL
// released around every call into the core, hits returned as tuples for the Python Hits.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/typing.h>

#include <cstring>

#include "areas.hpp"
#include "collection_convert.hpp"
#include "ragkernel/collection/collection.hpp"
#include "ragkernel/error.hpp"

namespace py = pybind11;

namespace ragkernel::py_bindings {
namespace {

using collection::Collection;
using collection::CollectionOptions;

CollectionOptions make_options(std::size_t dim, const std::string& metric, const std::string& index,
                               const std::string& quantization, bool keep_float, std::size_t M,
                               std::size_t ef_construction, std::size_t ef_search, std::uint64_t seed,
                               const std::string& analyzer, const std::string& variant, double k1, double b,
                               double delta) {
  CollectionOptions o;
  o.dim = dim;
  o.vector.metric = vector::parse_metric(metric);
  o.vector.kind = vector::parse_kind(index);
  o.vector.quantization = vector::parse_quantization(quantization);
  o.vector.keep_float = keep_float;
  o.vector.M = M;
  o.vector.ef_construction = ef_construction;
  o.vector.ef_search = ef_search;
  o.vector.seed = seed;
  o.analyzer = text::AnalyzerConfig::parse(analyzer);
  o.bm25 = text::Bm25Params{text::parse_bm25_variant(variant), k1, b, delta};
  return o;
}

Record options_dict(const CollectionOptions& o) {
  Record d;
  d["dim"] = o.dim;
  d["metric"] = std::string(vector::to_string(o.vector.metric));
  d["index"] = std::string(vector::to_string(o.vector.kind));
  d["quantization"] = std::string(vector::to_string(o.vector.quantization));
  d["keep_float"] = o.vector.keep_float;
  d["M"] = o.vector.M;
  d["ef_construction"] = o.vector.ef_construction;
  d["ef_search"] = o.vector.ef_search;
  d["seed"] = o.vector.seed;
  d["analyzer"] = o.analyzer.serialize();
  Record bm25;
  bm25["variant"] = std::string(text::to_string(o.bm25.variant));
  bm25["k1"] = o.bm25.k1;
  bm25["b"] = o.bm25.b;
  bm25["delta"] = o.bm25.delta;
  d["bm25"] = bm25;
  return d;
}

collection::VectorRestore parse_restore(const std::string& s) {
  if (s == "snapshot") return collection::VectorRestore::snapshot;
  if (s == "rebuild") return collection::VectorRestore::rebuild;
  if (s == "rebuild_text") return collection::VectorRestore::rebuild_text;
  throw InvalidArgument("restore is '" + s + "'; expected 'snapshot', 'rebuild' or 'rebuild_text'");
}

collection::WriteResult write(Collection& c, bool upsert, const std::vector<std::string>& ids, const TextList& texts,
                              const py::object& vectors, const py::object& metadata,
                              const std::vector<std::string>& erase) {
  const collection::Documents docs = to_documents(c, ids, texts, vectors, metadata);
  py::gil_scoped_release release;  // the vectors' array stays referenced by the caller
  if (!erase.empty()) return c.update(docs, erase);
  return upsert ? c.upsert(docs) : c.add(docs);
}

py::typing::List<py::typing::List<HitTuple>> search(const Collection& c, const py::object& texts,
                                                    const py::object& vectors, std::size_t k, const py::object& filters,
                                                    const std::string& method, double rrf_k,
                                                    const std::string& normalizer, std::pair<double, double> weights,
                                                    std::size_t candidates, std::size_t ef, unsigned fields,
                                                    int threads) {
  std::vector<std::optional<std::string>> query_texts;
  if (!texts.is_none()) {
    for (py::handle t : texts.cast<py::list>()) {
      if (t.is_none()) {
        query_texts.emplace_back();
      } else {
        query_texts.emplace_back(to_texts(py::list(py::make_tuple(t)), "query text").front());
      }
    }
  }
  MatrixView<float> q{};
  if (!vectors.is_none()) {
    q = as_matrix<float>(vectors, "vector", true);
    if (c.dim() != 0) require_same_dim(q.cols, c.dim(), "query vector");
  }
  const std::size_t nq = texts.is_none() ? q.rows : query_texts.size();
  if (!vectors.is_none() && !texts.is_none() && q.rows != nq) {
    throw InvalidArgument("got " + std::to_string(nq) + " query texts but " + std::to_string(q.rows) +
                          " query vectors; pass one of each per query");
  }
  const auto filter_list = to_filters(filters, nq);
  const collection::FusionOptions fusion_options = to_fusion(method, rrf_k, normalizer, weights);
  std::vector<collection::Query> queries(nq);
  for (std::size_t i = 0; i < nq; ++i) {
    collection::Query& query = queries[i];
    if (!texts.is_none()) query.text = query_texts[i];
    if (!vectors.is_none()) query.vector = std::span<const float>(q.data + i * q.cols, q.cols);
    query.k = k;
    query.filter = filter_list[i];
    query.fusion = fusion_options;
    query.candidates = candidates;
    query.ef = ef;
    query.fields = fields;
  }
  std::vector<std::vector<collection::Hit>> found;
  {
    py::gil_scoped_release release;
    found = c.search_batch(queries, threads);
  }
  py::typing::List<py::typing::List<HitTuple>> out;
  for (const auto& hits : found) {
    py::typing::List<HitTuple> row;
    for (const auto& h : hits) row.append(hit_tuple(h, fields));
    out.append(row);
  }
  return out;
}

py::typing::List<py::object> get(const Collection& c, const std::vector<std::string>& ids, unsigned fields) {
  std::vector<std::optional<collection::Record>> records;
  {
    py::gil_scoped_release release;
    records = c.get(ids, fields);
  }
  py::typing::List<py::object> out;
  for (const auto& r : records) {
    if (!r) {
      out.append(py::none());
      continue;
    }
    py::object vector = py::none();
    if ((fields & collection::kVector) && !r->vector.empty()) {
      py::array_t<float> v(static_cast<py::ssize_t>(r->vector.size()));
      std::memcpy(v.mutable_data(), r->vector.data(), r->vector.size() * sizeof(float));
      vector = v;
    }
    py::object text = (fields & collection::kText) ? py::object(py::str(r->text)) : py::object(py::none());
    py::object meta =
        (fields & collection::kMetadata) ? py::object(metadata_dict(r->metadata)) : py::object(py::none());
    out.append(py::make_tuple(text, meta, vector));
  }
  return out;
}

}  // namespace

void register_collection(py::module_& m) {
  py::class_<Collection> c(m, "Collection",
                           "Documents searchable by BM25, vectors and both fused; in memory or durable.");
  c.def(py::init([](std::size_t dim, const std::string& metric, const std::string& index,
                    const std::string& quantization, bool keep_float, std::size_t M, std::size_t ef_construction,
                    std::size_t ef_search, std::uint64_t seed, const std::string& analyzer, const std::string& variant,
                    double k1, double b, double delta) {
          return std::make_unique<Collection>(make_options(dim, metric, index, quantization, keep_float, M,
                                                           ef_construction, ef_search, seed, analyzer, variant, k1, b,
                                                           delta));
        }),
        py::arg("dim"), py::arg("metric"), py::arg("index"), py::arg("quantization"), py::arg("keep_float"),
        py::arg("M"), py::arg("ef_construction"), py::arg("ef_search"), py::arg("seed"), py::arg("analyzer"),
        py::arg("variant"), py::arg("k1"), py::arg("b"), py::arg("delta"))
      .def_static(
          "create",
          [](const std::string& path, std::size_t dim, const std::string& metric, const std::string& index,
             const std::string& quantization, bool keep_float, std::size_t M, std::size_t ef_construction,
             std::size_t ef_search, std::uint64_t seed, const std::string& analyzer, const std::string& variant,
             double k1, double b, double delta, const std::optional<store::BlockCache>& block_cache,
             std::size_t block_cache_bytes, bool sync) {
            const CollectionOptions o = make_options(dim, metric, index, quantization, keep_float, M, ef_construction,
                                                     ef_search, seed, analyzer, variant, k1, b, delta);
            const store::StoreOptions so = store_options("read_write", block_cache, block_cache_bytes, sync);
            py::gil_scoped_release release;
            return Collection::create(path, o, so);
          },
          py::arg("path"), py::arg("dim"), py::arg("metric"), py::arg("index"), py::arg("quantization"),
          py::arg("keep_float"), py::arg("M"), py::arg("ef_construction"), py::arg("ef_search"), py::arg("seed"),
          py::arg("analyzer"), py::arg("variant"), py::arg("k1"), py::arg("b"), py::arg("delta"),
          py::arg("block_cache"), py::arg("block_cache_bytes"), py::arg("sync"))
      .def_static(
          "open",
          [](const std::string& path, const std::string& access, const std::optional<std::size_t>& dim,
             const std::string& restore, bool mmap, const std::optional<store::BlockCache>& block_cache,
             std::size_t block_cache_bytes, bool sync, std::size_t checkpoint_min_changes) {
            collection::OpenOptions o;
            o.store = store_options(access, block_cache, block_cache_bytes, sync);
            o.restore = parse_restore(restore);
            o.mmap = mmap;
            o.expect_dim = dim;
            o.checkpoint_min_changes = checkpoint_min_changes;
            py::gil_scoped_release release;
            return Collection::open(path, o);
          },
          py::arg("path"), py::arg("access"), py::arg("dim"), py::arg("restore"), py::arg("mmap"),
          py::arg("block_cache"), py::arg("block_cache_bytes"), py::arg("sync"), py::arg("checkpoint_min_changes"))
      .def(
          "options", [](const Collection& self) { return options_dict(self.options()); },
          "The settings, as the manifest of a durable collection keeps them.")
      .def_property_readonly("dim", &Collection::dim)
      .def_property_readonly("durable", &Collection::durable)
      .def_property_readonly("path", &Collection::path)
      .def_property_readonly("access",
                             [](const Collection& self) {
                               switch (self.access()) {
                                 case store::Access::read_write: return std::string("read_write");
                                 case store::Access::read_only: return std::string("read_only");
                                 case store::Access::secondary: return std::string("secondary");
                               }
                               return std::string();
                             })
      .def_property_readonly("closed", &Collection::closed)
      .def(
          "write",
          [](Collection& self, bool upsert, const std::vector<std::string>& ids, const TextList& texts,
             const py::object& vectors, const py::object& metadata, const std::vector<std::string>& erase) {
            return write(self, upsert, ids, texts, vectors, metadata, erase).replaced;
          },
          py::arg("upsert"), py::arg("ids"), py::arg("texts"), py::arg("vectors"), py::arg("metadata"),
          py::arg("erase"),
          "One all-or-nothing write (erase: ids deleted in the same write); returns per id whether it replaced a "
          "document.")
      .def(
          "delete",
          [](Collection& self, const std::vector<std::string>& ids) {
            py::gil_scoped_release release;
            self.remove(ids);
          },
          py::arg("ids"))
      .def("get", &get, py::arg("ids"), py::arg("fields"), "(text, metadata, vector) per id, None when absent.")
      .def("ids", &Collection::ids, py::call_guard<py::gil_scoped_release>())
      .def("__len__", &Collection::size, py::call_guard<py::gil_scoped_release>())
      .def(
          "contains", [](const Collection& self, const std::string& id) { return self.contains(id); }, py::arg("id"))
      .def("search", &search, py::arg("texts"), py::arg("vectors"), py::arg("k"), py::arg("filter"), py::arg("method"),
           py::arg("rrf_k"), py::arg("normalizer"), py::arg("weights"), py::arg("candidates"), py::arg("ef"),
           py::arg("fields"), py::arg("threads"),
           "Per query a list of (id, score, bm25 score, bm25 rank, vector score, vector rank, text, metadata).")
      .def(
          "explain",
          [](const Collection& self, const std::string& query, const std::string& id) {
            text::Explanation e;
            {
              py::gil_scoped_release release;
              e = self.explain(query, id);
            }
            return explanation_dict(e, id);
          },
          py::arg("query"), py::arg("id"))
      .def("stats",
           [](const Collection& self) {
             collection::CollectionStats s;
             {
               py::gil_scoped_release release;
               s = self.stats();
             }
             return collection_stats_dict(s);
           })
      .def("checkpoint", &Collection::checkpoint, py::call_guard<py::gil_scoped_release>())
      .def("compact", &Collection::compact, py::call_guard<py::gil_scoped_release>())
      .def("catch_up", &Collection::catch_up, py::call_guard<py::gil_scoped_release>())
      .def("close", &Collection::close, py::call_guard<py::gil_scoped_release>());

  m.attr("COLLECTION_FORMAT_VERSION") = collection::kFormatVersion;
}

}  // namespace ragkernel::py_bindings

// The storage layer for Python: a shared block cache, repair, and the document store.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/typing.h>

#include <cstring>

#include "areas.hpp"
#include "arrays.hpp"
#include "ragkernel/store/doc_store.hpp"
#include "ragkernel/store/embedding_cache.hpp"
#include "ragkernel/store/llm_cache.hpp"
#include "store_options.hpp"

namespace py = pybind11;

namespace ragkernel::py_bindings {
namespace {

using store::DocStore;

// Every family ragkernel creates, so repair rebuilds each with its own tuning.
std::vector<store::FamilySpec> known_families() {
  std::vector<store::FamilySpec> all = DocStore::families();
  for (auto& f : store::EmbeddingCache::families()) all.push_back(f);
  for (auto& f : store::LLMCache::families()) all.push_back(f);
  return all;
}

store::DocumentBatch document_batch(const std::vector<std::string>& ids, const std::vector<std::string>& texts,
                                    const py::object& vectors,
                                    const std::optional<std::vector<std::optional<std::string>>>& metadata,
                                    std::uint32_t dim) {
  store::DocumentBatch batch;
  batch.ids = ids;
  batch.texts = texts;
  if (metadata) batch.metadata = *metadata;
  if (!vectors.is_none()) {
    const MatrixView<float> m = as_matrix<float>(vectors, "vectors");
    if (m.rows != ids.size()) {
      throw InvalidArgument("vectors has " + std::to_string(m.rows) + " rows, expected one per id (" +
                            std::to_string(ids.size()) + ")");
    }
    require_same_dim(m.cols, dim, "vectors");
    batch.vectors.assign(m.data, m.data + m.rows * m.cols);
  }
  return batch;
}

py::object document_tuple(const store::Document& d, std::uint32_t dim) {
  py::object metadata = d.metadata ? py::object(py::bytes(*d.metadata)) : py::object(py::none());
  py::object vector = py::none();
  if (dim > 0) {
    py::array_t<float> v(static_cast<py::ssize_t>(dim));
    std::memcpy(v.mutable_data(), d.vector.data(), dim * sizeof(float));
    vector = v;
  }
  return py::make_tuple(d.text, metadata, vector);
}

}  // namespace

void register_store(py::module_& m) {
  py::class_<store::BlockCache>(m, "BlockCache", "A RocksDB block cache that several stores can share.")
      .def(py::init<std::size_t>(), py::arg("capacity_bytes"))
      .def_property_readonly("capacity", &store::BlockCache::capacity)
      .def_property_readonly("usage", &store::BlockCache::usage);

  m.def(
      "store_repair", [](const std::string& path) { store::Store::repair(path, known_families()); }, py::arg("path"),
      py::call_guard<py::gil_scoped_release>(),
      "Rebuild a damaged store's metadata from its surviving files (RocksDB RepairDB).");

  m.attr("STORE_SCHEMA_VERSION") = store::kSchemaVersion;

  py::class_<DocStore> docs(m, "DocStore", "Documents (text, metadata bytes, float32 vector) on RocksDB.");
  docs.def(py::init([](const std::string& path, std::optional<std::uint32_t> dim, const std::string& access,
                       const std::optional<store::BlockCache>& block_cache, std::size_t block_cache_bytes, bool sync) {
             const store::StoreOptions options = store_options(access, block_cache, block_cache_bytes, sync);
             py::gil_scoped_release release;
             return DocStore::open(path, dim, options);
           }),
           py::arg("path"), py::arg("dim") = py::none(), py::arg("access") = "read_write",
           py::arg("block_cache") = py::none(), py::arg("block_cache_bytes") = std::size_t{64} << 20,
           py::arg("sync") = false)
      .def_property_readonly("dim", &DocStore::dim)
      .def(
          "write",
          [](DocStore& self, bool add, const std::vector<std::string>& ids, const std::vector<std::string>& texts,
             const py::object& vectors, const std::optional<std::vector<std::optional<std::string>>>& metadata,
             const std::vector<std::string>& erase_ids) {
            store::DocumentChanges changes;
            changes.mode = add ? store::WriteMode::add : store::WriteMode::upsert;
            changes.documents = document_batch(ids, texts, vectors, metadata, self.dim());
            changes.erase_ids = erase_ids;
            store::ApplyResult result;
            {
              py::gil_scoped_release release;
              result = self.apply(changes);
            }
            return py::make_tuple(result.replaced, result.erased);
          },
          py::arg("add"), py::arg("ids"), py::arg("texts"), py::arg("vectors"), py::arg("metadata"),
          py::arg("erase_ids"),
          "One atomic write: documents (add or upsert) and deletions. Returns (replaced, erased) flags.")
      .def(
          "get",
          [](const DocStore& self, const std::vector<std::string>& ids) {
            std::vector<std::optional<store::Document>> got;
            {
              py::gil_scoped_release release;
              got = self.get(ids);
            }
            py::typing::List<py::object> out;
            for (const auto& d : got) out.append(d ? document_tuple(*d, self.dim()) : py::object(py::none()));
            return out;
          },
          py::arg("ids"), "(text, metadata bytes or None, vector or None) per id, None when absent; one snapshot.")
      .def(
          "ids",
          [](const DocStore& self) {
            std::vector<std::string> ids;
            {
              py::gil_scoped_release release;
              self.scan(
                  [&](const store::Document& d) {
                    ids.push_back(d.id);
                    return true;
                  },
                  0);
            }
            return ids;
          },
          "Every id, in key order.")
      .def("contains", &DocStore::contains, py::arg("id"), py::call_guard<py::gil_scoped_release>())
      .def("__len__", &DocStore::size, py::call_guard<py::gil_scoped_release>())
      .def(
          "catch_up", [](DocStore& self) { self.store().try_catch_up(); }, py::call_guard<py::gil_scoped_release>(),
          "Secondary only: apply what the writer has written since the last call.");
  add_store_methods(docs, [](DocStore& self) -> store::Store& { return self.store(); });
}

}  // namespace ragkernel::py_bindings

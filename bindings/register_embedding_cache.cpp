// The embedding cache for Python: batched get/put of float32 matrices, GIL released.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "areas.hpp"
#include "arrays.hpp"
#include "ragkernel/store/embedding_cache.hpp"
#include "store_options.hpp"

namespace py = pybind11;

namespace ragkernel::py_bindings {
namespace {

using store::EmbeddingCache;

store::VectorDtype parse_dtype(const std::string& dtype) {
  if (dtype == "float32") return store::VectorDtype::float32;
  if (dtype == "float16") return store::VectorDtype::float16;
  throw InvalidArgument("dtype is '" + dtype + "'; expected 'float32' or 'float16'");
}

std::vector<std::string_view> views_of(const std::vector<std::string>& texts) { return {texts.begin(), texts.end()}; }

}  // namespace

void register_embedding_cache(py::module_& m) {
  py::class_<EmbeddingCache> cls(m, "EmbeddingCache", "Persistent embedding cache on RocksDB.");
  cls.def(py::init([](const std::string& path, const std::string& dtype, std::optional<std::int64_t> ttl_ms,
                      const std::string& access, const std::optional<store::BlockCache>& block_cache,
                      std::size_t block_cache_bytes, bool sync) {
            store::EmbeddingCacheOptions options;
            options.dtype = parse_dtype(dtype);
            options.default_ttl_ms = ttl_ms;
            const store::StoreOptions so = store_options(access, block_cache, block_cache_bytes, sync);
            py::gil_scoped_release release;
            return EmbeddingCache::open(path, so, options);
          }),
          py::arg("path"), py::arg("dtype") = "float32", py::arg("ttl_ms") = py::none(),
          py::arg("access") = "read_write", py::arg("block_cache") = py::none(),
          py::arg("block_cache_bytes") = std::size_t{64} << 20, py::arg("sync") = false)
      .def(
          "get_many",
          [](EmbeddingCache& self, const std::string& model, const std::vector<std::string>& texts, std::uint32_t dim,
             const std::string& normalization) {
            const store::EmbeddingSpace space{.model = model, .dim = dim, .normalization = normalization};
            py::array_t<float> out({static_cast<py::ssize_t>(texts.size()), static_cast<py::ssize_t>(dim)});
            py::array_t<bool> hit(static_cast<py::ssize_t>(texts.size()));
            float* out_data = out.mutable_data();
            auto* hit_data = reinterpret_cast<std::uint8_t*>(hit.mutable_data());
            {
              py::gil_scoped_release release;
              self.get_many(space, views_of(texts), out_data, hit_data);
            }
            return py::make_tuple(out, hit);
          },
          py::arg("model"), py::arg("texts"), py::arg("dim"), py::arg("normalization") = "none",
          "(vectors float32 [n, dim] with zero rows for misses, hit mask bool [n]).")
      .def(
          "put_many",
          [](EmbeddingCache& self, const std::string& model, const std::vector<std::string>& texts,
             const py::object& vectors, const std::string& normalization, std::optional<std::int64_t> ttl_ms) {
            const MatrixView<float> v = as_matrix<float>(vectors, "vectors");
            if (v.rows != texts.size()) {
              throw InvalidArgument("vectors has " + std::to_string(v.rows) + " rows, expected one per text (" +
                                    std::to_string(texts.size()) + ")");
            }
            const store::EmbeddingSpace space{
                .model = model, .dim = static_cast<std::uint32_t>(v.cols), .normalization = normalization};
            py::gil_scoped_release release;
            self.put_many(space, views_of(texts), v.data, ttl_ms);
          },
          py::arg("model"), py::arg("texts"), py::arg("vectors"), py::arg("normalization") = "none",
          py::arg("ttl_ms") = py::none(), "Store one float32 row per text; ttl_ms None takes the cache's default.")
      .def_static(
          "key",
          [](const std::string& model, const std::string& text, std::uint32_t dim, const std::string& normalization) {
            return py::bytes(EmbeddingCache::key({.model = model, .dim = dim, .normalization = normalization}, text));
          },
          py::arg("model"), py::arg("text"), py::arg("dim"), py::arg("normalization") = "none")
      .def("erase_model", &EmbeddingCache::erase_model, py::arg("model"), py::call_guard<py::gil_scoped_release>())
      .def("clear", &EmbeddingCache::clear, py::call_guard<py::gil_scoped_release>())
      .def(
          "counters",
          [](const EmbeddingCache& self) {
            const store::EmbeddingCacheCounters c = self.counters();
            Dict d;
            d["hits"] = c.hits;
            d["misses"] = c.misses;
            d["expired"] = c.expired;
            d["puts"] = c.puts;
            return d;
          },
          "Hits, misses (expired included), expired and puts since this handle opened.")
      .def("reset_counters", &EmbeddingCache::reset_counters)
      .def(
          "catch_up", [](EmbeddingCache& self) { self.store().try_catch_up(); },
          py::call_guard<py::gil_scoped_release>());
  add_store_methods(cls, [](EmbeddingCache& self) -> store::Store& { return self.store(); });
}

}  // namespace ragkernel::py_bindings

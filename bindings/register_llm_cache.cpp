// The LLM cache for Python. Requests are converted to store::Value with the GIL held; lookups
// run with it released and take it back only to call the user's embedder and verifier.
#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/typing.h>

#include "areas.hpp"
#include "arrays.hpp"
#include "py_value.hpp"
#include "ragkernel/store/llm_cache.hpp"
#include "store_options.hpp"

namespace py = pybind11;

namespace ragkernel::py_bindings {
namespace {

using store::LLMCache;

// A Python callable text -> 1-D float32 array, callable from any thread.
store::Embedder embedder(const py::object& embed) {
  return [embed](std::string_view text) {
    py::gil_scoped_acquire gil;
    const py::object out = embed(py::str(text.data(), text.size()));
    const std::span<const float> v = as_vector<float>(out, "embedding");
    return std::vector<float>(v.begin(), v.end());
  };
}

store::Verifier verifier(const py::object& verify) {
  if (verify.is_none()) return {};
  return [verify](std::string_view query, std::string_view cached, float score) {
    py::gil_scoped_acquire gil;
    return verify(py::str(query.data(), query.size()), py::str(cached.data(), cached.size()), score).cast<bool>();
  };
}

store::LLMUsage usage(std::uint64_t prompt_tokens, std::uint64_t completion_tokens, double cost) {
  return store::LLMUsage{.prompt_tokens = prompt_tokens, .completion_tokens = completion_tokens, .cost = cost};
}

Dict stats_dict(const store::LLMCacheStats& s) {
  Dict d;
  d["exact_hits"] = s.exact_hits;
  d["semantic_hits"] = s.semantic_hits;
  d["misses"] = s.misses;
  d["verifier_rejections"] = s.verifier_rejections;
  d["updates"] = s.updates;
  d["evictions"] = s.evictions;
  d["expirations"] = s.expirations;
  d["oversize_skipped"] = s.oversize_skipped;
  d["prompt_tokens_saved"] = s.prompt_tokens_saved;
  d["completion_tokens_saved"] = s.completion_tokens_saved;
  d["cost_saved"] = s.cost_saved;
  d["entries"] = s.entries;
  d["bytes"] = s.bytes;
  return d;
}

}  // namespace

void register_llm_cache(py::module_& m) {
  py::class_<LLMCache> cls(m, "LLMCache", "Persistent exact and semantic LLM response cache on RocksDB.");
  cls.def(py::init([](const std::string& path, std::uint64_t max_bytes, std::optional<std::int64_t> ttl_ms,
                      const std::vector<std::string>& volatile_fields, const std::string& embedding_model,
                      const std::string& access, const std::optional<store::BlockCache>& block_cache,
                      std::size_t block_cache_bytes, bool sync) {
            store::LLMCacheOptions options;
            options.max_bytes = max_bytes;
            options.default_ttl_ms = ttl_ms;
            options.extra_volatile = volatile_fields;
            options.embedding_model = embedding_model;
            const store::StoreOptions so = store_options(access, block_cache, block_cache_bytes, sync);
            py::gil_scoped_release release;
            return LLMCache::open(path, so, options);
          }),
          py::arg("path"), py::arg("max_bytes") = 0, py::arg("ttl_ms") = py::none(),
          py::arg("volatile_fields") = std::vector<std::string>{}, py::arg("embedding_model") = "default",
          py::arg("access") = "read_write", py::arg("block_cache") = py::none(),
          py::arg("block_cache_bytes") = std::size_t{64} << 20, py::arg("sync") = false)
      .def(
          "key",
          [](const LLMCache& self, const py::object& request) {
            return store::to_hex(self.key(request_value(request)));
          },
          py::arg("request"), "The request's cache key: 64 hex digits of SHA-256 over its canonical encoding.")
      .def(
          "lookup",
          [](LLMCache& self, const py::object& request) -> py::object {
            const store::Value value = request_value(request);
            std::optional<store::CachedResponse> hit;
            {
              py::gil_scoped_release release;
              hit = self.lookup(value);
            }
            if (!hit) return py::none();
            return py::bytes(hit->response);
          },
          py::arg("request"), "The cached response bytes, or None.")
      .def(
          "update",
          [](LLMCache& self, const py::object& request, const std::string& response, std::uint64_t prompt_tokens,
             std::uint64_t completion_tokens, double cost, std::optional<std::int64_t> ttl_ms) {
            const store::Value value = request_value(request);
            py::gil_scoped_release release;
            return self.update(value, response, usage(prompt_tokens, completion_tokens, cost), ttl_ms);
          },
          py::arg("request"), py::arg("response"), py::arg("prompt_tokens") = 0, py::arg("completion_tokens") = 0,
          py::arg("cost") = 0.0, py::arg("ttl_ms") = py::none(),
          "Store a response; False when it is larger than max_bytes (not stored).")
      .def(
          "lookup_semantic",
          [](LLMCache& self, const py::object& request, const py::object& embed, float threshold,
             const py::object& verify, std::size_t candidates) -> py::object {
            const store::Value value = request_value(request);
            const store::Embedder e = embedder(embed);
            const store::Verifier v = verifier(verify);
            std::optional<store::SemanticHit> hit;
            {
              py::gil_scoped_release release;
              hit = self.lookup_semantic(value, e, threshold, v, candidates);
            }
            if (!hit) return py::none();
            return py::make_tuple(py::bytes(hit->entry.response), hit->score, hit->matched_text, hit->exact);
          },
          py::arg("request"), py::arg("embed"), py::arg("threshold"), py::arg("verifier") = py::none(),
          py::arg("candidates") = 4, "(response bytes, cosine, matched text, exact) or None.")
      .def(
          "update_semantic",
          [](LLMCache& self, const py::object& request, const std::string& response, const py::object& embed,
             std::uint64_t prompt_tokens, std::uint64_t completion_tokens, double cost,
             std::optional<std::int64_t> ttl_ms) {
            const store::Value value = request_value(request);
            const store::Embedder e = embedder(embed);
            py::gil_scoped_release release;
            return self.update_semantic(value, response, usage(prompt_tokens, completion_tokens, cost), e, ttl_ms);
          },
          py::arg("request"), py::arg("response"), py::arg("embed"), py::arg("prompt_tokens") = 0,
          py::arg("completion_tokens") = 0, py::arg("cost") = 0.0, py::arg("ttl_ms") = py::none())
      .def(
          "erase",
          [](LLMCache& self, const py::object& request) {
            const store::Value value = request_value(request);
            py::gil_scoped_release release;
            return self.erase(value);
          },
          py::arg("request"))
      .def("purge_expired", &LLMCache::purge_expired, py::call_guard<py::gil_scoped_release>())
      .def("clear", &LLMCache::clear, py::call_guard<py::gil_scoped_release>())
      .def("flush_recency", &LLMCache::flush_recency, py::call_guard<py::gil_scoped_release>())
      .def("check_integrity", &LLMCache::check_integrity, py::call_guard<py::gil_scoped_release>())
      .def("catch_up", &LLMCache::catch_up, py::call_guard<py::gil_scoped_release>())
      .def("stats", [](const LLMCache& self) { return stats_dict(self.stats()); })
      .def("reset_stats", &LLMCache::reset_stats);
  add_store_methods(cls, [](LLMCache& self) -> store::Store& { return self.store(); });
}

}  // namespace ragkernel::py_bindings

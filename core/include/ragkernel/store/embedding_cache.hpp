#pragma once
// A persistent cache of embeddings so no text is embedded twice by the same model.
//
// Key: an 8-byte hash of the model id (so one model's entries can be dropped at once), then
// SHA-256 over the length-prefixed model id, dimension, normalisation and text. Length
// prefixes keep fields apart: ("ab", "c") and ("a", "bc") never share a key.
// Value: the expiry header (expires_at, checked on read and used by the compaction filter that
// drops expired entries), the element type (float32, or float16 at half the bytes), the
// dimension, then the vector.
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ragkernel/store/store.hpp"

namespace ragkernel::store {

enum class VectorDtype : std::uint8_t { float32 = 1, float16 = 2 };

// Which embeddings are interchangeable: same model, dimension and normalisation.
struct EmbeddingSpace {
  std::string model{};
  std::uint32_t dim = 0;
  std::string normalization = "none";  // e.g. "none", "l2"
};

struct EmbeddingCacheOptions {
  VectorDtype dtype = VectorDtype::float32;      // for new entries; entries keep the type they were written with
  std::optional<std::int64_t> default_ttl_ms{};  // nullopt: entries never expire
};

struct EmbeddingCacheCounters {
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;   // includes expired
  std::uint64_t expired = 0;  // found, but past their expiry
  std::uint64_t puts = 0;
};

class EmbeddingCache {
 public:
  static constexpr const char* kKind = "embedding_cache";
  static constexpr const char* kEntries = "embeddings";

  static std::vector<FamilySpec> families();
  static Schema schema();
  static std::unique_ptr<EmbeddingCache> open(const std::string& path, const StoreOptions& store_options = {},
                                              const EmbeddingCacheOptions& options = {});
  // A cache inside an open store that has families() (say, a Collection's).
  EmbeddingCache(std::shared_ptr<Store> store, const EmbeddingCacheOptions& options);

  // The cache key of one text (40 bytes), exposed for tests and tools.
  static std::string key(const EmbeddingSpace& space, std::string_view text);

  // Looks every text up. out: texts.size() x space.dim floats, rows of misses set to 0.
  // hit: one byte per text, 1 for a hit. Returns the number of hits.
  std::size_t get_many(const EmbeddingSpace& space, std::span<const std::string_view> texts, float* out,
                       std::uint8_t* hit);
  // vectors: texts.size() x space.dim floats. ttl_ms: nullopt takes the default TTL.
  void put_many(const EmbeddingSpace& space, std::span<const std::string_view> texts, const float* vectors,
                std::optional<std::int64_t> ttl_ms = std::nullopt);

  void erase_model(std::string_view model);  // every dimension and normalisation of it
  void clear();

  EmbeddingCacheCounters counters() const;
  void reset_counters();
  const EmbeddingCacheOptions& options() const noexcept { return options_; }
  Store& store() noexcept { return *store_; }
  const std::shared_ptr<Store>& shared_store() const noexcept { return store_; }

 private:
  std::shared_ptr<Store> store_;
  EmbeddingCacheOptions options_;
  Family entries_;
  std::atomic<std::uint64_t> hits_{0}, misses_{0}, expired_{0}, puts_{0};
};

}  // namespace ragkernel::store

#pragma once
// A persistent cache of LLM responses.
//
// Exact: a request is found by its canonical key (request_key.hpp). Semantic (opt-in): within
// one partition (same model, parameters, tools, earlier messages and embedding model), a
// request whose last text is similar enough (cosine >= threshold) to a cached one's, and that
// an optional verifier accepts, gets the cached response.
//
// Entries expire (TTL, checked on read; an expiry index purges them on writes) and the cache
// is bounded in bytes: past max_bytes the least recently used entries are evicted. Recency of
// hits is recorded in memory and written with the next update (or flush_recency()), so a hit
// costs no disk write; a crash forgets only the recency of hits since the last write.
//
// Every update is one WriteBatch: the entry, its index records, its semantic record, the
// evictions it causes and the byte count land together or not at all.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "ragkernel/store/request_key.hpp"
#include "ragkernel/store/store.hpp"
#include "ragkernel/store/value.hpp"

namespace ragkernel::store {

namespace detail {
class SemanticPartition;
struct UpdatePlan;
}  // namespace detail

struct LLMUsage {
  std::uint64_t prompt_tokens = 0;
  std::uint64_t completion_tokens = 0;
  double cost = 0;  // what the call cost, in the caller's currency
};

struct CachedResponse {
  std::string response;  // the bytes given to update (the Python layer stores JSON)
  LLMUsage usage{};
  std::int64_t created_ms = 0;
  std::int64_t expires_at_ms = 0;  // 0 = never
};

struct SemanticHit {
  CachedResponse entry{};
  float score = 1;           // cosine similarity; 1 for an exact hit
  std::string matched_text;  // the cached request's text
  bool exact = false;
};

struct LLMCacheOptions {
  std::uint64_t max_bytes = 0;  // 0: unbounded
  std::optional<std::int64_t> default_ttl_ms{};
  std::vector<std::string> extra_volatile{};  // more top-level request fields left out of keys
  std::string embedding_model = "default";    // names the embedder; part of semantic partitions
};

struct LLMCacheStats {
  // Since this handle opened.
  std::uint64_t exact_hits = 0;
  std::uint64_t semantic_hits = 0;
  std::uint64_t misses = 0;
  std::uint64_t verifier_rejections = 0;  // candidates above the threshold that the verifier refused
  std::uint64_t updates = 0;
  std::uint64_t evictions = 0;
  std::uint64_t expirations = 0;       // purged after their TTL
  std::uint64_t oversize_skipped = 0;  // responses larger than max_bytes, not stored
  std::uint64_t prompt_tokens_saved = 0;
  std::uint64_t completion_tokens_saved = 0;
  double cost_saved = 0;
  // Of the store, now.
  std::uint64_t entries = 0;
  std::uint64_t bytes = 0;
};

// Text -> embedding. Called without any lock held.
using Embedder = std::function<std::vector<float>(std::string_view text)>;
// (query text, cached text, cosine) -> accept. Called without any lock held.
using Verifier = std::function<bool(std::string_view query_text, std::string_view cached_text, float score)>;

class LLMCache {
 public:
  static constexpr const char* kKind = "llm_cache";
  static constexpr const char* kEntries = "llm_entries";
  static constexpr const char* kIndex = "llm_index";
  static constexpr const char* kSemantic = "llm_semantic";

  static std::vector<FamilySpec> families();
  static Schema schema();
  static std::unique_ptr<LLMCache> open(const std::string& path, const StoreOptions& store_options = {},
                                        const LLMCacheOptions& options = {});
  LLMCache(std::shared_ptr<Store> store, LLMCacheOptions options);
  ~LLMCache();  // writes pending recency (best effort)

  RequestKey key(const Value& request) const;

  // Exact cache.
  std::optional<CachedResponse> lookup(const Value& request);
  // Returns false when the entry was not stored (larger than max_bytes).
  bool update(const Value& request, std::string_view response, const LLMUsage& usage,
              std::optional<std::int64_t> ttl_ms = std::nullopt);

  // Semantic cache: an exact hit first, else the best verified candidate among up to
  // `candidates` cached requests of the same partition with cosine >= threshold.
  std::optional<SemanticHit> lookup_semantic(const Value& request, const Embedder& embed, float threshold,
                                             const Verifier& verify = {}, std::size_t candidates = 4);
  // Stores like update() and indexes the embedding of the request's text; requests without a
  // text to embed are stored for exact hits only.
  bool update_semantic(const Value& request, std::string_view response, const LLMUsage& usage, const Embedder& embed,
                       std::optional<std::int64_t> ttl_ms = std::nullopt);

  bool erase(const Value& request);
  std::size_t purge_expired();
  void clear();
  void flush_recency();
  void catch_up();  // secondary: follow the writer, then reload partitions and counts

  LLMCacheStats stats() const;
  void reset_stats();
  const LLMCacheOptions& options() const noexcept { return options_; }
  Store& store() noexcept { return *store_; }

  // Checks that entries, index records, semantic records and counts agree; throws Corruption
  // naming the first disagreement. For tests and after crashes.
  void check_integrity() const;

 private:
  struct Semantic {
    std::string partition;  // 32 bytes
    std::vector<float> vector;
    std::string text;
  };

  std::optional<CachedResponse> fetch(const std::string& key) const;
  bool store_entry(const std::string& key, std::string_view response, const LLMUsage& usage,
                   std::optional<std::int64_t> ttl_ms, const std::optional<Semantic>& semantic);
  void stage_touches(detail::UpdatePlan& plan);
  void stage_expired(detail::UpdatePlan& plan, std::size_t limit);
  void stage_remove(detail::UpdatePlan& plan, const std::string& key);
  void commit(detail::UpdatePlan& plan);
  void record_hit(const std::string& key, const CachedResponse& entry);
  detail::SemanticPartition* partition(const std::string& partition_key);
  std::uint64_t manifest_counter(std::string_view name) const;
  void require_writable(const char* operation) const;

  std::shared_ptr<Store> store_;
  LLMCacheOptions options_;
  Family entries_, index_, semantic_, manifest_;

  mutable std::mutex writer_;  // one update at a time; also guards loading partitions
  std::uint64_t next_seq_ = 1, bytes_ = 0, count_ = 0;

  std::mutex touch_mutex_;
  std::unordered_set<std::string> touched_;

  mutable std::shared_mutex semantic_mutex_;
  std::unordered_map<std::string, std::unique_ptr<detail::SemanticPartition>> partitions_;

  std::atomic<std::uint64_t> exact_hits_{0}, semantic_hits_{0}, misses_{0}, rejections_{0}, updates_{0}, evictions_{0},
      expirations_{0}, oversize_{0}, prompt_saved_{0}, completion_saved_{0};
  mutable std::mutex cost_mutex_;
  double cost_saved_ = 0;
};

}  // namespace ragkernel::store

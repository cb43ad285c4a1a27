// LLM cache: opening, exact and semantic lookups and updates, stats.
// The write path (staging, eviction, expiry, commit) is in llm_cache_writes.cpp.
#include "ragkernel/store/llm_cache.hpp"

#include <cmath>

#include "ragkernel/error.hpp"
#include "store/encoding.hpp"
#include "store/expiry.hpp"
#include "store/llm_cache_plan.hpp"
#include "store/llm_cache_records.hpp"
#include "store/semantic_index.hpp"

namespace ragkernel::store {
namespace {

constexpr std::size_t kTouchFlushThreshold = 1024;

std::string key_string(const RequestKey& key) {
  return std::string(reinterpret_cast<const char*>(key.data()), key.size());
}

void check_ttl(std::optional<std::int64_t> ttl_ms) {
  if (ttl_ms && *ttl_ms <= 0) {
    throw InvalidArgument("ttl is " + std::to_string(*ttl_ms) + " ms; expected a positive duration (or none)");
  }
}

}  // namespace

std::vector<FamilySpec> LLMCache::families() {
  return {
      FamilySpec{.name = kEntries, .layout = KeyLayout::whole_key, .compression = Compression::lz4},
      FamilySpec{.name = kIndex, .layout = KeyLayout::whole_key, .compression = Compression::none},
      FamilySpec{.name = kSemantic,
                 .layout = KeyLayout::fixed_prefix,
                 .prefix_length = detail::kRequestKeyBytes,
                 .compression = Compression::none},
  };
}

Schema LLMCache::schema() { return Schema{.kind = kKind, .families = families(), .config = {}}; }

std::unique_ptr<LLMCache> LLMCache::open(const std::string& path, const StoreOptions& store_options,
                                         const LLMCacheOptions& options) {
  return std::make_unique<LLMCache>(Store::open(path, schema(), store_options), options);
}

LLMCache::LLMCache(std::shared_ptr<Store> store, LLMCacheOptions options)
    : store_(std::move(store)), options_(std::move(options)) {
  check_ttl(options_.default_ttl_ms);
  entries_ = store_->family(kEntries);
  index_ = store_->family(kIndex);
  semantic_ = store_->family(kSemantic);
  manifest_ = store_->manifest_family();
  bytes_ = manifest_counter(detail::kBytesCounter);
  count_ = manifest_counter(detail::kEntriesCounter);
  next_seq_ = std::max<std::uint64_t>(1, manifest_counter(detail::kNextSeqCounter));
}

LLMCache::~LLMCache() {
  try {
    if (!store_->closed() && store_->writable()) flush_recency();
  } catch (...) {  // NOLINT(bugprone-empty-catch): recency is a hint; never throw from a destructor
  }
}

RequestKey LLMCache::key(const Value& request) const { return request_key(request, options_.extra_volatile); }

std::uint64_t LLMCache::manifest_counter(std::string_view name) const {
  const std::optional<std::string> value = store_->get(manifest_, name);
  if (!value) return 0;
  detail::Reader r(*value);
  const auto n = r.le<std::uint64_t>();
  if (r.failed()) throw Corruption("LLM cache at " + store_->path() + ": counter " + std::string(name) + " is damaged");
  return n;
}

void LLMCache::require_writable(const char* operation) const {
  if (!store_->writable()) {
    throw InvalidArgument(std::string(operation) + " needs the LLM cache open with access='read_write'; " +
                          store_->path() + " is open read-only");
  }
}

std::optional<CachedResponse> LLMCache::fetch(const std::string& key) const {
  const std::optional<std::string> value = store_->get(entries_, key);
  if (!value) return std::nullopt;
  std::optional<CachedResponse> entry = detail::decode_entry(*value);
  if (!entry) throw Corruption("LLM cache at " + store_->path() + ": an entry does not parse");
  if (entry->expires_at_ms != 0 && entry->expires_at_ms <= store_->now_ms()) return std::nullopt;
  return entry;
}

void LLMCache::record_hit(const std::string& key, const CachedResponse& entry) {
  prompt_saved_ += entry.usage.prompt_tokens;
  completion_saved_ += entry.usage.completion_tokens;
  {
    std::lock_guard lock(cost_mutex_);
    cost_saved_ += entry.usage.cost;
  }
  if (!store_->writable()) return;
  bool flush = false;
  {
    std::lock_guard lock(touch_mutex_);
    touched_.insert(key);
    flush = touched_.size() >= kTouchFlushThreshold;
  }
  if (flush) flush_recency();
}

std::optional<CachedResponse> LLMCache::lookup(const Value& request) {
  const std::string key = key_string(this->key(request));
  std::optional<CachedResponse> entry = fetch(key);
  if (!entry) {
    ++misses_;
    return std::nullopt;
  }
  ++exact_hits_;
  record_hit(key, *entry);
  return entry;
}

bool LLMCache::update(const Value& request, std::string_view response, const LLMUsage& usage,
                      std::optional<std::int64_t> ttl_ms) {
  require_writable("update");
  check_ttl(ttl_ms);
  return store_entry(key_string(key(request)), response, usage, ttl_ms, std::nullopt);
}

detail::SemanticPartition* LLMCache::partition(const std::string& partition_key) {
  {
    std::shared_lock lock(semantic_mutex_);
    if (const auto it = partitions_.find(partition_key); it != partitions_.end()) return it->second.get();
  }
  // Load under the writer lock, so no commit lands between the scan and the insert.
  std::lock_guard writer(writer_);
  {
    std::shared_lock lock(semantic_mutex_);
    if (const auto it = partitions_.find(partition_key); it != partitions_.end()) return it->second.get();
  }
  auto loaded = std::make_unique<detail::SemanticPartition>();
  store_->scan_prefix(semantic_, partition_key, [&](std::string_view key, std::string_view value) {
    const std::optional<detail::SemanticRecord> record = detail::decode_semantic(value);
    if (!record) throw Corruption("LLM cache at " + store_->path() + ": a semantic record does not parse");
    loaded->insert(detail::entry_key_of(key), record->vector, record->expires_at_ms);
    return true;
  });
  std::unique_lock lock(semantic_mutex_);
  return partitions_.emplace(partition_key, std::move(loaded)).first->second.get();
}

std::optional<SemanticHit> LLMCache::lookup_semantic(const Value& request, const Embedder& embed, float threshold,
                                                     const Verifier& verify, std::size_t candidates) {
  if (!(threshold >= -1.0f && threshold <= 1.0f)) {
    throw InvalidArgument("threshold is " + std::to_string(threshold) + "; expected a cosine similarity in [-1, 1]");
  }
  if (candidates == 0) throw InvalidArgument("candidates is 0; expected at least 1");
  const std::string key = key_string(this->key(request));
  if (std::optional<CachedResponse> entry = fetch(key)) {
    ++exact_hits_;
    record_hit(key, *entry);
    return SemanticHit{.entry = std::move(*entry), .score = 1.0f, .matched_text = {}, .exact = true};
  }
  const std::optional<SemanticRequest> query =
      semantic_request(request, options_.embedding_model, options_.extra_volatile);
  if (!query) {
    ++misses_;
    return std::nullopt;
  }
  const std::vector<float> unit = detail::unit_vector(embed(query->text));
  const std::string partition_key = key_string(query->partition);
  detail::SemanticPartition* part = partition(partition_key);
  std::vector<detail::SemanticCandidate> found;
  {
    std::shared_lock lock(semantic_mutex_);
    found = part->search(unit, threshold, candidates, store_->now_ms());
  }
  for (const detail::SemanticCandidate& candidate : found) {
    std::optional<CachedResponse> entry = fetch(candidate.key);
    const std::optional<std::string> record = store_->get(semantic_, partition_key + candidate.key);
    if (!entry || !record) continue;  // evicted since the search
    const std::optional<detail::SemanticRecord> semantic = detail::decode_semantic(*record);
    if (!semantic) throw Corruption("LLM cache at " + store_->path() + ": a semantic record does not parse");
    if (verify && !verify(query->text, semantic->text, candidate.score)) {
      ++rejections_;
      continue;
    }
    ++semantic_hits_;
    record_hit(candidate.key, *entry);
    return SemanticHit{
        .entry = std::move(*entry), .score = candidate.score, .matched_text = semantic->text, .exact = false};
  }
  ++misses_;
  return std::nullopt;
}

bool LLMCache::update_semantic(const Value& request, std::string_view response, const LLMUsage& usage,
                               const Embedder& embed, std::optional<std::int64_t> ttl_ms) {
  require_writable("update_semantic");
  check_ttl(ttl_ms);
  const std::string key = key_string(this->key(request));
  std::optional<SemanticRequest> query = semantic_request(request, options_.embedding_model, options_.extra_volatile);
  std::optional<Semantic> semantic;
  if (query) {
    std::vector<float> vector = embed(query->text);
    detail::unit_vector(vector);  // rejects zero and non-finite embeddings before anything is written
    const std::string partition_key = key_string(query->partition);
    detail::SemanticPartition* part = partition(partition_key);
    {
      std::shared_lock lock(semantic_mutex_);
      if (part->size() > 0 && part->dim() != vector.size()) {
        throw InvalidArgument("embedding has dimension " + std::to_string(vector.size()) +
                              ", the cached requests it is compared with have " + std::to_string(part->dim()));
      }
    }
    semantic = Semantic{.partition = partition_key, .vector = std::move(vector), .text = std::move(query->text)};
  }
  return store_entry(key, response, usage, ttl_ms, semantic);
}

LLMCacheStats LLMCache::stats() const {
  LLMCacheStats s;
  s.exact_hits = exact_hits_.load();
  s.semantic_hits = semantic_hits_.load();
  s.misses = misses_.load();
  s.verifier_rejections = rejections_.load();
  s.updates = updates_.load();
  s.evictions = evictions_.load();
  s.expirations = expirations_.load();
  s.oversize_skipped = oversize_.load();
  s.prompt_tokens_saved = prompt_saved_.load();
  s.completion_tokens_saved = completion_saved_.load();
  {
    std::lock_guard lock(cost_mutex_);
    s.cost_saved = cost_saved_;
  }
  s.entries = manifest_counter(detail::kEntriesCounter);
  s.bytes = manifest_counter(detail::kBytesCounter);
  return s;
}

void LLMCache::reset_stats() {
  for (auto* counter : {&exact_hits_, &semantic_hits_, &misses_, &rejections_, &updates_, &evictions_, &expirations_,
                        &oversize_, &prompt_saved_, &completion_saved_}) {
    counter->store(0);
  }
  std::lock_guard lock(cost_mutex_);
  cost_saved_ = 0;
}

void LLMCache::catch_up() {
  store_->try_catch_up();
  std::lock_guard writer(writer_);
  std::unique_lock lock(semantic_mutex_);
  partitions_.clear();
  bytes_ = manifest_counter(detail::kBytesCounter);
  count_ = manifest_counter(detail::kEntriesCounter);
}

}  // namespace ragkernel::store

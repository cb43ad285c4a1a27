// LLM cache writes. Each public write stages everything it changes in one UpdatePlan and
// commits it as one batch: pending recency moves, expired entries, the entry itself, the
// evictions it forces, and the counters.
#include <cmath>

#include "ragkernel/error.hpp"
#include "ragkernel/store/llm_cache.hpp"
#include "store/encoding.hpp"
#include "store/expiry.hpp"
#include "store/llm_cache_plan.hpp"
#include "store/llm_cache_records.hpp"
#include "store/semantic_index.hpp"

namespace ragkernel::store {
namespace {

// Expired entries purged per write, so one write never pays for a long-idle cache at once.
constexpr std::size_t kExpiredPerWrite = 64;

std::string counter_value(std::uint64_t n) {
  std::string out;
  detail::put_le<std::uint64_t>(out, n);
  return out;
}

std::string all_ones(std::size_t n) { return std::string(n, '\xFF'); }

std::optional<detail::IndexRecord> read_index(const Store& store, Family index, const std::string& key,
                                              const ReadView* view = nullptr) {
  const std::optional<std::string> bytes = store.get(index, detail::index_key(key), view);
  if (!bytes) return std::nullopt;
  std::optional<detail::IndexRecord> record = detail::decode_index(*bytes);
  if (!record) throw Corruption("LLM cache at " + store.path() + ": an index record does not parse");
  return record;
}

std::optional<detail::IndexRecord> staged_or_stored(const Store& store, Family index, detail::UpdatePlan& plan,
                                                    const std::string& key) {
  if (const auto it = plan.staged_index.find(key); it != plan.staged_index.end()) return it->second;
  if (plan.removed.contains(key)) return std::nullopt;
  return read_index(store, index, key);
}

}  // namespace

void LLMCache::stage_remove(detail::UpdatePlan& plan, const std::string& key) {
  const std::optional<detail::IndexRecord> record = staged_or_stored(*store_, index_, plan, key);
  if (!record) return;
  WriteBatch& b = plan.batch;
  b.erase(entries_, key);
  b.erase(index_, detail::index_key(key));
  const std::string lru = detail::lru_key(record->seq, key);
  b.erase(index_, lru);
  plan.dead_lru.insert(lru);
  if (record->expires_at_ms != 0) b.erase(index_, detail::expiry_key(record->expires_at_ms, key));
  if (record->partition) {
    b.erase(semantic_, *record->partition + key);
    plan.semantic_removed.emplace_back(*record->partition, key);
  }
  plan.bytes_delta -= static_cast<std::int64_t>(record->size);
  plan.count_delta -= 1;
  plan.removed.insert(key);
  plan.staged_index.erase(key);
}

void LLMCache::stage_touches(detail::UpdatePlan& plan) {
  std::unordered_set<std::string> touched;
  {
    std::lock_guard lock(touch_mutex_);
    touched.swap(touched_);
  }
  for (const std::string& key : touched) {
    std::optional<detail::IndexRecord> record = staged_or_stored(*store_, index_, plan, key);
    if (!record) continue;  // evicted or expired since the hit
    const std::string old_lru = detail::lru_key(record->seq, key);
    plan.batch.erase(index_, old_lru);
    plan.dead_lru.insert(old_lru);
    record->seq = plan.next_seq++;
    plan.batch.put(index_, detail::lru_key(record->seq, key), {});
    plan.batch.put(index_, detail::index_key(key), detail::encode_index(*record));
    plan.staged_index[key] = *record;
  }
}

void LLMCache::stage_expired(detail::UpdatePlan& plan, std::size_t limit) {
  std::string upper = "e";  // every 'e' key with expires_at <= now sorts below this
  detail::put_be64(upper, static_cast<std::uint64_t>(plan.now_ms) + 1);
  Cursor cursor = store_->cursor(index_, upper);
  std::size_t n = 0;
  for (cursor.seek("e"); cursor.valid() && n < limit; cursor.next()) {
    const std::string key(detail::entry_key_of(cursor.key()));
    if (plan.removed.contains(key)) continue;
    stage_remove(plan, key);
    ++plan.expired;
    ++n;
  }
}

void LLMCache::commit(detail::UpdatePlan& plan) {
  if (plan.batch.empty()) return;
  const std::int64_t bytes = static_cast<std::int64_t>(bytes_) + plan.bytes_delta;
  const std::int64_t count = static_cast<std::int64_t>(count_) + plan.count_delta;
  if (bytes < 0 || count < 0) {
    throw Corruption("LLM cache at " + store_->path() +
                     ": byte or entry count would go negative; the counters are damaged");
  }
  plan.batch.put(manifest_, detail::kBytesCounter, counter_value(static_cast<std::uint64_t>(bytes)));
  plan.batch.put(manifest_, detail::kEntriesCounter, counter_value(static_cast<std::uint64_t>(count)));
  plan.batch.put(manifest_, detail::kNextSeqCounter, counter_value(plan.next_seq));
  store_->write(plan.batch);

  bytes_ = static_cast<std::uint64_t>(bytes);
  count_ = static_cast<std::uint64_t>(count);
  next_seq_ = plan.next_seq;
  evictions_ += plan.evicted;
  expirations_ += plan.expired;
  std::unique_lock lock(semantic_mutex_);
  for (const auto& [partition_key, key] : plan.semantic_removed) {
    if (const auto it = partitions_.find(partition_key); it != partitions_.end()) it->second->erase(key);
  }
  for (const detail::SemanticAddition& added : plan.semantic_added) {
    if (const auto it = partitions_.find(added.partition); it != partitions_.end()) {
      it->second->insert(added.key, added.vector, added.expires_at_ms);
    }
  }
}

bool LLMCache::store_entry(const std::string& key, std::string_view response, const LLMUsage& usage,
                           std::optional<std::int64_t> ttl_ms, const std::optional<Semantic>& semantic) {
  if (!std::isfinite(usage.cost) || usage.cost < 0) {
    throw InvalidArgument("cost is " + std::to_string(usage.cost) + "; expected a finite, non-negative number");
  }
  std::lock_guard lock(writer_);
  detail::UpdatePlan plan(store_->batch());
  plan.now_ms = store_->now_ms();
  plan.next_seq = next_seq_;
  stage_touches(plan);
  stage_expired(plan, kExpiredPerWrite);
  stage_remove(plan, key);  // a replaced entry gives back its bytes

  const CachedResponse entry{
      .response = std::string(response),
      .usage = usage,
      .created_ms = plan.now_ms,
      .expires_at_ms = detail::expires_at(plan.now_ms, ttl_ms ? ttl_ms : options_.default_ttl_ms)};
  const std::string value = detail::encode_entry(entry);
  std::string semantic_value;
  if (semantic) {
    semantic_value = detail::encode_semantic(detail::SemanticRecord{
        .expires_at_ms = entry.expires_at_ms, .vector = semantic->vector, .text = semantic->text});
  }
  const std::uint64_t size = detail::kRequestKeyBytes + value.size() +
                             (semantic ? 2 * detail::kRequestKeyBytes + semantic_value.size() : 0) +
                             detail::kIndexOverheadBytes;
  if (options_.max_bytes != 0 && size > options_.max_bytes) {
    ++oversize_;
    commit(plan);  // the recency moves and expiries staged so far still count
    return false;
  }

  const detail::IndexRecord record{
      .seq = plan.next_seq++,
      .size = size,
      .expires_at_ms = entry.expires_at_ms,
      .partition = semantic ? std::optional<std::string>(semantic->partition) : std::nullopt};
  WriteBatch& b = plan.batch;
  b.put(entries_, key, value);
  b.put(index_, detail::index_key(key), detail::encode_index(record));
  b.put(index_, detail::lru_key(record.seq, key), {});
  if (record.expires_at_ms != 0) b.put(index_, detail::expiry_key(record.expires_at_ms, key), {});
  if (semantic) {
    b.put(semantic_, semantic->partition + key, semantic_value);
    plan.semantic_added.push_back({semantic->partition, key, semantic->vector, entry.expires_at_ms});
  }
  plan.staged_index[key] = record;
  plan.bytes_delta += static_cast<std::int64_t>(size);
  plan.count_delta += 1;

  // Evict least recently used entries until the new total fits.
  if (options_.max_bytes != 0 &&
      static_cast<std::int64_t>(bytes_) + plan.bytes_delta > static_cast<std::int64_t>(options_.max_bytes)) {
    Cursor cursor = store_->cursor(index_, "m");  // the 'l' records, oldest first
    for (cursor.seek("l"); cursor.valid(); cursor.next()) {
      if (static_cast<std::int64_t>(bytes_) + plan.bytes_delta <= static_cast<std::int64_t>(options_.max_bytes)) break;
      const std::string lru(cursor.key());
      if (plan.dead_lru.contains(lru)) continue;
      const std::string victim(detail::entry_key_of(lru));
      if (victim == key) continue;
      if (!staged_or_stored(*store_, index_, plan, victim)) {  // a stray record: drop it
        b.erase(index_, lru);
        plan.dead_lru.insert(lru);
        continue;
      }
      stage_remove(plan, victim);
      ++plan.evicted;
    }
  }
  commit(plan);
  ++updates_;
  return true;
}

bool LLMCache::erase(const Value& request) {
  require_writable("erase");
  const RequestKey k = key(request);
  const std::string key_bytes(reinterpret_cast<const char*>(k.data()), k.size());
  std::lock_guard lock(writer_);
  detail::UpdatePlan plan(store_->batch());
  plan.now_ms = store_->now_ms();
  plan.next_seq = next_seq_;
  stage_remove(plan, key_bytes);
  const bool removed = plan.removed.contains(key_bytes);
  commit(plan);
  return removed;
}

std::size_t LLMCache::purge_expired() {
  require_writable("purge_expired");
  std::size_t total = 0;
  for (;;) {
    std::lock_guard lock(writer_);
    detail::UpdatePlan plan(store_->batch());
    plan.now_ms = store_->now_ms();
    plan.next_seq = next_seq_;
    stage_expired(plan, 1024);
    const std::size_t n = plan.expired;
    commit(plan);
    total += n;
    if (n < 1024) return total;
  }
}

void LLMCache::flush_recency() {
  if (!store_->writable()) return;
  std::lock_guard lock(writer_);
  detail::UpdatePlan plan(store_->batch());
  plan.now_ms = store_->now_ms();
  plan.next_seq = next_seq_;
  stage_touches(plan);
  commit(plan);
}

void LLMCache::clear() {
  require_writable("clear");
  std::lock_guard lock(writer_);
  WriteBatch batch = store_->batch();
  batch.erase_range(entries_, {}, all_ones(detail::kRequestKeyBytes + 1));
  batch.erase_range(index_, {}, all_ones(1));
  batch.erase_range(semantic_, {}, all_ones(2 * detail::kRequestKeyBytes + 1));
  batch.put(manifest_, detail::kBytesCounter, counter_value(0));
  batch.put(manifest_, detail::kEntriesCounter, counter_value(0));
  store_->write(batch);
  bytes_ = 0;
  count_ = 0;
  {
    std::lock_guard touch(touch_mutex_);
    touched_.clear();
  }
  std::unique_lock semantic(semantic_mutex_);
  partitions_.clear();
}

void LLMCache::check_integrity() const {
  std::lock_guard lock(writer_);
  const ReadView view = store_->view();
  const std::string where = "LLM cache at " + store_->path() + ": ";
  std::uint64_t count = 0, bytes = 0;
  store_->scan_prefix(
      index_, "k",
      [&](std::string_view index_key, std::string_view value) {
        const std::string key(index_key.substr(1));
        const std::optional<detail::IndexRecord> record = detail::decode_index(value);
        if (!record) throw Corruption(where + "an index record does not parse");
        if (!store_->get(entries_, key, &view)) throw Corruption(where + "an index record has no entry");
        if (!store_->get(index_, detail::lru_key(record->seq, key), &view))
          throw Corruption(where + "an entry has no recency record");
        if (record->expires_at_ms != 0 && !store_->get(index_, detail::expiry_key(record->expires_at_ms, key), &view)) {
          throw Corruption(where + "an entry with a TTL has no expiry record");
        }
        if (record->partition && !store_->get(semantic_, *record->partition + key, &view)) {
          throw Corruption(where + "a semantic entry has no semantic record");
        }
        ++count;
        bytes += record->size;
        return true;
      },
      &view);
  auto every_refers_back = [&](Family family, std::string_view prefix, const char* what, auto&& check) {
    std::uint64_t n = 0;
    store_->scan_prefix(
        family, prefix,
        [&](std::string_view key, std::string_view) {
          const std::string entry(detail::entry_key_of(key));
          const std::optional<detail::IndexRecord> record = read_index(*store_, index_, entry, &view);
          if (!record || !check(key, *record)) throw Corruption(where + "a " + what + " record has no matching entry");
          ++n;
          return true;
        },
        &view);
    return n;
  };
  const auto entries = every_refers_back(entries_, "", "entry", [](auto, auto&) { return true; });
  const auto lru = every_refers_back(index_, "l", "recency", [](std::string_view k, const detail::IndexRecord& r) {
    return detail::get_be64(k.substr(1, 8)) == r.seq;
  });
  every_refers_back(index_, "e", "expiry", [](std::string_view k, const detail::IndexRecord& r) {
    return static_cast<std::int64_t>(detail::get_be64(k.substr(1, 8))) == r.expires_at_ms;
  });
  every_refers_back(semantic_, "", "semantic", [](std::string_view k, const detail::IndexRecord& r) {
    return r.partition && k.substr(0, detail::kRequestKeyBytes) == *r.partition;
  });
  if (entries != count || lru != count) throw Corruption(where + "entries, index and recency records differ in number");
  const std::uint64_t stored_count = manifest_counter(detail::kEntriesCounter);
  const std::uint64_t stored_bytes = manifest_counter(detail::kBytesCounter);
  if (stored_count != count || stored_bytes != bytes) {
    throw Corruption(where + "counters say " + std::to_string(stored_count) + " entries / " +
                     std::to_string(stored_bytes) + " bytes, the records " + std::to_string(count) + " / " +
                     std::to_string(bytes));
  }
}

}  // namespace ragkernel::store

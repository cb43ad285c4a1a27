#pragma once
// One LLM-cache write being staged: the batch, and what it changes, so that later steps of the
// same write (eviction after an insert, expiry after recency moves) see the earlier ones.
#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "ragkernel/store/store.hpp"
#include "store/llm_cache_records.hpp"

namespace ragkernel::store::detail {

inline constexpr const char* kBytesCounter = "llm_cache/bytes";
inline constexpr const char* kEntriesCounter = "llm_cache/entries";
inline constexpr const char* kNextSeqCounter = "llm_cache/next_seq";

struct SemanticAddition {
  std::string partition;
  std::string key;
  std::vector<float> vector;
  std::int64_t expires_at_ms = 0;
};

struct UpdatePlan {
  explicit UpdatePlan(WriteBatch b) : batch(std::move(b)) {}

  WriteBatch batch;
  std::int64_t now_ms = 0;
  std::uint64_t next_seq = 0;
  std::int64_t bytes_delta = 0;
  std::int64_t count_delta = 0;
  std::uint64_t evicted = 0;
  std::uint64_t expired = 0;

  std::unordered_map<std::string, IndexRecord> staged_index;          // index records written by this plan
  std::unordered_set<std::string> removed;                            // entry keys removed by this plan
  std::unordered_set<std::string> dead_lru;                           // 'l' keys deleted by this plan
  std::vector<std::pair<std::string, std::string>> semantic_removed;  // (partition, key)
  std::vector<SemanticAddition> semantic_added;
};

}  // namespace ragkernel::store::detail

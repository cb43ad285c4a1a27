#pragma once
// The records of the LLM cache and their byte layouts.
//
//   llm_entries   key(32)                  -> expiry header | created_ms i64 | prompt_tokens u64 |
//                                             completion_tokens u64 | cost f64 | response bytes
//   llm_index     'k' key(32)              -> seq u64 | size u64 | expires_at i64 | has_partition u8 | partition(32)?
//                 'l' seq(be64) key(32)    -> ""   least recently used first
//                 'e' expires(be64) key(32)-> ""   soonest to expire first (only entries with a TTL)
//   llm_semantic  partition(32) key(32)    -> expires_at i64 | dim u32 | dim x f32 | text
//   manifest      llm_cache/{bytes,entries,next_seq} -> u64
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ragkernel/store/llm_cache.hpp"

namespace ragkernel::store::detail {

inline constexpr std::size_t kRequestKeyBytes = 32;
// Index records and key copies per entry, counted into the cache's byte total.
inline constexpr std::uint64_t kIndexOverheadBytes = 160;

struct IndexRecord {
  std::uint64_t seq = 0;
  std::uint64_t size = 0;
  std::int64_t expires_at_ms = 0;
  std::optional<std::string> partition;
};

std::string encode_entry(const CachedResponse& entry);
std::optional<CachedResponse> decode_entry(std::string_view bytes);

std::string encode_index(const IndexRecord& record);
std::optional<IndexRecord> decode_index(std::string_view bytes);

std::string index_key(std::string_view key);
std::string lru_key(std::uint64_t seq, std::string_view key);
std::string expiry_key(std::int64_t expires_at_ms, std::string_view key);
// The entry key at the end of an 'l' or 'e' index key.
std::string_view entry_key_of(std::string_view index_key);

struct SemanticRecord {
  std::int64_t expires_at_ms = 0;
  std::vector<float> vector;
  std::string text;
};
std::string encode_semantic(const SemanticRecord& record);
std::optional<SemanticRecord> decode_semantic(std::string_view bytes);

}  // namespace ragkernel::store::detail

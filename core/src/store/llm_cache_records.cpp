#include "store/llm_cache_records.hpp"

#include <cstring>

#include "store/encoding.hpp"
#include "store/expiry.hpp"

namespace ragkernel::store::detail {

std::string encode_entry(const CachedResponse& entry) {
  std::string out;
  out.reserve(kExpiryHeaderSize + 32 + entry.response.size());
  append_expiry_header(out, ExpiryHeader{.flags = 0, .expires_at_ms = entry.expires_at_ms});
  put_le<std::int64_t>(out, entry.created_ms);
  put_le<std::uint64_t>(out, entry.usage.prompt_tokens);
  put_le<std::uint64_t>(out, entry.usage.completion_tokens);
  put_le<double>(out, entry.usage.cost);
  out.append(entry.response);
  return out;
}

std::optional<CachedResponse> decode_entry(std::string_view bytes) {
  const auto header = read_expiry_header(bytes);
  if (!header) return std::nullopt;
  Reader r(bytes.substr(kExpiryHeaderSize));
  CachedResponse entry;
  entry.expires_at_ms = header->expires_at_ms;
  entry.created_ms = r.le<std::int64_t>();
  entry.usage.prompt_tokens = r.le<std::uint64_t>();
  entry.usage.completion_tokens = r.le<std::uint64_t>();
  entry.usage.cost = r.le<double>();
  if (r.failed()) return std::nullopt;
  entry.response.assign(r.rest());
  return entry;
}

std::string encode_index(const IndexRecord& record) {
  std::string out;
  put_le<std::uint64_t>(out, record.seq);
  put_le<std::uint64_t>(out, record.size);
  put_le<std::int64_t>(out, record.expires_at_ms);
  put_u8(out, record.partition ? 1 : 0);
  if (record.partition) out.append(*record.partition);
  return out;
}

std::optional<IndexRecord> decode_index(std::string_view bytes) {
  Reader r(bytes);
  IndexRecord record;
  record.seq = r.le<std::uint64_t>();
  record.size = r.le<std::uint64_t>();
  record.expires_at_ms = r.le<std::int64_t>();
  const std::uint8_t has_partition = r.u8();
  if (has_partition == 1) record.partition = std::string(r.bytes(kRequestKeyBytes));
  if (r.failed() || r.remaining() != 0 || has_partition > 1) return std::nullopt;
  return record;
}

std::string index_key(std::string_view key) {
  std::string out(1, 'k');
  out.append(key);
  return out;
}

std::string lru_key(std::uint64_t seq, std::string_view key) {
  std::string out = "l";
  put_be64(out, seq);
  out.append(key);
  return out;
}

std::string expiry_key(std::int64_t expires_at_ms, std::string_view key) {
  std::string out = "e";
  put_be64(out, static_cast<std::uint64_t>(expires_at_ms));
  out.append(key);
  return out;
}

std::string_view entry_key_of(std::string_view index_key) {
  return index_key.size() >= kRequestKeyBytes ? index_key.substr(index_key.size() - kRequestKeyBytes) : index_key;
}

std::string encode_semantic(const SemanticRecord& record) {
  std::string out;
  put_le<std::int64_t>(out, record.expires_at_ms);
  put_le<std::uint32_t>(out, static_cast<std::uint32_t>(record.vector.size()));
  for (const float x : record.vector) put_le<float>(out, x);
  out.append(record.text);
  return out;
}

std::optional<SemanticRecord> decode_semantic(std::string_view bytes) {
  Reader r(bytes);
  SemanticRecord record;
  record.expires_at_ms = r.le<std::int64_t>();
  const auto dim = r.le<std::uint32_t>();
  if (r.failed() || r.remaining() < static_cast<std::size_t>(dim) * sizeof(float)) return std::nullopt;
  record.vector.resize(dim);
  for (float& x : record.vector) x = r.le<float>();
  record.text.assign(r.rest());
  return record;
}

}  // namespace ragkernel::store::detail

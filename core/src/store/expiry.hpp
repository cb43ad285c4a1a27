#pragma once
// Values that can expire start with a 10-byte header:
//
//   byte 0     header version (1)
//   byte 1     flags, owned by the component that wrote the value
//   bytes 2-9  expires_at: int64 little-endian, milliseconds since the Unix epoch; 0 = never
//
// Readers check expires_at against the store's clock and treat an expired value as absent;
// compactions (and flushes) of families marked `expiring_values` drop expired values, so
// space comes back without anyone deleting them. A value whose header does not parse is kept:
// compaction never destroys what it does not understand.
#include <rocksdb/compaction_filter.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace ragkernel::store::detail {

inline constexpr std::uint8_t kExpiryHeaderVersion = 1;
inline constexpr std::size_t kExpiryHeaderSize = 10;

struct ExpiryHeader {
  std::uint8_t flags = 0;
  std::int64_t expires_at_ms = 0;  // 0 = never

  bool expired(std::int64_t now_ms) const noexcept { return expires_at_ms != 0 && expires_at_ms <= now_ms; }
};

void append_expiry_header(std::string& out, const ExpiryHeader& header);
// nullopt when the value is too short or has another header version.
std::optional<ExpiryHeader> read_expiry_header(std::string_view value);

// expires_at for a time-to-live from now: 0 (never) when ttl_ms is nullopt. A non-positive
// ttl is the caller's error and is checked where the user gives it.
std::int64_t expires_at(std::int64_t now_ms, std::optional<std::int64_t> ttl_ms);

std::shared_ptr<rocksdb::CompactionFilterFactory> make_expiry_filter_factory(std::function<std::int64_t()> clock);

}  // namespace ragkernel::store::detail

#pragma once
// The single-file format of vector indexes:
//
//   header (128 bytes): magic "RKVECIDX", format version, header size, index kind, metric,
//     quantization, keep_float, dim, M, ef_construction, ef_search, seed, flags, payload size,
//     payload checksum, header checksum
//   payload: sections, each a 16-byte section header (tag, byte length) followed by its bytes
//     padded to 64, so every array starts 64-byte aligned in the file and in a mapping.
//
// Saving makes two passes over the sections (the first only hashes), so a stream never needs
// to seek. Loading reads from a Region (a private writable mapping or an aligned buffer);
// arrays become views into it.
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <span>
#include <string>

#include "ragkernel/vector/types.hpp"

namespace ragkernel::vector::detail {

constexpr char kMagic[8] = {'R', 'K', 'V', 'E', 'C', 'I', 'D', 'X'};
constexpr std::uint32_t kFormatVersion = 1;
constexpr std::size_t kHeaderBytes = 128;
constexpr std::uint64_t kFlagHasKeys = 1;

// 64-bit streaming hash over 32-byte blocks in four lanes (multiply-xorshift); fast enough to
// check a payload at several GB/s, detects truncation and bit flips, not an adversary.
class Hasher {
 public:
  void update(const void* data, std::size_t n) noexcept;
  std::uint64_t digest() const noexcept;

 private:
  void block(const unsigned char* p) noexcept;
  std::uint64_t lanes_[4] = {0x9E3779B97F4A7C15ull, 0xC2B2AE3D27D4EB4Full, 0x165667B19E3779F9ull,
                             0x27D4EB2F165667C5ull};
  unsigned char pending_[32] = {};
  std::size_t pending_n_ = 0;
  std::uint64_t total_ = 0;
};

struct FileHeader {
  IndexOptions options;
  std::uint64_t flags = 0;
  std::uint64_t payload_bytes = 0;
  std::uint64_t payload_checksum = 0;
};

// Writes sections; with out == nullptr it only counts and hashes (the first pass).
class SectionWriter {
 public:
  explicit SectionWriter(std::function<void(const void*, std::size_t)> out) : out_(std::move(out)) {}
  void section(std::uint32_t tag, std::span<const std::byte> bytes);
  template <class T>
  void section(std::uint32_t tag, const T* data, std::size_t n) {
    section(tag, std::span<const std::byte>(reinterpret_cast<const std::byte*>(data), n * sizeof(T)));
  }
  std::uint64_t bytes() const noexcept { return bytes_; }
  std::uint64_t checksum() const noexcept { return hasher_.digest(); }

 private:
  void emit(const void* data, std::size_t n);
  std::function<void(const void*, std::size_t)> out_;
  Hasher hasher_;
  std::uint64_t bytes_ = 0;
};

// A loaded file: bytes that stay alive (and writable) as long as any array views them.
struct Region {
  std::byte* data = nullptr;
  std::size_t size = 0;
  std::shared_ptr<void> keepalive;
};
Region map_file(const std::string& path);   // private writable mapping; throws IOError
Region read_file(const std::string& path);  // aligned buffer
Region read_stream(std::istream& in);
Region copy_bytes(std::span<const std::byte> bytes);
// Gives back to the OS the whole pages inside a section that was copied out of a loaded region
// and is not viewed (upper graph levels, string ids): otherwise they stay resident beside their
// copies for as long as the region lives (about 19 bytes per vector at 1M int4 rows).
void release_pages(std::span<std::byte> section) noexcept;

std::array<std::byte, kHeaderBytes> encode_header(const FileHeader& header);
// Checks magic, version, sizes and the header checksum (and the payload checksum when
// verify_payload); throws Corruption naming the first failure.
FileHeader decode_header(const Region& region, bool verify_payload);

// The sections of a payload by tag: (pointer into the region, byte length).
class SectionReader {
 public:
  SectionReader(const Region& region, const FileHeader& header);
  bool has(std::uint32_t tag) const { return sections_.count(tag) != 0; }
  std::span<std::byte> bytes(std::uint32_t tag) const;  // throws Corruption when absent
  // A section as n elements of T (throws Corruption when the length differs).
  template <class T>
  T* array(std::uint32_t tag, std::size_t n) const {
    const std::span<std::byte> b = bytes(tag);
    check_length(tag, b.size(), n * sizeof(T));
    return reinterpret_cast<T*>(b.data());
  }
  const std::shared_ptr<void>& keepalive() const noexcept { return keepalive_; }

 private:
  static void check_length(std::uint32_t tag, std::size_t got, std::size_t want);
  std::map<std::uint32_t, std::span<std::byte>> sections_;
  std::shared_ptr<void> keepalive_;
};

// Section tags, shared by the index kinds.
enum Tag : std::uint32_t {
  kTagState = 1,       // per id: 0 free, 1 live
  kTagFloats = 2,      // float32 rows
  kTagNorms = 3,       // per id: Euclidean norm of the original vector
  kTagInt8Params = 4,  // quantizer offset[dim], scale[dim], mean[dim]
  kTagInt8Codes = 5,
  kTagBinaryCodes = 6,
  kTagInt4Params = 7,   // 4-bit quantizer low[dim], step[dim]
  kTagInt4Codes = 8,    // nibble layout, u4_code_bytes(dim) per id
  kTagInt4Fine = 9,     // 3-bit refinements of the 4-bit codes, u3_code_bytes(dim) per id
  kTagGraphMeta = 10,   // entry point, max level, counts
  kTagLevels = 11,      // per id: level
  kTagBaseLinks = 12,   // per id: count + 2M ids
  kTagUpperLinks = 13,  // concatenated upper-level lists
  kTagKeys = 20,        // VectorIndex: string ids by internal id
  kTagQuantMeta = 21,   // trained flag and training count
};

}  // namespace ragkernel::vector::detail

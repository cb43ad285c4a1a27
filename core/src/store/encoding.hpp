#pragma once
// Byte-level encodings shared by the store's keys and value headers: fixed-width integers
// (little-endian in values, big-endian where keys must sort by number) and varints. Every
// reader checks bounds and reports a short buffer instead of reading past it.
#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace ragkernel::store::detail {

inline void put_u8(std::string& out, std::uint8_t v) { out.push_back(static_cast<char>(v)); }

template <class T>
void put_le(std::string& out, T v) {
  static_assert(std::is_trivially_copyable_v<T>);
  char bytes[sizeof(T)];
  std::memcpy(bytes, &v, sizeof(T));
  if constexpr (std::endian::native == std::endian::big) std::reverse(bytes, bytes + sizeof(T));
  out.append(bytes, sizeof(T));
}

// Big-endian so that byte order equals numeric order (keys that sort by sequence or time).
inline void put_be64(std::string& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xFF));
}

inline std::uint64_t get_be64(std::string_view in) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(in[static_cast<std::size_t>(i)]);
  return v;
}

inline void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

// A length-prefixed byte string: varint length, then the bytes. Concatenations of these are
// unambiguous, so ["ab", "c"] and ["a", "bc"] never encode alike.
inline void put_bytes(std::string& out, std::string_view s) {
  put_varint(out, s.size());
  out.append(s);
}

// Reads values front to back; any read past the end sets failed() and returns zeros.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  bool failed() const noexcept { return failed_; }
  std::size_t remaining() const noexcept { return in_.size() - pos_; }
  std::string_view rest() const noexcept { return in_.substr(pos_); }

  std::uint8_t u8() {
    if (!need(1)) return 0;
    return static_cast<std::uint8_t>(in_[pos_++]);
  }

  template <class T>
  T le() {
    T v{};
    if (!need(sizeof(T))) return v;
    char bytes[sizeof(T)];
    std::memcpy(bytes, in_.data() + pos_, sizeof(T));
    if constexpr (std::endian::native == std::endian::big) std::reverse(bytes, bytes + sizeof(T));
    std::memcpy(&v, bytes, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }

  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (!need(1)) return 0;
      const auto byte = static_cast<unsigned char>(in_[pos_++]);
      v |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
      if (!(byte & 0x80)) return v;
    }
    failed_ = true;
    return 0;
  }

  std::string_view bytes(std::size_t n) {
    if (!need(n)) return {};
    std::string_view s = in_.substr(pos_, n);
    pos_ += n;
    return s;
  }

  std::string_view length_prefixed() { return bytes(static_cast<std::size_t>(varint())); }

 private:
  bool need(std::size_t n) {
    if (failed_ || in_.size() - pos_ < n) {
      failed_ = true;
      return false;
    }
    return true;
  }

  std::string_view in_;
  std::size_t pos_ = 0;
  bool failed_ = false;
};

}  // namespace ragkernel::store::detail

#pragma once
// Inline UTF-8 helpers for text already known to be valid.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ragkernel::chunk::detail {

inline bool is_continuation(unsigned char byte) noexcept { return (byte & 0xC0) == 0x80; }

// Length in bytes of the code point whose first byte is `lead`.
inline std::size_t sequence_length(unsigned char lead) noexcept {
  if (lead < 0x80) return 1;
  if (lead < 0xE0) return 2;
  if (lead < 0xF0) return 3;
  return 4;
}

// Decodes the code point at `pos` and advances `pos` past it.
inline char32_t decode(std::string_view s, std::size_t& pos) noexcept {
  const auto b0 = static_cast<unsigned char>(s[pos]);
  if (b0 < 0x80) {
    ++pos;
    return b0;
  }
  const std::size_t len = sequence_length(b0);
  char32_t cp = len == 2 ? (b0 & 0x1F) : len == 3 ? (b0 & 0x0F) : (b0 & 0x07);
  for (std::size_t i = 1; i < len; ++i) cp = (cp << 6) | (static_cast<unsigned char>(s[pos + i]) & 0x3F);
  pos += len;
  return cp;
}

// The code point that ends at `pos` (exclusive); moves `pos` back to its first byte.
inline char32_t decode_before(std::string_view s, std::size_t& pos) noexcept {
  std::size_t start = pos - 1;
  while (start > 0 && is_continuation(static_cast<unsigned char>(s[start]))) --start;
  std::size_t p = start;
  const char32_t cp = decode(s, p);
  pos = start;
  return cp;
}

inline void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// The next code point boundary at or after `pos` (valid text: skip continuation bytes).
inline std::size_t ceil_boundary(std::string_view s, std::size_t pos) noexcept {
  while (pos < s.size() && is_continuation(static_cast<unsigned char>(s[pos]))) ++pos;
  return pos;
}

inline std::size_t floor_boundary(std::string_view s, std::size_t pos) noexcept {
  while (pos > 0 && pos < s.size() && is_continuation(static_cast<unsigned char>(s[pos]))) --pos;
  return pos;
}

inline std::size_t next_boundary(std::string_view s, std::size_t pos) noexcept {
  return pos >= s.size() ? s.size() : pos + sequence_length(static_cast<unsigned char>(s[pos]));
}

// True when `s` has more than `limit` code points (stops counting early).
inline bool count_chars_over(std::string_view s, std::size_t limit) noexcept {
  if (s.size() <= limit) return false;
  std::size_t count = 0;
  for (const char c : s) {
    count += !is_continuation(static_cast<unsigned char>(c));
    if (count > limit) return true;
  }
  return false;
}

}  // namespace ragkernel::chunk::detail

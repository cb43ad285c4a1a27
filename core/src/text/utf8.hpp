#pragma once
// UTF-8 helpers shared by the analyzer and the metadata layer (private to core/src).
#include <unicode/utf8.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ragkernel/error.hpp"

namespace ragkernel::text::detail {

// Byte offset of the first ill-formed sequence, or npos if `s` is valid UTF-8.
inline std::size_t find_invalid_utf8(std::string_view s) noexcept {
  const auto* p = reinterpret_cast<const std::uint8_t*>(s.data());
  const auto n = static_cast<std::int32_t>(s.size());
  std::int32_t i = 0;
  while (i < n) {
    if (p[i] < 0x80) {
      ++i;
      continue;
    }
    const std::int32_t start = i;
    UChar32 c;
    U8_NEXT(p, i, n, c);
    if (c < 0) return static_cast<std::size_t>(start);
  }
  return std::string_view::npos;
}

inline void require_utf8(std::string_view s, const std::string& what) {
  if (const std::size_t at = find_invalid_utf8(s); at != std::string_view::npos) {
    throw InvalidArgument(what + " is not valid UTF-8 (bad byte sequence at byte offset " + std::to_string(at) + ")");
  }
}

inline bool is_ascii(std::string_view s) noexcept {
  unsigned char acc = 0;
  for (char ch : s) acc |= static_cast<unsigned char>(ch);
  return acc < 0x80;
}

// Number of code points in valid UTF-8.
inline std::size_t code_points(std::string_view s) noexcept {
  std::size_t n = 0;
  for (char ch : s) n += (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
  return n;
}

}  // namespace ragkernel::text::detail

// UTF-8 validation and repair. The repair follows the "maximal subpart" rule of the Unicode
// standard (and of Python's decoder), so offsets into a repaired file match what Python gives.
#include "ragkernel/chunk/utf8.hpp"

#include <string>

#include "ragkernel/error.hpp"
#include "utf8_decode.hpp"

namespace ragkernel::chunk {
namespace {

// Length of the valid sequence at `pos`, or the length of the maximal invalid subpart (as a
// negative number) when the bytes there do not start a valid sequence.
long sequence_at(std::string_view s, std::size_t pos) noexcept {
  const auto b0 = static_cast<unsigned char>(s[pos]);
  if (b0 < 0x80) return 1;
  std::size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;  // U+D800..U+DFFF are surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return -1;
  }
  for (std::size_t i = 1; i < len; ++i) {
    if (pos + i >= s.size()) return -static_cast<long>(i);
    const auto b = static_cast<unsigned char>(s[pos + i]);
    const bool ok = i == 1 ? (b >= lo && b <= hi) : detail::is_continuation(b);
    if (!ok) return -static_cast<long>(i);
  }
  return static_cast<long>(len);
}

}  // namespace

Utf8Errors parse_utf8_errors(std::string_view name) {
  if (name == "strict") return Utf8Errors::strict;
  if (name == "replace") return Utf8Errors::replace;
  throw InvalidArgument("errors must be \"strict\" or \"replace\", got \"" + std::string(name) + "\"");
}

std::optional<std::size_t> find_invalid_utf8(std::string_view text) noexcept {
  std::size_t pos = 0;
  const std::size_t n = text.size();
  while (pos < n) {
    // ASCII runs eight bytes at a time.
    while (pos + 8 <= n) {
      std::uint64_t word = 0;
      for (std::size_t i = 0; i < 8; ++i)
        word |= static_cast<std::uint64_t>(static_cast<unsigned char>(text[pos + i])) << (8 * i);
      if (word & 0x8080808080808080ull) break;
      pos += 8;
    }
    if (pos >= n) break;
    const long len = sequence_at(text, pos);
    if (len < 0) return pos;
    pos += static_cast<std::size_t>(len);
  }
  return std::nullopt;
}

std::optional<std::string> sanitize_utf8(std::string_view text, Utf8Errors errors) {
  const std::optional<std::size_t> first = find_invalid_utf8(text);
  if (!first) return std::nullopt;
  if (errors == Utf8Errors::strict) {
    std::string bytes;
    static constexpr char kHex[] = "0123456789abcdef";
    for (std::size_t i = *first; i < text.size() && i < *first + 4; ++i) {
      const auto b = static_cast<unsigned char>(text[i]);
      bytes += "\\x";
      bytes += kHex[b >> 4];
      bytes += kHex[b & 15];
    }
    throw InvalidArgument(
        "invalid UTF-8 at byte " + std::to_string(*first) + " (bytes " + bytes +
        "); expected valid UTF-8 text, or pass errors=\"replace\" to replace invalid bytes by U+FFFD");
  }
  std::string out(text.substr(0, *first));
  out.reserve(text.size() + 16);
  std::size_t pos = *first;
  while (pos < text.size()) {
    const long len = sequence_at(text, pos);
    if (len > 0) {
      out.append(text.substr(pos, static_cast<std::size_t>(len)));
      pos += static_cast<std::size_t>(len);
    } else {
      out.append("\xEF\xBF\xBD");
      pos += static_cast<std::size_t>(-len);
    }
  }
  return out;
}

std::size_t count_code_points(std::string_view text) noexcept {
  std::size_t count = 0;
  for (const char c : text) count += !detail::is_continuation(static_cast<unsigned char>(c));
  return count;
}

}  // namespace ragkernel::chunk

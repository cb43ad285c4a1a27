#pragma once
// Fixed-width bit packing of small unsigned integers, the compression of posting blocks:
// n values of w bits each, little-endian within 32-bit words (a value may straddle two words).
#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace ragkernel::text::detail {

inline std::uint32_t bits_needed(std::uint32_t max_value) noexcept {
  return static_cast<std::uint32_t>(std::bit_width(max_value));
}

inline std::size_t packed_words(std::size_t n, std::uint32_t width) noexcept { return (n * width + 31) / 32; }

// Appends packed_words(n, width) words to `out`.
inline void pack(const std::uint32_t* values, std::size_t n, std::uint32_t width, std::vector<std::uint32_t>& out) {
  const std::size_t base = out.size();
  out.resize(base + packed_words(n, width), 0);
  if (width == 0) return;
  std::uint32_t* words = out.data() + base;
  std::size_t bit = 0;
  for (std::size_t i = 0; i < n; ++i, bit += width) {
    const std::uint64_t v = values[i];
    const std::size_t w = bit >> 5, shift = bit & 31;
    words[w] |= static_cast<std::uint32_t>(v << shift);
    if (shift + width > 32) words[w + 1] |= static_cast<std::uint32_t>(v >> (32 - shift));
  }
}

inline void unpack(const std::uint32_t* words, std::size_t n, std::uint32_t width, std::uint32_t* out) noexcept {
  if (width == 0) {
    for (std::size_t i = 0; i < n; ++i) out[i] = 0;
    return;
  }
  const std::uint64_t mask = (std::uint64_t{1} << width) - 1;
  std::size_t bit = 0;
  for (std::size_t i = 0; i < n; ++i, bit += width) {
    const std::size_t w = bit >> 5, shift = bit & 31;
    std::uint64_t v = words[w] >> shift;
    if (shift + width > 32) v |= static_cast<std::uint64_t>(words[w + 1]) << (32 - shift);
    out[i] = static_cast<std::uint32_t>(v & mask);
  }
}

}  // namespace ragkernel::text::detail

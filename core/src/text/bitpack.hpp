#pragma once
// Fixed-width bit packing of small unsigned integers, the compression of posting blocks:
// n values of w bits each, little-endian within 32-bit words (a value may straddle two words).
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <utility>
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

// Unpacking with the width known at compile time lets the compiler unroll and drop the
// straddle test for widths that divide 32; unpack() dispatches once per block.
template <std::uint32_t W>
void unpack_fixed(const std::uint32_t* words, std::size_t n, std::uint32_t* out) noexcept {
  if constexpr (W == 0) {
    for (std::size_t i = 0; i < n; ++i) out[i] = 0;
  } else if constexpr (W == 32) {
    for (std::size_t i = 0; i < n; ++i) out[i] = words[i];
  } else {
    constexpr std::uint64_t mask = (std::uint64_t{1} << W) - 1;
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t bit = i * W;
      const std::size_t w = bit >> 5, shift = bit & 31;
      std::uint64_t v = words[w] >> shift;
      if constexpr (32 % W != 0) {
        if (shift + W > 32) v |= static_cast<std::uint64_t>(words[w + 1]) << (32 - shift);
      }
      out[i] = static_cast<std::uint32_t>(v & mask);
    }
  }
}

template <std::uint32_t... W>
constexpr auto make_unpack_table(std::integer_sequence<std::uint32_t, W...>) {
  using Fn = void (*)(const std::uint32_t*, std::size_t, std::uint32_t*) noexcept;
  return std::array<Fn, sizeof...(W)>{&unpack_fixed<W>...};
}

inline void unpack(const std::uint32_t* words, std::size_t n, std::uint32_t width, std::uint32_t* out) noexcept {
  static constexpr auto table = make_unpack_table(std::make_integer_sequence<std::uint32_t, 33>{});
  table[width](words, n, out);
}

}  // namespace ragkernel::text::detail

#pragma once
// The 3-bit code kernel (int8 weights against codes in [0, 7], 3-bit layout), one copy per
// instruction-set translation unit like u4_kernels.hpp. It scores only the few candidates a
// quantized search rescores, so the 16-byte SSSE3 form serves every x86 level. maddubs pair
// sums are at most 2 * 3 * 127; four (high plane) or eight (low plane) of them added in 16 bits
// stay below 32767, so nothing saturates.
#include <cstddef>
#include <cstdint>

#include "ragkernel/simd/kernels.hpp"

#if defined(__SSSE3__)
#include <immintrin.h>
#endif

namespace ragkernel::simd {
namespace {

// Sum of q[j] * (bits of dimension j in one plane) for j in [from, d), one at a time.
template <std::size_t (*Byte)(std::size_t, std::size_t), unsigned (*Shift)(std::size_t), unsigned Mask>
std::int32_t dot_u3_plane_from(const std::int8_t* q, const std::uint8_t* codes, std::size_t from,
                               std::size_t d) noexcept {
  std::int32_t sum = 0;
  for (std::size_t j = from; j < d; ++j) sum += std::int32_t{q[j]} * ((codes[Byte(d, j)] >> Shift(j)) & Mask);
  return sum;
}

inline std::size_t u3_high_byte_of(std::size_t, std::size_t j) noexcept { return u3_high_byte(j); }

#if defined(__SSSE3__)
// One plane of Bits-bit groups in 16-byte blocks of 16 * 8 / Bits dimensions.
template <unsigned Bits>
std::int32_t dot_u3_plane_blocks(const std::int8_t* q, const std::uint8_t* plane, std::size_t blocks) noexcept {
  constexpr unsigned groups = 8 / Bits;
  const __m128i mask = _mm_set1_epi8(static_cast<char>((1 << Bits) - 1));
  const __m128i ones = _mm_set1_epi16(1);
  __m128i acc = _mm_setzero_si128();
  for (std::size_t b = 0; b < blocks; ++b) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(plane + 16 * b));
    __m128i pairs = _mm_setzero_si128();
    for (unsigned g = 0; g < groups; ++g) {
      const __m128i c = _mm_and_si128(_mm_srli_epi16(v, static_cast<int>(Bits * g)), mask);
      const __m128i w = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q + 16 * groups * b + 16 * g));
      pairs = _mm_add_epi16(pairs, _mm_maddubs_epi16(c, w));
    }
    acc = _mm_add_epi32(acc, _mm_madd_epi16(pairs, ones));
  }
  acc = _mm_add_epi32(acc, _mm_shuffle_epi32(acc, 0x4E));
  acc = _mm_add_epi32(acc, _mm_shuffle_epi32(acc, 0xB1));
  return _mm_cvtsi128_si32(acc);
}
#endif

inline std::int32_t dot_u3(const std::int8_t* q, const std::uint8_t* codes, std::size_t d) noexcept {
  std::size_t high_from = 0, low_from = 0;
  std::int32_t high = 0, low = 0;
#if defined(__SSSE3__)
  high = dot_u3_plane_blocks<2>(q, codes, d / 64);
  low = dot_u3_plane_blocks<1>(q, codes + u3_high_bytes(d), d / 128);
  high_from = 64 * (d / 64);
  low_from = 128 * (d / 128);
#endif
  high += dot_u3_plane_from<&u3_high_byte_of, &u3_high_shift, 3>(q, codes, high_from, d);
  low += dot_u3_plane_from<&u3_low_byte, &u3_low_shift, 1>(q, codes, low_from, d);
  return 2 * high + low;
}

}  // namespace
}  // namespace ragkernel::simd

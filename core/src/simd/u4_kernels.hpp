#pragma once
// The 4-bit code kernel (int8 weights against codes in [0, 15], nibble layout), one copy per
// instruction-set translation unit like gather_kernels.hpp: the widest form that unit's
// flags allow is compiled in. Both SIMD forms multiply unsigned codes by signed weights with
// maddubs: a pair sum is at most 2 * 15 * 127, and two of them added in 16 bits stay below
// 32767, so nothing saturates.
#include <cstddef>
#include <cstdint>

#include "ragkernel/simd/kernels.hpp"

#if defined(__AVX2__) || defined(__SSSE3__)
#include <immintrin.h>
#endif

namespace ragkernel::simd {
namespace {

// Dimensions [from, d) one at a time: the tail of a partial block, or every dimension.
inline std::int32_t dot_u4_from(const std::int8_t* q, const std::uint8_t* codes, std::size_t from,
                                std::size_t d) noexcept {
  std::int32_t sum = 0;
  for (std::size_t j = from; j < d; ++j) {
    const int c = (codes[u4_byte(j)] >> u4_shift(j)) & 0x0F;
    sum += std::int32_t{q[j]} * c;
  }
  return sum;
}

inline std::int32_t dot_u4(const std::int8_t* q, const std::uint8_t* codes, std::size_t d) noexcept {
  const std::size_t blocks = d / 64;
#if defined(__AVX2__)
  const __m256i low = _mm256_set1_epi8(0x0F);
  const __m256i ones = _mm256_set1_epi16(1);
  __m256i acc = _mm256_setzero_si256();
  for (std::size_t b = 0; b < blocks; ++b) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(codes + 32 * b));
    const __m256i lo = _mm256_and_si256(v, low);
    const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), low);
    const __m256i q0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q + 64 * b));
    const __m256i q1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q + 64 * b + 32));
    const __m256i p = _mm256_add_epi16(_mm256_maddubs_epi16(lo, q0), _mm256_maddubs_epi16(hi, q1));
    acc = _mm256_add_epi32(acc, _mm256_madd_epi16(p, ones));
  }
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
  return _mm_cvtsi128_si32(s) + dot_u4_from(q, codes, 64 * blocks, d);
#elif defined(__SSSE3__)
  const __m128i low = _mm_set1_epi8(0x0F);
  const __m128i ones = _mm_set1_epi16(1);
  __m128i acc = _mm_setzero_si128();
  for (std::size_t b = 0; b < blocks; ++b) {
    for (std::size_t h = 0; h < 32; h += 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(codes + 32 * b + h));
      const __m128i lo = _mm_and_si128(v, low);
      const __m128i hi = _mm_and_si128(_mm_srli_epi16(v, 4), low);
      const __m128i q0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q + 64 * b + h));
      const __m128i q1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q + 64 * b + 32 + h));
      const __m128i p = _mm_add_epi16(_mm_maddubs_epi16(lo, q0), _mm_maddubs_epi16(hi, q1));
      acc = _mm_add_epi32(acc, _mm_madd_epi16(p, ones));
    }
  }
  acc = _mm_add_epi32(acc, _mm_shuffle_epi32(acc, 0x4E));
  acc = _mm_add_epi32(acc, _mm_shuffle_epi32(acc, 0xB1));
  return _mm_cvtsi128_si32(acc) + dot_u4_from(q, codes, 64 * blocks, d);
#else
  (void)blocks;
  return dot_u4_from(q, codes, 0, d);
#endif
}

}  // namespace
}  // namespace ragkernel::simd

// SSE4.2 + POPCNT: the oldest x86-64 level with a useful integer widening multiply.
#include <immintrin.h>

#include <cstring>

#include "simd/float_kernels.hpp"
#include "simd/gather_kernels.hpp"
#include "simd/tables.hpp"

namespace ragkernel::simd::detail {
namespace {

using Arch = xsimd::sse4_2;

std::int32_t dot_i8(const std::int8_t* a, const std::int8_t* b, std::size_t d) noexcept {
  __m128i acc = _mm_setzero_si128();
  std::size_t i = 0;
  for (; i + 8 <= d; i += 8) {
    const __m128i va = _mm_cvtepi8_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(a + i)));
    const __m128i vb = _mm_cvtepi8_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(b + i)));
    acc = _mm_add_epi32(acc, _mm_madd_epi16(va, vb));
  }
  acc = _mm_add_epi32(acc, _mm_shuffle_epi32(acc, 0x4E));
  acc = _mm_add_epi32(acc, _mm_shuffle_epi32(acc, 0xB1));
  std::int32_t sum = _mm_cvtsi128_si32(acc);
  for (; i < d; ++i) sum += std::int32_t{a[i]} * std::int32_t{b[i]};
  return sum;
}

std::uint32_t hamming(const std::uint8_t* a, const std::uint8_t* b, std::size_t nbytes) noexcept {
  std::uint64_t bits = 0;
  std::size_t i = 0;
  for (; i + 8 <= nbytes; i += 8) {
    std::uint64_t x, y;
    std::memcpy(&x, a + i, 8);
    std::memcpy(&y, b + i, 8);
    bits += static_cast<std::uint64_t>(_mm_popcnt_u64(x ^ y));
  }
  for (; i < nbytes; ++i) bits += static_cast<std::uint64_t>(_mm_popcnt_u32(unsigned{a[i]} ^ unsigned{b[i]}));
  return static_cast<std::uint32_t>(bits);
}

void dot_i8_rows(const std::int8_t* q, const std::int8_t* rows, std::size_t n, std::size_t d, std::size_t stride,
                 std::int32_t* out) noexcept {
  for (std::size_t r = 0; r < n; ++r) out[r] = dot_i8(q, rows + r * stride, d);
}

void hamming_rows(const std::uint8_t* q, const std::uint8_t* rows, std::size_t n, std::size_t nbytes,
                  std::size_t stride, std::uint32_t* out) noexcept {
  for (std::size_t r = 0; r < n; ++r) out[r] = hamming(q, rows + r * stride, nbytes);
}

}  // namespace

const Kernels& kernels_sse4_2() noexcept {
  static const Kernels table =
      make_kernels<&dot_f32<Arch>, &l2sq_f32<Arch>, &cosine_f32<Arch>, &dot_i8, &hamming, &dot_f32_rows<Arch>,
                   &l2sq_f32_rows<Arch>, &dot_i8_rows, &hamming_rows, &dot_i8, &dot_f32_block<Arch>>(Level::sse4_2);
  return table;
}

}  // namespace ragkernel::simd::detail

// AVX2 + FMA: the level most x86-64 machines run.
#include <immintrin.h>

#include <cstring>

#include "simd/float_kernels.hpp"
#include "simd/gather_kernels.hpp"
#include "simd/gemm.hpp"
#include "simd/tables.hpp"

namespace ragkernel::simd::detail {
namespace {

using Arch = xsimd::fma3<xsimd::avx2>;

std::int32_t hsum_epi32(__m256i v) noexcept {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
  return _mm_cvtsi128_si32(s);
}

// Sign-extend 16 bytes to 16-bit lanes and multiply-add pairs into 32-bit sums.
std::int32_t dot_i8(const std::int8_t* a, const std::int8_t* b, std::size_t d) noexcept {
  __m256i acc0 = _mm256_setzero_si256(), acc1 = _mm256_setzero_si256();
  std::size_t i = 0;
  for (; i + 32 <= d; i += 32) {
    const __m256i a0 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i)));
    const __m256i b0 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i)));
    const __m256i a1 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i + 16)));
    const __m256i b1 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i + 16)));
    acc0 = _mm256_add_epi32(acc0, _mm256_madd_epi16(a0, b0));
    acc1 = _mm256_add_epi32(acc1, _mm256_madd_epi16(a1, b1));
  }
  for (; i + 16 <= d; i += 16) {
    const __m256i a0 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i)));
    const __m256i b0 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i)));
    acc0 = _mm256_add_epi32(acc0, _mm256_madd_epi16(a0, b0));
  }
  std::int32_t sum = hsum_epi32(_mm256_add_epi32(acc0, acc1));
  for (; i < d; ++i) sum += std::int32_t{a[i]} * std::int32_t{b[i]};
  return sum;
}

// |a| times b with a's sign (VPSIGNB) as unsigned x signed bytes (VPMADDUBSW): with both in
// [-127, 127] each pair sum is at most 2 * 127 * 127 < 32767, so nothing saturates.
std::int32_t dot_i8_sym(const std::int8_t* a, const std::int8_t* b, std::size_t d) noexcept {
  const __m256i ones = _mm256_set1_epi16(1);
  __m256i acc0 = _mm256_setzero_si256(), acc1 = _mm256_setzero_si256();
  std::size_t i = 0;
  for (; i + 64 <= d; i += 64) {
    const __m256i a0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + i));
    const __m256i b0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + i));
    const __m256i a1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + i + 32));
    const __m256i b1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + i + 32));
    const __m256i p0 = _mm256_maddubs_epi16(_mm256_abs_epi8(a0), _mm256_sign_epi8(b0, a0));
    const __m256i p1 = _mm256_maddubs_epi16(_mm256_abs_epi8(a1), _mm256_sign_epi8(b1, a1));
    acc0 = _mm256_add_epi32(acc0, _mm256_madd_epi16(p0, ones));
    acc1 = _mm256_add_epi32(acc1, _mm256_madd_epi16(p1, ones));
  }
  for (; i + 32 <= d; i += 32) {
    const __m256i a0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + i));
    const __m256i b0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + i));
    const __m256i p0 = _mm256_maddubs_epi16(_mm256_abs_epi8(a0), _mm256_sign_epi8(b0, a0));
    acc0 = _mm256_add_epi32(acc0, _mm256_madd_epi16(p0, ones));
  }
  std::int32_t sum = hsum_epi32(_mm256_add_epi32(acc0, acc1));
  for (; i < d; ++i) sum += std::int32_t{a[i]} * std::int32_t{b[i]};
  return sum;
}

std::uint64_t load_u64(const std::uint8_t* p) noexcept {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

// Scalar POPCNT on 64-bit words beats a VPSHUFB table at the code sizes binary search uses
// (16-192 bytes); four sums keep the four POPCNT ports busy.
std::uint32_t hamming(const std::uint8_t* a, const std::uint8_t* b, std::size_t nbytes) noexcept {
  std::uint64_t c0 = 0, c1 = 0, c2 = 0, c3 = 0;
  std::size_t i = 0;
  for (; i + 32 <= nbytes; i += 32) {
    c0 += static_cast<std::uint64_t>(_mm_popcnt_u64(load_u64(a + i) ^ load_u64(b + i)));
    c1 += static_cast<std::uint64_t>(_mm_popcnt_u64(load_u64(a + i + 8) ^ load_u64(b + i + 8)));
    c2 += static_cast<std::uint64_t>(_mm_popcnt_u64(load_u64(a + i + 16) ^ load_u64(b + i + 16)));
    c3 += static_cast<std::uint64_t>(_mm_popcnt_u64(load_u64(a + i + 24) ^ load_u64(b + i + 24)));
  }
  for (; i + 8 <= nbytes; i += 8) c0 += static_cast<std::uint64_t>(_mm_popcnt_u64(load_u64(a + i) ^ load_u64(b + i)));
  for (; i < nbytes; ++i) c0 += static_cast<std::uint64_t>(_mm_popcnt_u32(unsigned{a[i]} ^ unsigned{b[i]}));
  return static_cast<std::uint32_t>(c0 + c1 + c2 + c3);
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

const Kernels& kernels_avx2() noexcept {
  static const Kernels table =
      make_kernels<&dot_f32<Arch>, &l2sq_f32<Arch>, &cosine_f32<Arch>, &dot_i8, &hamming, &dot_f32_rows<Arch>,
                   &l2sq_f32_rows<Arch>, &dot_i8_rows, &hamming_rows, &dot_i8_sym, &dot_f32_block_large<Arch>>(
          Level::avx2);
  return table;
}

}  // namespace ragkernel::simd::detail

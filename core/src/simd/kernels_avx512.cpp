// AVX-512 (F, BW, DQ, VL) with VNNI. The int8 dot uses VPDPWSSD on sign-extended 16-bit
// lanes; popcount uses the nibble-table shuffle because VPOPCNTDQ is rarer than VNNI.
#include <immintrin.h>

#include <cstring>

#include "simd/float_kernels.hpp"
#include "simd/gather_kernels.hpp"
#include "simd/gemm.hpp"
#include "simd/tables.hpp"

namespace ragkernel::simd::detail {
namespace {

using Arch = xsimd::avx512bw;

std::int32_t dot_i8(const std::int8_t* a, const std::int8_t* b, std::size_t d) noexcept {
  __m512i acc0 = _mm512_setzero_si512(), acc1 = _mm512_setzero_si512();
  std::size_t i = 0;
  for (; i + 64 <= d; i += 64) {
    const __m512i a0 = _mm512_cvtepi8_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + i)));
    const __m512i b0 = _mm512_cvtepi8_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + i)));
    const __m512i a1 = _mm512_cvtepi8_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + i + 32)));
    const __m512i b1 = _mm512_cvtepi8_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + i + 32)));
    acc0 = _mm512_dpwssd_epi32(acc0, a0, b0);
    acc1 = _mm512_dpwssd_epi32(acc1, a1, b1);
  }
  if (i < d) {
    // Masked loads read only the remaining bytes; masked lanes are zero.
    const std::size_t rest = d - i;
    for (std::size_t part = 0; part < rest; part += 32) {
      const std::size_t len = rest - part < 32 ? rest - part : 32;
      const __mmask32 mask = len == 32 ? ~__mmask32{0} : static_cast<__mmask32>((1u << len) - 1u);
      const __m512i va = _mm512_cvtepi8_epi16(_mm256_maskz_loadu_epi8(mask, a + i + part));
      const __m512i vb = _mm512_cvtepi8_epi16(_mm256_maskz_loadu_epi8(mask, b + i + part));
      acc0 = _mm512_dpwssd_epi32(acc0, va, vb);
    }
  }
  return _mm512_reduce_add_epi32(_mm512_add_epi32(acc0, acc1));
}

__m512i popcount_bytes(__m512i v) noexcept {
  const __m512i table = _mm512_broadcast_i32x4(_mm_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4));
  const __m512i low = _mm512_set1_epi8(0x0F);
  const __m512i lo = _mm512_shuffle_epi8(table, _mm512_and_si512(v, low));
  const __m512i hi = _mm512_shuffle_epi8(table, _mm512_and_si512(_mm512_srli_epi16(v, 4), low));
  return _mm512_add_epi8(lo, hi);
}

std::uint32_t hamming(const std::uint8_t* a, const std::uint8_t* b, std::size_t nbytes) noexcept {
  __m512i acc = _mm512_setzero_si512();
  std::size_t i = 0;
  for (; i + 64 <= nbytes; i += 64) {
    const __m512i x = _mm512_xor_si512(_mm512_loadu_si512(a + i), _mm512_loadu_si512(b + i));
    acc = _mm512_add_epi64(acc, _mm512_sad_epu8(popcount_bytes(x), _mm512_setzero_si512()));
  }
  if (i < nbytes) {
    const __mmask64 mask = (~__mmask64{0}) >> (64 - (nbytes - i));
    const __m512i x = _mm512_xor_si512(_mm512_maskz_loadu_epi8(mask, a + i), _mm512_maskz_loadu_epi8(mask, b + i));
    acc = _mm512_add_epi64(acc, _mm512_sad_epu8(popcount_bytes(x), _mm512_setzero_si512()));
  }
  return static_cast<std::uint32_t>(_mm512_reduce_add_epi64(acc));
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

const Kernels& kernels_avx512() noexcept {
  static const Kernels table =
      make_kernels<&dot_f32<Arch>, &l2sq_f32<Arch>, &cosine_f32<Arch>, &dot_i8, &hamming, &dot_f32_rows<Arch>,
                   &l2sq_f32_rows<Arch>, &dot_i8_rows, &hamming_rows, &dot_i8, &dot_f32_block_large<Arch>>(
          Level::avx512);
  return table;
}

}  // namespace ragkernel::simd::detail

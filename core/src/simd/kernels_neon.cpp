// NEON (AArch64): always present on ARMv8, so this is the ARM baseline.
#include <arm_neon.h>

#include "simd/float_kernels.hpp"
#include "simd/gather_kernels.hpp"
#include "simd/tables.hpp"

namespace ragkernel::simd::detail {
namespace {

using Arch = xsimd::neon64;

std::int32_t dot_i8(const std::int8_t* a, const std::int8_t* b, std::size_t d) noexcept {
  int32x4_t acc = vdupq_n_s32(0);
  std::size_t i = 0;
  for (; i + 16 <= d; i += 16) {
    const int8x16_t va = vld1q_s8(a + i);
    const int8x16_t vb = vld1q_s8(b + i);
    acc = vpadalq_s16(acc, vmull_s8(vget_low_s8(va), vget_low_s8(vb)));
    acc = vpadalq_s16(acc, vmull_high_s8(va, vb));
  }
  std::int32_t sum = vaddvq_s32(acc);
  for (; i < d; ++i) sum += std::int32_t{a[i]} * std::int32_t{b[i]};
  return sum;
}

std::uint32_t hamming(const std::uint8_t* a, const std::uint8_t* b, std::size_t nbytes) noexcept {
  std::uint32_t bits = 0;
  std::size_t i = 0;
  for (; i + 16 <= nbytes; i += 16) {
    const uint8x16_t x = veorq_u8(vld1q_u8(a + i), vld1q_u8(b + i));
    bits += vaddvq_u16(vpaddlq_u8(vcntq_u8(x)));
  }
  for (; i < nbytes; ++i) bits += static_cast<std::uint32_t>(__builtin_popcount(unsigned{a[i]} ^ unsigned{b[i]}));
  return bits;
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

const Kernels& kernels_neon() noexcept {
  static const Kernels table =
      make_kernels<&dot_f32<Arch>, &l2sq_f32<Arch>, &cosine_f32<Arch>, &dot_i8, &hamming, &dot_f32_rows<Arch>,
                   &l2sq_f32_rows<Arch>, &dot_i8_rows, &hamming_rows, &dot_i8, &dot_f32_block<Arch>>(Level::neon);
  return table;
}

}  // namespace ragkernel::simd::detail

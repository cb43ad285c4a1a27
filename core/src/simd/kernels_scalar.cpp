// The scalar reference: plain loops in index order. Every SIMD level is tested against it.
#include <cstring>

#include "simd/gather_kernels.hpp"
#include "simd/tables.hpp"

namespace ragkernel::simd::detail {
namespace {

float dot_f32(const float* a, const float* b, std::size_t d) noexcept {
  float sum = 0.f;
  for (std::size_t i = 0; i < d; ++i) sum += a[i] * b[i];
  return sum;
}

float l2sq_f32(const float* a, const float* b, std::size_t d) noexcept {
  float sum = 0.f;
  for (std::size_t i = 0; i < d; ++i) {
    const float diff = a[i] - b[i];
    sum += diff * diff;
  }
  return sum;
}

float cosine_f32(const float* a, const float* b, std::size_t d) noexcept {
  float ab = 0.f, aa = 0.f, bb = 0.f;
  for (std::size_t i = 0; i < d; ++i) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  if (aa == 0.f || bb == 0.f) return 0.f;
  return ab / (__builtin_sqrtf(aa) * __builtin_sqrtf(bb));
}

std::int32_t dot_i8(const std::int8_t* a, const std::int8_t* b, std::size_t d) noexcept {
  std::int32_t sum = 0;
  for (std::size_t i = 0; i < d; ++i) sum += std::int32_t{a[i]} * std::int32_t{b[i]};
  return sum;
}

std::uint32_t hamming(const std::uint8_t* a, const std::uint8_t* b, std::size_t nbytes) noexcept {
  std::uint32_t bits = 0;
  std::size_t i = 0;
  for (; i + 8 <= nbytes; i += 8) {
    std::uint64_t x, y;
    std::memcpy(&x, a + i, 8);
    std::memcpy(&y, b + i, 8);
    bits += static_cast<std::uint32_t>(__builtin_popcountll(x ^ y));
  }
  for (; i < nbytes; ++i) bits += static_cast<std::uint32_t>(__builtin_popcount(unsigned{a[i]} ^ unsigned{b[i]}));
  return bits;
}

void dot_f32_rows(const float* q, const float* rows, std::size_t n, std::size_t d, std::size_t stride,
                  float* out) noexcept {
  for (std::size_t r = 0; r < n; ++r) out[r] = dot_f32(q, rows + r * stride, d);
}

void l2sq_f32_rows(const float* q, const float* rows, std::size_t n, std::size_t d, std::size_t stride,
                   float* out) noexcept {
  for (std::size_t r = 0; r < n; ++r) out[r] = l2sq_f32(q, rows + r * stride, d);
}

void dot_i8_rows(const std::int8_t* q, const std::int8_t* rows, std::size_t n, std::size_t d, std::size_t stride,
                 std::int32_t* out) noexcept {
  for (std::size_t r = 0; r < n; ++r) out[r] = dot_i8(q, rows + r * stride, d);
}

void hamming_rows(const std::uint8_t* q, const std::uint8_t* rows, std::size_t n, std::size_t nbytes,
                  std::size_t stride, std::uint32_t* out) noexcept {
  for (std::size_t r = 0; r < n; ++r) out[r] = hamming(q, rows + r * stride, nbytes);
}

void dot_f32_block(const float* q, std::size_t nq, std::size_t q_stride, const float* rows, std::size_t n,
                   std::size_t stride, std::size_t d, float* out, std::size_t out_stride) noexcept {
  for (std::size_t i = 0; i < nq; ++i) {
    for (std::size_t r = 0; r < n; ++r) out[i * out_stride + r] = dot_f32(q + i * q_stride, rows + r * stride, d);
  }
}

}  // namespace

const Kernels& kernels_scalar() noexcept {
  static const Kernels table =
      make_kernels<&dot_f32, &l2sq_f32, &cosine_f32, &dot_i8, &hamming, &dot_f32_rows, &l2sq_f32_rows, &dot_i8_rows,
                   &hamming_rows, &dot_i8, &dot_f32_block>(Level::scalar);
  return table;
}

}  // namespace ragkernel::simd::detail

#pragma once
// Private: the GEMM form of dot_f32_block for large tiles (see gemm_avx2.cpp). Included by the
// AVX2 and AVX-512 kernel files.
#include <cstddef>

#include "simd/float_kernels.hpp"

namespace ragkernel::simd::detail {

// Below these sizes packing costs more than it saves: the register-blocked tile kernel is used.
constexpr std::size_t kGemmMinQueries = 16;
constexpr std::size_t kGemmMinRows = 64;

void dot_f32_block_gemm_avx2(const float* q, std::size_t nq, std::size_t q_stride, const float* rows, std::size_t n,
                             std::size_t stride, std::size_t d, float* out, std::size_t out_stride) noexcept;

namespace {

// Large tiles through the GEMM (packed panels reach a much larger share of peak), small ones
// through the register-blocked kernel.
template <class Arch>
void dot_f32_block_large(const float* q, std::size_t nq, std::size_t q_stride, const float* rows, std::size_t n,
                         std::size_t stride, std::size_t d, float* out, std::size_t out_stride) noexcept {
  if (nq >= kGemmMinQueries && n >= kGemmMinRows) {
    return dot_f32_block_gemm_avx2(q, nq, q_stride, rows, n, stride, d, out, out_stride);
  }
  dot_f32_block<Arch>(q, nq, q_stride, rows, n, stride, d, out, out_stride);
}

}  // namespace
}  // namespace ragkernel::simd::detail

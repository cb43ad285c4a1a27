#pragma once
// Private: the GEMM form of dot_f32_block for large tiles (see gemm_avx2.cpp).
#include <cstddef>

namespace ragkernel::simd::detail {

// Below these sizes packing costs more than it saves: the register-blocked tile kernel is used.
constexpr std::size_t kGemmMinQueries = 16;
constexpr std::size_t kGemmMinRows = 64;

void dot_f32_block_gemm_avx2(const float* q, std::size_t nq, std::size_t q_stride, const float* rows, std::size_t n,
                             std::size_t stride, std::size_t d, float* out, std::size_t out_stride) noexcept;

}  // namespace ragkernel::simd::detail

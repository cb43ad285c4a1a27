// Large tiles of inner products through Eigen's GEMM (packed panels, cache blocking), compiled
// with the AVX2 + FMA flags. This is the only translation unit that instantiates Eigen's
// product kernels: each template instance exists once, with one set of flags, so the linker
// cannot swap in a copy built for another instruction set. We parallelise over query blocks
// ourselves, so Eigen's own OpenMP is off.
#define EIGEN_DONT_PARALLELIZE
#include <Eigen/Core>

#include "simd/gemm.hpp"

namespace ragkernel::simd::detail {

void dot_f32_block_gemm_avx2(const float* q, std::size_t nq, std::size_t q_stride, const float* rows, std::size_t n,
                             std::size_t stride, std::size_t d, float* out, std::size_t out_stride) noexcept {
  using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  using Stride = Eigen::OuterStride<>;
  const auto rn = static_cast<Eigen::Index>(n), qn = static_cast<Eigen::Index>(nq), dn = static_cast<Eigen::Index>(d);
  const Eigen::Map<const Matrix, 0, Stride> queries(q, qn, dn, Stride(static_cast<Eigen::Index>(q_stride)));
  const Eigen::Map<const Matrix, 0, Stride> block(rows, rn, dn, Stride(static_cast<Eigen::Index>(stride)));
  Eigen::Map<Matrix, 0, Stride> result(out, qn, rn, Stride(static_cast<Eigen::Index>(out_stride)));
  result.noalias() = queries * block.transpose();
}

}  // namespace ragkernel::simd::detail

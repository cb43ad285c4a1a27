#pragma once
// Private: one kernel table per compiled instruction set, defined in kernels_<isa>.cpp.
#include "ragkernel/simd/kernels.hpp"

// Set to 1 by core/src/simd/CMakeLists.txt for each instruction set compiled in.
#ifndef RAGKERNEL_HAVE_SSE4_2
#define RAGKERNEL_HAVE_SSE4_2 0
#endif
#ifndef RAGKERNEL_HAVE_AVX2
#define RAGKERNEL_HAVE_AVX2 0
#endif
#ifndef RAGKERNEL_HAVE_AVX512
#define RAGKERNEL_HAVE_AVX512 0
#endif
#ifndef RAGKERNEL_HAVE_NEON
#define RAGKERNEL_HAVE_NEON 0
#endif

namespace ragkernel::simd::detail {

const Kernels& kernels_scalar() noexcept;
#if RAGKERNEL_HAVE_SSE4_2
const Kernels& kernels_sse4_2() noexcept;
#endif
#if RAGKERNEL_HAVE_AVX2
const Kernels& kernels_avx2() noexcept;
#endif
#if RAGKERNEL_HAVE_AVX512
const Kernels& kernels_avx512() noexcept;
#endif
#if RAGKERNEL_HAVE_NEON
const Kernels& kernels_neon() noexcept;
#endif

}  // namespace ragkernel::simd::detail

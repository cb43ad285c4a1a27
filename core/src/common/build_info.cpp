#include "ragkernel/build_info.hpp"

#include <omp.h>

#include <string>

#include "ragkernel/simd/kernels.hpp"

namespace ragkernel {
namespace {

std::string compiler_name() {
#if defined(__clang__)
  return "clang " __clang_version__;
#elif defined(__GNUC__)
  return "gcc " __VERSION__;
#elif defined(_MSC_VER)
  return "msvc " + std::to_string(_MSC_VER);
#else
  return "unknown";
#endif
}

std::vector<std::string> names(const std::vector<simd::Level>& levels) {
  std::vector<std::string> out;
  for (simd::Level level : levels) out.emplace_back(simd::to_string(level));
  return out;
}

}  // namespace

BuildInfo build_info() {
  BuildInfo info;
  info.version = RAGKERNEL_VERSION;
  info.compiler = compiler_name();
  info.build_type = RAGKERNEL_BUILD_TYPE;
  info.compiled_simd = names(simd::compiled_levels());
  info.supported_simd = names(simd::supported_levels());
  info.active_simd = std::string(simd::to_string(simd::active().level));
  info.openmp_max_threads = omp_get_max_threads();
  info.openmp_version = _OPENMP;
  return info;
}

}  // namespace ragkernel

// Uses the installed ragkernel from another project: prints the build and checks one kernel.
#include <cstdio>
#include <vector>

#include <ragkernel/build_info.hpp>
#include <ragkernel/simd/kernels.hpp>

int main() {
  const ragkernel::BuildInfo info = ragkernel::build_info();
  std::printf("ragkernel %s, SIMD %s\n", info.version.c_str(), info.active_simd.c_str());

  std::vector<float> a(384, 0.5f), b(384, 2.0f);
  const float dot = ragkernel::simd::active().dot_f32(a.data(), b.data(), a.size());
  std::printf("dot = %.1f\n", dot);
  return dot == 384.0f ? 0 : 1;
}

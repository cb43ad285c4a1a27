#pragma once
// What was built and what runs: version, compiler, SIMD levels, OpenMP threads.
#include <string>
#include <vector>

namespace ragkernel {

struct BuildInfo {
  std::string version;
  std::string compiler;
  std::string build_type;
  std::vector<std::string> compiled_simd;   // levels built into the binary
  std::vector<std::string> supported_simd;  // of those, the ones this CPU runs
  std::string active_simd;                  // the level the kernels use
  int openmp_max_threads = 1;
  int openmp_version = 0;  // _OPENMP, e.g. 201511
};

BuildInfo build_info();

// Runs every supported SIMD level's kernels against the scalar reference on seeded random
// inputs (odd dimensions, d = 1, unaligned pointers). One line per level and kernel.
struct SelfCheckResult {
  std::string level;
  std::string kernel;
  double max_error = 0.0;  // largest |got - want| / tolerance scale; <= 1 passes
  bool ok = false;
};
std::vector<SelfCheckResult> self_check();

}  // namespace ragkernel

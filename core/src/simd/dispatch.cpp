// Chooses the kernel table once: RAGKERNEL_SIMD if set, else the best level the CPU runs.
#include <cstdlib>
#include <string>

#include "ragkernel/error.hpp"
#include "simd/tables.hpp"

namespace ragkernel::simd {
namespace {

constexpr Level kAllLevels[] = {Level::scalar, Level::sse4_2, Level::avx2, Level::avx512, Level::neon};

bool is_compiled(Level level) noexcept {
  switch (level) {
    case Level::scalar: return true;
    case Level::sse4_2: return RAGKERNEL_HAVE_SSE4_2 == 1;
    case Level::avx2: return RAGKERNEL_HAVE_AVX2 == 1;
    case Level::avx512: return RAGKERNEL_HAVE_AVX512 == 1;
    case Level::neon: return RAGKERNEL_HAVE_NEON == 1;
  }
  return false;
}

bool cpu_runs(Level level) noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  switch (level) {
    case Level::scalar: return true;
    case Level::sse4_2: return __builtin_cpu_supports("sse4.2") && __builtin_cpu_supports("popcnt");
    case Level::avx2:
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("popcnt") &&
             __builtin_cpu_supports("f16c");
    case Level::avx512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
             __builtin_cpu_supports("avx512vnni");
    case Level::neon: return false;
  }
  return false;
#elif defined(__aarch64__)
  return level == Level::scalar || level == Level::neon;
#else
  return level == Level::scalar;
#endif
}

const Kernels& table_of(Level level) noexcept {
  switch (level) {
#if RAGKERNEL_HAVE_SSE4_2
    case Level::sse4_2: return detail::kernels_sse4_2();
#endif
#if RAGKERNEL_HAVE_AVX2
    case Level::avx2: return detail::kernels_avx2();
#endif
#if RAGKERNEL_HAVE_AVX512
    case Level::avx512: return detail::kernels_avx512();
#endif
#if RAGKERNEL_HAVE_NEON
    case Level::neon: return detail::kernels_neon();
#endif
    default: return detail::kernels_scalar();
  }
}

std::string level_names(const std::vector<Level>& levels) {
  std::string names;
  for (Level level : levels) {
    if (!names.empty()) names += ", ";
    names += to_string(level);
  }
  return names;
}

const Kernels& choose() {
  if (const char* forced = std::getenv("RAGKERNEL_SIMD"); forced != nullptr && *forced != '\0') {
    const Level level = parse_level(forced);
    if (!is_compiled(level) || !cpu_runs(level)) {
      throw InvalidArgument("RAGKERNEL_SIMD=" + std::string(forced) +
                            " is not available on this machine; available levels: " + level_names(supported_levels()));
    }
    return table_of(level);
  }
  return table_of(supported_levels().back());
}

}  // namespace

std::string_view to_string(Level level) noexcept {
  switch (level) {
    case Level::scalar: return "scalar";
    case Level::sse4_2: return "sse4_2";
    case Level::avx2: return "avx2";
    case Level::avx512: return "avx512";
    case Level::neon: return "neon";
  }
  return "unknown";
}

Level parse_level(std::string_view name) {
  for (Level level : kAllLevels) {
    if (to_string(level) == name) return level;
  }
  throw InvalidArgument("unknown SIMD level '" + std::string(name) +
                        "'; expected one of: scalar, sse4_2, avx2, avx512, neon");
}

std::vector<Level> compiled_levels() {
  std::vector<Level> levels;
  for (Level level : kAllLevels) {
    if (is_compiled(level)) levels.push_back(level);
  }
  return levels;
}

std::vector<Level> supported_levels() {
  std::vector<Level> levels;
  for (Level level : kAllLevels) {
    if (is_compiled(level) && cpu_runs(level)) levels.push_back(level);
  }
  return levels;
}

const Kernels& for_level(Level level) {
  if (!is_compiled(level)) {
    throw InvalidArgument("SIMD level " + std::string(to_string(level)) +
                          " is not compiled into this build; compiled levels: " + level_names(compiled_levels()));
  }
  if (!cpu_runs(level)) {
    throw InvalidArgument("SIMD level " + std::string(to_string(level)) +
                          " is not supported by this CPU; available levels: " + level_names(supported_levels()));
  }
  return table_of(level);
}

const Kernels& active() {
  // A function-local static: chosen once, thread-safe; if choose() throws, the next call retries.
  static const Kernels& table = choose();
  return table;
}

}  // namespace ragkernel::simd

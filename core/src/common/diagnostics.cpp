#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <vector>

#include "ragkernel/diagnostics.hpp"
#include "ragkernel/error.hpp"

namespace ragkernel {

double measure_read_bandwidth(std::size_t bytes, int threads, int repeats) {
  if (bytes < 1024 || threads < 1 || repeats < 1) {
    throw InvalidArgument("measure_read_bandwidth needs bytes >= 1024, threads >= 1 and repeats >= 1");
  }
  const std::size_t n = bytes / sizeof(std::uint64_t);
  std::vector<std::uint64_t> buffer(n);
#pragma omp parallel for num_threads(threads) schedule(static)
  for (std::size_t i = 0; i < n; ++i) buffer[i] = i;  // touch every page on the thread that reads it

  double best = 0.0;
  volatile std::uint64_t sink = 0;
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    std::uint64_t total = 0;
    // Four independent sums keep the loop bound by loads, not by the add latency.
#pragma omp parallel for num_threads(threads) schedule(static) reduction(+ : total)
    for (std::size_t i = 0; i < n - n % 4; i += 4) total += buffer[i] + buffer[i + 1] + buffer[i + 2] + buffer[i + 3];
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    sink = sink + total;
    if (seconds > 0) best = std::max(best, static_cast<double>(n * sizeof(std::uint64_t)) / seconds);
  }
  return best;
}

}  // namespace ragkernel

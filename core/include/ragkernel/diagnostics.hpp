#pragma once
// Measurements of the machine, for benchmarks that compare a scan with the physical limit.
#include <cstddef>

namespace ragkernel {

// Sustained memory-read bandwidth in bytes/s: `threads` threads each sum their share of a
// `bytes`-sized buffer (make it several times the last-level cache), best of `repeats`.
double measure_read_bandwidth(std::size_t bytes, int threads, int repeats = 5);

}  // namespace ragkernel

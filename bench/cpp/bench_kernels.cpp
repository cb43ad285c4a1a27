// Kernel throughput per SIMD level at the embedding sizes RAG uses (d = 128, 384, 768, 1536):
// one query against a block of rows that fits in L2, so this measures compute, not memory.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "ragkernel/simd/kernels.hpp"

namespace rs = ragkernel::simd;

namespace {

constexpr std::size_t kRows = 256;

template <class T>
std::vector<T> random_values(std::size_t n) {
  std::mt19937 rng(7);
  std::normal_distribution<float> normal(0.f, 40.f);
  std::vector<T> v(n);
  for (auto& x : v) x = static_cast<T>(normal(rng));
  return v;
}

void set_counters(benchmark::State& state, std::size_t bytes_per_iter) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kRows));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes_per_iter));
}

void bench_dot_f32(benchmark::State& state, rs::Level level) {
  const auto d = static_cast<std::size_t>(state.range(0));
  const rs::Kernels& k = rs::for_level(level);
  auto q = random_values<float>(d), x = random_values<float>(kRows * d);
  std::vector<float> out(kRows);
  for (auto _ : state) {
    k.dot_f32_rows(q.data(), x.data(), kRows, d, d, out.data());
    benchmark::DoNotOptimize(out.data());
  }
  set_counters(state, kRows * d * sizeof(float));
}

void bench_l2sq_f32(benchmark::State& state, rs::Level level) {
  const auto d = static_cast<std::size_t>(state.range(0));
  const rs::Kernels& k = rs::for_level(level);
  auto q = random_values<float>(d), x = random_values<float>(kRows * d);
  std::vector<float> out(kRows);
  for (auto _ : state) {
    k.l2sq_f32_rows(q.data(), x.data(), kRows, d, d, out.data());
    benchmark::DoNotOptimize(out.data());
  }
  set_counters(state, kRows * d * sizeof(float));
}

void bench_cosine_f32(benchmark::State& state, rs::Level level) {
  const auto d = static_cast<std::size_t>(state.range(0));
  const rs::Kernels& k = rs::for_level(level);
  auto q = random_values<float>(d), x = random_values<float>(kRows * d);
  std::vector<float> out(kRows);
  for (auto _ : state) {
    for (std::size_t r = 0; r < kRows; ++r) out[r] = k.cosine_f32(q.data(), x.data() + r * d, d);
    benchmark::DoNotOptimize(out.data());
  }
  set_counters(state, kRows * d * sizeof(float));
}

void bench_dot_i8(benchmark::State& state, rs::Level level) {
  const auto d = static_cast<std::size_t>(state.range(0));
  const rs::Kernels& k = rs::for_level(level);
  auto q = random_values<std::int8_t>(d), x = random_values<std::int8_t>(kRows * d);
  std::vector<std::int32_t> out(kRows);
  for (auto _ : state) {
    k.dot_i8_rows(q.data(), x.data(), kRows, d, d, out.data());
    benchmark::DoNotOptimize(out.data());
  }
  set_counters(state, kRows * d);
}

void bench_hamming(benchmark::State& state, rs::Level level) {
  const auto nbytes = static_cast<std::size_t>(state.range(0)) / 8;  // d sign bits
  const rs::Kernels& k = rs::for_level(level);
  auto q = random_values<std::uint8_t>(nbytes), x = random_values<std::uint8_t>(kRows * nbytes);
  std::vector<std::uint32_t> out(kRows);
  for (auto _ : state) {
    k.hamming_rows(q.data(), x.data(), kRows, nbytes, nbytes, out.data());
    benchmark::DoNotOptimize(out.data());
  }
  set_counters(state, kRows * nbytes);
}

const int kRegistered = [] {
  using Fn = void (*)(benchmark::State&, rs::Level);
  const std::pair<const char*, Fn> kernels[] = {{"dot_f32", bench_dot_f32},
                                                {"l2sq_f32", bench_l2sq_f32},
                                                {"cosine_f32", bench_cosine_f32},
                                                {"dot_i8", bench_dot_i8},
                                                {"hamming", bench_hamming}};
  for (rs::Level level : rs::supported_levels()) {
    for (const auto& [name, fn] : kernels) {
      const std::string label = std::string("kernels/") + name + "/" + std::string(rs::to_string(level));
      benchmark::RegisterBenchmark(label.c_str(), fn, level)->Arg(128)->Arg(384)->Arg(768)->Arg(1536);
    }
  }
  return 0;
}();

}  // namespace

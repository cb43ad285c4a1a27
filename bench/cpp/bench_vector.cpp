// Vector indexes from C++ (no Python in the loop): HNSW search per code and the exact scan,
// on seeded clustered 384-d vectors. Also the binary to profile with perf (it has symbols).
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <numeric>
#include <random>
#include <vector>

#include "ragkernel/vector/index.hpp"

namespace rv = ragkernel::vector;

namespace {

constexpr std::size_t kD = 384;
constexpr std::size_t kN = 20000;
constexpr std::size_t kQ = 200;

std::vector<float> clustered(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed), centres_rng(12345);
  std::normal_distribution<float> g(0.f, 1.f);
  std::vector<float> centres(100 * kD);
  for (float& c : centres) c = g(centres_rng);
  std::vector<float> out(n * kD);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t c = rng() % 100;
    float norm = 0.f;
    for (std::size_t j = 0; j < kD; ++j) {
      out[i * kD + j] = centres[c * kD + j] + g(rng);
      norm += out[i * kD + j] * out[i * kD + j];
    }
    for (std::size_t j = 0; j < kD; ++j) out[i * kD + j] /= std::sqrt(norm);
  }
  return out;
}

const std::vector<float>& data() {
  static const std::vector<float> d = clustered(kN, 1);
  return d;
}
const std::vector<float>& queries() {
  static const std::vector<float> q = clustered(kQ, 2);
  return q;
}

std::unique_ptr<rv::Index> build(rv::IndexKind kind, rv::Quantization q) {
  rv::IndexOptions o;
  o.dim = kD;
  o.metric = rv::Metric::ip;
  o.kind = kind;
  o.quantization = q;
  o.ef_construction = 100;
  auto index = rv::Index::create(o);
  std::vector<std::uint32_t> ids(kN);
  std::iota(ids.begin(), ids.end(), 0u);
  index->add(ids, data().data());
  return index;
}

void bench_hnsw(benchmark::State& state, rv::Quantization q) {
  static std::unique_ptr<rv::Index> indexes[4];  // by code
  auto& index = indexes[static_cast<int>(q)];
  if (!index) index = build(rv::IndexKind::hnsw, q);
  rv::SearchParams p;
  p.ef = static_cast<std::size_t>(state.range(0));
  p.threads = 1;
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(index->search(queries().data() + (i++ % kQ) * kD, 1, 10, nullptr, p));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void bench_flat(benchmark::State& state) {
  static const auto index = build(rv::IndexKind::flat, rv::Quantization::none);
  const auto nq = static_cast<std::size_t>(state.range(0));
  rv::SearchParams p;
  p.threads = 1;
  for (auto _ : state) benchmark::DoNotOptimize(index->search(queries().data(), nq, 10, nullptr, p));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * nq));
}

}  // namespace

BENCHMARK_CAPTURE(bench_hnsw, f32, rv::Quantization::none)->Arg(64)->Arg(128)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(bench_hnsw, int8, rv::Quantization::int8)->Arg(64)->Arg(128)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(bench_hnsw, int4, rv::Quantization::int4)->Arg(64)->Arg(128)->Unit(benchmark::kMicrosecond);
BENCHMARK(bench_flat)->Arg(1)->Arg(16)->Arg(200)->Unit(benchmark::kMillisecond);

// The evaluation API from C++: a benchmark reports the quality of what it times as counters.
//
// eval/scan_int8_recall: an int8 flat scan (the "index" under test) against ground truth from
// an exact float32 scan; recall@10 and nDCG@10 sit beside the timing. eval/evaluate and
// eval/randomization time the metric engine and the significance test themselves.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "ragkernel/eval/evaluate.hpp"
#include "ragkernel/eval/significance.hpp"
#include "ragkernel/simd/kernels.hpp"

namespace ev = ragkernel::eval;
namespace rs = ragkernel::simd;

namespace {

constexpr std::size_t kDim = 128;
constexpr std::size_t kRows = 20000;
constexpr std::size_t kQueries = 200;
constexpr std::size_t kTopK = 10;

struct Data {
  std::vector<float> rows, queries;
  std::vector<std::int8_t> rows_i8, queries_i8;
};

// "q12", "d7": built with += (GCC 12 warns falsely about "q" + std::to_string(n)).
std::string make_id(char prefix, std::size_t n) {
  std::string out(1, prefix);
  out += std::to_string(n);
  return out;
}

const Data& data() {
  static const Data d = [] {
    Data out;
    std::mt19937 rng(11);
    std::normal_distribution<float> normal(0.f, 1.f);
    out.rows.resize(kRows * kDim);
    out.queries.resize(kQueries * kDim);
    for (float& x : out.rows) x = normal(rng);
    for (float& x : out.queries) x = normal(rng);
    auto quantize = [](const std::vector<float>& v) {
      std::vector<std::int8_t> q(v.size());
      for (std::size_t i = 0; i < v.size(); ++i)
        q[i] = static_cast<std::int8_t>(std::clamp(std::lround(v[i] * 32.f), -127L, 127L));
      return q;
    };
    out.rows_i8 = quantize(out.rows);
    out.queries_i8 = quantize(out.queries);
    return out;
  }();
  return d;
}

template <class T>
std::vector<std::uint32_t> top_k(const std::vector<T>& scores) {
  std::vector<std::uint32_t> ids(scores.size());
  std::iota(ids.begin(), ids.end(), 0u);
  std::partial_sort(ids.begin(), ids.begin() + kTopK, ids.end(), [&](std::uint32_t a, std::uint32_t b) {
    return scores[a] > scores[b] || (scores[a] == scores[b] && a < b);
  });
  ids.resize(kTopK);
  return ids;
}

void scan_int8_recall(benchmark::State& state) {
  const Data& d = data();
  const rs::Kernels& k = rs::active();
  // Ground truth: the exact float32 top 10 of each query, judged relevant.
  ev::Qrels qrels;
  std::vector<float> exact(kRows);
  for (std::size_t q = 0; q < kQueries; ++q) {
    k.dot_f32_rows(d.queries.data() + q * kDim, d.rows.data(), kRows, kDim, kDim, exact.data());
    for (std::uint32_t id : top_k(exact)) qrels.add(make_id('q', q), make_id('d', id), 1);
  }
  std::vector<std::int32_t> scores(kRows);
  std::vector<std::vector<std::uint32_t>> found(kQueries);
  for (auto _ : state) {
    for (std::size_t q = 0; q < kQueries; ++q) {
      k.dot_i8_rows(d.queries_i8.data() + q * kDim, d.rows_i8.data(), kRows, kDim, kDim, scores.data());
      found[q] = top_k(scores);
    }
    benchmark::DoNotOptimize(found.data());
  }
  ev::Run run;
  for (std::size_t q = 0; q < kQueries; ++q) {
    for (std::size_t r = 0; r < kTopK; ++r) {
      run.add(make_id('q', q), make_id('d', found[q][r]), static_cast<double>(kTopK - r));
    }
  }
  const ev::Metric metrics[] = {ev::parse_metric("recall@10"), ev::parse_metric("ndcg@10")};
  const std::vector<double> means = ev::evaluate(qrels, run, metrics).means();
  state.counters["recall@10"] = means[0];
  state.counters["ndcg@10"] = means[1];
  state.counters["queries/s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * kQueries), benchmark::Counter::kIsRate);
}

// A seeded synthetic run: `queries` x `depth` retrieved, 20 judged documents per query.
struct Synthetic {
  ev::Qrels qrels;
  ev::Run run;
};

Synthetic synthetic(std::size_t queries, std::size_t depth) {
  Synthetic s;
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  for (std::size_t q = 0; q < queries; ++q) {
    const std::string id = make_id('q', q);
    std::vector<std::uint32_t> docs(5000);
    std::iota(docs.begin(), docs.end(), 0u);
    std::shuffle(docs.begin(), docs.end(), rng);
    for (std::size_t j = 0; j < 20; ++j) s.qrels.add(id, make_id('d', docs[j]), static_cast<int>(rng() % 4));
    std::shuffle(docs.begin(), docs.end(), rng);
    for (std::size_t r = 0; r < depth; ++r) s.run.add(id, make_id('d', docs[r]), uniform(rng));
  }
  return s;
}

void evaluate_six_metrics(benchmark::State& state) {
  static const Synthetic s = synthetic(1000, 1000);
  std::vector<ev::Metric> metrics;
  for (const char* name : {"map", "ndcg_cut_10", "P_10", "recall_100", "recip_rank", "ndcg"})
    metrics.push_back(ev::parse_metric(name));
  for (auto _ : state) benchmark::DoNotOptimize(ev::evaluate(s.qrels, s.run, metrics));
  state.counters["entries/s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * s.run.size()), benchmark::Counter::kIsRate);
}

void randomization(benchmark::State& state) {
  const std::size_t systems = 5, queries = 1000, permutations = 10000;
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::vector<double> scores(systems * queries), baseline(queries);
  for (double& x : scores) x = uniform(rng);
  for (double& x : baseline) x = uniform(rng);
  for (auto _ : state) {
    benchmark::DoNotOptimize(ev::randomization_tests(scores, systems, baseline, permutations, 42));
  }
}

BENCHMARK(scan_int8_recall)->Name("eval/scan_int8_recall")->Unit(benchmark::kMillisecond);
BENCHMARK(evaluate_six_metrics)->Name("eval/evaluate_1000x1000_6_metrics")->Unit(benchmark::kMillisecond);
BENCHMARK(randomization)->Name("eval/randomization_10k_perm_1k_queries_5_systems")->Unit(benchmark::kMillisecond);

}  // namespace

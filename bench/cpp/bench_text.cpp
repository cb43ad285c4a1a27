// BM25 search and fusion in C++, without Python: a seeded Zipfian corpus (terms w0.. with
// probability ~ 1/rank^1.07, Poisson(40)+5 terms per document) and 2-5 term queries drawn from
// a flatter Zipf(0.5); fusion of two 1000-candidate lists.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "ragkernel/fusion/fusion.hpp"
#include "ragkernel/text/bm25_index.hpp"
#include "ragkernel/text/inverted_index.hpp"

namespace rt = ragkernel::text;

namespace {

std::string word(std::size_t r) {
  std::string w = "w";
  w.append(std::to_string(r));
  return w;
}

std::discrete_distribution<std::size_t> zipf(std::size_t vocab, double s) {
  std::vector<double> p(vocab);
  for (std::size_t r = 0; r < vocab; ++r) p[r] = 1.0 / std::pow(static_cast<double>(r + 1), s);
  return {p.begin(), p.end()};
}

struct Corpus {
  rt::InvertedIndex index;
  std::vector<std::vector<std::string>> queries;
};

const Corpus& corpus(std::size_t n_docs) {
  static std::map<std::size_t, std::unique_ptr<Corpus>> cache;
  auto& slot = cache[n_docs];
  if (slot) return *slot;
  slot = std::make_unique<Corpus>();
  std::mt19937_64 rng(42);
  auto doc_word = zipf(100'000, 1.07);
  auto query_word = zipf(100'000, 0.5);
  std::poisson_distribution<int> length(40);
  std::vector<std::uint32_t> ids;
  std::vector<std::vector<std::string>> docs;
  for (std::size_t d = 0; d < n_docs; ++d) {
    std::vector<std::string> terms(static_cast<std::size_t>(length(rng) + 5));
    for (auto& t : terms) t = word(doc_word(rng));
    ids.push_back(static_cast<std::uint32_t>(d));
    docs.push_back(std::move(terms));
    if (docs.size() == 50'000 || d + 1 == n_docs) {
      slot->index.add(ids, docs);
      ids.clear();
      docs.clear();
    }
  }
  slot->index.cache_impacts_for({});
  for (int q = 0; q < 200; ++q) {
    std::vector<std::string> terms(2 + rng() % 4);
    for (auto& t : terms) t = word(query_word(rng));
    slot->queries.push_back(std::move(terms));
  }
  return *slot;
}

void BM_Bm25Search(benchmark::State& state) {
  const Corpus& c = corpus(static_cast<std::size_t>(state.range(0)));
  const auto k = static_cast<std::size_t>(state.range(1));
  const auto mode = state.range(2) == 0 ? rt::SearchMode::kExhaustive : rt::SearchMode::kPruned;
  std::size_t q = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(c.index.search(c.queries[q], k, {}, nullptr, mode));
    q = (q + 1) % c.queries.size();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));  // queries
}
BENCHMARK(BM_Bm25Search)
    ->ArgNames({"docs", "k", "pruned"})
    ->ArgsProduct({{100'000, 1'000'000}, {10, 1000}, {0, 1}})
    ->Unit(benchmark::kMicrosecond);

void BM_FuseTwoLists(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto method = static_cast<ragkernel::fusion::Method>(state.range(1));
  std::mt19937 rng(3);
  std::vector<std::uint32_t> a(n), b(n);
  std::vector<float> sa(n), sb(n);
  for (std::size_t i = 0; i < n; ++i) {
    a[i] = static_cast<std::uint32_t>(i * 3);  // half of the ids overlap with b
    b[i] = static_cast<std::uint32_t>(i * 3 + (i % 2) * 1);
    sa[i] = 30.0f - static_cast<float>(i) * 0.01f;
    sb[i] = 0.9f - static_cast<float>(i) * 0.0001f;
  }
  std::shuffle(b.begin(), b.end(), rng);
  const ragkernel::fusion::Source sources[] = {{a, sa}, {b, sb}};
  ragkernel::fusion::Options options;
  options.method = method;
  for (auto _ : state) benchmark::DoNotOptimize(ragkernel::fusion::fuse(sources, options));
}
BENCHMARK(BM_FuseTwoLists)->ArgNames({"n", "method"})->ArgsProduct({{1000}, {0, 1, 2}})->Unit(benchmark::kMicrosecond);

}  // namespace

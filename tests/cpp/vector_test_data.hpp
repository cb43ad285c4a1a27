#pragma once
// Seeded clustered vectors and a naive exact reference for the vector index tests.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <random>
#include <set>
#include <vector>

#include "ragkernel/vector/index.hpp"

namespace ragkernel::vector::testing {

inline std::vector<float> clustered(std::size_t n, std::size_t d, std::uint64_t seed, std::size_t clusters = 20) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> g(0.f, 1.f);
  std::mt19937_64 crng(7);  // the same centres for every call, so queries match the data
  std::vector<float> centres(clusters * d);
  for (float& c : centres) c = g(crng);
  std::vector<float> out(n * d);
  std::uniform_int_distribution<std::size_t> pick(0, clusters - 1);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t c = pick(rng);
    for (std::size_t j = 0; j < d; ++j) out[i * d + j] = centres[c * d + j] + 0.6f * g(rng);
  }
  return out;
}

inline std::vector<std::uint32_t> iota_ids(std::size_t n, std::uint32_t first = 0) {
  std::vector<std::uint32_t> ids(n);
  std::iota(ids.begin(), ids.end(), first);
  return ids;
}

// Naive score of a query against a row with the index's convention.
inline double naive_score(Metric metric, const float* q, const float* x, std::size_t d) {
  double dot = 0, qq = 0, xx = 0, l2 = 0;
  for (std::size_t j = 0; j < d; ++j) {
    dot += double{q[j]} * x[j];
    qq += double{q[j]} * q[j];
    xx += double{x[j]} * x[j];
    l2 += (double{q[j]} - x[j]) * (double{q[j]} - x[j]);
  }
  if (metric == Metric::cosine) return dot / std::sqrt(qq * xx);
  if (metric == Metric::ip) return dot;
  return l2;
}

// Mean fraction of the reference's top-k found in each result row.
inline double recall(const SearchResults& got, const SearchResults& want) {
  double total = 0;
  for (std::size_t q = 0; q < want.nq; ++q) {
    std::set<std::uint32_t> truth;
    for (std::size_t j = 0; j < want.k; ++j) {
      if (want.ids[q * want.k + j] != SearchResults::kNoId) truth.insert(want.ids[q * want.k + j]);
    }
    std::size_t hit = 0;
    for (std::size_t j = 0; j < got.k; ++j) hit += truth.count(got.ids[q * got.k + j]);
    total += truth.empty() ? 1.0 : static_cast<double>(hit) / static_cast<double>(truth.size());
  }
  return total / static_cast<double>(want.nq);
}

}  // namespace ragkernel::vector::testing

// The sorted beam of unfiltered graph searches against a plain model: the best `width`
// candidates by (distance, id), expanded nearest first.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <set>
#include <vector>

#include "vector/hnsw_graph.hpp"

namespace {

using ragkernel::vector::detail::BeamList;
using ragkernel::vector::detail::Candidate;

bool same(const Candidate& a, const Candidate& b) { return a.dist == b.dist && a.id == b.id; }

// Distances of both signs, exact ties, both zeros and values far apart: the list's integer
// keys must order them as the floats compare.
std::vector<float> awkward_distances() {
  return {-3.5f, -1.f, -1e-30f, -0.f, 0.f, 1e-30f, 0.25f, 0.25f, 1.f, 7.f, 1e20f, -1e20f};
}

TEST(BeamList, KeepsTheBestWidthInOrderAndTheirDistancesExactly) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<std::size_t> pick(0, awkward_distances().size() - 1);
  std::normal_distribution<float> normal(0.f, 2.f);
  for (std::size_t width : {1u, 2u, 5u, 64u}) {
    BeamList list;
    list.reset(width);
    std::set<std::pair<float, std::uint32_t>> model;  // (-0 and +0 compare equal here too)
    for (std::uint32_t id = 0; id < 500; ++id) {
      const float d = id % 3 == 0 ? awkward_distances()[pick(rng)] : normal(rng);
      const bool fits = model.size() < width || std::make_pair(d, id) < *model.rbegin();
      EXPECT_EQ(list.insert({d, id}), fits) << "width " << width << " id " << id;
      if (fits) {
        model.insert({d, id});
        if (model.size() > width) model.erase(std::prev(model.end()));
      }
      const float bound = model.size() < width ? std::numeric_limits<float>::infinity() : model.rbegin()->first;
      EXPECT_EQ(list.bound(), bound);
    }
    const std::vector<Candidate> kept = list.take();
    ASSERT_EQ(kept.size(), model.size());
    auto m = model.begin();
    for (const Candidate& c : kept) {
      EXPECT_TRUE(c.dist == m->first && c.id == m->second) << c.dist << " " << c.id;
      ++m;
    }
  }
}

TEST(BeamList, ExpandsNearestUnexpandedFirstAndNeverTwice) {
  BeamList list;
  list.reset(4);
  ASSERT_TRUE(list.insert({5.f, 1}));
  ASSERT_TRUE(list.insert({3.f, 2}));
  Candidate c;
  ASSERT_TRUE(list.next(c));
  EXPECT_TRUE(same(c, {3.f, 2}));
  std::uint32_t after = 0;
  ASSERT_TRUE(list.peek(after));
  EXPECT_EQ(after, 1u);
  // A nearer candidate arriving after an expansion is expanded next.
  ASSERT_TRUE(list.insert({1.f, 3}));
  ASSERT_TRUE(list.next(c));
  EXPECT_TRUE(same(c, {1.f, 3}));
  ASSERT_TRUE(list.insert({4.f, 4}));
  ASSERT_TRUE(list.insert({2.f, 5}));  // the list is full: {5, 1} falls out unexpanded
  EXPECT_FALSE(list.insert({6.f, 6}));
  EXPECT_EQ(list.bound(), 4.f);
  std::vector<std::uint32_t> order;
  while (list.next(c)) order.push_back(c.id);
  EXPECT_EQ(order, (std::vector<std::uint32_t>{5, 4}));
  EXPECT_FALSE(list.peek(after));
  // reset() starts an empty beam of a new width.
  list.reset(2);
  EXPECT_EQ(list.bound(), std::numeric_limits<float>::infinity());
  EXPECT_FALSE(list.next(c));
  EXPECT_TRUE(list.take().empty());
}

}  // namespace

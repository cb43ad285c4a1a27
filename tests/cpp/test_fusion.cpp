#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "ragkernel/error.hpp"
#include "ragkernel/fusion/fusion.hpp"

using namespace ragkernel::fusion;

TEST(Fusion, RrfUsesOneBasedRanksAndWeights) {
  const std::vector<std::uint32_t> a_ids = {1, 2, 3}, b_ids = {3, 1};
  const std::vector<float> a_s = {9, 5, 1}, b_s = {0.9f, 0.1f};
  const Source sources[] = {{a_ids, a_s, 1.0}, {b_ids, b_s, 2.0}};
  const Fused f = fuse(sources, {Method::kRrf, 60.0});
  ASSERT_EQ(f.ids.size(), 3u);
  EXPECT_EQ(f.ids[0], 3u);  // 1/63 + 2/61
  EXPECT_DOUBLE_EQ(f.scores[0], 1.0 / 63 + 2.0 / 61);
  EXPECT_EQ(f.ids[1], 1u);
  EXPECT_DOUBLE_EQ(f.scores[1], 1.0 / 61 + 2.0 / 62);
  EXPECT_EQ(f.source_ranks[2 * 2 + 1], 0u);  // id 2 absent from source b
  EXPECT_TRUE(std::isnan(f.source_scores[2 * 2 + 1]));
  EXPECT_EQ(f.source_ranks[0 * 2 + 0], 3u);
}

TEST(Fusion, ConvexAndDbsfNormalise) {
  const std::vector<std::uint32_t> a_ids = {1, 2, 3}, b_ids = {2, 4};
  const std::vector<float> a_s = {10, 6, 2}, b_s = {0.5f, -0.5f};
  const Source sources[] = {{a_ids, a_s, 0.5}, {b_ids, b_s, 0.5, -1.0, 1.0}};
  Fused f = fuse(sources, {Method::kConvex, 60.0, Normalizer::kMinMax});
  EXPECT_EQ(f.ids[0], 2u);
  EXPECT_DOUBLE_EQ(f.scores[0], 0.5 * 0.5 + 0.5 * 1.0);
  f = fuse(sources, {Method::kConvex, 60.0, Normalizer::kTheoretical});
  // a: lower 0, upper = max 10 -> 0.6; b: (0.5 + 1) / 2 = 0.75
  EXPECT_NEAR(f.scores[0], 0.5 * 0.6 + 0.5 * 0.75, 1e-12);
  f = fuse(sources, {Method::kDbsf});
  EXPECT_EQ(f.ids.size(), 4u);
  f = fuse(sources, {Method::kRrf, 60.0, Normalizer::kMinMax, 2});
  EXPECT_EQ(f.ids.size(), 2u);
}

TEST(Fusion, RejectsBadInput) {
  const std::vector<std::uint32_t> ids = {1, 1};
  const std::vector<float> s = {1, 2};
  const Source dup[] = {{ids, s}};
  EXPECT_THROW(fuse(dup, {}), ragkernel::InvalidArgument);
  const std::vector<std::uint32_t> ok = {1, 2};
  const Source zero[] = {{ok, s, 0.0}};
  EXPECT_THROW(fuse(zero, {}), ragkernel::InvalidArgument);
  const Source negative[] = {{ok, s, -1.0}};
  EXPECT_THROW(fuse(negative, {}), ragkernel::InvalidArgument);
  const std::vector<float> nan = {1, NAN};
  const Source bad_score[] = {{ok, nan}};
  EXPECT_THROW(fuse(bad_score, {Method::kConvex}), ragkernel::InvalidArgument);
  const Source fine[] = {{ok, s}};
  EXPECT_THROW(fuse(fine, {Method::kRrf, 0.0}), ragkernel::InvalidArgument);
  EXPECT_THROW(parse_method("borda"), ragkernel::InvalidArgument);
}

#include "ragkernel/bitset.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace {

TEST(Bitset, SetTestCountAcrossWordBoundaries) {
  ragkernel::Bitset b(130);
  for (std::size_t i : {0u, 63u, 64u, 127u, 129u}) b.set(i);
  EXPECT_EQ(b.count(), 5u);
  EXPECT_TRUE(b.test(64));
  EXPECT_FALSE(b.test(65));
  EXPECT_FALSE(b.test(1000));  // out of range is simply not a member
  b.reset(64);
  EXPECT_EQ(b.count(), 4u);
}

TEST(Bitset, FullSetHasNoBitsPastTheEnd) {
  ragkernel::Bitset b(70, true);
  EXPECT_EQ(b.count(), 70u);
  b.flip();
  EXPECT_EQ(b.count(), 0u);
  b.flip();
  b.resize(100);
  EXPECT_EQ(b.count(), 70u);
  b.resize(10);
  EXPECT_EQ(b.count(), 10u);
}

TEST(Bitset, AndOrAndIterationInOrder) {
  ragkernel::Bitset a(200), c(200);
  a.set(3);
  a.set(150);
  c.set(150);
  c.set(199);
  ragkernel::Bitset both = a;
  both &= c;
  ragkernel::Bitset any = a;
  any |= c;
  std::vector<std::size_t> seen;
  any.for_each([&](std::size_t i) { seen.push_back(i); });
  EXPECT_EQ(both.count(), 1u);
  EXPECT_EQ(seen, (std::vector<std::size_t>{3, 150, 199}));
}

}  // namespace

#include "ragkernel/id_map.hpp"

#include <gtest/gtest.h>

#include "ragkernel/error.hpp"

namespace {

TEST(IdMap, AssignsDenseIdsOnceAndFindsThem) {
  ragkernel::IdMap ids;
  EXPECT_EQ(ids.insert("a"), std::make_pair(0u, true));
  EXPECT_EQ(ids.insert("b"), std::make_pair(1u, true));
  EXPECT_EQ(ids.insert("a"), std::make_pair(0u, false));
  EXPECT_EQ(ids.find("b"), 1u);
  EXPECT_FALSE(ids.find("c").has_value());
  EXPECT_EQ(ids.key(1), "b");
  EXPECT_EQ(ids.size(), 2u);
  EXPECT_EQ(ids.capacity(), 2u);
}

TEST(IdMap, ErasedIdsAreReusedAndNotLive) {
  ragkernel::IdMap ids;
  ids.insert("a");
  ids.insert("b");
  ids.insert("c");
  EXPECT_EQ(ids.erase("b"), 1u);
  EXPECT_FALSE(ids.erase("b").has_value());
  EXPECT_FALSE(ids.is_live(1));
  EXPECT_THROW(ids.key(1), ragkernel::NotFound);
  EXPECT_EQ(ids.live().count(), 2u);
  EXPECT_EQ(ids.insert("d"), std::make_pair(1u, true));
  EXPECT_EQ(ids.capacity(), 3u);
  EXPECT_EQ(ids.key(1), "d");
}

TEST(IdMap, EmptyStringIsAValidKeyAndClearResets) {
  ragkernel::IdMap ids;
  EXPECT_EQ(ids.insert("").first, 0u);
  EXPECT_TRUE(ids.contains(""));
  ids.clear();
  EXPECT_EQ(ids.size(), 0u);
  EXPECT_EQ(ids.capacity(), 0u);
}

}  // namespace

#include "ragkernel/id_map.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

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

TEST(IdMap, RandomChurnAgreesWithAReferenceMap) {
  // Inserts, re-inserts, erases (with arena compactions) and restores at given ids, checked
  // after every step against std::unordered_map.
  ragkernel::IdMap ids;
  std::unordered_map<std::string, std::uint32_t> want;
  std::mt19937_64 rng(7);
  const auto random_key = [&] {
    const std::size_t n = rng() % 5;  // lengths 0..40, some long enough to need the arena's span
    return std::string(n * 10, 'x') + std::to_string(rng() % 3000);
  };
  for (int step = 0; step < 60000; ++step) {
    const std::string key = random_key();
    const auto found = want.find(key);
    switch (rng() % 3) {
      case 0:
      case 1: {
        const auto [id, added] = ids.insert(key);
        ASSERT_EQ(added, found == want.end()) << key;
        if (!added) {
          ASSERT_EQ(id, found->second);
        }
        want[key] = id;
        break;
      }
      default: {
        const auto erased = ids.erase(key);
        ASSERT_EQ(erased.has_value(), found != want.end()) << key;
        if (erased) {
          ASSERT_EQ(*erased, found->second);
          want.erase(found);
        }
      }
    }
    if (step % 997 == 0) {
      ASSERT_EQ(ids.size(), want.size());
      for (const auto& [k, id] : want) {
        ASSERT_EQ(ids.find(k), id) << k;
        ASSERT_EQ(ids.key(id), k);
        ASSERT_TRUE(ids.is_live(id));
      }
      ASSERT_EQ(ids.live().count(), want.size());
    }
  }
  // Restoring the same assignments into a new map, in ascending id order.
  std::vector<std::pair<std::uint32_t, std::string>> by_id;
  for (const auto& [k, id] : want) by_id.emplace_back(id, k);
  std::sort(by_id.begin(), by_id.end());
  ragkernel::IdMap restored;
  for (const auto& [id, k] : by_id) restored.insert_at(k, id);
  for (const auto& [id, k] : by_id) ASSERT_EQ(restored.find(k), id);
  EXPECT_EQ(restored.size(), want.size());
}

TEST(IdMap, KeysCostTheirBytesPlusAFewWords) {
  ragkernel::IdMap ids;
  for (int i = 0; i < 100000; ++i) ids.insert("doc-" + std::to_string(i));
  // About 10 key bytes, an 8-byte span and 11-21 bytes of table per key, the first two up to
  // 2x for growth by doubling (not 100+ bytes of strings and hash nodes).
  EXPECT_LT(ids.memory_usage(), 100000u * 56);
  EXPECT_GT(ids.memory_usage(), 100000u * 18);
}

TEST(IdMap, RefusedKeysChangeNothing) {
  ragkernel::IdMap ids;
  ids.insert("a");
  const std::string huge(ragkernel::IdMap::kMaxKeyBytes + 1, 'k');
  EXPECT_THROW(ids.insert(huge), ragkernel::InvalidArgument);
  EXPECT_THROW(ids.insert_at("a", 5), ragkernel::InvalidArgument);  // present
  EXPECT_THROW(ids.insert_at("b", 0), ragkernel::InvalidArgument);  // live id
  EXPECT_EQ(ids.size(), 1u);
  EXPECT_EQ(ids.capacity(), 1u);
  EXPECT_EQ(ids.insert("b"), std::make_pair(1u, true));
}

TEST(IdMap, AKeyViewingTheMapItselfCanBeInsertedAgain) {
  ragkernel::IdMap ids;
  for (int i = 0; i < 1000; ++i) ids.insert("key-" + std::to_string(i));
  const std::string copy(ids.key(3));
  EXPECT_EQ(ids.insert(ids.key(3)), std::make_pair(3u, false));
  ASSERT_TRUE(ids.erase(copy).has_value());
  EXPECT_EQ(ids.insert(copy).second, true);
  EXPECT_EQ(ids.key(*ids.find(copy)), copy);
}

}  // namespace

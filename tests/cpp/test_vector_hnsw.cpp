// HNSW against the exact flat oracle: recall per code, filters at every selectivity, churn
// (delete + reinsert), concurrent readers with a writer, and files.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <thread>

#include "ragkernel/error.hpp"
#include "ragkernel/vector/index.hpp"
#include "ragkernel/vector/vector_index.hpp"
#include "vector_test_data.hpp"

namespace ragkernel::vector {
namespace {

using testing::clustered;
using testing::iota_ids;
using testing::recall;

constexpr std::size_t kD = 32;
constexpr std::size_t kN = 4000;
constexpr std::size_t kQ = 60;

IndexOptions options(Metric metric, IndexKind kind, Quantization q = Quantization::none) {
  IndexOptions o;
  o.dim = kD;
  o.metric = metric;
  o.kind = kind;
  o.quantization = q;
  o.M = 12;
  o.ef_construction = 100;
  return o;
}

struct Fixture {
  std::vector<float> data = clustered(kN, kD, 21);
  std::vector<float> queries = clustered(kQ, kD, 22);
};

class HnswMetric : public ::testing::TestWithParam<Metric> {};

TEST_P(HnswMetric, RecallAgainstFlatPerCode) {
  Fixture f;
  auto flat = Index::create(options(GetParam(), IndexKind::flat));
  flat->add(iota_ids(kN), f.data.data());
  const SearchResults truth = flat->search(f.queries.data(), kQ, 10);
  struct Case {
    Quantization q;
    double floor;
    bool keep_float = true;
  };
  // Without float32 rows the graph is built and rescored on int8 codes.
  for (const Case c :
       {Case{Quantization::none, 0.95}, Case{Quantization::int8, 0.93}, Case{Quantization::binary, 0.5},
        Case{Quantization::int4, 0.93}, Case{Quantization::int8, 0.9, false}, Case{Quantization::int4, 0.9, false}}) {
    IndexOptions o = options(GetParam(), IndexKind::hnsw, c.q);
    o.keep_float = c.keep_float;
    auto hnsw = Index::create(o);
    hnsw->add(iota_ids(kN), f.data.data());
    SearchParams p;
    p.ef = 100;
    const double r = recall(hnsw->search(f.queries.data(), kQ, 10, nullptr, p), truth);
    EXPECT_GE(r, c.floor) << to_string(c.q) << " keep_float=" << c.keep_float;
    // ef is per call: a wider beam never loses recall on the same index.
    p.ef = 300;
    EXPECT_GE(recall(hnsw->search(f.queries.data(), kQ, 10, nullptr, p), truth), r - 0.01)
        << to_string(c.q) << " keep_float=" << c.keep_float;
  }
}

INSTANTIATE_TEST_SUITE_P(Metrics, HnswMetric, ::testing::Values(Metric::cosine, Metric::ip, Metric::l2),
                         [](const auto& param_info) { return std::string(to_string(param_info.param)); });

class HnswFilteredCode : public ::testing::TestWithParam<Quantization> {};

// The filtered walk on float32 and on 4-bit codes (a quantized walk rescores what it admits).
TEST_P(HnswFilteredCode, FilteredRecallHoldsAtEverySelectivity) {
  Fixture f;
  auto flat = Index::create(options(Metric::cosine, IndexKind::flat));
  auto hnsw = Index::create(options(Metric::cosine, IndexKind::hnsw, GetParam()));
  flat->add(iota_ids(kN), f.data.data());
  hnsw->add(iota_ids(kN), f.data.data());
  std::mt19937_64 rng(5);
  for (double selectivity : {0.5, 0.3, 0.2, 0.1, 0.01, 0.001}) {
    Bitset allow(kN);
    std::bernoulli_distribution keep(selectivity);
    for (std::uint32_t i = 0; i < kN; ++i) {
      if (keep(rng)) allow.set(i);
    }
    allow.set(17);  // never empty
    const SearchResults truth = flat->search(f.queries.data(), kQ, 10, &allow);
    for (std::size_t exact_threshold : {std::size_t{0}, std::size_t{1}}) {  // automatic, and forced traversal
      SearchParams p;
      p.exact_threshold = exact_threshold;
      const SearchResults got = hnsw->search(f.queries.data(), kQ, 10, &allow, p);
      for (std::uint32_t id : got.ids) EXPECT_TRUE(id == SearchResults::kNoId || allow.test(id));
      if (exact_threshold == 0 || selectivity >= 0.01) {
        EXPECT_GE(recall(got, truth), 0.95) << "selectivity " << selectivity << " threshold " << exact_threshold;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Codes, HnswFilteredCode, ::testing::Values(Quantization::none, Quantization::int4),
                         [](const auto& param_info) { return std::string(to_string(param_info.param)); });

TEST(VectorHnsw, RecallHoldsAfterDeleteAndReinsertRounds) {
  Fixture f;
  auto flat = Index::create(options(Metric::l2, IndexKind::flat));
  auto hnsw = Index::create(options(Metric::l2, IndexKind::hnsw));
  flat->add(iota_ids(kN), f.data.data());
  hnsw->add(iota_ids(kN), f.data.data());
  const auto fresh = clustered(kN, kD, 23);
  std::mt19937_64 rng(6);
  for (int round = 0; round < 3; ++round) {
    std::vector<std::uint32_t> ids = iota_ids(kN);
    std::shuffle(ids.begin(), ids.end(), rng);
    ids.resize(kN / 10);
    hnsw->remove(ids);
    flat->remove(ids);
    // Same slots, new vectors: the repaired slots are reused.
    std::vector<float> rows(ids.size() * kD);
    for (std::size_t i = 0; i < ids.size(); ++i)
      std::copy_n(fresh.data() + ((ids[i] + round * 7) % kN) * kD, kD, rows.data() + i * kD);
    hnsw->add(ids, rows.data());
    flat->add(ids, rows.data());
    EXPECT_EQ(hnsw->size(), kN);
    SearchParams p;
    p.ef = 100;
    EXPECT_GE(recall(hnsw->search(f.queries.data(), kQ, 10, nullptr, p), flat->search(f.queries.data(), kQ, 10)), 0.95)
        << "round " << round;
  }
  // Removed ids never come back as results.
  const std::uint32_t gone[] = {1, 2, 3};
  hnsw->remove(gone);
  const SearchResults r = hnsw->search(f.data.data() + 1 * kD, 1, 50);
  for (std::uint32_t id : r.ids) EXPECT_TRUE(id != 1 && id != 2 && id != 3);
}

// A large float32 insert links on transient 4-bit codes (kN rows at once); small ones link on
// float32. Both graphs reach the same recall, and the codes are gone after the insert.
TEST(VectorHnsw, LargeFloatInsertBuildsOnTransientCodes) {
  Fixture f;
  auto flat = Index::create(options(Metric::ip, IndexKind::flat));
  auto at_once = Index::create(options(Metric::ip, IndexKind::hnsw));
  auto in_steps = Index::create(options(Metric::ip, IndexKind::hnsw));
  flat->add(iota_ids(kN), f.data.data());
  at_once->add(iota_ids(kN), f.data.data());
  for (std::uint32_t start = 0; start < kN; start += 500) {
    in_steps->add(iota_ids(500, start), f.data.data() + std::size_t{start} * kD);
  }
  // (A loaded copy holds exactly kN slots, as the single add does.)
  EXPECT_EQ(at_once->memory_usage(), Index::from_bytes(in_steps->to_bytes())->memory_usage());
  const SearchResults truth = flat->search(f.queries.data(), kQ, 10);
  SearchParams p;
  p.ef = 100;
  const double r_once = recall(at_once->search(f.queries.data(), kQ, 10, nullptr, p), truth);
  const double r_steps = recall(in_steps->search(f.queries.data(), kQ, 10, nullptr, p), truth);
  EXPECT_GE(r_once, 0.95);
  EXPECT_GE(r_once, r_steps - 0.02);
}

TEST(VectorHnsw, TombstonesThatAreNotReusedAreUnlinked) {
  Fixture f;
  auto flat = Index::create(options(Metric::cosine, IndexKind::flat));
  auto hnsw = Index::create(options(Metric::cosine, IndexKind::hnsw));
  flat->add(iota_ids(kN), f.data.data());
  hnsw->add(iota_ids(kN), f.data.data());
  const std::size_t before = hnsw->memory_usage();
  // 40% removed in batches, never re-added: passing a quarter of the live nodes unlinks them.
  for (std::uint32_t start = 0; start < kN * 4 / 10; start += 400) {
    const std::vector<std::uint32_t> ids = iota_ids(400, start);
    hnsw->remove(ids);
    flat->remove(ids);
  }
  SearchParams p;
  p.ef = 100;
  const SearchResults got = hnsw->search(f.queries.data(), kQ, 10, nullptr, p);
  for (std::uint32_t id : got.ids) EXPECT_GE(id, kN * 4 / 10);
  EXPECT_GE(recall(got, flat->search(f.queries.data(), kQ, 10)), 0.95);
  EXPECT_LE(hnsw->memory_usage(), before);
  // The freed slots take new vectors, and the graph survives a file round trip.
  hnsw->add(iota_ids(100), f.data.data() + 5 * kD);
  auto copy = Index::from_bytes(hnsw->to_bytes());
  EXPECT_EQ(copy->size(), kN * 6 / 10 + 100);
  EXPECT_EQ(copy->search(f.queries.data(), kQ, 10, nullptr, p).ids,
            hnsw->search(f.queries.data(), kQ, 10, nullptr, p).ids);
}

TEST(VectorHnsw, ConcurrentSearchesWhileOneWriterAdds) {
  Fixture f;
  for (IndexKind kind : {IndexKind::flat, IndexKind::hnsw}) {
    VectorIndex index(options(Metric::cosine, kind, Quantization::int8));
    std::vector<std::string> ids;
    for (std::size_t i = 0; i < kN; ++i) ids.push_back("doc-" + std::to_string(i));
    index.add(std::span(ids).first(500), f.data.data());
    std::atomic<bool> done{false};
    std::atomic<std::size_t> searches{0}, bad{0};
    std::vector<std::thread> readers;
    for (int t = 0; t < 3; ++t) {
      readers.emplace_back([&, t] {
        while (!done.load()) {
          const KeyedResults r = index.search(f.queries.data() + t * kD, 2, 5);
          for (std::size_t i = 0; i < r.ids.size(); ++i) {
            if (r.ids[i].empty() != std::isnan(r.scores[i])) ++bad;
          }
          ++searches;
        }
      });
    }
    for (std::size_t start = 500; start < kN; start += 500) {
      // Let the readers finish a search between batches, so reads and writes interleave.
      const std::size_t seen = searches.load();
      while (searches.load() == seen) std::this_thread::yield();
      index.add(std::span(ids).subspan(start, 500), f.data.data() + start * kD);
    }
    const std::string first[] = {"doc-0"};
    index.remove(first);
    done = true;
    for (auto& r : readers) r.join();
    EXPECT_GT(searches.load(), 0u);
    EXPECT_EQ(bad.load(), 0u);
    EXPECT_EQ(index.size(), kN - 1);
  }
}

TEST(VectorHnsw, FilesRoundTripBitExactly) {
  Fixture f;
  for (Quantization q : {Quantization::none, Quantization::int8, Quantization::int4}) {
    VectorIndex index(options(Metric::ip, IndexKind::hnsw, q));
    std::vector<std::string> ids;
    for (std::size_t i = 0; i < 1000; ++i) ids.push_back("id" + std::to_string(i));
    index.add(ids, f.data.data());
    const std::string gone[] = {"id5", "id6"};
    index.remove(gone);
    const auto bytes = index.to_bytes();
    const std::string path = ::testing::TempDir() + "/hnsw.rkv";
    index.save(path);
    for (bool mmap : {false, true}) {
      auto loaded = VectorIndex::load(path, mmap);
      EXPECT_EQ(loaded->to_bytes(), bytes);
      const KeyedResults a = index.search(f.queries.data(), 4, 10), b = loaded->search(f.queries.data(), 4, 10);
      EXPECT_EQ(a.ids, b.ids);
      EXPECT_EQ(a.scores, b.scores);
      EXPECT_FALSE(loaded->contains("id5"));
      EXPECT_TRUE(loaded->contains("id7"));
      const std::string again[] = {"id5"};
      loaded->add(again, f.data.data());  // reuses the freed internal id
      EXPECT_TRUE(loaded->contains("id5"));
    }
    // An internal-id file is not a string-id file, and vice versa the header is checked.
    auto plain = Index::create(options(Metric::ip, IndexKind::hnsw, q));
    plain->add(iota_ids(10), f.data.data());
    EXPECT_THROW(VectorIndex::from_bytes(plain->to_bytes()), Corruption);
    std::remove(path.c_str());
  }
}

TEST(VectorHnsw, AllowSetIsReusedUntilARemoval) {
  Fixture f;
  VectorIndex index(options(Metric::cosine, IndexKind::hnsw));
  std::vector<std::string> keys;
  for (std::size_t i = 0; i < kN; ++i) keys.push_back(std::to_string(i));
  index.add(keys, f.data.data());
  std::vector<std::string> allowed{"missing"};
  for (std::size_t i = 0; i < kN; i += 3) allowed.push_back(keys[i]);
  const AllowSet allow = index.allow_set(allowed);
  EXPECT_EQ(allow.size(), allowed.size() - 1);
  const KeyedResults first = index.search(f.queries.data(), kQ, 10, &allow);
  for (const std::string& id : first.ids) EXPECT_TRUE(id.empty() || std::stoul(id) % 3 == 0) << id;
  // Adding keeps it valid, and the new key is not in it.
  const std::string extra[] = {"new"};
  index.add(extra, f.queries.data());
  const KeyedResults again = index.search(f.queries.data(), kQ, 10, &allow);
  EXPECT_EQ(again.ids, first.ids);
  EXPECT_EQ(again.scores, first.scores);
  // After a removal the slot may go to another key: the set is refused.
  const std::string gone[] = {"3"};
  index.remove(gone);
  EXPECT_THROW(index.search(f.queries.data(), kQ, 10, &allow), InvalidArgument);
  const AllowSet fresh = index.allow_set(allowed);
  EXPECT_EQ(fresh.size(), allow.size() - 1);
  EXPECT_NO_THROW(index.search(f.queries.data(), kQ, 10, &fresh));
  // A set belongs to the index that made it.
  VectorIndex other(options(Metric::cosine, IndexKind::hnsw));
  other.add(keys, f.data.data());
  EXPECT_THROW(other.search(f.queries.data(), kQ, 10, &fresh), InvalidArgument);
}

TEST(VectorHnsw, OptimizeRenumbersWithoutChangingAnswers) {
  Fixture f;
  for (const auto& [q, keep] : {std::pair{Quantization::none, true}, std::pair{Quantization::int4, false}}) {
    IndexOptions o = options(Metric::cosine, IndexKind::hnsw, q);
    o.keep_float = keep;
    VectorIndex index(o);
    std::vector<std::string> keys;
    for (std::size_t i = 0; i < kN; ++i) keys.push_back(std::to_string(i));
    index.add(keys, f.data.data());
    std::vector<std::string> gone;  // tombstones (too few to be unlinked): waypoints, never results
    for (std::size_t i = 0; i < kN; i += 97) gone.push_back(keys[i]);
    index.remove(gone);
    const AllowSet allow = index.allow_set(std::span(keys).first(kN / 2));
    const KeyedResults before = index.search(f.queries.data(), kQ, 10);
    const std::vector<std::string> probe(keys.begin() + 1, keys.begin() + 97);
    std::vector<float> rows_before(probe.size() * kD), rows_after(probe.size() * kD);
    index.get(probe, rows_before.data());

    index.optimize();
    const KeyedResults after = index.search(f.queries.data(), kQ, 10);
    if (q == Quantization::none) {
      // The same graph under other numbers: the same walk (no equal distances to order by id).
      EXPECT_EQ(after.ids, before.ids);
      EXPECT_EQ(after.scores, before.scores);
    } else {
      // Codes can tie, and ties go to the smaller internal id: nearly the same answers.
      std::size_t same = 0;
      for (std::size_t i = 0; i < after.ids.size(); ++i) same += after.ids[i] == before.ids[i] ? 1 : 0;
      EXPECT_GE(static_cast<double>(same) / static_cast<double>(after.ids.size()), 0.97);
    }
    for (const std::string& id : after.ids) EXPECT_TRUE(id.empty() || std::stoul(id) % 97 != 0) << id;
    index.get(probe, rows_after.data());
    EXPECT_EQ(rows_after, rows_before);
    EXPECT_EQ(index.size(), kN - gone.size());
    EXPECT_FALSE(index.contains(gone[0]));
    EXPECT_THROW(index.search(f.queries.data(), kQ, 10, &allow), InvalidArgument);  // made before: stale

    // Still a working index: removed keys come back (reusing tombstone slots), files round-trip.
    index.add(gone, f.data.data());
    EXPECT_EQ(index.size(), kN);
    const KeyedResults self = index.search(f.data.data() + 5 * kD, 1, 1);
    EXPECT_EQ(self.ids[0], "5");
    const auto loaded = VectorIndex::from_bytes(index.to_bytes());
    EXPECT_EQ(loaded->search(f.queries.data(), kQ, 10).ids, index.search(f.queries.data(), kQ, 10).ids);
  }
}

TEST(VectorHnsw, RenumberingIsAPermutationOfTheIds) {
  Fixture f;
  auto index = Index::create(options(Metric::l2, IndexKind::hnsw));
  index->add(iota_ids(kN), f.data.data());
  const SearchResults before = index->search(f.queries.data(), kQ, 10);
  const std::vector<std::uint32_t> new_of_old = index->locality_order();
  EXPECT_THROW(index->renumber(std::vector<std::uint32_t>(kN, 0)), InvalidArgument);  // not a permutation
  EXPECT_THROW(index->renumber(std::vector<std::uint32_t>(3, 0)), InvalidArgument);   // wrong length
  EXPECT_EQ(index->search(f.queries.data(), kQ, 10).ids, before.ids);                 // unchanged
  index->renumber(new_of_old);
  ASSERT_EQ(new_of_old.size(), kN);
  std::vector<bool> hit(kN, false);
  for (std::uint32_t id : new_of_old) {
    ASSERT_LT(id, kN);
    EXPECT_FALSE(hit[id]);
    hit[id] = true;
  }
  const SearchResults after = index->search(f.queries.data(), kQ, 10);
  for (std::size_t i = 0; i < before.ids.size(); ++i) EXPECT_EQ(after.ids[i], new_of_old[before.ids[i]]);
  std::vector<float> row(kD);
  index->get(std::span(&new_of_old[7], 1), row.data());
  EXPECT_TRUE(std::equal(row.begin(), row.end(), f.data.begin() + 7 * kD));
  // A flat index has no layout to improve.
  auto flat = Index::create(options(Metric::l2, IndexKind::flat));
  flat->add(iota_ids(10), f.data.data());
  EXPECT_TRUE(flat->locality_order().empty());
}

TEST(VectorHnsw, ABulkLoadIsLaidOutByAdd) {
  // A batch of at least half the index, from kOptimizeFrom rows on, renumbers the ids itself
  // (seen from outside only as allow-sets going stale); smaller batches do not.
  constexpr std::size_t d = 8;
  const std::size_t n = VectorIndex::kOptimizeFrom;
  const std::vector<float> data = clustered(2 * n, d, 5);
  IndexOptions o = options(Metric::ip, IndexKind::hnsw);
  o.dim = d;
  o.M = 6;
  o.ef_construction = 24;
  VectorIndex index(o);
  std::vector<std::string> keys;
  for (std::size_t i = 0; i < 2 * n; ++i) keys.push_back(std::to_string(i));
  index.add(std::span(keys).first(1), data.data());
  const AllowSet early = index.allow_set(std::span(keys).first(1));
  index.add(std::span(keys).subspan(1, n - 1), data.data() + d);
  EXPECT_THROW(index.search(data.data(), 1, 1, &early), InvalidArgument);
  const AllowSet later = index.allow_set(std::span(keys).first(1));
  index.add(std::span(keys).subspan(n, n / 4), data.data() + n * d);  // a quarter: kept as is
  EXPECT_EQ(index.search(data.data(), 1, 1, &later).ids[0], "0");
}

TEST(VectorHnsw, StringIdErrorsLeaveTheIndexUnchanged) {
  Fixture f;
  VectorIndex index(options(Metric::cosine, IndexKind::hnsw));
  const std::string ids[] = {"a", "b", "c"};
  index.add(ids, f.data.data());
  const auto before = index.to_bytes();
  const std::string dup[] = {"x", "x"};
  EXPECT_THROW(index.add(dup, f.data.data()), InvalidArgument);
  const std::string present[] = {"y", "a"};
  EXPECT_THROW(index.add(present, f.data.data()), InvalidArgument);
  const std::string unknown[] = {"a", "zz"};
  EXPECT_THROW(index.remove(unknown), NotFound);
  std::vector<float> nan_rows(2 * kD, 1.f);
  nan_rows[3] = std::nanf("");
  const std::string fresh[] = {"p", "q"};
  EXPECT_THROW(index.add(fresh, nan_rows.data()), InvalidArgument);
  EXPECT_FALSE(index.contains("p"));
  EXPECT_EQ(index.to_bytes(), before);
}

}  // namespace
}  // namespace ragkernel::vector

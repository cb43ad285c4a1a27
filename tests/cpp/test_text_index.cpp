#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "ragkernel/error.hpp"
#include "ragkernel/text/bm25_index.hpp"
#include "ragkernel/text/inverted_index.hpp"

using namespace ragkernel::text;
using Doc = std::vector<std::string>;

namespace {

// (Appending instead of "t" + to_string(i) sidesteps a GCC 12 -Wrestrict false positive.)
std::string term(std::size_t i) {
  std::string t = "t";
  t.append(std::to_string(i));
  return t;
}

// A random corpus over a Zipf-like vocabulary, with some long and some empty documents.
std::vector<Doc> random_corpus(std::mt19937& rng, std::size_t n, std::size_t vocab) {
  std::vector<double> weights(vocab);
  for (std::size_t i = 0; i < vocab; ++i) weights[i] = 1.0 / static_cast<double>(i + 1);
  std::discrete_distribution<std::size_t> word(weights.begin(), weights.end());
  std::uniform_int_distribution<std::size_t> len(0, 40);
  std::vector<Doc> docs(n);
  for (Doc& d : docs) {
    const std::size_t l = len(rng) == 0 ? 0 : len(rng) + (rng() % 17 == 0 ? 300 : 0);
    for (std::size_t i = 0; i < l; ++i) d.push_back(term(word(rng)));
  }
  return docs;
}

Doc random_query(std::mt19937& rng, std::size_t vocab) {
  Doc q;
  const std::size_t n = 1 + rng() % 6;
  for (std::size_t i = 0; i < n; ++i) q.push_back(term(rng() % (vocab / (1 + rng() % 20))));
  return q;
}

const Bm25Params kVariants[] = {{Bm25Variant::kLucene, 1.5, 0.75, 0.5},
                                {Bm25Variant::kRobertson, 1.2, 0.75, 0.5},
                                {Bm25Variant::kAtire, 0.9, 0.4, 0.5},
                                {Bm25Variant::kBm25L, 1.5, 0.75, 0.5},
                                {Bm25Variant::kBm25Plus, 1.5, 1.0, 1.0}};

}  // namespace

TEST(TextIndex, PrunedEqualsExhaustiveOnRandomCorpora) {
  for (unsigned seed = 1; seed <= 4; ++seed) {
    std::mt19937 rng(seed);
    const std::size_t n = 3000 + seed * 2000, vocab = 2000;
    const std::vector<Doc> docs = random_corpus(rng, n, vocab);
    InvertedIndex index;
    std::vector<std::uint32_t> ids(n);
    for (std::size_t i = 0; i < n; ++i) ids[i] = static_cast<std::uint32_t>(i * (seed % 2 + 1));  // gaps for odd
    index.add(ids, docs);
    ragkernel::Bitset allow(index.id_bound());
    for (std::uint32_t i = 0; i < index.id_bound(); i += 3) allow.set(i);
    for (const Bm25Params& p : kVariants) {
      for (int q = 0; q < 40; ++q) {
        const Doc query = random_query(rng, vocab);
        for (std::size_t k : {1, 10, 100}) {
          const ragkernel::Bitset* a = q % 4 == 0 ? &allow : nullptr;
          const auto exact = index.search(query, k, p, a, SearchMode::kExhaustive);
          const auto pruned = index.search(query, k, p, a, SearchMode::kPruned);
          ASSERT_EQ(pruned, exact) << "seed " << seed << " variant " << to_string(p.variant) << " k " << k;
          if (a != nullptr) {
            for (const ScoredId& h : pruned) EXPECT_TRUE(allow.test(h.id));
          }
        }
      }
    }
  }
}

TEST(TextIndex, DeletesKeepStatisticsExact) {
  std::mt19937 rng(7);
  const std::vector<Doc> docs = random_corpus(rng, 2000, 500);
  InvertedIndex full, rebuilt;
  std::vector<std::uint32_t> ids(docs.size());
  for (std::size_t i = 0; i < docs.size(); ++i) ids[i] = static_cast<std::uint32_t>(i);
  full.add(ids, docs);
  std::vector<std::uint32_t> removed, kept_ids;
  std::vector<Doc> kept;
  for (std::size_t i = 0; i < docs.size(); ++i) {
    if (i % 3 == 1) {
      removed.push_back(ids[i]);
    } else {
      kept_ids.push_back(ids[i]);
      kept.push_back(docs[i]);
    }
  }
  full.remove(removed);
  rebuilt.add(kept_ids, kept);
  EXPECT_EQ(full.num_docs(), rebuilt.num_docs());
  EXPECT_EQ(full.total_length(), rebuilt.total_length());
  EXPECT_EQ(full.vocabulary_size(), rebuilt.vocabulary_size());
  EXPECT_EQ(full.doc_frequency("t3"), rebuilt.doc_frequency("t3"));
  EXPECT_EQ(full.ids(), rebuilt.ids());
  for (int q = 0; q < 30; ++q) {
    const Doc query = random_query(rng, 500);
    EXPECT_EQ(full.search(query, 20, {}), rebuilt.search(query, 20, {}));
  }
  // Reusing a freed id (as IdMap does) must not resurrect the old document's postings.
  full.add(std::vector<std::uint32_t>{removed[0]}, std::vector<Doc>{{"fresh"}});
  EXPECT_EQ(full.doc_length(removed[0]), 1u);
  for (const std::string& t : docs[removed[0]]) {
    for (const ScoredId& h : full.search(Doc{t}, 5000, {})) EXPECT_NE(h.id, removed[0]);
  }
}

TEST(TextIndex, BadInputChangesNothing) {
  InvertedIndex index;
  index.add(std::vector<std::uint32_t>{1, 2}, std::vector<Doc>{{"a", "b"}, {"b"}});
  EXPECT_THROW(index.add(std::vector<std::uint32_t>{3, 3}, std::vector<Doc>{{"c"}, {"d"}}), ragkernel::InvalidArgument);
  EXPECT_THROW(index.add(std::vector<std::uint32_t>{4, 2}, std::vector<Doc>{{"c"}, {"d"}}), ragkernel::InvalidArgument);
  EXPECT_THROW(index.remove(std::vector<std::uint32_t>{1, 9}), ragkernel::NotFound);
  EXPECT_EQ(index.num_docs(), 2u);
  EXPECT_EQ(index.total_length(), 3u);
  EXPECT_EQ(index.doc_frequency("c"), 0u);
  EXPECT_EQ(index.doc_frequency("a"), 1u);
  EXPECT_THROW(index.search(Doc{"a"}, 10, Bm25Params{Bm25Variant::kLucene, -1.0, 0.75, 0.5}),
               ragkernel::InvalidArgument);
}

TEST(TextIndex, ExplainSumsToTheSearchScore) {
  Bm25Index index(AnalyzerConfig::preset("lucene"), {Bm25Variant::kBm25L, 1.2, 0.75, 0.5});
  const std::vector<std::string_view> texts = {"The flow over a flat plate", "Supersonic flow of gases",
                                               "Heat transfer in flow", "Plates and shells"};
  index.add(std::vector<std::uint32_t>{10, 11, 12, 13}, texts);
  const auto hits = index.search("flat plate flow flow", 10);
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].id, 10u);
  for (const ScoredId& h : hits) {
    const Explanation e = index.explain("flat plate flow flow", h.id);
    EXPECT_EQ(e.score, h.score);
    ASSERT_EQ(e.terms.size(), 3u);
    EXPECT_EQ(e.terms[2].term, "flow");
    EXPECT_EQ(e.terms[2].query_count, 2u);
  }
  EXPECT_THROW(index.search("", 10), ragkernel::InvalidArgument);
  EXPECT_TRUE(index.search("the and of", 10).empty());
  const std::vector<std::string_view> bad = {"fine", ""};
  EXPECT_THROW(index.add(std::vector<std::uint32_t>{20, 21}, bad), ragkernel::InvalidArgument);
  EXPECT_EQ(index.size(), 4u);
}

TEST(TextIndex, CachedAndPerQueryImpactsAgree) {
  // The index caches impacts for its parameters; other parameters compute them per query.
  std::mt19937 rng(11);
  const std::vector<Doc> docs = random_corpus(rng, 3000, 800);
  InvertedIndex cached, fresh;
  std::vector<std::uint32_t> ids(docs.size());
  for (std::size_t i = 0; i < docs.size(); ++i) ids[i] = static_cast<std::uint32_t>(i);
  cached.add(ids, docs);
  fresh.add(ids, docs);
  const Bm25Params p{Bm25Variant::kBm25Plus, 1.2, 0.7, 0.4};
  cached.cache_impacts_for(p);
  for (int q = 0; q < 20; ++q) {
    const Doc query = random_query(rng, 800);
    EXPECT_EQ(cached.search(query, 15, p), fresh.search(query, 15, p));
    EXPECT_EQ(cached.search(query, 15, p, nullptr, SearchMode::kPruned), fresh.search(query, 15, p));
  }
  // After an update the cache is refilled, not reused.
  cached.remove(std::vector<std::uint32_t>{0, 5, 9});
  fresh.remove(std::vector<std::uint32_t>{0, 5, 9});
  for (int q = 0; q < 20; ++q) {
    const Doc query = random_query(rng, 800);
    EXPECT_EQ(cached.search(query, 15, p), fresh.search(query, 15, p));
  }
}

// Many small adds and removes in random order (posting lists grow from one inline posting to
// many blocks and shrink back, forward entries are compacted, freed ids are reused) end in the
// same index as one built from the surviving documents.
TEST(TextIndex, RandomChurnEqualsRebuild) {
  std::mt19937 rng(21);
  const std::size_t vocab = 3000;
  const std::vector<Doc> pool = random_corpus(rng, 4000, vocab);
  InvertedIndex churned;
  std::vector<std::int64_t> doc_of(600, -1);  // id -> pool document, -1 when absent
  for (int round = 0; round < 60; ++round) {
    std::vector<std::uint32_t> add_ids, remove_ids;
    std::vector<Doc> add_docs;
    for (std::uint32_t id = 0; id < doc_of.size(); ++id) {
      const auto roll = rng() % 100;
      if (doc_of[id] < 0 && roll < 12) {
        doc_of[id] = static_cast<std::int64_t>(rng() % pool.size());
        add_ids.push_back(id);
        add_docs.push_back(pool[static_cast<std::size_t>(doc_of[id])]);
      } else if (doc_of[id] >= 0 && roll < 6) {
        doc_of[id] = -1;
        remove_ids.push_back(id);
      }
    }
    std::shuffle(remove_ids.begin(), remove_ids.end(), rng);
    churned.remove(remove_ids);
    churned.add(add_ids, add_docs);
  }
  InvertedIndex rebuilt;
  std::vector<std::uint32_t> ids;
  std::vector<Doc> docs;
  for (std::uint32_t id = 0; id < doc_of.size(); ++id) {
    if (doc_of[id] < 0) continue;
    ids.push_back(id);
    docs.push_back(pool[static_cast<std::size_t>(doc_of[id])]);
  }
  rebuilt.add(ids, docs);
  EXPECT_EQ(churned.ids(), rebuilt.ids());
  EXPECT_EQ(churned.total_length(), rebuilt.total_length());
  EXPECT_EQ(churned.vocabulary_size(), rebuilt.vocabulary_size());
  for (std::size_t t = 0; t < vocab; t += 7) EXPECT_EQ(churned.doc_frequency(term(t)), rebuilt.doc_frequency(term(t)));
  for (int q = 0; q < 60; ++q) {
    const Doc query = random_query(rng, vocab);
    for (SearchMode mode : {SearchMode::kExhaustive, SearchMode::kPruned}) {
      EXPECT_EQ(churned.search(query, 20, {}, nullptr, mode), rebuilt.search(query, 20, {}, nullptr, mode));
    }
  }
}

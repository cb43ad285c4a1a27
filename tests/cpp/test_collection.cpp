// The in-memory Collection: writes, reads, text / vector / hybrid search against the indexes
// it composes, filters inside both searches, and bad input that changes nothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "collection_test_data.hpp"
#include "ragkernel/error.hpp"
#include "ragkernel/fusion/fusion.hpp"
#include "ragkernel/text/bm25_index.hpp"

using namespace ragkernel;
using namespace ragkernel::collection;
using namespace ragkernel::collection::testing;

namespace {

constexpr std::size_t kDim = 16;

// Everything observable about a collection, to show a failed call changed nothing.
std::vector<std::string> fingerprint(const Collection& c) {
  std::vector<std::string> out = c.ids();
  for (const auto& r : c.get(c.ids())) {
    std::string line = r->id + "|" + r->text + "|" + std::to_string(r->metadata.size()) + "|";
    for (const float x : r->vector) line += std::to_string(x) + ",";
    out.push_back(line);
  }
  const auto hits = c.search(text_query("w1 w2 w3", 50));
  for (const Hit& h : hits) out.push_back(h.id + ":" + std::to_string(h.score));
  return out;
}

}  // namespace

TEST(Collection, AddGetUpsertDelete) {
  Collection col(options(kDim));
  Corpus data = corpus(50, kDim, 1);
  const WriteResult added = col.add(data.docs);
  EXPECT_EQ(added.replaced, std::vector<bool>(50, false));
  EXPECT_EQ(col.size(), 50u);
  EXPECT_TRUE(col.contains("d7"));
  EXPECT_FALSE(col.contains("x"));

  const std::vector<std::string> want = {"d3", "nope", "d49"};
  const auto got = col.get(want);
  ASSERT_TRUE(got[0] && got[2]);
  EXPECT_FALSE(got[1]);
  EXPECT_EQ(got[0]->text, data.docs.texts[3]);
  EXPECT_EQ(got[2]->vector, std::vector<float>(data.vectors.begin() + 49 * kDim, data.vectors.begin() + 50 * kDim));
  // Metadata comes back typed (ints stay ints), fields in name order.
  const filter::Metadata& m = got[0]->metadata;
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].first, "lang");
  EXPECT_EQ(std::get<std::int64_t>(m[2].second), 2003);

  Corpus changed = corpus(2, kDim, 99, "d", 3);  // d3 (present) and d4 (present)
  changed.docs.ids = {"d3", "new"};
  changed.docs.texts = {"replaced text zebra", "fresh document zebra"};
  const WriteResult up = col.upsert(changed.docs);
  EXPECT_EQ(up.replaced, (std::vector<bool>{true, false}));
  EXPECT_EQ(col.size(), 51u);
  EXPECT_EQ(col.get(std::vector<std::string>{"d3"})[0]->text, "replaced text zebra");
  const auto zebra = col.search(text_query("zebra"));
  ASSERT_EQ(zebra.size(), 2u);  // the old text of d3 no longer matches anything
  std::set<std::string> ids{zebra[0].id, zebra[1].id};
  EXPECT_EQ(ids, (std::set<std::string>{"d3", "new"}));

  col.remove(std::vector<std::string>{"d3", "d10"});
  EXPECT_EQ(col.size(), 49u);
  EXPECT_FALSE(col.contains("d3"));
  EXPECT_EQ(col.search(text_query("zebra")).size(), 1u);
  // A freed internal id is reused by the next new document without inheriting anything.
  Corpus again = corpus(1, kDim, 5, "again");
  again.docs.texts = {"lonely words"};
  col.add(again.docs);
  EXPECT_TRUE(col.search(text_query("zebra", 5)).size() == 1);
  EXPECT_EQ(col.search(text_query("lonely"))[0].id, "again0");
}

TEST(Collection, TextSearchEqualsBm25Index) {
  CollectionOptions o = options(0);
  o.analyzer = text::AnalyzerConfig::preset("bm25s");
  o.bm25.variant = text::Bm25Variant::kBm25L;
  Collection col(o);
  const Corpus data = corpus(400, 0, 3);
  col.add(data.docs);
  text::Bm25Index reference(o.analyzer, o.bm25);
  std::vector<std::uint32_t> ids(400);
  std::vector<std::string_view> texts(data.docs.texts.begin(), data.docs.texts.end());
  for (std::uint32_t i = 0; i < 400; ++i) ids[i] = i;
  reference.add(ids, texts);
  for (const char* q : {"w1", "w2 w17", "w5 w5 w250", "nothing here"}) {
    const auto hits = col.search(text_query(q, 25));
    const auto want = reference.search(q, 25);
    ASSERT_EQ(hits.size(), want.size()) << q;
    for (std::size_t i = 0; i < hits.size(); ++i) {
      EXPECT_EQ(hits[i].id, "d" + std::to_string(want[i].id));
      EXPECT_EQ(hits[i].score, want[i].score);
      EXPECT_EQ(hits[i].sources[kBm25].rank, i + 1);
      EXPECT_EQ(hits[i].sources[kDense].rank, 0u);
      EXPECT_EQ(hits[i].text, data.docs.texts[want[i].id]);
    }
  }
  const text::Explanation e = col.explain("w1 w2", "d0");
  EXPECT_EQ(e.id, 0u);
}

TEST(Collection, VectorSearchEqualsFlatIndex) {
  for (const auto metric : {vector::Metric::cosine, vector::Metric::ip, vector::Metric::l2}) {
    CollectionOptions o = options(kDim);
    o.vector.metric = metric;
    Collection col(o);
    const Corpus data = corpus(300, kDim, 4);
    col.add(data.docs);
    vector::IndexOptions vo = o.vector;
    vo.dim = kDim;
    auto reference = vector::Index::create(vo);
    reference->add(vector::testing::iota_ids(300), data.vectors.data());
    const std::span<const float> q(data.vectors.data() + 17 * kDim, kDim);
    const auto hits = col.search(vector_query(q, 10));
    const auto want = reference->search(q.data(), 1, 10);
    ASSERT_EQ(hits.size(), 10u);
    for (std::size_t i = 0; i < 10; ++i) {
      EXPECT_EQ(hits[i].id, "d" + std::to_string(want.ids[i]));
      EXPECT_EQ(static_cast<float>(hits[i].score), want.scores[i]);  // l2: the distance, as the index reports it
      EXPECT_EQ(hits[i].sources[kDense].score, want.scores[i]);
    }
  }
}

TEST(Collection, HybridEqualsFusionOfBothLists) {
  Collection col(options(kDim));
  const Corpus data = corpus(300, kDim, 6);
  col.add(data.docs);
  const std::span<const float> qv(data.vectors.data() + 5 * kDim, kDim);
  for (const auto method : {fusion::Method::kRrf, fusion::Method::kConvex, fusion::Method::kDbsf}) {
    Query q = hybrid_query("w3 w4 w9", qv, 10);
    q.candidates = 40;
    q.fusion.method = method;
    q.fusion.normalizer = fusion::Normalizer::kZScore;
    q.fusion.weights = {0.3, 0.7};
    const auto hits = col.search(q);

    const auto text_hits = col.search(text_query("w3 w4 w9", 40));
    const auto vec_hits = col.search(vector_query(qv, 40));
    std::vector<std::uint32_t> ti, vi;
    std::vector<float> ts, vs;
    for (const Hit& h : text_hits) ti.push_back(h.internal_id), ts.push_back(h.sources[kBm25].score);
    for (const Hit& h : vec_hits) vi.push_back(h.internal_id), vs.push_back(h.sources[kDense].score);
    const fusion::Source sources[] = {{ti, ts, 0.3}, {vi, vs, 0.7}};
    const fusion::Fused want = fusion::fuse(sources, {method, 60.0, fusion::Normalizer::kZScore, 10});
    ASSERT_EQ(hits.size(), want.ids.size());
    for (std::size_t i = 0; i < hits.size(); ++i) {
      EXPECT_EQ(hits[i].internal_id, want.ids[i]);
      EXPECT_EQ(hits[i].score, want.scores[i]);
      EXPECT_EQ(hits[i].sources[kBm25].rank, want.source_ranks[i * 2]);
      EXPECT_EQ(hits[i].sources[kDense].rank, want.source_ranks[i * 2 + 1]);
    }
  }
}

TEST(Collection, FiltersApplyInsideBothSearches) {
  Collection col(options(kDim, vector::IndexKind::hnsw));
  const Corpus data = corpus(600, kDim, 8);
  col.add(data.docs);
  // year == 2003 selects 24 of 600; a post-filtered top-10 would usually find none of them.
  const auto f = parse(leaf("year", "$eq", filter::Json{std::int64_t{2003}}));
  std::set<std::string> allowed;
  for (std::size_t i = 0; i < 600; ++i) {
    if (i % 25 == 3) allowed.insert("d" + std::to_string(i));
  }
  const std::span<const float> qv(data.vectors.data(), kDim);
  for (Query q : {text_query("w1 w2 w3 w4", 10), vector_query(qv, 10), hybrid_query("w1 w2", qv, 10)}) {
    q.filter = f;
    const auto hits = col.search(q);
    EXPECT_EQ(hits.size(), 10u);
    for (const Hit& h : hits) EXPECT_TRUE(allowed.contains(h.id)) << h.id;
  }
  // The filtered vector search equals the exact search over the allowed documents.
  Query q = vector_query(qv, 5);
  q.filter = f;
  const auto hits = col.search(q);
  std::vector<std::pair<double, std::string>> exact;
  for (const std::string& id : allowed) {
    const std::size_t i = std::stoul(id.substr(1));
    exact.emplace_back(
        -vector::testing::naive_score(vector::Metric::cosine, qv.data(), data.vectors.data() + i * kDim, kDim), id);
  }
  std::sort(exact.begin(), exact.end());
  for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(hits[i].id, exact[i].second);

  // $exists: false finds documents without tags (every document has a metadata record).
  Query none = text_query("w1", 100);
  filter::JsonObject exists{{"$exists", filter::Json{false}}};
  none.filter = parse(filter::Json{filter::JsonObject{{"tags", filter::Json{exists}}}});
  for (const Hit& h : col.search(none)) EXPECT_NE(std::stoul(h.id.substr(1)) % 4, 0u);
}

TEST(Collection, BatchSearchEqualsSingleSearches) {
  Collection col(options(kDim, vector::IndexKind::hnsw, vector::Quantization::int8));
  const Corpus data = corpus(500, kDim, 9);
  col.add(data.docs);
  const auto f = parse(leaf("lang", "$eq", filter::Json{std::string("de")}));
  std::vector<Query> queries;
  for (std::size_t i = 0; i < 40; ++i) {
    const std::span<const float> v(data.vectors.data() + i * kDim, kDim);
    Query q = i % 3 == 0 ? text_query("w" + std::to_string(i)) : i % 3 == 1 ? vector_query(v) : hybrid_query("w2", v);
    if (i % 2 == 0) q.filter = f;
    queries.push_back(q);
  }
  const auto batch = col.search_batch(queries, 2);
  for (std::size_t i = 0; i < queries.size(); ++i) EXPECT_TRUE(same_hits(batch[i], col.search(queries[i]))) << i;
}

TEST(Collection, BadWritesChangeNothing) {
  Collection col(options(kDim));
  col.add(corpus(20, kDim, 10).docs);
  const auto before = fingerprint(col);
  auto expect_unchanged = [&](auto&& call, const char* what) {
    EXPECT_THROW(call(), Error) << what;
    EXPECT_EQ(fingerprint(col), before) << what;
  };
  expect_unchanged([&] { col.add(corpus(3, kDim, 11, "d", 19).docs); }, "existing id on add");
  expect_unchanged(
      [&] {
        Corpus c = corpus(3, kDim, 11, "n");
        c.docs.ids[2] = "n0";
        col.add(c.docs);
      },
      "duplicate id in one call");
  expect_unchanged(
      [&] {
        Corpus c = corpus(3, kDim, 11, "n");
        c.vectors[kDim + 2] = std::nanf("");
        col.upsert(c.docs);
      },
      "NaN in a vector");
  expect_unchanged(
      [&] {
        Corpus c = corpus(3, kDim, 11, "n");
        std::fill(c.vectors.begin() + kDim, c.vectors.begin() + 2 * kDim, 0.f);
        col.upsert(c.docs);
      },
      "zero vector under cosine");
  expect_unchanged(
      [&] {
        Corpus c = corpus(3, kDim, 11, "n");
        c.docs.vectors = c.docs.vectors.subspan(0, 2 * kDim);
        col.add(c.docs);
      },
      "wrong number of floats");
  expect_unchanged(
      [&] {
        Corpus c = corpus(3, kDim, 11, "n");
        c.docs.texts[1] = "";
        col.add(c.docs);
      },
      "empty text");
  expect_unchanged(
      [&] {
        Corpus c = corpus(3, kDim, 11, "n");
        c.docs.texts[2] = "bad \xff utf8";
        col.add(c.docs);
      },
      "invalid UTF-8");
  expect_unchanged(
      [&] {
        Corpus c = corpus(3, kDim, 11, "d", 0);                  // upserts d0..d2 ...
        c.docs.metadata[2] = {{"year", std::string("twenty")}};  // ... but year is a number field
        col.upsert(c.docs);
      },
      "metadata type mismatch");
  expect_unchanged(
      [&] {
        Corpus c = corpus(3, kDim, 11, "n");
        c.docs.metadata[0] = {{"score", std::nan("")}};
        col.add(c.docs);
      },
      "NaN metadata");
  expect_unchanged([&] { col.remove(std::vector<std::string>{"d1", "ghost"}); }, "unknown id on delete");
  expect_unchanged([&] { col.remove(std::vector<std::string>{"d1", "d1"}); }, "repeated id on delete");

  // The messages name the document and what to do.
  try {
    Corpus c = corpus(3, kDim, 11, "n");
    c.vectors[2 * kDim] = std::numeric_limits<float>::infinity();
    col.add(c.docs);
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("'n2'"), std::string::npos) << e.what();
  }
  try {
    col.remove(std::vector<std::string>{"ghost"});
    FAIL();
  } catch (const NotFound& e) {
    EXPECT_NE(std::string(e.what()).find("'ghost'"), std::string::npos) << e.what();
  }
}

TEST(Collection, BadQueriesAreRejected) {
  Collection col(options(kDim));
  const Corpus data = corpus(20, kDim, 12);
  col.add(data.docs);
  const std::vector<float> short_vector(kDim - 1, 1.f);
  const std::span<const float> v(data.vectors.data(), kDim);
  EXPECT_THROW(col.search(Query{}), InvalidArgument);                     // neither text nor vector
  EXPECT_THROW(col.search(text_query("")), InvalidArgument);              // empty text
  EXPECT_THROW(col.search(text_query("w1", 0)), InvalidArgument);         // k = 0
  EXPECT_THROW(col.search(vector_query(short_vector)), InvalidArgument);  // wrong dimension
  Query q = hybrid_query("w1", v);
  q.fusion.weights = {0.0, 0.0};
  EXPECT_THROW(col.search(q), InvalidArgument);
  q.fusion.weights = {-1.0, 1.0};
  EXPECT_THROW(col.search(q), InvalidArgument);
  q = hybrid_query("w1", v, 10);
  q.candidates = 5;
  EXPECT_THROW(col.search(q), InvalidArgument);
  q = text_query("w1");
  q.filter = parse(leaf("year", "$gte", filter::Json{std::string("x")}));
  EXPECT_THROW(col.search(q), InvalidArgument);  // type mismatch against the stored field
  // Text that analyses to no terms finds nothing (documented), not an error.
  EXPECT_TRUE(col.search(text_query("the of and")).empty());

  Collection text_only(options(0));
  text_only.add(corpus(5, 0, 13).docs);
  EXPECT_THROW(text_only.search(vector_query(v)), InvalidArgument);
  Corpus with_vectors = corpus(2, kDim, 14, "x");
  EXPECT_THROW(text_only.add(with_vectors.docs), InvalidArgument);
}

TEST(Collection, ClosedCollectionRefusesCalls) {
  Collection col(options(0));
  col.add(corpus(5, 0, 15).docs);
  col.close();
  col.close();  // idempotent
  EXPECT_TRUE(col.closed());
  EXPECT_THROW(col.size(), InvalidArgument);
  EXPECT_THROW(col.search(text_query("w1")), InvalidArgument);
  EXPECT_THROW(col.add(corpus(1, 0, 16, "z").docs), InvalidArgument);
}

// Durable collections: reopen answers exactly as before close for every index kind and
// quantization (and the lexical index); the change log replays what a snapshot lacks;
// read-only and secondary readers; damaged, foreign and future stores give precise errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "collection_test_data.hpp"
#include "ragkernel/error.hpp"
#include "ragkernel/store/doc_store.hpp"
#include "ragkernel/store/store.hpp"
#include "store_test_util.hpp"

using namespace ragkernel;
using namespace ragkernel::collection;
using namespace ragkernel::collection::testing;
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kDim = 16;

// A mix of queries: text, vector, hybrid (three fusions), filtered.
std::vector<Query> queries(const Corpus& data) {
  std::vector<Query> out;
  const auto f = parse(leaf("year", "$gte", filter::Json{std::int64_t{2012}}));
  for (std::size_t i = 0; i < 12; ++i) {
    const std::span<const float> v(data.vectors.data() + (i * 13 % 300) * kDim, kDim);
    const std::string text = "w" + std::to_string(1 + i) + " w" + std::to_string(2 * i + 3);
    out.push_back(text_query(text, 20));
    if (!data.vectors.empty()) {
      out.push_back(vector_query(v, 20));
      Query h = hybrid_query(text, v, 15);
      h.fusion.method = i % 3 == 0   ? fusion::Method::kRrf
                        : i % 3 == 1 ? fusion::Method::kConvex
                                     : fusion::Method::kDbsf;
      out.push_back(h);
      h.filter = f;
      out.push_back(h);
    }
    Query t = text_query(text, 10);
    t.filter = f;
    out.push_back(t);
  }
  return out;
}

std::vector<std::vector<Hit>> run(const Collection& col, const std::vector<Query>& qs) { return col.search_batch(qs); }

void expect_same(const std::vector<std::vector<Hit>>& a, const std::vector<std::vector<Hit>>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(same_hits(a[i], b[i])) << "query " << i;
}

// Writes that exercise every path: adds, replacements, deletions, reused ids.
void churn(Collection& col, std::size_t dim) {
  col.add(corpus(300, dim, 21).docs);
  Corpus replace = corpus(40, dim, 22, "d", 100);
  col.upsert(replace.docs);
  std::vector<std::string> gone;
  for (int i = 0; i < 30; ++i) gone.push_back("d" + std::to_string(i * 7));
  col.remove(gone);
  col.add(corpus(25, dim, 23, "n").docs);  // reuses freed internal ids
}

class Reopen : public ::testing::TestWithParam<std::tuple<vector::IndexKind, vector::Quantization>> {};

}  // namespace

TEST_P(Reopen, AnswersExactlyAsBeforeClose) {
  const auto [kind, quantization] = GetParam();
  store::test_util::ScratchDir dir;
  const Corpus data = corpus(300, kDim, 21);
  std::vector<std::vector<Hit>> before;
  std::vector<std::optional<Record>> records_before;
  {
    auto col = Collection::create(dir.path(), options(kDim, kind, quantization));
    churn(*col, kDim);
    before = run(*col, queries(data));
    records_before = col->get(col->ids());
    col->close();
  }
  OpenOptions o;
  auto col = Collection::open(dir.path(), o);
  EXPECT_EQ(col->options(), options(kDim, kind, quantization));
  expect_same(before, run(*col, queries(data)));
  const auto records = col->get(col->ids());
  ASSERT_EQ(records.size(), records_before.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(records[i]->id, records_before[i]->id);
    EXPECT_EQ(records[i]->text, records_before[i]->text);
    EXPECT_EQ(records[i]->metadata, records_before[i]->metadata);
  }
  // The snapshot is mapped instead of read: the same answers.
  col->close();
  o.mmap = true;
  expect_same(before, run(*Collection::open(dir.path(), o), queries(data)));
}

INSTANTIATE_TEST_SUITE_P(EveryIndexKind, Reopen,
                         ::testing::Combine(::testing::Values(vector::IndexKind::flat, vector::IndexKind::hnsw),
                                            ::testing::Values(vector::Quantization::none, vector::Quantization::int8,
                                                              vector::Quantization::binary)));

TEST(CollectionDurable, TextOnlyReopensExactly) {
  store::test_util::ScratchDir dir;
  const Corpus data = corpus(300, 0, 21);
  std::vector<std::vector<Hit>> before;
  {
    CollectionOptions o = options(0);
    o.analyzer = text::AnalyzerConfig::preset("bm25s");
    o.bm25 = {text::Bm25Variant::kBm25Plus, 1.2, 0.6, 0.8};
    auto col = Collection::create(dir.path(), o);
    churn(*col, 0);
    before = run(*col, queries(data));
  }  // the destructor closes
  auto col = Collection::open(dir.path());
  EXPECT_EQ(col->options().bm25.variant, text::Bm25Variant::kBm25Plus);
  EXPECT_EQ(col->options().analyzer, text::AnalyzerConfig::preset("bm25s"));
  expect_same(before, run(*col, queries(data)));
}

TEST(CollectionDurable, ChangesAfterTheSnapshotAreReplayed) {
  store::test_util::ScratchDir dir;
  const Corpus data = corpus(300, kDim, 21);
  auto col = Collection::create(dir.path(), options(kDim));  // flat: replay is exact
  col->add(corpus(300, kDim, 21).docs);
  col->checkpoint();
  EXPECT_EQ(col->stats().snapshot_generation, 1u);
  EXPECT_EQ(col->stats().pending_changes, 0u);
  col->upsert(corpus(40, kDim, 22, "d", 100).docs);
  col->remove(std::vector<std::string>{"d1", "d2", "d3"});
  col->add(corpus(5, kDim, 23, "n").docs);  // reuses the ids of d1..d3
  EXPECT_EQ(col->stats().pending_changes, 48u);
  const auto want = run(*col, queries(data));
  // The files as a crash would leave them (no close, no snapshot of the last writes).
  fs::copy(dir.path(), dir.path("crashed"), fs::copy_options::recursive);
  OpenOptions o;
  auto crashed = Collection::open(dir.path("crashed"), o);
  EXPECT_EQ(crashed->stats().snapshot_generation, 1u);
  EXPECT_EQ(crashed->stats().pending_changes, 48u);
  EXPECT_TRUE(fs::exists(fs::path(dir.path("crashed")) / "lexical-1.rkl"));  // BM25 from it plus the log
  expect_same(want, run(*crashed, queries(data)));
  crashed->close();  // writes generation 2
  o.restore = VectorRestore::rebuild;
  expect_same(want, run(*Collection::open(dir.path("crashed"), o), queries(data)));
}

namespace {

// The snapshot record as stores written before lexical snapshots hold it (generation, last
// change, documents: no lexical flag), and no lexical file.
void forget_lexical_snapshot(const std::string& path) {
  for (const auto& entry : fs::directory_iterator(path)) {
    if (entry.path().extension() == ".rkl") fs::remove(entry.path());
  }
  auto store = store::Store::open(path, store::Schema{.kind = "collection", .families = {}, .config = {}});
  const auto record = store->get(store->manifest_family(), "collection/snapshot");
  ASSERT_TRUE(record && record->size() > 25) << (record ? record->size() : 0);
  auto batch = store->batch();
  batch.put(store->manifest_family(), "collection/snapshot", record->substr(0, 24));
  store->write(batch);
}

// The snapshot record with another analyzer fingerprint, as a build with another ICU or
// Snowball would have written it.
void set_analyzer_fingerprint(const std::string& path, const std::string& fingerprint) {
  auto store = store::Store::open(path, store::Schema{.kind = "collection", .families = {}, .config = {}});
  const auto record = store->get(store->manifest_family(), "collection/snapshot");
  ASSERT_TRUE(record && record->size() > 25);
  std::string changed = record->substr(0, 25);
  changed.push_back(static_cast<char>(fingerprint.size()));  // a one-byte varint length
  changed += fingerprint;
  auto batch = store->batch();
  batch.put(store->manifest_family(), "collection/snapshot", changed);
  store->write(batch);
}

}  // namespace

TEST(CollectionDurable, ALexicalSnapshotFromAnotherAnalyzerBuildIsRebuiltFromTheTexts) {
  store::test_util::ScratchDir dir;
  const Corpus data = corpus(300, kDim, 21);
  std::vector<std::vector<Hit>> want;
  {
    auto col = Collection::create(dir.path(), options(kDim));
    churn(*col, kDim);
    want = run(*col, queries(data));
  }  // generation 1, with a lexical snapshot
  set_analyzer_fingerprint(dir.path(), "icu 0.0 unicode 0.0 probe 0000000000000000");
  // Damage the file too: were it read, the open would fail.
  const fs::path lexical = fs::path(dir.path()) / "lexical-1.rkl";
  fs::resize_file(lexical, fs::file_size(lexical) / 2);
  OpenOptions read_only;
  read_only.store.access = store::Access::read_only;
  expect_same(want, run(*Collection::open(dir.path(), read_only), queries(data)));
  expect_same(want, run(*Collection::open(dir.path()), queries(data)));  // close writes generation 2
  EXPECT_TRUE(fs::exists(fs::path(dir.path()) / "lexical-2.rkl"));
  auto col = Collection::open(dir.path());
  EXPECT_EQ(col->stats().snapshot_generation, 2u);
  expect_same(want, run(*col, queries(data)));
}

TEST(CollectionDurable, StoresWithoutALexicalSnapshotRebuildItAndGetOne) {
  store::test_util::ScratchDir dir;
  const Corpus data = corpus(300, kDim, 21);
  std::vector<std::vector<Hit>> want;
  {
    auto col = Collection::create(dir.path(), options(kDim));
    churn(*col, kDim);
    col->checkpoint();
    col->remove(std::vector<std::string>{"d1", "d2"});  // and a change after the snapshot
    want = run(*col, queries(data));
    fs::copy(dir.path(), dir.path("old"), fs::copy_options::recursive);  // as a crash leaves it
  }
  forget_lexical_snapshot(dir.path("old"));
  OpenOptions read_only;
  read_only.store.access = store::Access::read_only;
  expect_same(want, run(*Collection::open(dir.path("old"), read_only), queries(data)));
  {
    auto col = Collection::open(dir.path("old"));
    EXPECT_EQ(col->stats().snapshot_generation, 1u);
    expect_same(want, run(*col, queries(data)));
  }  // close writes generation 2, with a lexical snapshot
  EXPECT_TRUE(fs::exists(fs::path(dir.path("old")) / "lexical-2.rkl"));
  auto col = Collection::open(dir.path("old"));
  EXPECT_EQ(col->stats().snapshot_generation, 2u);
  expect_same(want, run(*col, queries(data)));
}

TEST(CollectionDurable, ADamagedLexicalSnapshotIsCorruptionAndRebuildRecovers) {
  store::test_util::ScratchDir dir;
  const Corpus data = corpus(300, 0, 21);
  std::vector<std::vector<Hit>> want;
  {
    auto col = Collection::create(dir.path(), options(0));  // text only
    churn(*col, 0);
    want = run(*col, queries(data));
  }
  const fs::path lexical = fs::path(dir.path()) / "lexical-1.rkl";
  ASSERT_TRUE(fs::exists(lexical));
  fs::resize_file(lexical, fs::file_size(lexical) - 3);
  try {
    Collection::open(dir.path());
    FAIL() << "a truncated lexical snapshot opened";
  } catch (const Corruption& e) {
    EXPECT_NE(std::string(e.what()).find("lexical-1.rkl"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("restore='rebuild_text'"), std::string::npos) << e.what();
  }
  fs::remove(lexical);
  EXPECT_THROW(Collection::open(dir.path()), Corruption);  // the manifest says it exists
  OpenOptions o;
  o.restore = VectorRestore::rebuild_text;
  expect_same(want, run(*Collection::open(dir.path(), o), queries(data)));  // close writes generation 2
  expect_same(want, run(*Collection::open(dir.path()), queries(data)));
  EXPECT_TRUE(fs::exists(fs::path(dir.path()) / "lexical-2.rkl"));
  EXPECT_FALSE(fs::exists(lexical));
}

TEST(CollectionDurable, AutomaticCheckpointsAreAmortised) {
  store::test_util::ScratchDir dir;
  {
    auto col = Collection::create(dir.path(), options(kDim));
    col->add(corpus(50, kDim, 1).docs);
  }
  OpenOptions o;
  o.checkpoint_min_changes = 100;
  auto col = Collection::open(dir.path(), o);
  const std::uint64_t g0 = col->stats().snapshot_generation;
  // A checkpoint once max(100, documents in the last snapshot) changed: after 120 (50 in the
  // snapshot), then after 180 (170 in it); the 60 since are pending.
  for (int i = 0; i < 6; ++i) col->add(corpus(60, kDim, 2 + i, "b" + std::to_string(i)).docs);
  EXPECT_EQ(col->stats().snapshot_generation, g0 + 2);
  EXPECT_EQ(col->stats().pending_changes, 60u);
  auto file = [&](std::uint64_t g) {
    return fs::exists(dir.root() / "db" / ("vectors-" + std::to_string(g) + ".rkv"));
  };
  EXPECT_FALSE(file(g0));  // the previous generation stays for secondaries; older ones go
  EXPECT_TRUE(file(g0 + 1));
  EXPECT_TRUE(file(g0 + 2));
}

TEST(CollectionDurable, FailedWritesLeaveTheStoreUnchanged) {
  store::test_util::ScratchDir dir;
  const Corpus data = corpus(300, kDim, 21);
  std::vector<std::vector<Hit>> before;
  {
    auto col = Collection::create(dir.path(), options(kDim));
    col->add(corpus(300, kDim, 21).docs);
    before = run(*col, queries(data));
    Corpus bad = corpus(3, kDim, 5, "x");
    bad.docs.metadata[1] = {{"year", std::string("x")}};
    EXPECT_THROW(col->add(bad.docs), InvalidArgument);
    EXPECT_THROW(col->update(corpus(2, kDim, 6, "y").docs, std::vector<std::string>{"d0", "ghost"}), NotFound);
    EXPECT_THROW(col->update(corpus(2, kDim, 6, "d").docs, std::vector<std::string>{"d1"}), InvalidArgument);
    EXPECT_EQ(col->stats().pending_changes, 300u);
  }
  auto col = Collection::open(dir.path());
  EXPECT_EQ(col->size(), 300u);
  expect_same(before, run(*col, queries(data)));
}

TEST(CollectionDurable, ReadersBesideAndAfterTheWriter) {
  store::test_util::ScratchDir dir;
  const Corpus data = corpus(300, kDim, 21);
  auto writer = Collection::create(dir.path(), options(kDim));
  writer->add(corpus(100, kDim, 21).docs);
  // One writer per directory.
  EXPECT_THROW(Collection::open(dir.path()), IOError);
  EXPECT_THROW(Collection::create(dir.path(), options(kDim)), IOError);
  // read_only is refused while a writer runs; a secondary follows it.
  OpenOptions ro;
  ro.store.access = store::Access::read_only;
  EXPECT_THROW(Collection::open(dir.path(), ro), IOError);
  OpenOptions sec;
  sec.store.access = store::Access::secondary;
  auto reader = Collection::open(dir.path(), sec);
  EXPECT_EQ(reader->size(), 100u);
  EXPECT_THROW(reader->add(corpus(1, kDim, 3, "z").docs), InvalidArgument);
  EXPECT_THROW(reader->checkpoint(), InvalidArgument);

  Corpus more = corpus(200, kDim, 21);
  more.docs.ids.erase(more.docs.ids.begin(), more.docs.ids.begin() + 100);
  more.docs.texts.erase(more.docs.texts.begin(), more.docs.texts.begin() + 100);
  more.docs.metadata.erase(more.docs.metadata.begin(), more.docs.metadata.begin() + 100);
  more.docs.vectors = more.docs.vectors.subspan(100 * kDim);
  writer->add(more.docs);
  writer->upsert(corpus(10, kDim, 30, "d", 50).docs);
  writer->remove(std::vector<std::string>{"d3", "d4"});
  EXPECT_EQ(reader->size(), 100u);  // nothing moves until catch_up
  reader->catch_up();
  EXPECT_EQ(reader->size(), 198u);
  expect_same(run(*writer, queries(data)), run(*reader, queries(data)));

  // After a checkpoint the log the reader needed is gone: it reloads from the new snapshot.
  writer->add(corpus(5, kDim, 31, "late").docs);
  writer->checkpoint();
  writer->remove(std::vector<std::string>{"late0"});
  reader->catch_up();
  EXPECT_EQ(reader->size(), 202u);
  expect_same(run(*writer, queries(data)), run(*reader, queries(data)));

  const auto final_answers = run(*writer, queries(data));
  writer->close();
  auto frozen = Collection::open(dir.path(), ro);
  expect_same(final_answers, run(*frozen, queries(data)));
  EXPECT_THROW(frozen->catch_up(), InvalidArgument);
  EXPECT_THROW(frozen->remove(std::vector<std::string>{"d5"}), InvalidArgument);
}

TEST(CollectionDurable, PreciseErrorsForMissingForeignDamagedAndFutureStores) {
  store::test_util::ScratchDir dir;
  EXPECT_THROW(Collection::open(dir.path("none")), NotFound);
  {  // a store of another kind
    auto docs = store::DocStore::open(dir.path("docs"), 4);
  }
  EXPECT_THROW(Collection::open(dir.path("docs")), InvalidArgument);

  const std::string path = dir.path("kb");
  {
    auto col = Collection::create(path, options(kDim, vector::IndexKind::hnsw));
    col->add(corpus(200, kDim, 1).docs);
  }
  // Another create over it, a wrong dimension.
  EXPECT_THROW(Collection::create(path, options(kDim)), InvalidArgument);
  OpenOptions o;
  o.expect_dim = kDim + 1;
  try {
    Collection::open(path, o);
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("dim 16"), std::string::npos) << e.what();
  }
  o.expect_dim = kDim;
  EXPECT_EQ(Collection::open(path, o)->size(), 200u);

  // A truncated snapshot: Corruption naming the way out; restore=rebuild takes it.
  const fs::path snapshot = fs::path(path) / "vectors-1.rkv";
  ASSERT_TRUE(fs::exists(snapshot));
  fs::resize_file(snapshot, fs::file_size(snapshot) / 2);
  try {
    Collection::open(path);
    FAIL();
  } catch (const Corruption& e) {
    EXPECT_NE(std::string(e.what()).find("restore='rebuild'"), std::string::npos) << e.what();
  }
  o.restore = VectorRestore::rebuild;
  EXPECT_EQ(Collection::open(path, o)->size(), 200u);  // and its close writes a good snapshot
  EXPECT_EQ(Collection::open(path)->size(), 200u);

  // A collection format from the future.
  {
    auto store = store::Store::open(path, store::Schema{.kind = "collection", .families = {}, .config = {}});
    auto batch = store->batch();
    batch.put(store->manifest_family(), "config/format", "2");
    store->write(batch);
  }
  try {
    Collection::open(path);
    FAIL();
  } catch (const Corruption& e) {
    EXPECT_NE(std::string(e.what()).find("format 2"), std::string::npos) << e.what();
  }
}

TEST(CollectionDurable, DamagedTableFilesAreReported) {
  store::test_util::ScratchDir dir;
  const std::string path = dir.path();
  {
    auto col = Collection::create(path, options(kDim));
    col->add(corpus(300, kDim, 1).docs);
    col->compact();  // everything in table files
  }
  bool damaged = false;
  for (const auto& entry : fs::directory_iterator(path)) {
    if (entry.path().extension() == ".sst" && fs::file_size(entry.path()) > 4096) {
      std::string bytes = store::test_util::read_file(entry.path());
      for (std::size_t i = 100; i < bytes.size() / 2; i += 97) bytes[i] = static_cast<char>(bytes[i] ^ 0x5A);
      store::test_util::write_file(entry.path(), bytes);
      damaged = true;
    }
  }
  ASSERT_TRUE(damaged);
  EXPECT_THROW(Collection::open(path), Corruption);
}

TEST(CollectionDurable, StatsCountsAndBytes) {
  store::test_util::ScratchDir dir;
  auto col = Collection::create(dir.path(), options(kDim));
  col->add(corpus(120, kDim, 1).docs);
  col->compact();
  const CollectionStats s = col->stats();
  EXPECT_EQ(s.documents, 120u);
  EXPECT_GT(s.vocabulary, 50u);
  EXPECT_EQ(s.metadata_fields, 4u);
  EXPECT_GT(s.bm25_bytes, 0u);
  EXPECT_GE(s.vector_bytes, 120u * kDim * sizeof(float));
  ASSERT_TRUE(s.store.has_value());
  EXPECT_EQ(s.snapshot_generation, 1u);
  EXPECT_GT(s.snapshot_bytes, 120u * kDim * sizeof(float));
  EXPECT_EQ(s.pending_changes, 0u);
  std::map<std::string, std::uint64_t> keys;
  for (const auto& f : s.store->families) keys[f.name] = f.estimated_keys;
  EXPECT_EQ(keys["documents"], 120u);
  EXPECT_EQ(keys["vectors"], 120u);
  EXPECT_EQ(keys["ids"], 120u);
  EXPECT_EQ(keys["changes"], 0u);
}

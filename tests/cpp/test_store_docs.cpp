// DocStore: atomic batched add/upsert/delete, validation that writes nothing, snapshot reads.
#include <gtest/gtest.h>

#include <thread>

#include "ragkernel/error.hpp"
#include "ragkernel/store/doc_key.hpp"
#include "ragkernel/store/doc_store.hpp"
#include "store_test_util.hpp"

using namespace ragkernel;
using namespace ragkernel::store;
using ragkernel::store::test_util::ScratchDir;

namespace {

DocumentBatch batch_of(std::vector<std::string> ids, std::uint32_t dim, float base) {
  DocumentBatch b;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    b.texts.push_back("text of " + ids[i]);
    b.metadata.emplace_back("{\"n\":" + std::to_string(i) + "}");
    for (std::uint32_t j = 0; j < dim; ++j)
      b.vectors.push_back(base + static_cast<float>(i) + 0.01f * static_cast<float>(j));
  }
  b.ids = std::move(ids);
  return b;
}

std::vector<std::string> all_ids(const DocStore& docs) {
  std::vector<std::string> ids;
  docs.scan(
      [&](const Document& d) {
        ids.push_back(d.id);
        return true;
      },
      0);
  return ids;
}

}  // namespace

TEST(DocStore, AddGetScanAndReopen) {
  ScratchDir dir;
  {
    auto docs = DocStore::open(dir.path(), 3);
    docs->add(batch_of({"a", "b", "c"}, 3, 1.0f));
    EXPECT_EQ(docs->size(), 3u);
    const std::vector<std::string> ids = {"b", "zz", "a"};
    const auto got = docs->get(ids);
    ASSERT_TRUE(got[0] && got[2]);
    EXPECT_FALSE(got[1]);
    EXPECT_EQ(got[0]->text, "text of b");
    EXPECT_EQ(got[0]->metadata, "{\"n\":1}");
    EXPECT_EQ(got[0]->vector, (std::vector<float>{2.0f, 2.01f, 2.02f}));
  }
  auto docs = DocStore::open(dir.path(), std::nullopt);  // the dimension comes from the manifest
  EXPECT_EQ(docs->dim(), 3u);
  EXPECT_EQ(docs->size(), 3u);
  std::vector<Document> scanned;
  docs->scan([&](const Document& d) {
    scanned.push_back(d);
    return true;
  });
  ASSERT_EQ(scanned.size(), 3u);
  EXPECT_EQ(scanned[2].id, "c");
  EXPECT_EQ(scanned[2].vector, (std::vector<float>{3.0f, 3.01f, 3.02f}));
  EXPECT_THROW(DocStore::open(dir.path("other"), std::nullopt), InvalidArgument);  // a new store needs dim
}

TEST(DocStore, WrongDimensionOnOpenNamesBoth) {
  ScratchDir dir;
  DocStore::open(dir.path(), 384).reset();
  try {
    DocStore::open(dir.path(), 768);
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("created with dim=384; this open asked for dim=768"), std::string::npos);
  }
}

TEST(DocStore, BadInputWritesNothing) {
  ScratchDir dir;
  auto docs = DocStore::open(dir.path(), 2);
  docs->add(batch_of({"a"}, 2, 0));
  auto expect_untouched = [&] {
    EXPECT_EQ(docs->size(), 1u);
    EXPECT_EQ(all_ids(*docs), (std::vector<std::string>{"a"}));
  };
  EXPECT_THROW(docs->add(batch_of({"b", "a"}, 2, 0)), InvalidArgument);  // "a" exists
  expect_untouched();
  EXPECT_THROW(docs->add(batch_of({"b", "b"}, 2, 0)), InvalidArgument);  // repeated id
  expect_untouched();
  DocumentBatch short_vectors = batch_of({"b", "c"}, 2, 0);
  short_vectors.vectors.pop_back();
  EXPECT_THROW(docs->upsert(short_vectors), InvalidArgument);
  expect_untouched();
  DocumentBatch nan = batch_of({"b"}, 2, 0);
  nan.vectors[1] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_THROW(docs->upsert(nan), InvalidArgument);
  expect_untouched();
  EXPECT_THROW(docs->upsert(batch_of({""}, 2, 0)), InvalidArgument);
  expect_untouched();
  // An `extra` step that throws aborts the whole write.
  DocumentChanges changes{.mode = WriteMode::upsert, .documents = batch_of({"b"}, 2, 0)};
  changes.extra = [](WriteBatch&) { throw InvalidArgument("index rejected the batch"); };
  EXPECT_THROW(docs->apply(changes), InvalidArgument);
  expect_untouched();
}

TEST(DocStore, UpsertReplacesEveryRecordOfADocument) {
  ScratchDir dir;
  Schema schema = DocStore::schema(2);
  schema.families.push_back(FamilySpec{.name = "chunks", .layout = KeyLayout::per_document});
  auto store = Store::open(dir.path(), schema);
  DocStore docs(store, 2);
  const Family chunks = store->family("chunks");
  DocumentChanges first{.mode = WriteMode::add, .documents = batch_of({"a", "ab"}, 2, 0)};
  first.extra = [&](WriteBatch& b) {  // what a Collection adds: per-document records of its own
    b.put(chunks, doc_key("a", "#0"), "chunk 0 of a");
    b.put(chunks, doc_key("a", "#1"), "chunk 1 of a");
    b.put(chunks, doc_key("ab", "#0"), "chunk 0 of ab");
  };
  docs.apply(first);

  DocumentBatch replacement = batch_of({"a"}, 2, 10);
  replacement.metadata = {std::nullopt};
  const ApplyResult r = docs.upsert(replacement);
  EXPECT_EQ(r.replaced, std::vector<bool>{true});
  const auto a = docs.get(std::vector<std::string>{"a"})[0];
  EXPECT_FALSE(a->metadata);  // the old metadata went with the old version
  EXPECT_EQ(a->vector, (std::vector<float>{10.0f, 10.01f}));
  std::vector<std::string> left;
  store->scan(chunks, {}, {}, [&](std::string_view, std::string_view v) {
    left.emplace_back(v);
    return true;
  });
  EXPECT_EQ(left, std::vector<std::string>{"chunk 0 of ab"});  // "a"'s chunks are gone, "ab"'s stay
  EXPECT_EQ(docs.size(), 2u);
}

TEST(DocStore, EraseIsAtomicAndCounts) {
  ScratchDir dir;
  auto docs = DocStore::open(dir.path(), 0);
  DocumentBatch b;
  b.ids = {"x", "y", "z"};
  b.texts = {"1", "2", "3"};
  docs->add(b);
  const std::vector<std::string> gone = {"y", "missing", "y"};
  EXPECT_EQ(docs->erase(gone), (std::vector<bool>{true, false, false}));
  EXPECT_EQ(docs->size(), 2u);
  EXPECT_EQ(all_ids(*docs), (std::vector<std::string>{"x", "z"}));
  DocumentChanges both{.mode = WriteMode::upsert, .documents = {}, .erase_ids = {"x"}};
  both.documents.ids = {"x"};
  both.documents.texts = {"again"};
  EXPECT_THROW(docs->apply(both), InvalidArgument);  // written and deleted in one call
}

TEST(DocStore, ReadersNeverSeeHalfAnUpsert) {
  ScratchDir dir;
  auto docs = DocStore::open(dir.path(), 4);
  auto write_version = [&](int i) {
    DocumentBatch b;
    b.ids = {"d"};
    b.texts = {"version#" + std::to_string(i)};
    b.metadata = {std::to_string(i)};
    b.vectors = {static_cast<float>(i), 0, 0, 0};
    docs->upsert(b);
  };
  write_version(0);
  std::atomic<bool> stop{false};
  std::atomic<int> torn{0}, reads{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      const std::vector<std::string> ids = {"d"};
      while (!stop.load()) {
        const auto d = docs->get(ids)[0];
        // text, metadata and vector were written together: they must name the same version.
        const std::string version = d->text.substr(d->text.find('#') + 1);
        if (d->metadata != version || d->vector[0] != std::stof(version)) torn.fetch_add(1);
        reads.fetch_add(1);
      }
    });
  }
  for (int i = 1; i <= 2000; ++i) write_version(i);
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(torn.load(), 0);
  EXPECT_GT(reads.load(), 0);
}

// The RocksDB layer: open modes, manifest checks, atomic batches, reads, expiry, stats, repair.
#include <gtest/gtest.h>

#include <thread>

#include "ragkernel/error.hpp"
#include "ragkernel/store/doc_key.hpp"
#include "ragkernel/store/store.hpp"
#include "store_test_util.hpp"

using namespace ragkernel;
using namespace ragkernel::store;
using ragkernel::store::test_util::FakeClock;
using ragkernel::store::test_util::ScratchDir;

namespace {

Schema test_schema() {
  return Schema{.kind = "test",
                .families = {FamilySpec{.name = "a"}, FamilySpec{.name = "docs", .layout = KeyLayout::per_document},
                             FamilySpec{.name = "ttl", .expiring_values = true}},
                .config = {{"dim", "4"}}};
}

template <class E, class Fn>
std::string message_of(Fn&& fn) {
  try {
    fn();
  } catch (const E& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an exception";
  return {};
}

std::string expiring_value(std::int64_t expires_at_ms, std::string_view payload) {
  std::string v;
  v.push_back(1);  // header version
  v.push_back(0);  // flags
  for (int i = 0; i < 8; ++i) v.push_back(static_cast<char>((expires_at_ms >> (8 * i)) & 0xFF));
  v.append(payload);
  return v;
}

}  // namespace

TEST(Store, CreatesReopensAndKeepsItsManifest) {
  ScratchDir dir;
  {
    auto store = Store::open(dir.path(), test_schema());
    EXPECT_EQ(store->kind(), "test");
    EXPECT_EQ(store->schema_version(), kSchemaVersion);
    EXPECT_EQ(store->config("dim"), "4");
    WriteBatch batch = store->batch();
    batch.put(store->family("a"), "k", "v");
    store->write(batch);
  }
  auto store = Store::open(dir.path(), test_schema());
  EXPECT_EQ(store->get(store->family("a"), "k"), "v");
  EXPECT_EQ(store->config().at("dim"), "4");
}

TEST(Store, RefusesAnotherKindOrConfiguration) {
  ScratchDir dir;
  Store::open(dir.path(), test_schema())->close();
  Schema other = test_schema();
  other.kind = "other";
  EXPECT_NE(message_of<InvalidArgument>([&] { Store::open(dir.path(), other); }).find("holds a 'test', not a 'other'"),
            std::string::npos);
  Schema wrong_dim = test_schema();
  wrong_dim.config = {{"dim", "8"}};
  EXPECT_NE(message_of<InvalidArgument>([&] {
              Store::open(dir.path(), wrong_dim);
            }).find("was created with dim=4; this open asked for dim=8"),
            std::string::npos);
  // Omitting a config value means "take the stored one".
  Schema no_config = test_schema();
  no_config.config.clear();
  EXPECT_EQ(Store::open(dir.path(), no_config)->config("dim"), "4");
}

TEST(Store, FutureSchemaVersionIsCorruptionNamingBothVersions) {
  ScratchDir dir;
  {
    auto store = Store::open(dir.path(), test_schema());
    WriteBatch batch = store->batch();
    batch.put(store->manifest_family(), "schema_version", "7");
    store->write(batch);
  }
  const std::string message = message_of<Corruption>([&] { Store::open(dir.path(), test_schema()); });
  EXPECT_NE(message.find("schema version 7"), std::string::npos) << message;
  EXPECT_NE(message.find("versions up to 1"), std::string::npos) << message;
}

TEST(Store, RefusesDirectoriesThatAreNotStores) {
  ScratchDir dir;
  std::filesystem::create_directories(dir.path("notes"));
  test_util::write_file(dir.root() / "notes" / "todo.txt", "keep me");
  EXPECT_THROW(Store::open(dir.path("notes"), test_schema()), InvalidArgument);
  EXPECT_EQ(test_util::read_file(dir.root() / "notes" / "todo.txt"), "keep me");

  StoreOptions read_only{.access = Access::read_only};
  EXPECT_THROW(Store::open(dir.path("missing"), test_schema(), read_only), NotFound);
  EXPECT_FALSE(std::filesystem::exists(dir.path("missing")));
}

TEST(Store, OneWriterPerDirectory) {
  ScratchDir dir;
  auto writer = Store::open(dir.path(), test_schema());
  EXPECT_NE(message_of<IOError>([&] { Store::open(dir.path(), test_schema()); }).find("one writer per directory"),
            std::string::npos);
  // Read-only beside a live writer is undefined in RocksDB: refused, pointing at secondary.
  EXPECT_NE(message_of<IOError>([&] {
              Store::open(dir.path(), test_schema(), StoreOptions{.access = Access::read_only});
            }).find("access='secondary'"),
            std::string::npos);
  writer->close();
  auto again = Store::open(dir.path(), test_schema());  // the lock is released by close
  EXPECT_TRUE(again->writable());
}

TEST(Store, SecondaryFollowsTheWriter) {
  ScratchDir dir;
  auto writer = Store::open(dir.path(), test_schema());
  auto follower = Store::open(dir.path(), test_schema(), StoreOptions{.access = Access::secondary});
  const Family a = writer->family("a");
  WriteBatch batch = writer->batch();
  batch.put(a, "k", "1");
  writer->write(batch);
  EXPECT_FALSE(follower->get(follower->family("a"), "k"));
  follower->try_catch_up();
  EXPECT_EQ(follower->get(follower->family("a"), "k"), "1");
  WriteBatch no = follower->batch();
  no.put(follower->family("a"), "x", "y");
  EXPECT_THROW(follower->write(no), InvalidArgument);
}

TEST(Store, ReadOnlySeesTheClosedStore) {
  ScratchDir dir;
  {
    auto writer = Store::open(dir.path(), test_schema());
    WriteBatch batch = writer->batch();
    batch.put(writer->family("a"), "k", "v");
    writer->write(batch);
  }
  auto reader = Store::open(dir.path(), test_schema(), StoreOptions{.access = Access::read_only});
  EXPECT_EQ(reader->get(reader->family("a"), "k"), "v");
  EXPECT_THROW(reader->compact(), InvalidArgument);
  // Two read-only handles may coexist.
  auto second = Store::open(dir.path(), test_schema(), StoreOptions{.access = Access::read_only});
  EXPECT_EQ(second->get(second->family("a"), "k"), "v");
}

TEST(Store, BatchesAreAtomicAcrossFamiliesAndViewsAreSnapshots) {
  ScratchDir dir;
  auto store = Store::open(dir.path(), test_schema());
  const Family a = store->family("a"), docs = store->family("docs");
  WriteBatch batch = store->batch();
  batch.put(a, "x", "1");
  batch.put(docs, doc_key("d1"), "text");
  EXPECT_EQ(batch.count(), 2u);
  const ReadView before = store->view();
  store->write(batch);
  EXPECT_TRUE(batch.empty());
  EXPECT_FALSE(store->get(a, "x", &before));
  EXPECT_FALSE(store->get(docs, doc_key("d1"), &before));
  EXPECT_EQ(store->get(a, "x"), "1");
  EXPECT_EQ(store->get(docs, doc_key("d1")), "text");
}

TEST(Store, PrefixScansMultiGetAndCursors) {
  ScratchDir dir;
  auto store = Store::open(dir.path(), test_schema());
  const Family docs = store->family("docs");
  WriteBatch batch = store->batch();
  for (const std::string id : {"a", "ab", "b"}) {
    batch.put(docs, doc_key(id), id + ":main");
    batch.put(docs, doc_key(id, "#1"), id + ":chunk1");
  }
  store->write(batch);
  store->flush();  // exercise the prefix bloom of table files, not only the memtable

  std::vector<std::string> seen;
  store->scan_prefix(docs, doc_key("a"), [&](std::string_view, std::string_view v) {
    seen.emplace_back(v);
    return true;
  });
  EXPECT_EQ(seen, (std::vector<std::string>{"a:main", "a:chunk1"}));  // not "ab"'s records

  const std::vector<std::string_view> keys = {"nope", doc_key("b"), doc_key("ab", "#1")};
  std::vector<std::string> got(3, "<absent>");
  const std::vector<std::string> owned = {keys[0].data(), doc_key("b"), doc_key("ab", "#1")};
  const std::vector<std::string_view> views(owned.begin(), owned.end());
  store->multi_get(docs, views, [&](std::size_t i, std::optional<std::string_view> v) {
    if (v) got[i] = std::string(*v);
  });
  EXPECT_EQ(got, (std::vector<std::string>{"<absent>", "b:main", "ab:chunk1"}));

  Cursor cursor = store->cursor(docs);
  std::size_t n = 0;
  for (cursor.seek_to_first(); cursor.valid(); cursor.next()) ++n;
  EXPECT_EQ(n, 6u);
}

TEST(Store, ExpiredValuesAreDroppedByCompaction) {
  ScratchDir dir;
  FakeClock clock;
  auto store = Store::open(dir.path(), test_schema(), StoreOptions{.clock = clock.fn()});
  const Family ttl = store->family("ttl");
  WriteBatch batch = store->batch();
  const std::int64_t now = store->now_ms();
  batch.put(ttl, "soon", expiring_value(now + 1000, "x"));
  batch.put(ttl, "never", expiring_value(0, "y"));
  batch.put(ttl, "later", expiring_value(now + 100'000, "z"));
  batch.put(ttl, "foreign", "no header");  // kept: compaction never drops what it cannot parse
  store->write(batch);
  store->compact();
  EXPECT_TRUE(store->get(ttl, "soon"));
  clock.advance_ms(2000);
  store->compact();
  EXPECT_FALSE(store->get(ttl, "soon"));
  EXPECT_TRUE(store->get(ttl, "never"));
  EXPECT_TRUE(store->get(ttl, "later"));
  EXPECT_TRUE(store->get(ttl, "foreign"));
}

TEST(Store, StatsReportFamiliesBytesAndCacheHits) {
  ScratchDir dir;
  BlockCache cache(8 << 20);
  auto store = Store::open(dir.path(), test_schema(), StoreOptions{.block_cache = cache});
  const Family a = store->family("a");
  WriteBatch batch = store->batch();
  for (int i = 0; i < 1000; ++i) batch.put(a, "key" + std::to_string(i), std::string(100, 'v'));
  store->write(batch);
  store->compact();
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 1000; ++i) store->get(a, "key" + std::to_string(i));
  }
  const StoreStats stats = store->stats();
  const auto family =
      std::find_if(stats.families.begin(), stats.families.end(), [](const FamilyStats& f) { return f.name == "a"; });
  ASSERT_NE(family, stats.families.end());
  EXPECT_EQ(family->estimated_keys, 1000u);
  EXPECT_GT(family->sst_bytes, 0u);
  EXPECT_GT(stats.disk_bytes, family->sst_bytes);
  EXPECT_EQ(stats.block_cache_capacity, std::uint64_t{8} << 20);
  EXPECT_GT(stats.block_cache_hits, 0u);
  EXPECT_GT(stats.block_cache_hit_rate(), 0.5);
  EXPECT_EQ(cache.usage(), stats.block_cache_usage);
}

TEST(Store, ClosedStoreThrowsAndCloseWaitsForViews) {
  ScratchDir dir;
  auto store = Store::open(dir.path(), test_schema());
  ReadView view = store->view();
  Cursor cursor = store->cursor(store->family("a"));
  store->close();
  EXPECT_TRUE(store->closed());
  EXPECT_NE(message_of<InvalidArgument>([&] { store->get(store->family("a"), "k"); }).find("is closed"),
            std::string::npos);
  EXPECT_THROW(cursor.seek_to_first(), InvalidArgument);
  store->close();  // twice is fine
}

TEST(Store, LostCurrentFileIsCorruptionAndRepairBringsDataBack) {
  ScratchDir dir;
  {
    auto store = Store::open(dir.path(), test_schema());
    WriteBatch batch = store->batch();
    batch.put(store->family("a"), "k", "v");
    store->write(batch);
    store->flush();
  }
  std::filesystem::remove(std::filesystem::path(dir.path()) / "CURRENT");
  const std::string message = message_of<Corruption>([&] { Store::open(dir.path(), test_schema()); });
  EXPECT_NE(message.find("no CURRENT file"), std::string::npos) << message;
  EXPECT_NE(message.find("repair"), std::string::npos) << message;
  Store::repair(dir.path(), test_schema().families);
  auto store = Store::open(dir.path(), test_schema());
  EXPECT_EQ(store->get(store->family("a"), "k"), "v");
}

TEST(Store, DamagedTableIsCorruptionNotACrash) {
  ScratchDir dir;
  {
    auto store = Store::open(dir.path(), test_schema());
    WriteBatch batch = store->batch();
    for (int i = 0; i < 2000; ++i) batch.put(store->family("a"), "key" + std::to_string(i), std::string(200, 'x'));
    store->write(batch);
    store->compact();
  }
  // Flip bytes in the middle of every table file.
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    if (entry.path().extension() != ".sst") continue;
    std::string bytes = test_util::read_file(entry.path());
    for (std::size_t i = bytes.size() / 3; i < bytes.size() / 3 + 64; ++i)
      bytes[i] = static_cast<char>(bytes[i] ^ 0x5A);
    test_util::write_file(entry.path(), bytes);
  }
  EXPECT_THROW(
      {
        auto store = Store::open(dir.path(), test_schema());
        store->verify();
      },
      Corruption);
}

TEST(Store, TruncatedTableIsCorruptionAtOpen) {
  ScratchDir dir;
  {
    auto store = Store::open(dir.path(), test_schema());
    WriteBatch batch = store->batch();
    for (int i = 0; i < 2000; ++i) batch.put(store->family("a"), "key" + std::to_string(i), std::string(200, 'x'));
    store->write(batch);
    store->compact();
  }
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    if (entry.path().extension() == ".sst") std::filesystem::resize_file(entry.path(), entry.file_size() / 2);
  }
  EXPECT_THROW(Store::open(dir.path(), test_schema()), Corruption);
}

TEST(Store, ConcurrentReadersNeverSeeHalfABatch) {
  ScratchDir dir;
  auto store = Store::open(dir.path(), test_schema());
  const Family a = store->family("a"), docs = store->family("docs");
  std::atomic<bool> stop{false};
  std::atomic<int> torn{0}, reads{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      while (!stop.load()) {
        const ReadView view = store->view();
        const auto x = store->get(a, "x", &view);
        const auto y = store->get(docs, doc_key("y"), &view);
        if (x != y) torn.fetch_add(1);
        reads.fetch_add(1);
      }
    });
  }
  for (int i = 0; i < 3000; ++i) {
    WriteBatch batch = store->batch();
    batch.put(a, "x", std::to_string(i));
    batch.put(docs, doc_key("y"), std::to_string(i));
    store->write(batch);
  }
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(torn.load(), 0);
  EXPECT_GT(reads.load(), 0);
}

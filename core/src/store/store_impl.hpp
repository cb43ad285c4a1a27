#pragma once
// Store internals shared by store.cpp, store_open.cpp and store_maintenance.cpp.
#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/statistics.h>
#include <rocksdb/write_buffer_manager.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "ragkernel/error.hpp"
#include "ragkernel/store/store.hpp"

namespace ragkernel::store {

struct BlockCache::Impl {
  std::shared_ptr<rocksdb::Cache> cache;
};

struct Store::Impl {
  std::string path;
  Access access = Access::read_write;
  StoreOptions options;
  std::function<std::int64_t()> clock;

  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;  // by Family index
  std::vector<FamilySpec> specs;                      // by Family index
  std::map<std::string, std::uint32_t, std::less<>> by_name;
  std::uint32_t manifest_index = 0;

  std::shared_ptr<rocksdb::Cache> cache;
  std::shared_ptr<rocksdb::Statistics> statistics;
  rocksdb::WriteOptions write_options;

  std::string kind;
  std::uint32_t schema_version = 0;
  std::map<std::string, std::string, std::less<>> config;

  std::filesystem::path secondary_dir;  // the secondary's own scratch directory, removed at close
  bool registered_writer = false;

  // close() waits until no call is in flight; calls after it throw.
  std::atomic<bool> closed{false};
  std::atomic<std::int64_t> in_flight{0};

  // Snapshots handed out as ReadViews; close() releases those still alive.
  std::mutex snapshots_mutex;
  std::set<const rocksdb::Snapshot*> snapshots;

  // Cursors still alive; close() deletes their iterators (RocksDB needs them gone first).
  std::mutex cursors_mutex;
  std::set<Cursor::Impl*> cursors;

  rocksdb::ColumnFamilyHandle* handle(Family family) const;
  void close();
};

// Holds a store open for the duration of one call.
class OpGuard {
 public:
  explicit OpGuard(const Store::Impl& impl) : impl_(const_cast<Store::Impl&>(impl)) {
    impl_.in_flight.fetch_add(1);
    if (impl_.closed.load()) {
      impl_.in_flight.fetch_sub(1);
      throw InvalidArgument("store at " + impl_.path + " is closed");
    }
  }
  ~OpGuard() { impl_.in_flight.fetch_sub(1); }
  OpGuard(const OpGuard&) = delete;
  OpGuard& operator=(const OpGuard&) = delete;

 private:
  Store::Impl& impl_;
};

struct WriteBatch::Impl {
  std::shared_ptr<Store::Impl> store;
  rocksdb::WriteBatch rep;
};

struct Cursor::Impl {
  std::shared_ptr<Store::Impl> store;
  std::string upper_bound;
  rocksdb::Slice upper_slice;
  std::unique_ptr<rocksdb::Iterator> it;  // reset by close()
  void check() const;
};

struct ReadView::Impl {
  std::shared_ptr<Store::Impl> store;
  const rocksdb::Snapshot* snapshot = nullptr;
};

namespace detail {

// Paths of the stores this process has open for writing (RocksDB's own lock is per process,
// and probing the LOCK file of a store this process holds would release that lock).
std::mutex& writer_registry_mutex();
std::set<std::string>& writer_registry();
std::string registry_key(const std::string& path);

void require_writable(const Store::Impl& impl, const char* operation);

}  // namespace detail
}  // namespace ragkernel::store

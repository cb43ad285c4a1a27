#pragma once
// A RocksDB directory with named column families, a manifest, atomic batched writes and
// consistent read views. RocksDB stays behind this interface: no RocksDB type appears here.
//
// The manifest family holds the store format, its schema version, the kind of component that
// created it and that component's configuration. Opening checks all of them: a store from a
// newer schema version is a Corruption naming both versions; a different kind or a mismatched
// configuration value is an InvalidArgument naming the stored and the requested value.
//
// Every method is safe to call from several threads. close() waits for calls in flight; any
// call after it throws InvalidArgument ("store at ... is closed").
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ragkernel/store/options.hpp"
#include "ragkernel/store/stats.hpp"

namespace ragkernel::store {

// The on-disk format this build writes and the newest it reads.
inline constexpr std::uint32_t kSchemaVersion = 1;

// The family every store has: manifest fields, plus small state records that components keep
// under their own key prefix ("docstore/count").
inline constexpr const char* kManifestFamily = "manifest";

class Store;

// A column family of an open store; cheap to copy.
class Family {
 public:
  Family() = default;
  std::uint32_t index() const noexcept { return index_; }

 private:
  friend class Store;
  explicit Family(std::uint32_t index) : index_(index) {}
  std::uint32_t index_ = 0xFFFFFFFFu;
};

// Writes collected here land all together or not at all (one RocksDB WriteBatch through the
// write-ahead log). Obtained from Store::batch(); usable until the store closes.
class WriteBatch {
 public:
  struct Impl;  // opaque: defined in the sources

  WriteBatch(WriteBatch&&) noexcept;
  WriteBatch& operator=(WriteBatch&&) noexcept;
  ~WriteBatch();

  void put(Family family, std::string_view key, std::string_view value);
  void erase(Family family, std::string_view key);
  // Every key in [begin, end).
  void erase_range(Family family, std::string_view begin, std::string_view end);

  std::size_t count() const;      // operations collected
  std::size_t byte_size() const;  // encoded size
  bool empty() const { return count() == 0; }
  void clear();

 private:
  friend class Store;
  explicit WriteBatch(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A consistent snapshot across every family: reads through one view never see half of a
// batch. Released when destroyed (before the store closes). A secondary has no snapshots: its
// state changes only inside try_catch_up(), so do not catch up while reading through a view.
class ReadView {
 public:
  struct Impl;  // opaque: defined in the sources

  ReadView(ReadView&&) noexcept;
  ReadView& operator=(ReadView&&) noexcept;
  ~ReadView();

 private:
  friend class Store;
  explicit ReadView(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A forward cursor over one family (keys in byte order, below an optional upper bound). Its
// key() and value() are valid until it moves. After the store closes, every call throws.
class Cursor {
 public:
  struct Impl;  // opaque: defined in the sources

  Cursor(Cursor&&) noexcept;
  Cursor& operator=(Cursor&&) noexcept;
  ~Cursor();

  void seek(std::string_view key);  // first key >= key
  void seek_to_first();
  bool valid() const;
  void next();
  std::string_view key() const;
  std::string_view value() const;

 private:
  friend class Store;
  explicit Cursor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// visit(i, value) for each key i; value is nullopt when the key is absent. The view of the
// value is valid only during the call.
using MultiGetVisitor = std::function<void(std::size_t index, std::optional<std::string_view> value)>;
// Return false to stop the scan.
using ScanVisitor = std::function<bool(std::string_view key, std::string_view value)>;

class Store : public std::enable_shared_from_this<Store> {
 public:
  struct Impl;  // opaque: defined in the sources

  // Opens (or, for read_write with create_if_missing, creates) the store at `path`, creating
  // any missing family of the schema. Throws NotFound (no store there), InvalidArgument
  // (another kind, other configuration, a non-empty directory that is not a store), IOError
  // (another writer holds the directory), Corruption (damaged files, newer schema version).
  static std::shared_ptr<Store> open(const std::string& path, const Schema& schema, const StoreOptions& options = {});

  // Rebuilds the RocksDB metadata from the surviving files (RocksDB's RepairDB): use it when
  // open reports Corruption. Data in files that cannot be read is lost. `families` gives the
  // tuning of known families; others are rebuilt with default options. The store must be closed.
  static void repair(const std::string& path, const std::vector<FamilySpec>& families = {});

  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;
  ~Store();

  void close();
  bool closed() const noexcept;

  const std::string& path() const noexcept;
  Access access() const noexcept;
  bool writable() const noexcept { return access() == Access::read_write; }
  std::int64_t now_ms() const;  // the clock of the options

  // Manifest.
  const std::string& kind() const noexcept;
  std::uint32_t schema_version() const noexcept;
  std::optional<std::string> config(std::string_view key) const;
  std::map<std::string, std::string> config() const;

  // Families.
  Family family(std::string_view name) const;  // throws NotFound naming the families it has
  bool has_family(std::string_view name) const;
  std::vector<std::string> family_names() const;
  const FamilySpec& family_spec(Family family) const;
  Family manifest_family() const;

  // Writes.
  WriteBatch batch();
  void write(WriteBatch& batch);  // atomic; fsynced when options.sync

  // Reads (through `view` when given, else the latest state).
  ReadView view() const;
  std::optional<std::string> get(Family family, std::string_view key, const ReadView* view = nullptr) const;
  void multi_get(Family family, std::span<const std::string_view> keys, const MultiGetVisitor& visit,
                 const ReadView* view = nullptr) const;
  // Keys in [begin, end) in byte order; an empty `end` means to the last key.
  void scan(Family family, std::string_view begin, std::string_view end, const ScanVisitor& visit,
            const ReadView* view = nullptr) const;
  void scan_prefix(Family family, std::string_view prefix, const ScanVisitor& visit,
                   const ReadView* view = nullptr) const;
  // An empty upper_bound means no bound.
  Cursor cursor(Family family, std::string_view upper_bound = {}, const ReadView* view = nullptr) const;

  // Maintenance.
  void flush();    // memtables to files
  void compact();  // flush, then compact every family fully (expiry filters run)
  void verify();   // reads every file and checks its checksums; throws Corruption
  // Secondary only: apply what the writer has written since the last call.
  void try_catch_up();
  StoreStats stats() const;

 private:
  explicit Store(std::unique_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace ragkernel::store

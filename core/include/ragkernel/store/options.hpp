#pragma once
// How a store is opened and how each of its column families is tuned.
//
// A store is one RocksDB directory. Each kind of record (documents, metadata, vectors, cache
// entries, ...) lives in its own column family with its own tuning; one WriteBatch is atomic
// across all of them. All families share one block cache whose size the user chooses.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ragkernel::store {

// One writer process per directory; other processes read through read_only (a frozen view
// taken at open, only while no writer is running) or secondary (follows a live writer after
// each try_catch_up()).
enum class Access { read_write, read_only, secondary };

enum class Compression { none, lz4, zstd };

// What the keys of a family look like, which decides its bloom filters.
enum class KeyLayout {
  whole_key,     // point lookups only: a bloom filter over whole keys
  per_document,  // keys start with a length-prefixed document id (doc_key.hpp): a prefix bloom
                 // over that id makes "every record of document X" scans and deletes cheap
  fixed_prefix,  // the first prefix_length bytes name a group (a model, a partition)
};

struct FamilySpec {
  std::string name{};
  KeyLayout layout = KeyLayout::whole_key;
  std::size_t prefix_length = 0;  // for fixed_prefix
  Compression compression = Compression::lz4;
  // Values start with an expiry header (expiry.hpp); compactions drop the expired ones.
  bool expiring_values = false;
  std::size_t block_size = 16 * 1024;
};

// What a component expects to find: its kind, its families, and configuration that must
// match on every open (a collection's dimension). Written to the manifest at creation.
struct Schema {
  std::string kind{};
  std::vector<FamilySpec> families{};
  std::vector<std::pair<std::string, std::string>> config{};
};

// A block cache that several stores can share (one budget for a process). Copies share it.
class BlockCache {
 public:
  struct Impl;  // opaque: defined in the sources

  explicit BlockCache(std::size_t capacity_bytes);
  std::size_t capacity() const;
  std::size_t usage() const;

 private:
  friend class Store;
  std::shared_ptr<Impl> impl_;
};

struct StoreOptions {
  Access access = Access::read_write;
  bool create_if_missing = true;
  // The block cache: a shared one if given, else a private one of block_cache_bytes.
  std::optional<BlockCache> block_cache{};
  std::size_t block_cache_bytes = std::size_t{64} << 20;
  // Memory for memtables across all families; a family is flushed when the total passes it.
  std::size_t memtable_bytes = std::size_t{64} << 20;
  // fsync the write-ahead log on every write: survives power loss, not only process death.
  bool sync = false;
  // Milliseconds since the Unix epoch; TTL checks and the expiry compaction filter use it.
  // Tests inject a fake clock; by default the system clock.
  std::function<std::int64_t()> clock{};
};

}  // namespace ragkernel::store

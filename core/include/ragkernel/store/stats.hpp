#pragma once
// What a store reports about itself: sizes per column family and block-cache effectiveness.
#include <cstdint>
#include <string>
#include <vector>

namespace ragkernel::store {

struct FamilyStats {
  std::string name;
  std::uint64_t estimated_keys = 0;  // RocksDB's estimate (exact after a compaction)
  std::uint64_t sst_bytes = 0;       // table files on disk
  std::uint64_t memtable_bytes = 0;  // not yet flushed
};

struct StoreStats {
  std::vector<FamilyStats> families;
  std::uint64_t disk_bytes = 0;  // every file in the directory: tables, logs, manifests
  std::uint64_t wal_bytes = 0;   // live write-ahead logs
  std::uint64_t block_cache_capacity = 0;
  std::uint64_t block_cache_usage = 0;
  // Counted by this handle since it opened.
  std::uint64_t block_cache_hits = 0;
  std::uint64_t block_cache_misses = 0;
  std::uint64_t bloom_checked = 0;  // point lookups that consulted a bloom filter
  std::uint64_t bloom_useful = 0;   // ... and were answered "absent" without reading a block

  double block_cache_hit_rate() const {
    const auto total = block_cache_hits + block_cache_misses;
    return total == 0 ? 0.0 : static_cast<double>(block_cache_hits) / static_cast<double>(total);
  }
};

}  // namespace ragkernel::store

// Store maintenance: flush, full compaction, checksum verification, secondary catch-up, stats.
#include <rocksdb/db.h>
#include <rocksdb/statistics.h>

#include "store/status.hpp"
#include "store/store_impl.hpp"

namespace fs = std::filesystem;

namespace ragkernel::store {

void Store::flush() {
  OpGuard guard(*impl_);
  detail::require_writable(*impl_, "flush");
  rocksdb::FlushOptions options;
  options.wait = true;
  detail::throw_if_error(impl_->db->Flush(options, impl_->handles), "flush store at " + impl_->path);
}

void Store::compact() {
  OpGuard guard(*impl_);
  detail::require_writable(*impl_, "compact");
  rocksdb::FlushOptions flush;
  flush.wait = true;
  detail::throw_if_error(impl_->db->Flush(flush, impl_->handles), "flush store at " + impl_->path);
  rocksdb::CompactRangeOptions options;
  // Rewrite the last level too, so compaction filters see (and drop) every expired value.
  options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (rocksdb::ColumnFamilyHandle* handle : impl_->handles) {
    detail::throw_if_error(impl_->db->CompactRange(options, handle, nullptr, nullptr),
                           "compact store at " + impl_->path);
  }
}

void Store::verify() {
  OpGuard guard(*impl_);
  detail::throw_if_error(impl_->db->VerifyChecksum(), "verify store at " + impl_->path);
}

void Store::try_catch_up() {
  OpGuard guard(*impl_);
  if (impl_->access != Access::secondary) {
    throw InvalidArgument("try_catch_up needs a store opened with access='secondary'; store at " + impl_->path +
                          " is not one");
  }
  detail::throw_if_error(impl_->db->TryCatchUpWithPrimary(), "catch up with the writer of " + impl_->path);
}

StoreStats Store::stats() const {
  OpGuard guard(*impl_);
  StoreStats stats;
  for (std::size_t i = 0; i < impl_->handles.size(); ++i) {
    FamilyStats family;
    family.name = impl_->specs[i].name;
    rocksdb::ColumnFamilyHandle* handle = impl_->handles[i];
    impl_->db->GetIntProperty(handle, rocksdb::DB::Properties::kEstimateNumKeys, &family.estimated_keys);
    impl_->db->GetIntProperty(handle, rocksdb::DB::Properties::kTotalSstFilesSize, &family.sst_bytes);
    impl_->db->GetIntProperty(handle, rocksdb::DB::Properties::kCurSizeAllMemTables, &family.memtable_bytes);
    stats.families.push_back(std::move(family));
  }
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(impl_->path, ec)) {
    if (!entry.is_regular_file(ec)) continue;
    const std::uint64_t size = entry.file_size(ec);
    if (ec) continue;  // a file compaction just removed
    stats.disk_bytes += size;
    if (entry.path().extension() == ".log") stats.wal_bytes += size;
  }
  stats.block_cache_capacity = impl_->cache->GetCapacity();
  stats.block_cache_usage = impl_->cache->GetUsage();
  const rocksdb::Statistics& s = *impl_->statistics;
  stats.block_cache_hits = s.getTickerCount(rocksdb::BLOCK_CACHE_HIT);
  stats.block_cache_misses = s.getTickerCount(rocksdb::BLOCK_CACHE_MISS);
  stats.bloom_checked = s.getTickerCount(rocksdb::BLOOM_FILTER_FULL_POSITIVE) +
                        s.getTickerCount(rocksdb::BLOOM_FILTER_USEFUL) +
                        s.getTickerCount(rocksdb::BLOOM_FILTER_PREFIX_CHECKED);
  stats.bloom_useful =
      s.getTickerCount(rocksdb::BLOOM_FILTER_USEFUL) + s.getTickerCount(rocksdb::BLOOM_FILTER_PREFIX_USEFUL);
  return stats;
}

}  // namespace ragkernel::store

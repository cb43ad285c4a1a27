#include "store/family_options.hpp"

#include <rocksdb/filter_policy.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>

#include "ragkernel/error.hpp"
#include "store/doc_key_transform.hpp"
#include "store/expiry.hpp"

namespace ragkernel::store::detail {
namespace {

rocksdb::CompressionType to_rocksdb(Compression c) {
  switch (c) {
    case Compression::none: return rocksdb::kNoCompression;
    case Compression::lz4: return rocksdb::kLZ4Compression;
    case Compression::zstd: return rocksdb::kZSTD;
  }
  return rocksdb::kNoCompression;
}

}  // namespace

rocksdb::ColumnFamilyOptions family_options(const FamilySpec& spec, const std::shared_ptr<rocksdb::Cache>& cache,
                                            const std::function<std::int64_t()>& clock) {
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  // Index and filter blocks live in the same cache, so the user's budget bounds them too;
  // level-0 ones stay pinned because every read consults them.
  table.cache_index_and_filter_blocks = true;
  table.cache_index_and_filter_blocks_with_high_priority = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));  // about 1% false positives
  table.whole_key_filtering = true;  // point lookups use the bloom even when a prefix exists
  table.block_size = spec.block_size;
  table.format_version = 5;

  rocksdb::ColumnFamilyOptions options;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  options.level_compaction_dynamic_level_bytes = true;
  options.write_buffer_size = 16 << 20;
  options.max_write_buffer_number = 3;

  switch (spec.layout) {
    case KeyLayout::whole_key: break;
    case KeyLayout::per_document: options.prefix_extractor = make_doc_key_transform(); break;
    case KeyLayout::fixed_prefix:
      if (spec.prefix_length == 0) {
        throw InvalidArgument("family '" + spec.name + "' has layout fixed_prefix and prefix_length 0; expected > 0");
      }
      options.prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(spec.prefix_length));
      break;
  }
  if (options.prefix_extractor) {
    options.memtable_prefix_bloom_size_ratio = 0.05;
    options.memtable_whole_key_filtering = true;
  }

  options.compression = to_rocksdb(spec.compression);
  // Cold data at the last level is worth the stronger codec.
  if (spec.compression == Compression::lz4) {
    options.bottommost_compression = rocksdb::kZSTD;
  }
  if (spec.expiring_values) options.compaction_filter_factory = make_expiry_filter_factory(clock);
  return options;
}

FamilySpec unknown_family_spec(const std::string& name) {
  FamilySpec spec;
  spec.name = name;
  return spec;
}

}  // namespace ragkernel::store::detail

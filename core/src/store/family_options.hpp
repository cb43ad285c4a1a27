#pragma once
// Turns a FamilySpec into RocksDB column-family options: block-based tables on the shared
// block cache (index and filter blocks cached and charged to it), bloom filters, the prefix
// extractor of the key layout, compression, and the expiry compaction filter.
#include <rocksdb/cache.h>
#include <rocksdb/options.h>

#include <cstdint>
#include <functional>
#include <memory>

#include "ragkernel/store/options.hpp"

namespace ragkernel::store::detail {

rocksdb::ColumnFamilyOptions family_options(const FamilySpec& spec, const std::shared_ptr<rocksdb::Cache>& cache,
                                            const std::function<std::int64_t()>& clock);

// Options for a family this build does not know (made by a newer component): plain tables on
// the same cache, so it can still be opened, read and compacted.
FamilySpec unknown_family_spec(const std::string& name);

}  // namespace ragkernel::store::detail

#pragma once
// The RocksDB prefix extractor for per-document keys (doc_key.hpp).
#include <rocksdb/slice_transform.h>

#include <memory>

namespace ragkernel::store::detail {

std::shared_ptr<const rocksdb::SliceTransform> make_doc_key_transform();

}  // namespace ragkernel::store::detail

#include "collection/indexes.hpp"

namespace ragkernel::collection::detail {

Indexes::Indexes(const CollectionOptions& options, bool keep_texts_)
    : bm25(options.analyzer, options.bm25), keep_texts(keep_texts_) {
  if (options.dim > 0) {
    vector::IndexOptions v = options.vector;
    v.dim = options.dim;
    vectors = vector::Index::create(v);
  }
}

}  // namespace ragkernel::collection::detail

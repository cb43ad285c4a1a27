#pragma once
// The in-memory half of a Collection: one IdMap whose internal ids address the metadata, the
// BM25 index and the vector index alike.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ragkernel/collection/options.hpp"
#include "ragkernel/filter/metadata_store.hpp"
#include "ragkernel/id_map.hpp"
#include "ragkernel/text/bm25_index.hpp"
#include "ragkernel/vector/index.hpp"

namespace ragkernel::collection::detail {

struct Indexes {
  // keep_texts: texts live here (in-memory collections); durable ones read them from the store.
  Indexes(const CollectionOptions& options, bool keep_texts);

  IdMap ids;
  filter::MetadataStore metadata;
  text::Bm25Index bm25;
  std::unique_ptr<vector::Index> vectors;  // null for a text-only collection
  bool keep_texts;
  std::vector<std::string> texts;  // by internal id, when keep_texts

  std::size_t dim() const noexcept { return vectors ? vectors->dim() : 0; }
};

}  // namespace ragkernel::collection::detail

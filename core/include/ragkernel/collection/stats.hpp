#pragma once
// What a Collection reports about itself.
#include <cstddef>
#include <cstdint>
#include <optional>

#include "ragkernel/store/stats.hpp"

namespace ragkernel::collection {

struct CollectionStats {
  std::size_t documents = 0;
  std::size_t vocabulary = 0;    // distinct terms in the BM25 index
  double avg_doc_length = 0.0;   // terms per document
  std::size_t bm25_bytes = 0;    // postings, forward index, impact cache
  std::size_t vector_bytes = 0;  // vectors, codes, graph
  std::size_t metadata_fields = 0;
  // Durable collections only.
  std::optional<store::StoreStats> store{};
  std::uint64_t snapshot_generation = 0;  // 0: no snapshot yet
  std::uint64_t snapshot_bytes = 0;       // the vector and lexical snapshot files
  std::uint64_t pending_changes = 0;      // documents written since the snapshot (re-applied on open)
};

}  // namespace ragkernel::collection

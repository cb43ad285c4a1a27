#pragma once
// Searching the in-memory indexes: per query an allow-set from its filter, BM25 and/or vector
// candidates under it, fusion, then the hits' text and metadata.
#include <functional>
#include <span>
#include <vector>

#include "collection/indexes.hpp"
#include "ragkernel/collection/query.hpp"

namespace ragkernel::collection::detail {

// Fills hit.text for hits whose collection keeps texts elsewhere (a durable store).
using TextReader = std::function<void(std::span<Hit*> hits)>;

// Throws InvalidArgument for a query that cannot run, naming it (position in a batch).
std::vector<std::vector<Hit>> run_search(const Indexes& indexes, std::span<const Query> queries, int threads,
                                         const TextReader& read_texts);

}  // namespace ragkernel::collection::detail

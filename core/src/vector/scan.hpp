#pragma once
// Exact search over the rows of a VectorStore: the flat index, the exact oracle, and the
// filtered-HNSW fallback for small allow-sets.
//
// float32: rows are scored in tiles (queries x 256 rows) by the register-blocked
// dot_f32_block kernel, so one pass over memory serves a block of queries; the scores stream
// into per-query top-k heaps. Threads split the queries when there are enough of them, else
// the rows (so a single query still uses every core). int8 and binary codes are scanned the
// same way into a candidate set of k * rescore, which is rescored with float32 (or int8).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "ragkernel/bitset.hpp"
#include "ragkernel/vector/types.hpp"
#include "vector/store.hpp"
#include "vector/topk.hpp"

namespace ragkernel::vector::detail {

// Default candidates per result that a quantized scan rescores.
std::size_t default_rescore(Quantization q) noexcept;

// queries: nq prepared (normalised for cosine) rows. Appends each query's best-first results
// (at most k) to out[q]. Only live ids that `allow` admits (if given) are considered.
void exact_scan(const VectorStore& store, const float* queries, std::size_t nq, std::size_t k, const Bitset* allow,
                const SearchParams& params, std::vector<std::vector<Candidate>>& out);

// Rescores candidates with the finest representation and keeps the best k.
std::vector<Candidate> rescore(const VectorStore& store, const Query& q, const std::vector<Candidate>& candidates,
                               std::size_t k);

int resolve_threads(int requested) noexcept;

}  // namespace ragkernel::vector::detail

#pragma once
// The two query evaluators over the postings: exhaustive (term at a time, the oracle) and
// pruned (block-max MaxScore over windows of ids). Both sum each document's term
// contributions in 2^-32 fixed point, where addition is exact and order-free, so they return
// the same scores and, with ties broken by smaller id, the same top-k.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "posting_list.hpp"
#include "ragkernel/bitset.hpp"
#include "ragkernel/text/inverted_index.hpp"
#include "scorer.hpp"

namespace ragkernel::text::detail {

struct SearchInput {
  std::span<const QueryTerm> terms;
  const std::vector<PostingList>& postings;   // by term id
  const std::vector<std::uint32_t>& doc_len;  // by doc id
  std::int64_t base;    // fixed-point sum of the terms' floors (BM25L/BM25+), added to every score
  const Bitset* allow;  // nullptr: every document
  std::size_t k;
};

// Orders hits best first: higher score, then smaller id.
inline bool better(const ScoredId& a, const ScoredId& b) noexcept {
  return a.score > b.score || (a.score == b.score && a.id < b.id);
}

// Fixed point: a contribution c becomes trunc(c * 2^32). Scaling by a power of two is exact, so
// this keeps all of c's float precision above 2^-32; any realistic score (below 2^31) fits.
constexpr double kFixedScale = 4294967296.0;
inline std::int64_t to_fixed(float c) noexcept { return static_cast<std::int64_t>(c * 4294967296.0f); }
inline float from_fixed(std::int64_t v) noexcept { return static_cast<float>(static_cast<double>(v) / kFixedScale); }

std::vector<ScoredId> search_exhaustive(const SearchInput& in);
std::vector<ScoredId> search_pruned(const SearchInput& in);

}  // namespace ragkernel::text::detail

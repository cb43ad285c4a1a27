#pragma once
// The two query evaluators over the postings: exhaustive (term at a time, the oracle) and
// pruned (block-max MaxScore over windows of ids). Both add each document's term
// contributions in query-term order with the same float arithmetic, so they return the same
// scores and, with ties broken by smaller id, the same top-k.
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
  const Scorer& scorer;
  float base;           // sum of the terms' floors (BM25L/BM25+), added to every score
  const Bitset* allow;  // nullptr: every document
  std::size_t k;
};

// Orders hits best first: higher score, then smaller id.
inline bool better(const ScoredId& a, const ScoredId& b) noexcept {
  return a.score > b.score || (a.score == b.score && a.id < b.id);
}

std::vector<ScoredId> search_exhaustive(const SearchInput& in);
std::vector<ScoredId> search_pruned(const SearchInput& in);

}  // namespace ragkernel::text::detail

#pragma once
// The lexical index over analysed terms, addressed by dense internal ids that the caller
// assigns (a Collection shares one ragkernel::IdMap between this index, the vector index and
// the metadata store).
//
// Postings are compressed per term in blocks of 128 (bit-packed doc gaps and tfs) with block
// maxima for pruning. add and remove keep N, df and the average length exact, so scores after
// deletes equal those of an index built from the remaining documents. All updates are
// all-or-nothing: invalid input throws before anything changes.
//
// Thread safety: const methods may run concurrently; add/remove need exclusive access
// (Bm25Index provides the locking).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ragkernel/bitset.hpp"
#include "ragkernel/text/bm25.hpp"

namespace ragkernel::text {

struct ScoredId {
  std::uint32_t id;
  float score;
  friend bool operator==(const ScoredId&, const ScoredId&) = default;
};

enum class SearchMode {
  kAuto,        // pruned when k is small against the corpus (>= 16384 ids and k <= ids / 64)
  kExhaustive,  // score every matching document (the oracle)
  kPruned,      // block-max MaxScore, document at a time; returns the exhaustive top-k exactly
};

struct TermContribution {
  std::string term;
  std::uint32_t query_count;  // occurrences of the term in the query
  std::uint32_t tf;           // occurrences in the document (0: absent)
  std::uint32_t df;
  float idf;
  float score;  // what this term adds to the document's score
};

struct Explanation {
  std::uint32_t id;
  float score;  // equals the score search() gives the document
  std::uint32_t doc_length;
  double avg_doc_length;
  std::size_t num_docs;
  std::vector<TermContribution> terms;  // query terms in query order; unknown terms omitted
};

class InvertedIndex {
 public:
  InvertedIndex();
  ~InvertedIndex();
  InvertedIndex(InvertedIndex&&) noexcept;
  InvertedIndex& operator=(InvertedIndex&&) noexcept;

  // Adds documents as term lists. Ids must be distinct and not already present
  // (InvalidArgument otherwise). A document with no terms is stored with length 0: it counts
  // in N and in the average length, and matches no query.
  void add(std::span<const std::uint32_t> ids, std::span<const std::vector<std::string>> terms);

  // Removes documents; every id must be present (NotFound otherwise, nothing removed).
  void remove(std::span<const std::uint32_t> ids);

  // Searches with these parameters use per-posting impacts cached in the index (computed on
  // first use after each change, 4 bytes per posting); other parameters compute them per query.
  void cache_impacts_for(const Bm25Params& params);

  bool contains(std::uint32_t id) const noexcept;
  std::size_t num_docs() const noexcept;
  std::uint64_t total_length() const noexcept;
  double avg_doc_length() const noexcept;            // 0 when empty
  std::uint32_t doc_length(std::uint32_t id) const;  // NotFound if absent
  std::uint32_t doc_frequency(std::string_view term) const noexcept;
  std::size_t vocabulary_size() const noexcept;  // terms with df > 0
  std::uint32_t id_bound() const noexcept;       // every present id is below this
  std::vector<std::uint32_t> ids() const;        // present ids, ascending
  std::size_t memory_bytes() const noexcept;

  // The k best documents for the query terms (repeats count twice, unknown terms score
  // nothing), best first; ties broken by smaller id. Only documents containing at least one
  // query term are returned. `allow` (indexed by id) restricts the candidates inside scoring.
  std::vector<ScoredId> search(std::span<const std::string> query, std::size_t k, const Bm25Params& params,
                               const Bitset* allow = nullptr, SearchMode mode = SearchMode::kAuto) const;

  // Per-term contributions of one document's score (NotFound if absent).
  Explanation explain(std::span<const std::string> query, std::uint32_t id, const Bm25Params& params) const;

  // A compact, versioned, checksummed copy: terms, postings, document lengths (the impact
  // cache and its parameters are not part of it). from_bytes gives an index that searches,
  // explains and takes further add/remove exactly like this one; anything but an intact copy
  // (foreign, truncated, damaged, newer version) throws Corruption.
  std::string to_bytes() const;
  static InvertedIndex from_bytes(std::string_view bytes);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ragkernel::text

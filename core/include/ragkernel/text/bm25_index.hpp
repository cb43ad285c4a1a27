#pragma once
// BM25 over text: an Analyzer, an InvertedIndex and the scoring parameters, addressed by
// caller-assigned internal ids. This is the lexical half a Collection composes.
//
// Texts are analysed with the stored AnalyzerConfig, queries too. add is all-or-nothing: ids
// and UTF-8 are checked for every text before the first one is indexed. Searches run
// concurrently with each other; add/remove wait for them (a reader-writer lock).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ragkernel/bitset.hpp"
#include "ragkernel/text/analyzer.hpp"
#include "ragkernel/text/bm25.hpp"
#include "ragkernel/text/inverted_index.hpp"

namespace ragkernel::text {

class Bm25Index {
 public:
  explicit Bm25Index(AnalyzerConfig analyzer = AnalyzerConfig::preset("lucene"), Bm25Params params = {});

  const AnalyzerConfig& analyzer_config() const noexcept { return analyzer_.config(); }
  const Analyzer& analyzer() const noexcept { return analyzer_; }
  Bm25Params params() const;
  void set_params(const Bm25Params& params);  // scoring only: no re-indexing needed

  // Analyses (on `threads` threads, 0: OpenMP's default) and indexes the texts. Ids must be
  // distinct and new; texts non-empty and valid UTF-8 (InvalidArgument naming the text
  // otherwise, nothing indexed). A text with no terms after analysis ("the", "!!") is indexed
  // with length 0: it counts in N and the average length and matches no query.
  void add(std::span<const std::uint32_t> ids, std::span<const std::string_view> texts, int threads = 0);
  // Indexes pre-analysed documents (terms as the analyzer would produce them).
  void add_terms(std::span<const std::uint32_t> ids, std::span<const std::vector<std::string>> terms);
  void remove(std::span<const std::uint32_t> ids);

  // Best k documents for the query text. An empty query throws InvalidArgument; a query with
  // no terms after analysis returns no hits.
  std::vector<ScoredId> search(std::string_view query, std::size_t k, const Bitset* allow = nullptr,
                               SearchMode mode = SearchMode::kAuto) const;
  std::vector<ScoredId> search_terms(std::span<const std::string> query, std::size_t k, const Bitset* allow = nullptr,
                                     SearchMode mode = SearchMode::kAuto) const;
  // Many queries on `threads` threads; result i belongs to query i.
  std::vector<std::vector<ScoredId>> search_batch(std::span<const std::string_view> queries, std::size_t k,
                                                  const Bitset* allow = nullptr, int threads = 0,
                                                  SearchMode mode = SearchMode::kAuto) const;
  std::vector<std::vector<ScoredId>> search_terms_batch(std::span<const std::vector<std::string>> queries,
                                                        std::size_t k, const Bitset* allow = nullptr, int threads = 0,
                                                        SearchMode mode = SearchMode::kAuto) const;

  Explanation explain(std::string_view query, std::uint32_t id) const;

  // The index's InvertedIndex::to_bytes, and its replacement by a copy made that way (built
  // with this analyzer configuration; the caller checks that).
  std::string index_bytes() const;
  void restore_index(InvertedIndex index);

  std::size_t size() const;
  bool contains(std::uint32_t id) const;
  // Statistics and postings; hold no reference across a concurrent add/remove.
  const InvertedIndex& inverted() const noexcept { return index_; }

 private:
  Analyzer analyzer_;
  Bm25Params params_;
  InvertedIndex index_;
  mutable std::shared_mutex mutex_;
};

}  // namespace ragkernel::text

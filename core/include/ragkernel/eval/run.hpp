#pragma once
// A run: for each query, retrieved documents with a score (higher is better).
//
// Document ids of one query are stored back to back in one buffer, so a run of millions of
// entries is a few large allocations. The rank column of a TREC file is not kept: like
// trec_eval, the evaluator ranks by score, ties broken by document id in descending byte
// order. Duplicate documents within a query are reported by the evaluator (as trec_eval
// does), since checking them on every add would cost a hash set per query; a caller that
// knows a query's documents are distinct (they were the keys of one dict) can say so with
// mark_docs_unique and spare the evaluator the check.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ragkernel::eval {

class Run {
 public:
  struct Entry {
    std::uint32_t offset;  // into the query's document buffer
    std::uint32_t length;
    double score;
  };

  // Adds one retrieved document. Throws InvalidArgument for a NaN score (it cannot be
  // ranked); the run is unchanged then.
  void add(std::string_view query, std::string_view doc, double score);

  // Declares a query with no retrieved documents yet, so it is evaluated (with `complete`
  // off a query counts only if the run has it). Returns its position.
  std::size_t add_query(std::string_view query);

  // Reserves room for `entries` documents of query position q.
  void reserve(std::size_t q, std::size_t entries, std::size_t doc_bytes);
  // add() for a query position returned by add_query (no lookup).
  void add_at(std::size_t q, std::string_view doc, double score);

  // Declares that query position q has no repeated document; any later add to q withdraws it.
  void mark_docs_unique(std::size_t q) { queries_[q].unique = true; }
  bool docs_unique(std::size_t q) const { return queries_[q].unique; }

  std::size_t num_queries() const noexcept { return queries_.size(); }
  std::size_t size() const noexcept { return size_; }  // entries over all queries
  const std::string& query_id(std::size_t q) const { return queries_[q].id; }
  std::span<const Entry> entries(std::size_t q) const { return queries_[q].entries; }
  std::string_view doc(std::size_t q, const Entry& e) const { return {queries_[q].docs.data() + e.offset, e.length}; }

  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  std::size_t find_query(std::string_view query) const;

 private:
  struct Query {
    std::string id;
    std::string docs;  // document ids back to back
    std::vector<Entry> entries;
    bool unique = false;  // documents known to be distinct
  };
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  std::vector<Query> queries_;
  std::unordered_map<std::string, std::size_t, Hash, std::equal_to<>> index_;
  std::size_t size_ = 0;
};

}  // namespace ragkernel::eval

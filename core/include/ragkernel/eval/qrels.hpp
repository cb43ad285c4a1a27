#pragma once
// Relevance judgments: for each query, documents with an integer grade.
//
// Grades follow trec_eval: 0 is judged non-relevant, a grade >= the relevance level is
// relevant for the binary metrics, and a negative grade marks a document that was pooled but
// not judged (it counts neither as relevant nor as non-relevant). Queries keep the order in
// which they were first added; that order is the order of the evaluation's rows.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ragkernel::eval {

struct Judgment {
  std::string doc;
  int relevance = 0;
};

class Qrels {
 public:
  // Adds one judgment. Throws InvalidArgument if the query already judges this document;
  // the qrels are unchanged then.
  void add(std::string_view query, std::string_view doc, int relevance);

  std::size_t num_queries() const noexcept { return queries_.size(); }
  std::size_t size() const noexcept { return size_; }  // judgments over all queries
  const std::string& query_id(std::size_t q) const { return queries_[q].id; }
  const std::vector<Judgment>& judgments(std::size_t q) const { return queries_[q].judged; }

  // The position of a query, or npos.
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  std::size_t find_query(std::string_view query) const;

  // The grade of `doc` for query position q, or nullptr if the document is not judged.
  // `hash` must be doc_hash(doc); the evaluator computes it once per retrieved document.
  const int* find(std::size_t q, std::string_view doc, std::uint64_t hash) const noexcept;

  static std::uint64_t doc_hash(std::string_view doc) noexcept;

 private:
  struct Query {
    std::string id;
    std::vector<Judgment> judged;
    std::vector<std::uint64_t> hashes;  // doc_hash of each judged document
    std::vector<std::uint32_t> slots;   // open addressing: index + 1 into judged, 0 = empty
  };
  static void insert_slot(Query& query, std::uint32_t index);
  static void grow(Query& query);

  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  std::vector<Query> queries_;
  std::unordered_map<std::string, std::size_t, Hash, std::equal_to<>> index_;
  std::size_t size_ = 0;
};

}  // namespace ragkernel::eval

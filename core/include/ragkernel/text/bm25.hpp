#pragma once
// BM25 scoring parameters and the five variants of Kamphuis et al. (ECIR 2020), with the
// formulas bm25s uses, so that the same tokens and parameters give the same scores.
//
//   variant    idf(df)                                  tf part (L = doc length, A = avg length)
//   lucene     ln(1 + (N - df + .5) / (df + .5))        tf / (tf + k1 (1 - b + b L/A))
//   robertson  ln(max(1, (N - df + .5) / (df + .5)))    tf / (tf + k1 (1 - b + b L/A))
//   atire      ln(N / df)                               (k1+1) tf / (tf + k1 (1 - b + b L/A))
//   bm25l      ln((N + 1) / (df + .5))                  (k1+1)(c + δ) / (k1 + c + δ), c = tf / (1 - b + b L/A)
//   bm25+      ln((N + 1) / df)                         (k1+1) tf / (tf + k1 (1 - b + b L/A)) + δ
//
// BM25L and BM25+ give a term absent from a document a positive score (idf × tf part at tf 0);
// a document's score sums that floor over the query terms it lacks.
#include <string>
#include <string_view>

namespace ragkernel::text {

enum class Bm25Variant { kLucene, kRobertson, kAtire, kBm25L, kBm25Plus };

struct Bm25Params {
  Bm25Variant variant = Bm25Variant::kLucene;
  double k1 = 1.5;
  double b = 0.75;
  double delta = 0.5;  // BM25L and BM25+ only

  // Throws InvalidArgument unless k1 >= 0, 0 <= b <= 1 and delta >= 0 (all finite).
  void validate() const;
  friend bool operator==(const Bm25Params&, const Bm25Params&) = default;
};

// "lucene", "robertson", "atire", "bm25l", "bm25+"; parse throws InvalidArgument.
Bm25Variant parse_bm25_variant(std::string_view name);
std::string_view to_string(Bm25Variant variant) noexcept;

}  // namespace ragkernel::text

#pragma once
// BM25 arithmetic for one query against fixed collection statistics. Exhaustive and pruned
// search call the same functions in the same order, so their scores agree to the bit.
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "ragkernel/text/bm25.hpp"

namespace ragkernel::text::detail {

inline double bm25_idf(Bm25Variant v, double n_docs, double df) noexcept {
  switch (v) {
    case Bm25Variant::kLucene: return std::log(1.0 + (n_docs - df + 0.5) / (df + 0.5));
    case Bm25Variant::kRobertson: return std::log(std::max(1.0, (n_docs - df + 0.5) / (df + 0.5)));
    case Bm25Variant::kAtire: return std::log(n_docs / df);
    case Bm25Variant::kBm25L: return std::log((n_docs + 1.0) / (df + 0.5));
    case Bm25Variant::kBm25Plus: return std::log((n_docs + 1.0) / df);
  }
  return 0.0;
}

// Term scores in float. Every variant's tf part is scale * tf / (tf + norm) + offset, except
// BM25L's; QueryTerm folds idf, the query weight and the absent-term floor into that form.
class Scorer {
 public:
  Scorer(const Bm25Params& p, double avg_len) : variant_(p.variant) {
    const double avg = avg_len > 0 ? avg_len : 1.0;
    const double k1 = p.k1, b = p.b;
    k1_ = static_cast<float>(k1);
    delta_ = static_cast<float>(p.delta);
    if (variant_ == Bm25Variant::kBm25L) {  // c = tf / (1 - b + b L/A)
      norm_a_ = static_cast<float>(1.0 - b);
      norm_b_ = static_cast<float>(b / avg);
    } else {  // tf + k1 (1 - b + b L/A)
      norm_a_ = static_cast<float>(k1 * (1.0 - b));
      norm_b_ = static_cast<float>(k1 * b / avg);
    }
    k1p1_ = static_cast<float>(k1 + 1.0);
  }

  bool is_bm25l() const noexcept { return variant_ == Bm25Variant::kBm25L; }

  // The tf part's multiplier and additive constant (BM25+'s delta).
  float tf_scale() const noexcept {
    return variant_ == Bm25Variant::kLucene || variant_ == Bm25Variant::kRobertson ? 1.0f : k1p1_;
  }
  float tf_offset() const noexcept { return variant_ == Bm25Variant::kBm25Plus ? delta_ : 0.0f; }

  // The tf part at tf = 0 (0 except for BM25L and BM25+).
  float floor_part() const noexcept {
    if (variant_ == Bm25Variant::kBm25L) return k1p1_ * delta_ / (k1_ + delta_);
    if (variant_ == Bm25Variant::kBm25Plus) return delta_;
    return 0.0f;
  }

  float norm(std::uint32_t len) const noexcept { return norm_a_ + norm_b_ * static_cast<float>(len); }
  float bm25l_part(float tf, float norm) const noexcept {
    const float c = tf / norm;
    return (c + delta_) / (k1_ + c + delta_);
  }

 private:
  Bm25Variant variant_;
  float k1_, delta_, k1p1_, norm_a_, norm_b_;
};

// A term's score in one document for a query that holds it once ("impact"): idf × tf part
// minus the absent-term floor. Scores sum weight × impact over the query's terms, plus the
// floors. The index caches impacts per posting; every path computes them with this function.
struct TermStats {
  float idf;
  float floor;   // idf × floor_part: what a doc without the term still scores
  float scale;   // idf × tf_scale
  float offset;  // idf × tf_offset - floor

  TermStats(const Scorer& s, float idf_value) noexcept
      : idf(idf_value),
        floor(idf_value * s.floor_part()),
        scale(idf_value * s.tf_scale()),
        offset(idf_value * s.tf_offset() - idf_value * s.floor_part()) {}

  float impact(const Scorer& s, std::uint32_t tf_u, std::uint32_t len) const noexcept {
    const float tf = static_cast<float>(tf_u);
    const float norm = s.norm(len);
    if (s.is_bm25l()) return scale * s.bm25l_part(tf, norm) + offset;
    return scale * (tf / (tf + norm)) + offset;
  }
};

// One distinct query term: its id, how often the query holds it, and its statistics.
struct QueryTerm {
  std::uint32_t term;
  float weight;
  TermStats stats;
  const float* impacts = nullptr;    // per posting, in posting order
  const float* block_max = nullptr;  // per block: the largest impact

  float contribution(float impact) const noexcept { return weight * impact; }
  float floor() const noexcept { return weight * stats.floor; }
};

}  // namespace ragkernel::text::detail

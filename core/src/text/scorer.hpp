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

// Term scores in float: idf × tf part, minus the absent-term floor for BM25L/BM25+.
class Scorer {
 public:
  Scorer(const Bm25Params& p, double avg_len) : variant_(p.variant) {
    const double avg = avg_len > 0 ? avg_len : 1.0;
    const double k1 = p.k1, b = p.b, delta = p.delta;
    k1_ = static_cast<float>(k1);
    delta_ = static_cast<float>(delta);
    if (variant_ == Bm25Variant::kBm25L) {
      // c = tf / (1 - b + b L/A)
      norm_a_ = static_cast<float>(1.0 - b);
      norm_b_ = static_cast<float>(b / avg);
    } else {
      // denominator tf + k1 (1 - b + b L/A)
      norm_a_ = static_cast<float>(k1 * (1.0 - b));
      norm_b_ = static_cast<float>(k1 * b / avg);
    }
    k1p1_ = static_cast<float>(k1 + 1.0);
  }

  // The tf part at tf = 0 (0 except for BM25L and BM25+).
  float floor_part() const noexcept {
    if (variant_ == Bm25Variant::kBm25L) return k1p1_ * delta_ / (k1_ + delta_);
    if (variant_ == Bm25Variant::kBm25Plus) return delta_;
    return 0.0f;
  }

  float tf_part(std::uint32_t tf_u, std::uint32_t len) const noexcept {
    const float tf = static_cast<float>(tf_u);
    const float norm = norm_a_ + norm_b_ * static_cast<float>(len);
    switch (variant_) {
      case Bm25Variant::kLucene:
      case Bm25Variant::kRobertson: return tf / (tf + norm);
      case Bm25Variant::kAtire: return k1p1_ * tf / (tf + norm);
      case Bm25Variant::kBm25L: {
        const float c = tf / norm;
        return k1p1_ * (c + delta_) / (k1_ + c + delta_);
      }
      case Bm25Variant::kBm25Plus: return k1p1_ * tf / (tf + norm) + delta_;
    }
    return 0.0f;
  }

 private:
  Bm25Variant variant_;
  float k1_, delta_, k1p1_, norm_a_, norm_b_;
};

// One query term with its weight (its multiplicity in the query) and collection statistics.
struct QueryTerm {
  std::uint32_t term;  // term id
  float weight;        // occurrences in the query
  float idf;
  float floor;  // idf × floor_part × weight: what a doc without the term still scores
  // The term's contribution to a doc containing it, beyond the floor.
  float contribution(const Scorer& s, std::uint32_t tf, std::uint32_t len) const noexcept {
    return weight * (idf * s.tf_part(tf, len)) - floor;
  }
};

}  // namespace ragkernel::text::detail

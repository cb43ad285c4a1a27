#pragma once
// Fusion of ranked lists from several retrievers (BM25, vectors, ...) into one list.
//
//   rrf     score = Σ_s w_s / (k + rank_s), rank 1-based (k = 60: the paper's constant; it equals
//           Qdrant's k = 61 with 0-based ranks)
//   convex  score = Σ_s w_s · norm_s(score_s), norm: min-max, z-score, or theoretical
//           ((x - lower) / (upper - lower) with known bounds, e.g. [-1, 1] for cosine; a bound
//           left NaN is 0 for lower and the list's maximum for upper)
//   dbsf    convex with norm = (x - (μ - 3σ)) / 6σ over each list's scores
//
// A document missing from a source adds nothing from it. Each input list is best first;
// its order defines the ranks. Ties in the fused score are broken by smaller id.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string_view>
#include <vector>

namespace ragkernel::fusion {

enum class Method { kRrf, kConvex, kDbsf };
enum class Normalizer { kMinMax, kZScore, kTheoretical };

struct Source {
  std::span<const std::uint32_t> ids;                       // best first, distinct
  std::span<const float> scores;                            // same length as ids; finite
  double weight = 1.0;                                      // finite, >= 0
  double lower = std::numeric_limits<double>::quiet_NaN();  // theoretical normalizer only
  double upper = std::numeric_limits<double>::quiet_NaN();
};

struct Options {
  Method method = Method::kRrf;
  double rrf_k = 60.0;                          // > 0
  Normalizer normalizer = Normalizer::kMinMax;  // convex only
  std::size_t k = 0;                            // keep the best k; 0 keeps all
};

// Fused hits as parallel arrays; source_scores and source_ranks are [hits × sources],
// row-major, with NaN and 0 where a source did not return the document.
struct Fused {
  std::size_t num_sources = 0;
  std::vector<std::uint32_t> ids;
  std::vector<double> scores;
  std::vector<float> source_scores;
  std::vector<std::uint32_t> source_ranks;  // 1-based
};

// Throws InvalidArgument for mismatched lengths, duplicate ids within a source, non-finite
// scores, negative or non-finite weights, all weights zero, or rrf_k <= 0.
Fused fuse(std::span<const Source> sources, const Options& options);

Method parse_method(std::string_view name);          // "rrf", "convex", "dbsf"
Normalizer parse_normalizer(std::string_view name);  // "minmax", "zscore", "theoretical"

}  // namespace ragkernel::fusion

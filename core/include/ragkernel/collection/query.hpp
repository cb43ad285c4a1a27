#pragma once
// A search of a Collection and its hits.
//
// A query has text (BM25), a vector (nearest neighbours), or both (hybrid: each source returns
// `candidates` documents, fused into k). A filter is compiled once per query into an allow-set
// that both searches consult while they search, never applied to a short list afterwards.
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "ragkernel/collection/documents.hpp"
#include "ragkernel/filter/filter.hpp"
#include "ragkernel/fusion/fusion.hpp"

namespace ragkernel::collection {

// The sources of a hybrid search, in the order their scores appear in a Hit.
enum Source : std::size_t { kBm25 = 0, kDense = 1, kNumSources = 2 };

struct FusionOptions {
  fusion::Method method = fusion::Method::kRrf;
  double rrf_k = 60.0;
  fusion::Normalizer normalizer = fusion::Normalizer::kMinMax;  // convex only
  // Per source (kBm25, kDense): finite, >= 0, not both 0.
  std::array<double, kNumSources> weights{1.0, 1.0};
};

struct Query {
  std::optional<std::string> text{};  // BM25 query (non-empty; may analyse to no terms)
  std::span<const float> vector{};    // dim floats, or empty
  std::size_t k = 10;
  // Shared so a batch of queries with one filter compiles it once.
  std::shared_ptr<const filter::Filter> filter{};
  FusionOptions fusion{};
  std::size_t candidates = 0;  // per source when hybrid; 0: max(k, 100)
  std::size_t ef = 0;          // HNSW beam width; 0: the index default
  unsigned fields = kText | kMetadata;
};

struct SourceScore {
  float score = std::numeric_limits<float>::quiet_NaN();  // the source's own score (l2: squared distance)
  std::uint32_t rank = 0;                                 // 1-based; 0: the source did not return it
};

struct Hit {
  std::string id;
  std::uint32_t internal_id = 0;
  double score = 0.0;  // fused score for hybrid queries, else the source's score
  std::array<SourceScore, kNumSources> sources{};
  std::string text;           // when fields has kText
  filter::Metadata metadata;  // when fields has kMetadata
};

}  // namespace ragkernel::collection

#pragma once
// The vocabulary of the vector indexes: metrics, storage codes, options, search parameters
// and results, shared by the internal-id level (Index) and the string-id level (VectorIndex).
//
// Score convention (what search returns): cosine and ip return the similarity (higher is
// better); l2 returns the squared Euclidean distance (lower is better). Results are sorted
// best first, ties broken by the smaller internal id.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace ragkernel::vector {

enum class Metric : std::uint32_t { cosine = 0, ip = 1, l2 = 2 };

// How vectors are coded for scanning or graph traversal. float32 keeps the vectors as given
// (normalised for cosine); int8 uses per-dimension trained ranges; binary keeps one bit per
// dimension (above or below the trained per-dimension mean) and always rescores; int4 keeps 4
// bits per dimension (per-dimension ranges clipped to the 0.1% and 99.9% quantiles, where
// the extremes would waste most of 16 levels) and always rescores.
enum class Quantization : std::uint32_t { none = 0, int8 = 1, binary = 2, int4 = 3 };

enum class IndexKind : std::uint32_t { flat = 0, hnsw = 1 };

std::string_view to_string(Metric metric) noexcept;
std::string_view to_string(Quantization quantization) noexcept;
std::string_view to_string(IndexKind kind) noexcept;
Metric parse_metric(std::string_view name);              // throws InvalidArgument naming the choices
Quantization parse_quantization(std::string_view name);  // "none", "int8", "binary", "int4"
IndexKind parse_kind(std::string_view name);             // "flat", "hnsw"

struct IndexOptions {
  std::size_t dim = 0;
  Metric metric = Metric::cosine;
  IndexKind kind = IndexKind::flat;
  Quantization quantization = Quantization::none;
  // Keep the float32 vectors next to the codes: rescoring and get() use them. Without them,
  // int8 rescoring replaces float32 (binary and int4 then keep int8 codes for rescoring).
  bool keep_float = true;
  // HNSW: links per node on upper levels (2*M on the base level), build beam width, default
  // search beam width, level-assignment seed.
  std::size_t M = 16;
  std::size_t ef_construction = 200;
  std::size_t ef_search = 64;
  std::uint64_t seed = 42;
};

// Per-call search parameters; nothing here is stored on the index.
struct SearchParams {
  std::size_t ef = 0;  // HNSW beam width; 0 = the index default (at least k)
  std::size_t rescore =
      0;  // candidates rescored per result for quantized codes; 0 = default (int8, int4: 4; binary: 16)
  // Filtered HNSW search scans the allowed rows exactly when there are at most this many of
  // them; 0 = automatic (from ef, M and the selectivity).
  std::size_t exact_threshold = 0;
  int threads = 0;  // OpenMP threads for this call; 0 = the OpenMP default
};

// k results for each of nq queries, row-major [nq, k]; missing results have id kNoId and
// score NaN.
struct SearchResults {
  static constexpr std::uint32_t kNoId = 0xFFFFFFFFu;
  std::size_t nq = 0;
  std::size_t k = 0;
  std::vector<std::uint32_t> ids;
  std::vector<float> scores;
};

}  // namespace ragkernel::vector

#pragma once
// The in-memory side of the semantic LLM cache: per partition, the unit-length embeddings of
// cached requests' texts, searched by a flat SIMD scan (cosine = dot of unit vectors).
// Partitions are loaded from the store on first use; the cache keeps them in step with every
// write it commits.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ragkernel::store::detail {

struct SemanticCandidate {
  std::string key;  // the entry's 32-byte request key
  float score = 0;
};

class SemanticPartition {
 public:
  std::uint32_t dim() const noexcept { return dim_; }
  std::size_t size() const noexcept { return keys_.size(); }

  // `vector` need not be unit length; it is normalised here. Replaces an existing key.
  void insert(std::string_view key, std::span<const float> vector, std::int64_t expires_at_ms);
  void erase(std::string_view key);

  // Entries with cosine >= threshold that have not expired, best first (ties by key), at most `limit`.
  std::vector<SemanticCandidate> search(std::span<const float> unit_query, float threshold, std::size_t limit,
                                        std::int64_t now_ms) const;

 private:
  std::uint32_t dim_ = 0;
  std::vector<float> rows_;  // size() x dim_, unit length
  std::vector<std::string> keys_;
  std::vector<std::int64_t> expires_;
  std::unordered_map<std::string, std::size_t> row_of_;
};

// Scales v to unit length; throws InvalidArgument for a zero or non-finite vector.
std::vector<float> unit_vector(std::span<const float> v);

}  // namespace ragkernel::store::detail

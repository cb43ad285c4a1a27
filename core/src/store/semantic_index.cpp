#include "store/semantic_index.hpp"

#include <algorithm>
#include <cmath>

#include "ragkernel/error.hpp"
#include "ragkernel/simd/kernels.hpp"

namespace ragkernel::store::detail {

std::vector<float> unit_vector(std::span<const float> v) {
  double norm2 = 0;
  for (const float x : v) {
    if (!std::isfinite(x)) throw InvalidArgument("embedding has a non-finite value; expected finite floats");
    norm2 += static_cast<double>(x) * x;
  }
  if (norm2 == 0) throw InvalidArgument("embedding is all zeros; a cosine similarity needs a non-zero vector");
  const auto scale = static_cast<float>(1.0 / std::sqrt(norm2));
  std::vector<float> out(v.begin(), v.end());
  for (float& x : out) x *= scale;
  return out;
}

void SemanticPartition::insert(std::string_view key, std::span<const float> vector, std::int64_t expires_at_ms) {
  if (dim_ == 0) dim_ = static_cast<std::uint32_t>(vector.size());
  if (vector.size() != dim_) {
    throw InvalidArgument("embedding has dimension " + std::to_string(vector.size()) +
                          ", the cached requests it is compared with have " + std::to_string(dim_));
  }
  const std::vector<float> unit = unit_vector(vector);
  const std::string k(key);
  if (const auto it = row_of_.find(k); it != row_of_.end()) {
    std::copy(unit.begin(), unit.end(), rows_.begin() + static_cast<std::ptrdiff_t>(it->second * dim_));
    expires_[it->second] = expires_at_ms;
    return;
  }
  row_of_.emplace(k, keys_.size());
  keys_.push_back(k);
  expires_.push_back(expires_at_ms);
  rows_.insert(rows_.end(), unit.begin(), unit.end());
}

void SemanticPartition::erase(std::string_view key) {
  const auto it = row_of_.find(std::string(key));
  if (it == row_of_.end()) return;
  const std::size_t row = it->second, last = keys_.size() - 1;
  row_of_.erase(it);
  if (row != last) {  // move the last row into the hole
    std::copy_n(rows_.begin() + static_cast<std::ptrdiff_t>(last * dim_), dim_,
                rows_.begin() + static_cast<std::ptrdiff_t>(row * dim_));
    keys_[row] = std::move(keys_[last]);
    expires_[row] = expires_[last];
    row_of_[keys_[row]] = row;
  }
  keys_.pop_back();
  expires_.pop_back();
  rows_.resize(keys_.size() * dim_);
}

std::vector<SemanticCandidate> SemanticPartition::search(std::span<const float> unit_query, float threshold,
                                                         std::size_t limit, std::int64_t now_ms) const {
  std::vector<SemanticCandidate> found;
  if (keys_.empty() || limit == 0) return found;
  if (unit_query.size() != dim_) {
    throw InvalidArgument("query embedding has dimension " + std::to_string(unit_query.size()) +
                          ", the cached requests have " + std::to_string(dim_));
  }
  std::vector<float> scores(keys_.size());
  simd::active().dot_f32_rows(unit_query.data(), rows_.data(), keys_.size(), dim_, dim_, scores.data());
  for (std::size_t i = 0; i < keys_.size(); ++i) {
    const bool expired = expires_[i] != 0 && expires_[i] <= now_ms;
    if (scores[i] >= threshold && !expired) found.push_back({keys_[i], scores[i]});
  }
  const auto better = [](const SemanticCandidate& a, const SemanticCandidate& b) {
    return a.score != b.score ? a.score > b.score : a.key < b.key;
  };
  if (found.size() > limit) {
    std::partial_sort(found.begin(), found.begin() + static_cast<std::ptrdiff_t>(limit), found.end(), better);
    found.resize(limit);
  } else {
    std::sort(found.begin(), found.end(), better);
  }
  return found;
}

}  // namespace ragkernel::store::detail

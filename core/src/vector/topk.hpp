#pragma once
// The k best (lowest-distance) candidates seen so far: a max-heap on (distance, id), so the
// worst kept candidate is at the front and most rows are rejected with one comparison. Ties
// go to the smaller id, which makes results deterministic.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

namespace ragkernel::vector::detail {

struct Candidate {
  float dist;
  std::uint32_t id;
  friend bool operator<(const Candidate& a, const Candidate& b) noexcept {
    return a.dist < b.dist || (a.dist == b.dist && a.id < b.id);
  }
};

class TopK {
 public:
  explicit TopK(std::size_t k = 0) : k_(k) { heap_.reserve(k); }
  void reset(std::size_t k) {
    k_ = k;
    heap_.clear();
    heap_.reserve(k);
  }
  std::size_t size() const noexcept { return heap_.size(); }
  bool full() const noexcept { return heap_.size() == k_; }
  // The distance a candidate must beat to enter (infinity until full).
  float bound() const noexcept { return full() ? heap_.front().dist : std::numeric_limits<float>::infinity(); }

  void push(float dist, std::uint32_t id) {
    const Candidate c{dist, id};
    if (heap_.size() < k_) {
      heap_.push_back(c);
      std::push_heap(heap_.begin(), heap_.end());
    } else if (k_ != 0 && c < heap_.front()) {
      replace_worst(c);
    }
  }
  void merge(const TopK& other) {
    for (const Candidate& c : other.heap_) push(c.dist, c.id);
  }
  // Best first; leaves the heap empty.
  std::vector<Candidate> take_sorted() {
    std::sort_heap(heap_.begin(), heap_.end());
    return std::move(heap_);
  }
  const std::vector<Candidate>& items() const noexcept { return heap_; }

 private:
  // c takes the worst candidate's place and sinks to its level: one pass down the heap, where
  // pop_heap then push_heap made two (a graph search replaces the worst for most nodes it
  // scores).
  void replace_worst(const Candidate& c) noexcept {
    const std::size_t n = heap_.size();
    std::size_t at = 0;
    for (std::size_t child = 1; child < n; child = 2 * at + 1) {
      if (child + 1 < n && heap_[child] < heap_[child + 1]) ++child;
      if (!(c < heap_[child])) break;
      heap_[at] = heap_[child];
      at = child;
    }
    heap_[at] = c;
  }

  std::size_t k_;
  std::vector<Candidate> heap_;
};

}  // namespace ragkernel::vector::detail

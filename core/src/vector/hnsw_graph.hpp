#pragma once
// Private: the HNSW graph's memory layout and the search primitives shared by building and
// querying.
//
// Base level: one fixed-size record per id, [count, 2M neighbour ids], contiguous (a flat
// array that a mapping can serve as is). Upper levels: per node with level L > 0, L records
// of [count, M ids]. Readers load counts and ids with relaxed atomics while a writer links,
// so a concurrent search sees an old or a new list, never torn memory; every id ever written
// into a list names a slot whose vector was stored first.
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "vector/buffer.hpp"
#include "vector/topk.hpp"

namespace ragkernel::vector::detail {

inline std::uint32_t load_relaxed(const std::uint32_t& x) noexcept {
  return std::atomic_ref<std::uint32_t>(const_cast<std::uint32_t&>(x)).load(std::memory_order_acquire);
}
inline void store_release(std::uint32_t& x, std::uint32_t v) noexcept {
  std::atomic_ref<std::uint32_t>(x).store(v, std::memory_order_release);
}

// A visited set reused across searches: a byte per id (1 MB at 1M ids, which stays in L2;
// 2-byte tags ran 1-2% slower there), cleared by bumping the epoch and rewritten every 255.
class VisitedSet {
 public:
  void prepare(std::size_t slots) {
    if (tags_.size() < slots) tags_.resize(slots, 0);
    if (++epoch_ == 0) {
      std::fill(tags_.begin(), tags_.end(), 0);
      epoch_ = 1;
    }
  }
  // True if id was not yet visited (and marks it).
  bool visit(std::uint32_t id) noexcept {
    if (tags_[id] == epoch_) return false;
    tags_[id] = epoch_;
    return true;
  }
  bool seen(std::uint32_t id) const noexcept { return tags_[id] == epoch_; }

  // The same marks through raw pointers a loop can keep in registers (a write through the
  // member's byte pointer may alias anything, so the compiler reloads members after each one).
  struct Marker {
    std::uint8_t* tags;
    std::uint8_t epoch;
    bool visit(std::uint32_t id) const noexcept {
      if (tags[id] == epoch) return false;
      tags[id] = epoch;
      return true;
    }
  };
  Marker marker() noexcept { return {tags_.data(), epoch_}; }

 private:
  std::vector<std::uint8_t> tags_;
  std::uint8_t epoch_ = 0;
};

// The best `width` candidates of a beam, nearest first, each flagged once expanded: the
// frontier and the results in one sorted array. The next node to expand is the nearest
// unexpanded one; a node that falls out of the width is never expanded, as in a search with a
// frontier heap and a results heap, which stops once the frontier's best is worse than every
// result. An insert is a binary search and a short move (100 entries are 800 bytes) where the
// two heaps cost two sift passes with unpredictable branches.
class BeamList {
 public:
  void reset(std::size_t width) {
    width_ = width;
    items_.clear();
    done_.clear();
    items_.reserve(width + 1);
    done_.reserve(width + 1);
    cursor_ = 0;
  }
  // The distance a candidate must beat to enter (infinity until full).
  float bound() const noexcept {
    return items_.size() < width_ ? std::numeric_limits<float>::infinity() : items_.back().dist;
  }
  // Inserts c if it is among the best `width`; true if it was.
  bool insert(const Candidate& c) {
    if (items_.size() == width_ && !(c < items_.back())) return false;
    const auto at = static_cast<std::size_t>(std::upper_bound(items_.begin(), items_.end(), c) - items_.begin());
    items_.insert(items_.begin() + static_cast<std::ptrdiff_t>(at), c);
    done_.insert(done_.begin() + static_cast<std::ptrdiff_t>(at), std::uint8_t{0});
    if (items_.size() > width_) {
      items_.pop_back();
      done_.pop_back();
    }
    cursor_ = std::min(cursor_, at);
    return true;
  }
  // The nearest unexpanded candidate, now flagged expanded; false when none is left.
  bool next(Candidate& out) noexcept {
    while (cursor_ < items_.size() && done_[cursor_] != 0) ++cursor_;
    if (cursor_ == items_.size()) return false;
    done_[cursor_] = 1;
    out = items_[cursor_];
    return true;
  }
  // The nearest unexpanded candidate after the one next() returned, if any (for prefetching).
  const Candidate* peek() const noexcept {
    for (std::size_t i = cursor_ + 1; i < items_.size(); ++i) {
      if (done_[i] == 0) return &items_[i];
    }
    return nullptr;
  }
  std::vector<Candidate> take() { return std::move(items_); }

 private:
  std::vector<Candidate> items_;
  std::vector<std::uint8_t> done_;
  std::size_t width_ = 0;
  std::size_t cursor_ = 0;
};

}  // namespace ragkernel::vector::detail

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
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
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
    // Without a branch: whether a neighbour was seen is hard to predict (the check was the
    // walk's hottest instruction), and a caller can keep or drop the id by arithmetic.
    bool visit(std::uint32_t id) const noexcept {
      const bool fresh = tags[id] != epoch;
      tags[id] = epoch;
      return fresh;
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
// two heaps cost two sift passes with unpredictable branches. Entries are 64-bit keys (the
// distance's bits made order-preserving above the id) so that the search is one integer
// comparison per step, which compiles to conditional moves: a branching search had been three
// quarters of an insert's time.
class BeamList {
 public:
  void reset(std::size_t width) {
    width_ = width;
    size_ = 0;
    cursor_ = 0;
    if (keys_.size() < width + 1) {
      keys_.resize(width + 1);
      done_.resize(width + 1);
    }
  }
  // The distance a candidate must beat to enter (infinity until full).
  float bound() const noexcept {
    return size_ < width_ ? std::numeric_limits<float>::infinity() : dist_of(keys_[size_ - 1]);
  }
  // Inserts c if it is among the best `width`; true if it was.
  bool insert(const Candidate& c) noexcept {
    const std::uint64_t key = key_of(c);
    std::uint64_t* const keys = keys_.data();
    if (size_ == width_ && !(key < keys[size_ - 1])) return false;
    const std::size_t at = upper_bound(key);
    const std::size_t moved = (size_ == width_ ? size_ - 1 : size_) - at;
    std::memmove(keys + at + 1, keys + at, moved * sizeof(std::uint64_t));
    std::memmove(done_.data() + at + 1, done_.data() + at, moved);
    keys[at] = key;
    done_[at] = 0;
    if (size_ < width_) ++size_;
    cursor_ = std::min(cursor_, at);
    return true;
  }
  // The nearest unexpanded candidate, now flagged expanded; false when none is left.
  bool next(Candidate& out) noexcept {
    while (cursor_ < size_ && done_[cursor_] != 0) ++cursor_;
    if (cursor_ == size_) return false;
    done_[cursor_] = 1;
    out = candidate_of(keys_[cursor_]);
    return true;
  }
  // The id of the nearest unexpanded candidate after the one next() returned (for
  // prefetching); false if there is none.
  bool peek(std::uint32_t& id) const noexcept {
    for (std::size_t i = cursor_ + 1; i < size_; ++i) {
      if (done_[i] == 0) {
        id = static_cast<std::uint32_t>(keys_[i]);
        return true;
      }
    }
    return false;
  }
  std::vector<Candidate> take() const {
    std::vector<Candidate> out(size_);
    for (std::size_t i = 0; i < size_; ++i) out[i] = candidate_of(keys_[i]);
    return out;
  }

 private:
  // Float bits reordered so that unsigned order is numeric order (negative values flipped
  // whole, positive ones get the sign bit); -0 becomes +0 first so that they tie as floats do.
  static std::uint64_t key_of(const Candidate& c) noexcept {
    const std::uint32_t bits = std::bit_cast<std::uint32_t>(c.dist + 0.0f);
    const std::uint32_t ordered = (bits & 0x80000000u) != 0 ? ~bits : bits | 0x80000000u;
    return (std::uint64_t{ordered} << 32) | c.id;
  }
  static float dist_of(std::uint64_t key) noexcept {
    const auto ordered = static_cast<std::uint32_t>(key >> 32);
    return std::bit_cast<float>((ordered & 0x80000000u) != 0 ? ordered & 0x7FFFFFFFu : ~ordered);
  }
  static Candidate candidate_of(std::uint64_t key) noexcept { return {dist_of(key), static_cast<std::uint32_t>(key)}; }
  // The first position whose key is greater than key.
  std::size_t upper_bound(std::uint64_t key) const noexcept {
    if (size_ == 0) return 0;
    const std::uint64_t* base = keys_.data();
    for (std::size_t n = size_; n > 1;) {
      const std::size_t half = n / 2;
      base = key < base[half] ? base : base + half;
      n -= half;
    }
    return static_cast<std::size_t>(base - keys_.data()) + (key < *base ? 0 : 1);
  }

  std::vector<std::uint64_t> keys_;
  std::vector<std::uint8_t> done_;
  std::size_t width_ = 0;
  std::size_t size_ = 0;
  std::size_t cursor_ = 0;
};

}  // namespace ragkernel::vector::detail

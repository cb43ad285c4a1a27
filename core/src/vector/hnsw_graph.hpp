#pragma once
// Private: the HNSW graph's memory layout and the search primitives shared by building and
// querying.
//
// Base level: one fixed-size record per id, [count, 2M neighbour ids], contiguous (a flat
// array that a mapping can serve as is). Upper levels: per node with level L > 0, L records
// of [count, M ids]. Readers load counts and ids with relaxed atomics while a writer links,
// so a concurrent search sees an old or a new list, never torn memory; every id ever written
// into a list names a slot whose vector was stored first.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "vector/buffer.hpp"

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

}  // namespace ragkernel::vector::detail

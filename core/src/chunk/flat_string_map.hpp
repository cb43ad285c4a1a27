#pragma once
// String -> uint32 hash map with open addressing: keys live in one arena, slots hold the
// 64-bit hash, so a lookup is one hash of the key, a probe or two and one memcmp. The
// tokenizers' vocabularies and count caches are looked up for every word of every document;
// a node-based std::unordered_map spends most of its time chasing pointers there.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "piece_memo.hpp"

namespace ragkernel::chunk::detail {

class FlatStringMap {
 public:
  FlatStringMap() { slots_.resize(16); }

  const std::uint32_t* find(std::string_view key) const noexcept { return find(key, hash_bytes(key)); }
  const std::uint32_t* find(std::string_view key, std::uint64_t hash) const noexcept {
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.size == kEmpty) return nullptr;
      if (s.hash == hash && s.size == key.size() && std::memcmp(arena_.data() + s.offset, key.data(), key.size()) == 0)
        return &s.value;
    }
  }

  // Inserts when the key is absent; returns false when it was present (the value is kept).
  bool emplace(std::string_view key, std::uint32_t value) { return emplace(key, hash_bytes(key), value); }
  bool emplace(std::string_view key, std::uint64_t hash, std::uint32_t value) {
    if (find(key, hash) != nullptr) return false;
    if ((size_ + 1) * 2 > slots_.size()) grow();
    place({hash, arena_.size(), static_cast<std::uint32_t>(key.size()), value});
    arena_.append(key);
    ++size_;
    return true;
  }

  std::size_t size() const noexcept { return size_; }
  void clear() {
    slots_.assign(16, Slot{});
    arena_.clear();
    size_ = 0;
  }

 private:
  static constexpr std::uint32_t kEmpty = 0xFFFFFFFFu;
  struct Slot {
    std::uint64_t hash = 0;
    std::size_t offset = 0;
    std::uint32_t size = kEmpty;
    std::uint32_t value = 0;
  };
  void place(const Slot& slot) {
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = slot.hash & mask;
    while (slots_[i].size != kEmpty) i = (i + 1) & mask;
    slots_[i] = slot;
  }
  void grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    for (const Slot& s : old)
      if (s.size != kEmpty) place(s);
  }
  std::vector<Slot> slots_;
  std::string arena_;
  std::size_t size_ = 0;
};

}  // namespace ragkernel::chunk::detail

#pragma once
// A small open-addressing table from piece text to token count, local to one pass over one
// document: no locks and no allocation per entry, keys point into the document itself. Most
// words of a document repeat, so most pieces are counted here without touching the shared,
// locked cache of the Tokenizer.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace ragkernel::chunk::detail {

inline std::uint64_t hash_bytes(std::string_view s) noexcept {
  std::uint64_t h = 0x9E3779B97F4A7C15ull ^ s.size();
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = (h ^ w) * 0xBF58476D1CE4E5B9ull;
    h ^= h >> 31;
  }
  std::uint64_t tail = 0;
  std::memcpy(&tail, s.data() + i, s.size() - i);
  h = (h ^ tail) * 0x94D049BB133111EBull;
  return h ^ (h >> 29);
}

class PieceMemo {
 public:
  explicit PieceMemo(std::size_t expected) {
    std::size_t capacity = 1024;
    while (capacity < expected * 2) capacity *= 2;
    slots_.resize(capacity);
  }

  // The count stored for `piece`, or -1.
  long find(std::string_view piece, std::uint64_t hash) const noexcept {
    for (std::size_t i = hash & (slots_.size() - 1);; i = (i + 1) & (slots_.size() - 1)) {
      const Slot& s = slots_[i];
      if (s.data == nullptr) return -1;
      if (s.hash == hash && s.size == piece.size() && std::memcmp(s.data, piece.data(), piece.size()) == 0)
        return static_cast<long>(s.count);
    }
  }

  // Stores a count; `piece` must outlive the memo. Stops storing when three quarters full.
  void insert(std::string_view piece, std::uint64_t hash, std::size_t count) noexcept {
    if ((used_ + 1) * 4 > slots_.size() * 3) return;
    std::size_t i = hash & (slots_.size() - 1);
    while (slots_[i].data != nullptr) i = (i + 1) & (slots_.size() - 1);
    slots_[i] = {hash, piece.data(), static_cast<std::uint32_t>(piece.size()), static_cast<std::uint32_t>(count)};
    ++used_;
  }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    const char* data = nullptr;
    std::uint32_t size = 0;
    std::uint32_t count = 0;
  };
  std::vector<Slot> slots_;
  std::size_t used_ = 0;
};

}  // namespace ragkernel::chunk::detail

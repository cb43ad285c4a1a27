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
  // Room for about `expected` pieces, at most 8192 slots (192 KiB: it stays in L2).
  explicit PieceMemo(std::size_t expected) {
    std::size_t capacity = 256;
    while (capacity < expected * 2 && capacity < kMaxSlots) capacity *= 2;
    slots_.resize(capacity);
  }

  // The count stored for `piece`, or -1. The first 8 bytes of a key are kept in its slot, so
  // short words are matched without reading the text again.
  long find(std::string_view piece, std::uint64_t hash) const noexcept {
    const std::uint64_t head = head_of(piece);
    for (std::size_t i = hash & (slots_.size() - 1);; i = (i + 1) & (slots_.size() - 1)) {
      const Slot& s = slots_[i];
      if (s.data == nullptr) return -1;
      if (s.hash == hash && s.head == head && s.size == piece.size() &&
          (piece.size() <= 8 || std::memcmp(s.data + 8, piece.data() + 8, piece.size() - 8) == 0))
        return static_cast<long>(s.count);
    }
  }

  // Stores a count; `piece` must outlive the memo. Stops storing when three quarters full.
  void insert(std::string_view piece, std::uint64_t hash, std::size_t count) noexcept {
    if ((used_ + 1) * 4 > slots_.size() * 3 || piece.size() > 0xFFFF || count > 0xFFFF) return;
    std::size_t i = hash & (slots_.size() - 1);
    while (slots_[i].data != nullptr) i = (i + 1) & (slots_.size() - 1);
    slots_[i] = {hash, head_of(piece), piece.data(), static_cast<std::uint16_t>(piece.size()),
                 static_cast<std::uint16_t>(count)};
    ++used_;
  }

 private:
  static std::uint64_t head_of(std::string_view piece) noexcept {
    std::uint64_t head = 0;
    std::memcpy(&head, piece.data(), piece.size() < 8 ? piece.size() : 8);
    return head;
  }
  static constexpr std::size_t kMaxSlots = 8192;
  struct Slot {
    std::uint64_t hash = 0;
    std::uint64_t head = 0;
    const char* data = nullptr;
    std::uint16_t size = 0;
    std::uint16_t count = 0;
  };
  std::vector<Slot> slots_;
  std::size_t used_ = 0;
};

}  // namespace ragkernel::chunk::detail

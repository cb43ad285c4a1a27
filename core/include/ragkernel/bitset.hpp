#pragma once
// A fixed-size set of dense internal ids (0 .. size-1), one bit each.
//
// The filter layer compiles metadata predicates into a Bitset (the allow-set); the lexical and
// vector indexes consult it while they search, so filtering never post-filters a short list.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace ragkernel {

class Bitset {
 public:
  Bitset() = default;
  explicit Bitset(std::size_t size, bool value = false)
      : size_(size), words_((size + 63) / 64, value ? ~std::uint64_t{0} : 0) {
    clear_tail();
  }

  std::size_t size() const noexcept { return size_; }
  bool test(std::size_t i) const noexcept { return i < size_ && ((words_[i >> 6] >> (i & 63)) & 1u); }
  void set(std::size_t i) noexcept { words_[i >> 6] |= std::uint64_t{1} << (i & 63); }
  void reset(std::size_t i) noexcept { words_[i >> 6] &= ~(std::uint64_t{1} << (i & 63)); }

  // Grows (new bits clear) or shrinks.
  void resize(std::size_t size) {
    words_.resize((size + 63) / 64, 0);
    size_ = size;
    clear_tail();
  }

  std::size_t count() const noexcept {
    std::size_t n = 0;
    for (std::uint64_t w : words_) n += static_cast<std::size_t>(std::popcount(w));
    return n;
  }

  Bitset& operator&=(const Bitset& other) noexcept {
    for (std::size_t i = 0; i < words_.size(); ++i) words_[i] &= i < other.words_.size() ? other.words_[i] : 0;
    return *this;
  }
  Bitset& operator|=(const Bitset& other) noexcept {
    for (std::size_t i = 0; i < words_.size() && i < other.words_.size(); ++i) words_[i] |= other.words_[i];
    clear_tail();
    return *this;
  }
  void flip() noexcept {
    for (std::uint64_t& w : words_) w = ~w;
    clear_tail();
  }

  // Calls fn(i) for each set bit in increasing order.
  template <class Fn>
  void for_each(Fn&& fn) const {
    for (std::size_t w = 0; w < words_.size(); ++w) {
      for (std::uint64_t bits = words_[w]; bits != 0; bits &= bits - 1) {
        fn(w * 64 + static_cast<std::size_t>(std::countr_zero(bits)));
      }
    }
  }

  const std::vector<std::uint64_t>& words() const noexcept { return words_; }
  friend bool operator==(const Bitset&, const Bitset&) = default;

 private:
  void clear_tail() noexcept {
    if (size_ % 64 != 0 && !words_.empty()) words_.back() &= (std::uint64_t{1} << (size_ % 64)) - 1;
  }

  std::size_t size_ = 0;
  std::vector<std::uint64_t> words_;
};

}  // namespace ragkernel

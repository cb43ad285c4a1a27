#include "term_dictionary.hpp"

#include <cstring>

#include "common/mix64.hpp"
#include "slack.hpp"

namespace ragkernel::text::detail {

namespace {

constexpr std::uint64_t kMul = 0x9E3779B97F4A7C15ull;

inline std::uint64_t slot_of(std::uint64_t hash, std::uint32_t id) noexcept {
  return (hash & 0xFFFFFFFF00000000ull) | (std::uint64_t{id} + 1);
}

}  // namespace

std::uint64_t hash_term(std::string_view s) noexcept {
  std::uint64_t h = s.size() * kMul;
  const char* p = s.data();
  std::size_t n = s.size();
  for (; n >= 8; n -= 8, p += 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * kMul;
    h ^= h >> 29;
  }
  if (n > 0) {
    std::uint64_t w = 0;
    std::memcpy(&w, p, n);
    h = (h ^ w) * kMul;
  }
  return ragkernel::detail::mix64(h);
}

std::uint32_t TermDictionary::find(std::string_view term, std::uint64_t hash) const noexcept {
  if (slots_.empty()) return kNone;
  const std::size_t mask = slots_.size() - 1;
  const std::uint64_t tag = hash & 0xFFFFFFFF00000000ull;
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    const std::uint64_t s = slots_[i];
    if (s == 0) return kNone;
    if ((s & 0xFFFFFFFF00000000ull) == tag) {
      const auto id = static_cast<std::uint32_t>((s & 0xFFFFFFFFull) - 1);
      if (this->term(id) == term) return id;
    }
  }
}

std::uint32_t TermDictionary::intern(std::string_view term) {
  const std::uint64_t hash = hash_term(term);
  if (const std::uint32_t id = find(term, hash); id != kNone) return id;
  // Keep the load at or below 3/4.
  if ((ends_.size() + 1) * 4 > slots_.size() * 3) grow();
  const auto id = static_cast<std::uint32_t>(ends_.size());
  reserve_for(chars_, term.size());
  reserve_for(ends_, 1);
  chars_.insert(chars_.end(), term.begin(), term.end());
  ends_.push_back(chars_.size());
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = hash & mask;
  while (slots_[i] != 0) i = (i + 1) & mask;
  slots_[i] = slot_of(hash, id);
  return id;
}

void TermDictionary::grow() {
  std::vector<std::uint64_t> bigger(slots_.empty() ? 64 : slots_.size() * 2, 0);
  const std::size_t mask = bigger.size() - 1;
  for (std::uint32_t id = 0; id < ends_.size(); ++id) {
    const std::uint64_t hash = hash_term(this->term(id));
    std::size_t i = hash & mask;
    while (bigger[i] != 0) i = (i + 1) & mask;
    bigger[i] = slot_of(hash, id);
  }
  slots_ = std::move(bigger);
}

}  // namespace ragkernel::text::detail

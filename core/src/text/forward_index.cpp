#include "forward_index.hpp"

#include <cstring>

#include "slack.hpp"

namespace ragkernel::text::detail {

std::uint32_t ForwardIndex::entry_bytes(std::uint32_t doc) const noexcept {
  std::uint32_t n = 0;
  std::memcpy(&n, bytes_.data() + begin_[doc], 4);
  return n;
}

void ForwardIndex::put(std::uint32_t doc, std::span<const std::uint32_t> sorted_terms) {
  reserve_ids(std::size_t{doc} + 1);
  reserve_for(bytes_, 4 + 5 * sorted_terms.size());  // a varint takes at most 5 bytes
  const std::size_t start = bytes_.size();
  bytes_.resize(start + 4);
  std::uint32_t prev = 0;
  for (std::uint32_t t : sorted_terms) {
    put_varint(bytes_, t - prev);
    prev = t;
  }
  const auto n = static_cast<std::uint32_t>(bytes_.size() - start - 4);
  std::memcpy(bytes_.data() + start, &n, 4);
  begin_[doc] = start;
}

void ForwardIndex::erase(std::uint32_t doc) {
  if (doc >= begin_.size() || begin_[doc] == kAbsent) return;
  garbage_ += 4 + entry_bytes(doc);
  begin_[doc] = kAbsent;
  if (garbage_ * 2 > bytes_.size()) compact();
}

void ForwardIndex::compact() {
  std::vector<std::uint8_t> live;
  live.reserve(bytes_.size() - garbage_);
  for (std::uint64_t& b : begin_) {
    if (b == kAbsent) continue;
    std::uint32_t n = 0;
    std::memcpy(&n, bytes_.data() + b, 4);
    const std::size_t start = live.size();
    live.insert(live.end(), bytes_.begin() + static_cast<std::ptrdiff_t>(b),
                bytes_.begin() + static_cast<std::ptrdiff_t>(b + 4 + n));
    b = start;
  }
  bytes_ = std::move(live);
  garbage_ = 0;
}

}  // namespace ragkernel::text::detail

#pragma once
// Each document's distinct term ids (ascending, as varint gaps), so that remove() can find the
// postings of a document. One byte arena for all documents and an offset per id, instead of a
// vector per document; removed entries become garbage that is compacted once it outweighs the
// live ones.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "varint.hpp"

namespace ragkernel::text::detail {

class ForwardIndex {
 public:
  // Stores the sorted distinct term ids of `doc`, replacing nothing: the doc must have no entry.
  void put(std::uint32_t doc, std::span<const std::uint32_t> sorted_terms);
  // Calls fn(term) for each term of doc (none if it has no entry).
  template <class Fn>
  void for_each(std::uint32_t doc, Fn&& fn) const {
    if (doc >= begin_.size() || begin_[doc] == kAbsent) return;
    for_each_varint_sum(bytes_.data() + begin_[doc] + 4, entry_bytes(doc), fn);
  }
  // Forgets doc's entry; compacts when garbage outweighs the live entries.
  void erase(std::uint32_t doc);
  void reserve_ids(std::size_t n) {
    if (begin_.size() < n) begin_.resize(n, kAbsent);
  }
  std::size_t memory_bytes() const noexcept { return bytes_.capacity() + begin_.capacity() * sizeof(std::uint64_t); }

 private:
  static constexpr std::uint64_t kAbsent = ~std::uint64_t{0};
  // An entry is a 4-byte length, then the varints.
  std::uint32_t entry_bytes(std::uint32_t doc) const noexcept;
  void compact();

  std::vector<std::uint8_t> bytes_;
  std::vector<std::uint64_t> begin_;  // by doc id: the entry's first byte, or kAbsent
  std::size_t garbage_ = 0;
};

}  // namespace ragkernel::text::detail

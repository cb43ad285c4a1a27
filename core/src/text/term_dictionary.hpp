#pragma once
// The vocabulary: term strings <-> dense term ids, in three flat arrays instead of a node per
// term. Term bytes live back to back in one arena; an open-addressing table of (hash, id)
// pairs finds them. A large vocabulary (hundreds of thousands of identifiers, numbers and
// typos) then costs about 20 bytes a term plus its characters, not a hash node, a heap
// string and a copy of it.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace ragkernel::text::detail {

// A 64-bit hash of a short string: 8 bytes at a time, multiply-xorshift mixing.
std::uint64_t hash_term(std::string_view s) noexcept;

class TermDictionary {
 public:
  static constexpr std::uint32_t kNone = 0xFFFFFFFFu;

  std::uint32_t find(std::string_view term) const noexcept { return find(term, hash_term(term)); }
  std::uint32_t find(std::string_view term, std::uint64_t hash) const noexcept;
  // The id of `term`, added (as the next id) when new.
  std::uint32_t intern(std::string_view term);

  std::string_view term(std::uint32_t id) const noexcept {
    const std::uint64_t begin = id == 0 ? 0 : ends_[id - 1];
    return {chars_.data() + begin, static_cast<std::size_t>(ends_[id] - begin)};
  }
  std::size_t size() const noexcept { return ends_.size(); }
  std::size_t memory_bytes() const noexcept {
    return chars_.capacity() + ends_.capacity() * sizeof(std::uint64_t) + slots_.capacity() * sizeof(std::uint64_t);
  }

 private:
  void grow();

  std::vector<char> chars_;          // every term's bytes, in id order
  std::vector<std::uint64_t> ends_;  // ends_[id]: one past the last byte of term id
  // Power-of-two table; a slot holds (upper 32 bits of the hash) << 32 | (id + 1), 0 if empty.
  std::vector<std::uint64_t> slots_;
};

}  // namespace ragkernel::text::detail

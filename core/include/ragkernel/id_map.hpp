#pragma once
// String ids from users, dense uint32 internal ids inside.
//
// Indexes, metadata and allow-sets (Bitset) are all addressed by internal id, so one IdMap
// shared by a collection keeps the lexical index, the vector index and the filters aligned.
// Erased ids are reused (lowest first is not promised), which keeps the id space dense under
// churn: an index must forget an id's old data before the id is handed out again.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ragkernel/bitset.hpp"

namespace ragkernel {

class IdMap {
 public:
  static constexpr std::uint32_t kNone = 0xFFFFFFFFu;
  static constexpr std::size_t kMaxKeyBytes = (std::size_t{1} << 24) - 1;  // 16 MiB - 1

  // The internal id of `key`, assigning one if the key is new; `second` is true when it was.
  // Throws InvalidArgument for a key longer than kMaxKeyBytes.
  std::pair<std::uint32_t, bool> insert(std::string_view key);

  // Puts a new key at a given free id (restoring assignments a store recorded). Ids below it
  // that were never used become free. Throws InvalidArgument if the key is present, the id
  // is live or the id is kNone. Restore in ascending id order: each call is then O(1).
  void insert_at(std::string_view key, std::uint32_t id);

  std::optional<std::uint32_t> find(std::string_view key) const;
  bool contains(std::string_view key) const { return find(key).has_value(); }
  bool is_live(std::uint32_t id) const noexcept { return id < spans_.size() && live_.test(id); }

  // The key of a live id; throws NotFound for a free or out-of-range id. The view is valid
  // until the next insert or erase.
  std::string_view key(std::uint32_t id) const;

  // Frees the key's id for reuse; returns the freed id, or nullopt if the key was absent.
  std::optional<std::uint32_t> erase(std::string_view key);

  void clear();

  std::size_t size() const noexcept { return live_count_; }                                      // live keys
  std::uint32_t capacity() const noexcept { return static_cast<std::uint32_t>(spans_.size()); }  // ids ever used
  const Bitset& live() const noexcept { return live_; }  // bit per id, set if live
  std::size_t memory_usage() const noexcept;             // bytes held

 private:
  // All keys live in one byte arena; an id's span packs its offset (40 bits) and length (24
  // bits). Lookups go through an open-addressing table of (id, 32 hash bits) with linear
  // probing and backward-shift deletion, so a key costs its bytes plus about 20 bytes instead
  // of two std::strings and a hash node.
  struct Slot {
    std::uint32_t id = kNone;
    std::uint32_t hash = 0;
  };
  static std::uint64_t hash_of(std::string_view key) noexcept;
  std::string_view span_view(std::uint32_t id) const noexcept;
  // The slot holding `key`, or the empty slot where it would go.
  std::size_t probe(std::string_view key, std::uint64_t hash) const noexcept;
  // Stores the key's bytes and span and fills `slot` (found by probe) with it.
  void place(std::uint32_t id, std::string_view key, std::size_t slot, std::uint64_t hash);
  void grow_table();
  void erase_slot(std::size_t slot) noexcept;
  void compact_arena();

  std::string arena_;
  std::vector<std::uint64_t> spans_;  // by id
  std::vector<Slot> table_;           // power-of-two size, at most 3/4 full
  std::size_t live_count_ = 0;
  std::size_t garbage_ = 0;          // arena bytes of erased keys
  std::vector<std::uint32_t> free_;  // erased ids, reused last-in first-out
  Bitset live_;
};

}  // namespace ragkernel

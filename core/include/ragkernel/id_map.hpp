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
#include <unordered_map>
#include <utility>
#include <vector>

#include "ragkernel/bitset.hpp"

namespace ragkernel {

class IdMap {
 public:
  static constexpr std::uint32_t kNone = 0xFFFFFFFFu;

  // The internal id of `key`, assigning one if the key is new; `second` is true when it was.
  std::pair<std::uint32_t, bool> insert(std::string_view key);

  // Puts a new key at a given free id (restoring assignments a store recorded). Ids below it
  // that were never used become free. Throws InvalidArgument if the key is present, the id
  // is live or the id is kNone. Restore in ascending id order: each call is then O(1).
  void insert_at(std::string_view key, std::uint32_t id);

  std::optional<std::uint32_t> find(std::string_view key) const;
  bool contains(std::string_view key) const { return find(key).has_value(); }
  bool is_live(std::uint32_t id) const noexcept { return id < keys_.size() && live_.test(id); }

  // The key of a live id; throws NotFound for a free or out-of-range id.
  const std::string& key(std::uint32_t id) const;

  // Frees the key's id for reuse; returns the freed id, or nullopt if the key was absent.
  std::optional<std::uint32_t> erase(std::string_view key);

  void clear();

  std::size_t size() const noexcept { return index_.size(); }                                   // live keys
  std::uint32_t capacity() const noexcept { return static_cast<std::uint32_t>(keys_.size()); }  // ids ever used
  const Bitset& live() const noexcept { return live_; }  // bit per id, set if live

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::uint32_t, Hash, std::equal_to<>> index_;
  std::vector<std::string> keys_;    // by id; empty for free ids
  std::vector<std::uint32_t> free_;  // erased ids, reused last-in first-out
  Bitset live_;
};

}  // namespace ragkernel

#include "ragkernel/id_map.hpp"

#include <algorithm>
#include <functional>

#include "ragkernel/error.hpp"

namespace ragkernel {
namespace {

constexpr unsigned kLengthBits = 24;
constexpr std::uint64_t kLengthMask = (std::uint64_t{1} << kLengthBits) - 1;
constexpr std::uint64_t kMaxArenaBytes = std::uint64_t{1} << (64 - kLengthBits);
constexpr std::size_t kMinTable = 16;

// Before anything changes, so a refused key leaves the map as it was.
void check_room(std::string_view key, std::size_t arena_bytes) {
  if (key.size() > IdMap::kMaxKeyBytes) {
    throw InvalidArgument("id of " + std::to_string(key.size()) + " bytes; ids are at most " +
                          std::to_string(IdMap::kMaxKeyBytes) + " bytes");
  }
  if (arena_bytes + key.size() > kMaxArenaBytes) throw InvalidArgument("IdMap is full: its ids hold 1 TiB of bytes");
}

}  // namespace

// The table both places and tells apart keys by these 32 bits (the high half of a 64-bit
// hash), so growing the table never hashes a key again.
std::uint64_t IdMap::hash_of(std::string_view key) noexcept { return std::hash<std::string_view>{}(key) >> 32; }

std::string_view IdMap::span_view(std::uint32_t id) const noexcept {
  const std::uint64_t span = spans_[id];
  return {arena_.data() + (span >> kLengthBits), static_cast<std::size_t>(span & kLengthMask)};
}

std::size_t IdMap::probe(std::string_view key, std::uint64_t hash) const noexcept {
  const std::size_t mask = table_.size() - 1;
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& s = table_[i];
    if (s.id == kNone || (s.hash == hash && span_view(s.id) == key)) return i;
  }
}

void IdMap::place(std::uint32_t id, std::string_view key, std::size_t slot, std::uint64_t hash) {
  spans_[id] = (std::uint64_t{arena_.size()} << kLengthBits) | key.size();
  arena_.append(key);  // safe even when `key` views the arena itself
  table_[slot] = Slot{id, static_cast<std::uint32_t>(hash)};
  live_.set(id);
  ++live_count_;
}

void IdMap::grow_table() {
  std::vector<Slot> old(std::max(kMinTable, table_.size() * 2));
  old.swap(table_);
  const std::size_t mask = table_.size() - 1;
  for (const Slot& s : old) {
    if (s.id == kNone) continue;
    std::size_t i = s.hash & mask;
    while (table_[i].id != kNone) i = (i + 1) & mask;
    table_[i] = s;
  }
}

void IdMap::erase_slot(std::size_t hole) noexcept {
  // Backward-shift deletion: later entries of the probe run move up, so no tombstones.
  const std::size_t mask = table_.size() - 1;
  for (std::size_t i = (hole + 1) & mask; table_[i].id != kNone; i = (i + 1) & mask) {
    const std::size_t home = table_[i].hash & mask;
    const bool reachable = hole <= i ? (home > hole && home <= i) : (home > hole || home <= i);
    if (!reachable) {
      table_[hole] = table_[i];
      hole = i;
    }
  }
  table_[hole] = Slot{};
}

void IdMap::compact_arena() {
  std::string packed;
  packed.reserve(arena_.size() - garbage_);
  for (std::uint32_t id = 0; id < spans_.size(); ++id) {
    if (!live_.test(id)) continue;
    const std::string_view key = span_view(id);
    spans_[id] = (std::uint64_t{packed.size()} << kLengthBits) | key.size();
    packed.append(key);
  }
  arena_.swap(packed);
  garbage_ = 0;
}

std::pair<std::uint32_t, bool> IdMap::insert(std::string_view key) {
  if ((live_count_ + 1) * 4 > table_.size() * 3) grow_table();  // first, so the slot stays valid
  const std::uint64_t hash = hash_of(key);
  const std::size_t slot = probe(key, hash);
  if (table_[slot].id != kNone) return {table_[slot].id, false};
  check_room(key, arena_.size());
  std::uint32_t id;
  if (!free_.empty()) {
    id = free_.back();
    free_.pop_back();
  } else {
    if (spans_.size() >= kNone) throw InvalidArgument("IdMap is full: at most 4294967295 ids");
    id = static_cast<std::uint32_t>(spans_.size());
    spans_.push_back(0);
    live_.resize(spans_.size());
  }
  place(id, key, slot, hash);
  return {id, true};
}

void IdMap::insert_at(std::string_view key, std::uint32_t id) {
  if (id == kNone) throw InvalidArgument("IdMap::insert_at: id 4294967295 is reserved");
  if (contains(key)) throw InvalidArgument("IdMap::insert_at: key '" + std::string(key) + "' is present");
  if (is_live(id)) throw InvalidArgument("IdMap::insert_at: id " + std::to_string(id) + " is live");
  check_room(key, arena_.size());
  if (id >= spans_.size()) {
    // Never-used ids below it join the free list, lowest on top (popped first).
    for (std::uint32_t f = id; f-- > static_cast<std::uint32_t>(spans_.size());) free_.push_back(f);
    spans_.resize(std::size_t{id} + 1, 0);
    live_.resize(spans_.size());
  } else {
    // Restoring in ascending id order never gets here; reusing one id searches a short list.
    const auto it = std::find(free_.rbegin(), free_.rend(), id);
    if (it == free_.rend()) throw InvalidArgument("IdMap::insert_at: id " + std::to_string(id) + " is not free");
    free_.erase(std::next(it).base());
  }
  if ((live_count_ + 1) * 4 > table_.size() * 3) grow_table();
  const std::uint64_t hash = hash_of(key);
  place(id, key, probe(key, hash), hash);
}

std::optional<std::uint32_t> IdMap::find(std::string_view key) const {
  if (table_.empty()) return std::nullopt;
  const Slot& s = table_[probe(key, hash_of(key))];
  if (s.id == kNone) return std::nullopt;
  return s.id;
}

std::string_view IdMap::key(std::uint32_t id) const {
  if (!is_live(id)) throw NotFound("internal id " + std::to_string(id) + " is not assigned");
  return span_view(id);
}

std::optional<std::uint32_t> IdMap::erase(std::string_view key) {
  if (table_.empty()) return std::nullopt;
  const std::size_t slot = probe(key, hash_of(key));
  const std::uint32_t id = table_[slot].id;
  if (id == kNone) return std::nullopt;
  erase_slot(slot);  // `key` may point into the arena: not used after this
  garbage_ += spans_[id] & kLengthMask;
  spans_[id] = 0;
  live_.reset(id);
  --live_count_;
  free_.push_back(id);
  // Erased keys' bytes are reclaimed once they are half the arena (amortised O(1) per erase).
  if (garbage_ > 4096 && garbage_ * 2 > arena_.size()) compact_arena();
  return id;
}

void IdMap::clear() {
  arena_.clear();
  spans_.clear();
  table_.clear();
  free_.clear();
  live_count_ = 0;
  garbage_ = 0;
  live_ = Bitset();
}

std::size_t IdMap::memory_usage() const noexcept {
  return arena_.capacity() + spans_.capacity() * sizeof(std::uint64_t) + table_.capacity() * sizeof(Slot) +
         free_.capacity() * sizeof(std::uint32_t) + (live_.size() + 7) / 8;
}

}  // namespace ragkernel

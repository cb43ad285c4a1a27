#include "ragkernel/id_map.hpp"

#include <algorithm>

#include "ragkernel/error.hpp"

namespace ragkernel {

std::pair<std::uint32_t, bool> IdMap::insert(std::string_view key) {
  if (auto it = index_.find(key); it != index_.end()) return {it->second, false};
  std::uint32_t id;
  if (!free_.empty()) {
    id = free_.back();
    free_.pop_back();
    keys_[id] = std::string(key);
  } else {
    if (keys_.size() >= kNone) throw InvalidArgument("IdMap is full: at most 4294967295 ids");
    id = static_cast<std::uint32_t>(keys_.size());
    keys_.emplace_back(key);
    live_.resize(keys_.size());
  }
  live_.set(id);
  index_.emplace(keys_[id], id);
  return {id, true};
}

void IdMap::insert_at(std::string_view key, std::uint32_t id) {
  if (id == kNone) throw InvalidArgument("IdMap::insert_at: id 4294967295 is reserved");
  if (index_.contains(key)) throw InvalidArgument("IdMap::insert_at: key '" + std::string(key) + "' is present");
  if (is_live(id)) throw InvalidArgument("IdMap::insert_at: id " + std::to_string(id) + " is live");
  if (id >= keys_.size()) {
    // Never-used ids below it join the free list, lowest on top (popped first).
    for (std::uint32_t f = id; f-- > static_cast<std::uint32_t>(keys_.size());) free_.push_back(f);
    keys_.resize(std::size_t{id} + 1);
    live_.resize(keys_.size());
  } else {
    // Restoring in ascending id order never gets here; reusing one id searches a short list.
    const auto it = std::find(free_.rbegin(), free_.rend(), id);
    if (it == free_.rend()) throw InvalidArgument("IdMap::insert_at: id " + std::to_string(id) + " is not free");
    free_.erase(std::next(it).base());
  }
  keys_[id] = std::string(key);
  live_.set(id);
  index_.emplace(keys_[id], id);
}

std::optional<std::uint32_t> IdMap::find(std::string_view key) const {
  if (auto it = index_.find(key); it != index_.end()) return it->second;
  return std::nullopt;
}

const std::string& IdMap::key(std::uint32_t id) const {
  if (!is_live(id)) throw NotFound("internal id " + std::to_string(id) + " is not assigned");
  return keys_[id];
}

std::optional<std::uint32_t> IdMap::erase(std::string_view key) {
  auto it = index_.find(key);
  if (it == index_.end()) return std::nullopt;
  const std::uint32_t id = it->second;
  index_.erase(it);
  keys_[id].clear();
  keys_[id].shrink_to_fit();
  live_.reset(id);
  free_.push_back(id);
  return id;
}

void IdMap::clear() {
  index_.clear();
  keys_.clear();
  free_.clear();
  live_ = Bitset();
}

}  // namespace ragkernel

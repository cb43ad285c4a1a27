#include "ragkernel/eval/qrels.hpp"

#include <bit>

#include "ragkernel/error.hpp"

namespace ragkernel::eval {

std::uint64_t Qrels::doc_hash(std::string_view doc) noexcept {
  // FNV-1a with a final avalanche (splitmix64): cheap for the short ids of qrels and runs, and
  // the low bits used for slots are well mixed.
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : doc) h = (h ^ c) * 0x100000001b3ull;
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebull;
  return h ^ (h >> 31);
}

std::size_t Qrels::find_query(std::string_view query) const {
  auto it = index_.find(query);
  return it == index_.end() ? npos : it->second;
}

const int* Qrels::find(std::size_t q, std::string_view doc, std::uint64_t hash) const noexcept {
  const Query& query = queries_[q];
  const std::size_t mask = query.slots.size() - 1;
  for (std::size_t s = hash & mask;; s = (s + 1) & mask) {
    const std::uint32_t slot = query.slots[s];
    if (slot == 0) return nullptr;
    const std::uint32_t i = slot - 1;
    if (query.hashes[i] == hash && query.judged[i].doc == doc) return &query.judged[i].relevance;
  }
}

void Qrels::insert_slot(Query& query, std::uint32_t index) {
  const std::size_t mask = query.slots.size() - 1;
  std::size_t s = query.hashes[index] & mask;
  while (query.slots[s] != 0) s = (s + 1) & mask;
  query.slots[s] = index + 1;
}

void Qrels::grow(Query& query) {
  // Keep the table at most half full so probes stay short.
  const std::size_t want = std::bit_ceil(std::max<std::size_t>(8, 2 * (query.judged.size() + 1)));
  if (query.slots.size() >= want) return;
  query.slots.assign(want, 0);
  for (std::uint32_t i = 0; i < query.judged.size(); ++i) insert_slot(query, i);
}

void Qrels::add(std::string_view query, std::string_view doc, int relevance) {
  auto it = index_.find(query);
  const std::size_t q = it == index_.end() ? queries_.size() : it->second;
  const std::uint64_t hash = doc_hash(doc);
  if (q < queries_.size() && find(q, doc, hash) != nullptr) {
    throw InvalidArgument("query '" + std::string(query) + "' judges document '" + std::string(doc) +
                          "' twice; expected one grade per (query, document)");
  }
  if (q == queries_.size()) {
    queries_.push_back(Query{std::string(query), {}, {}, {}});
    index_.emplace(std::string(query), q);
  }
  Query& entry = queries_[q];
  grow(entry);
  entry.judged.push_back(Judgment{std::string(doc), relevance});
  entry.hashes.push_back(hash);
  insert_slot(entry, static_cast<std::uint32_t>(entry.judged.size() - 1));
  ++size_;
}

}  // namespace ragkernel::eval

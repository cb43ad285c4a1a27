#pragma once
// The user-facing vector index: string ids (an IdMap) over an internal-id Index. This is what
// Python's ragkernel.VectorIndex wraps.
//
// Thread safety: concurrent searches are safe while one writer adds, upserts or removes.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ragkernel/bitset.hpp"
#include "ragkernel/id_map.hpp"
#include "ragkernel/vector/index.hpp"

namespace ragkernel::vector {

// Results with string ids, row-major [nq, k]; missing results have an empty id and NaN score.
struct KeyedResults {
  std::size_t nq = 0;
  std::size_t k = 0;
  std::vector<std::string> ids;
  std::vector<float> scores;
};

// The internal ids of some keys, made once by VectorIndex::allow_set and reused by many
// searches (turning strings into ids can cost as much as the search). A set belongs to the
// index that made it and stays valid while no key leaves that index: a removed key's internal
// id may later go to another key, so search refuses a set made before a removal.
class AllowSet {
 public:
  std::size_t size() const noexcept { return found_; }  // keys that were in the index
  const Bitset& bits() const noexcept { return bits_; }

 private:
  friend class VectorIndex;
  Bitset bits_;
  std::size_t found_ = 0;
  std::uint64_t owner_ = 0;     // serial number of the index that made it
  std::uint64_t removals_ = 0;  // that index's removal count when it was made
  std::uint64_t layouts_ = 0;   // and its count of renumberings
};

class VectorIndex {
 public:
  explicit VectorIndex(const IndexOptions& options);
  ~VectorIndex();

  const IndexOptions& options() const noexcept { return index_->options(); }
  std::size_t dim() const noexcept { return index_->dim(); }

  // Throws InvalidArgument for an id already present, an id repeated in the batch, an empty
  // id or a bad vector; nothing changes then.
  void add(std::span<const std::string> ids, const float* vectors);
  void upsert(std::span<const std::string> ids, const float* vectors);
  // Throws NotFound naming the first unknown id; nothing is removed then.
  void remove(std::span<const std::string> ids);
  // Throws NotFound naming the first unknown id.
  void get(std::span<const std::string> ids, float* out) const;
  bool contains(std::string_view id) const;
  std::size_t size() const;
  std::size_t memory_usage() const;
  void train(const float* vectors, std::size_t n) { index_->train(vectors, n); }
  // Lays a graph index out for faster searches: rows a search reads together move next to each
  // other (Index::locality_order, Index::renumber). add and upsert do it themselves after a batch that
  // is at least half the index once it holds kOptimizeFrom rows; call it after building in
  // many smaller batches. Keys, results and files are unchanged; allow-sets made before it
  // are stale. Searches wait while it runs (about a second per million rows).
  void optimize();
  static constexpr std::size_t kOptimizeFrom = 16384;

  // The allow-set of the given ids (ids not in the index are ignored).
  AllowSet allow_set(std::span<const std::string> ids) const;
  // Throws InvalidArgument if allow was made by another index or before a removal or an
  // optimize().
  KeyedResults search(const float* queries, std::size_t nq, std::size_t k, const AllowSet* allow = nullptr,
                      const SearchParams& params = {}) const;

  // The same file format as Index, with the string ids in an extra section.
  void save(const std::string& path) const;
  static std::unique_ptr<VectorIndex> load(const std::string& path, bool mmap = false);
  std::vector<std::byte> to_bytes() const;
  static std::unique_ptr<VectorIndex> from_bytes(std::span<const std::byte> bytes);

  // The internal-id level, for callers that share the id space.
  const Index& index() const noexcept { return *index_; }
  const IdMap& id_map() const noexcept { return ids_; }

 private:
  VectorIndex(std::unique_ptr<Index> index, IdMap ids);
  std::vector<std::uint32_t> assign_new_ids(std::span<const std::string> ids);
  std::vector<std::byte> keys_section() const;
  void relayout();                         // optimize() with `writer` held
  void optimize_after(std::size_t batch);  // relayout() if the batch was a bulk load (writer held)

  std::unique_ptr<Index> index_;
  IdMap ids_;
  const std::uint64_t serial_;  // unique per VectorIndex in this process
  std::uint64_t removals_ = 0;  // keys erased from ids_ so far (changed under the exclusive id lock)
  std::uint64_t layouts_ = 0;   // optimize() calls that renumbered the ids (likewise)
  struct Locks;                 // guards ids_ (shared for reads, exclusive for writes) and serialises writers
  std::unique_ptr<Locks> locks_;
};

}  // namespace ragkernel::vector

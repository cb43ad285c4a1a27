#pragma once
// Private: what an index kind implements behind ragkernel::vector::Index. Index (index.cpp)
// validates input, takes the locks, trains the quantizer and converts results; the kinds
// (flat_index.cpp, hnsw_index.cpp) only store, link and search.
//
// Locking: `writer` serialises add/upsert/remove; `mutex` is shared by searches and taken
// exclusively for anything that moves memory (growth) or rewrites rows readers may be reading.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <vector>

#include "ragkernel/bitset.hpp"
#include "ragkernel/vector/index.hpp"
#include "vector/file_format.hpp"
#include "vector/rw_lock.hpp"
#include "vector/store.hpp"
#include "vector/topk.hpp"

namespace ragkernel::vector {

struct Index::Impl {
  explicit Impl(const IndexOptions& o) : options(o), store(o) {}
  virtual ~Impl() = default;

  // Stores and links prepared vectors under ids that are not live (free, or deleted but still
  // linked: those slots are reused). Called with `writer` held and no other lock.
  virtual void insert(std::span<const std::uint32_t> ids, const float* prepared, const float* norms) = 0;
  // Makes live ids absent. Called with `writer` and `mutex` (exclusive) held.
  virtual void erase(std::span<const std::uint32_t> ids) = 0;
  // Best-first candidates (internal distances) per prepared query. `mutex` is held shared.
  virtual void search(const float* prepared, std::size_t nq, std::size_t k, const Bitset* allow,
                      const SearchParams& params, std::vector<std::vector<detail::Candidate>>& out) const = 0;
  // Grows per-id arrays to `slots`. `mutex` is held exclusively.
  virtual void grow(std::size_t slots) { store.grow(slots); }
  virtual std::size_t memory_bytes() const { return store.memory_bytes(); }
  // A numbering of the slots (new id of each old id) that puts rows read together next to each
  // other, or empty if the kind has no use for one.
  virtual std::vector<std::uint32_t> locality_order() const { return {}; }
  // Moves every slot to new_of_old[slot]. `writer` and `mutex` (exclusive) are held.
  // Changes nothing if it throws (every copy is made before any is swapped in).
  virtual void renumber(const std::vector<std::uint32_t>& new_of_old) { store.adopt(store.permuted(new_of_old)); }
  virtual void write(detail::SectionWriter& out) const { store.write(out); }
  virtual void read(const detail::SectionReader& in, std::size_t slots) { store.read(in, slots); }

  IndexOptions options;
  detail::VectorStore store;
  mutable detail::RwLock mutex;
  mutable std::mutex writer;
  std::atomic<std::size_t> live{0};
};

// Files (index_io.cpp). write_index emits header and sections to `out` (two passes: the first
// only hashes); `extra` adds sections (VectorIndex adds its string ids). The caller holds the
// index's writer lock. read_index checks the header and rebuilds the index; `extra` reads
// the additional sections.
using Sink = std::function<void(const void*, std::size_t)>;
void write_index(const Index& index, std::uint64_t flags, const std::function<void(detail::SectionWriter&)>& extra,
                 const Sink& out);
std::unique_ptr<Index> read_index(
    const detail::Region& region, bool verify_payload,
    const std::function<void(const detail::SectionReader&, const detail::FileHeader&)>& extra);
void write_file(const std::string& path, const std::function<void(const Sink&)>& write);

std::unique_ptr<Index::Impl> make_flat(const IndexOptions& options);
std::unique_ptr<Index::Impl> make_hnsw(const IndexOptions& options);

}  // namespace ragkernel::vector

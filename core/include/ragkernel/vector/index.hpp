#pragma once
// The internal-id level of vector search: an index addressed by dense uint32 ids that the
// caller assigns (a Collection shares one IdMap between its lexical index, its metadata and
// this index, and passes metadata filters as a Bitset over the same ids).
//
// Thread safety: any number of concurrent search() calls are safe, also while one writer
// runs add/upsert/remove (writers are serialised among themselves). Search parameters are
// per call, never index state.
//
// Every mutating call validates all its input first and changes nothing when it throws.
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ragkernel/bitset.hpp"
#include "ragkernel/vector/types.hpp"

namespace ragkernel::vector {

class Index {
 public:
  // A flat (exact scan) or HNSW index per options.kind. Throws InvalidArgument for dim 0,
  // M < 2, ef_construction < 1 or keep_float=false with quantization none.
  static std::unique_ptr<Index> create(const IndexOptions& options);
  virtual ~Index();
  Index(const Index&) = delete;
  Index& operator=(const Index&) = delete;

  const IndexOptions& options() const noexcept;
  std::size_t dim() const noexcept;

  // Adds ids.size() vectors (row-major, dim floats each). Throws InvalidArgument if an id is
  // already present or repeated in the batch, or a vector holds NaN/inf (or, for cosine, is
  // all zeros).
  void add(std::span<const std::uint32_t> ids, const float* vectors);
  // Like add, but ids already present get the new vector.
  void upsert(std::span<const std::uint32_t> ids, const float* vectors);
  // Removes ids; throws NotFound naming the first id that is not present (nothing removed).
  void remove(std::span<const std::uint32_t> ids);
  // Throws InvalidArgument as add would for these vectors (non-finite values, or all zeros
  // for cosine); lets a caller validate before it assigns ids.
  void validate(const float* vectors, std::size_t n) const;
  // Trains the int8/binary quantizer on sample vectors (otherwise the first add trains it).
  void train(const float* vectors, std::size_t n);

  bool contains(std::uint32_t id) const;
  std::size_t size() const;           // ids present
  std::uint32_t id_capacity() const;  // 1 + the largest id ever stored
  // The stored vectors of ids (for cosine: the original, un-normalised vector; without
  // float32 storage: the dequantised codes), row-major into out[ids.size() * dim].
  void get(std::span<const std::uint32_t> ids, float* out) const;

  // k nearest rows for each of nq queries. allow (optional) is a Bitset over internal ids:
  // only allowed ids are returned. Throws InvalidArgument for k == 0 or non-finite queries.
  // An empty index returns padding (kNoId / NaN), not an error.
  SearchResults search(const float* queries, std::size_t nq, std::size_t k, const Bitset* allow = nullptr,
                       const SearchParams& params = {}) const;

  // A numbering of the ids that puts rows a search reads together next to each other in memory
  // (a graph's breadth-first order): the new id of each old id, or empty for a flat index.
  std::vector<std::uint32_t> locality_order() const;
  // Renumbers the ids: id becomes new_of_old[id] (the caller renumbers whatever else it keys by
  // them). Throws InvalidArgument unless new_of_old is a permutation of [0, id_capacity());
  // changes nothing if it throws.
  void renumber(const std::vector<std::uint32_t>& new_of_old);

  // Bytes held by vectors, codes, norms, graph and bookkeeping (owned or mapped).
  std::size_t memory_usage() const;

  // Versioned single-file format (magic, version, options, checksum). load() checks all of it
  // and throws Corruption naming what failed. mmap=true maps the file copy-on-write: opening
  // is O(header) (the payload checksum is skipped) and pages load on first touch.
  void save(const std::string& path) const;
  static std::unique_ptr<Index> load(const std::string& path, bool mmap = false);
  void save(std::ostream& out) const;
  static std::unique_ptr<Index> load(std::istream& in);
  std::vector<std::byte> to_bytes() const;
  static std::unique_ptr<Index> from_bytes(std::span<const std::byte> bytes);

  struct Impl;
  explicit Index(std::unique_ptr<Impl> impl);
  Impl& impl() noexcept { return *impl_; }
  const Impl& impl() const noexcept { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace ragkernel::vector

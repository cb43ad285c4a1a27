#pragma once
// A Collection: documents (id, text, metadata, vector) searchable by BM25, by vector and by
// both fused, with metadata filters compiled into allow-sets used inside both searches.
//
// One IdMap numbers the documents for the metadata store, the BM25 index and the vector
// index alike. In memory, or durable on RocksDB (create/open): then every add/upsert/remove
// is one atomic write through the write-ahead log, and a reopened collection answers every
// query exactly as it did before close().
//
// Writes are all-or-nothing: everything is checked (ids, texts, vectors, metadata types)
// before anything changes; a failed call leaves the collection as it was.
//
// Thread safety: any number of threads may search, get and read while one writes. A search
// sees the collection before or after a write, never in between; searches wait while a write
// changes the indexes (its checks and text analysis run before, without blocking them).
// Writers are serialised. Durable: one writer process per directory; other processes read
// with Access::read_only (a frozen view once the writer closed) or Access::secondary
// (catch_up() follows the writer).
#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ragkernel/collection/documents.hpp"
#include "ragkernel/collection/options.hpp"
#include "ragkernel/collection/query.hpp"
#include "ragkernel/collection/stats.hpp"
#include "ragkernel/text/inverted_index.hpp"

namespace ragkernel::collection {

class Collection {
 public:
  // In memory. Throws InvalidArgument for unusable options.
  explicit Collection(const CollectionOptions& options);
  // A new durable collection in `path` (a new or empty directory).
  static std::unique_ptr<Collection> create(const std::string& path, const CollectionOptions& options,
                                            const store::StoreOptions& store_options = {});
  // An existing durable collection, with the settings it was created with. Throws NotFound (no
  // collection there), Corruption (damaged files, a newer format), InvalidArgument (another
  // kind of store, options.expect_dim differs), IOError (another writer holds it).
  static std::unique_ptr<Collection> open(const std::string& path, const OpenOptions& options = {});

  ~Collection();  // closes (see close())
  Collection(const Collection&) = delete;
  Collection& operator=(const Collection&) = delete;

  const CollectionOptions& options() const noexcept;
  std::size_t dim() const noexcept;
  bool durable() const noexcept;
  const std::string& path() const noexcept;  // empty in memory
  store::Access access() const noexcept;     // read_write in memory

  // New documents; an id already present is an InvalidArgument.
  WriteResult add(const Documents& docs);
  // New documents, or replacements of present ones (text, metadata and vector together).
  WriteResult upsert(const Documents& docs);
  // Every id must be present (NotFound naming the first that is not; nothing deleted).
  void remove(std::span<const std::string> ids);
  // Upserts `docs` and removes `erase` in one all-or-nothing write (say, a re-chunked source
  // document: its new chunks in, its old ones out). An id may not be in both.
  WriteResult update(const Documents& docs, std::span<const std::string> erase);

  // nullopt for an absent id.
  std::vector<std::optional<Record>> get(std::span<const std::string> ids, unsigned fields = kAllFields) const;
  std::vector<std::string> ids() const;  // in internal-id order
  std::size_t size() const;
  bool contains(std::string_view id) const;

  std::vector<Hit> search(const Query& query) const;
  // Many queries on `threads` threads (0: OpenMP's default); result i belongs to query i.
  std::vector<std::vector<Hit>> search_batch(std::span<const Query> queries, int threads = 0) const;
  // The BM25 term contributions to a document's score for `query` (NotFound for an absent id).
  text::Explanation explain(std::string_view query, std::string_view id) const;

  CollectionStats stats() const;

  // Durable and writable only. checkpoint(): write a vector snapshot and drop the change log
  // it covers (open then replays less); compact(): checkpoint, then compact every family.
  void checkpoint();
  void compact();
  // Access::secondary only: apply what the writer has written since the last call.
  void catch_up();

  // A durable writer writes a snapshot if anything changed, then releases the directory.
  // Any later call throws InvalidArgument. Idempotent.
  void close();
  bool closed() const noexcept;

  struct State;

 private:
  explicit Collection(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace ragkernel::collection

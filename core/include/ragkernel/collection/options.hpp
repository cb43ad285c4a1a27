#pragma once
// What a Collection is made of (fixed at creation and stored in a durable collection's
// manifest) and how a durable one is opened.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "ragkernel/store/options.hpp"
#include "ragkernel/text/analyzer.hpp"
#include "ragkernel/text/bm25.hpp"
#include "ragkernel/vector/types.hpp"

namespace ragkernel::collection {

// The on-disk format of a durable collection this build writes and the newest it reads
// (beside the store's own schema version).
inline constexpr std::uint32_t kFormatVersion = 1;

struct CollectionOptions {
  // Vector dimension; 0 makes a text-only collection (no vector index, no vectors accepted).
  // vector.dim is ignored: this one counts.
  std::size_t dim = 0;
  vector::IndexOptions vector{};
  text::AnalyzerConfig analyzer = text::AnalyzerConfig::preset("lucene");
  text::Bm25Params bm25{};

  // Throws InvalidArgument naming the first setting that cannot work.
  void validate() const;

  // The manifest form: one string per setting ("dim", "metric", "bm25.k1", ...), and back.
  // from_config throws Corruption for a value it cannot read.
  std::map<std::string, std::string> to_config() const;
  static CollectionOptions from_config(const std::map<std::string, std::string>& config, const std::string& where);

  friend bool operator==(const CollectionOptions&, const CollectionOptions&);
};

// How the vector and lexical indexes are restored when a durable collection opens. (Named for
// the vector index, which came first; it governs both.)
enum class VectorRestore {
  snapshot,  // load the last snapshot files, then re-apply the documents written since
  rebuild,   // ignore snapshots: index every stored vector and text again (slower; the way out of a damaged snapshot)
  rebuild_text,  // the vector snapshot as above, every text analysed again (a damaged lexical snapshot)
};

struct OpenOptions {
  store::StoreOptions store{};
  VectorRestore restore = VectorRestore::snapshot;
  // Map the snapshot file copy-on-write instead of reading it: opening costs the header and the
  // graph check, vectors page in when used, and the payload checksum is not verified.
  bool mmap = false;
  // When set, the stored dimension must equal it (InvalidArgument otherwise).
  std::optional<std::size_t> expect_dim{};
  // Checkpoint automatically once this many documents changed since the last snapshot and
  // they are at least as many as the documents in it (so snapshots cost O(1) per write,
  // amortised). 0: only close(), compact() and checkpoint() write snapshots.
  std::size_t checkpoint_min_changes = 10'000;
};

}  // namespace ragkernel::collection

#pragma once
// The RocksDB half of a durable Collection.
//
// Families: the DocStore's documents / metadata / vectors, plus
//   ids      document id -> its internal id (so a reopened collection numbers documents, and
//            so breaks ties, exactly as before)
//   changes  sequence number -> ids written or deleted by that call (what a snapshot lacks)
// and in the manifest: the settings (config), "collection/seq" (last change) and
// "collection/snapshot" (generation, last change it holds, documents it holds, whether it has
// a lexical index and the analyzer fingerprint of the build that wrote it).
//
// Every add/upsert/delete is one WriteBatch: documents, ids, the change record and the
// sequence number land together or not at all. The vector and BM25 indexes are restored from
// their last snapshot plus the documents changed since (or rebuilt from the stored vectors and
// texts: restore='rebuild', stores whose snapshot predates lexical snapshots, and lexical
// snapshots written by a build whose analyzer behaves differently); the metadata is read back
// from its family.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "collection/indexes.hpp"
#include "collection/write_plan.hpp"
#include "ragkernel/collection/options.hpp"
#include "ragkernel/collection/query.hpp"
#include "ragkernel/store/doc_store.hpp"

namespace ragkernel::collection::detail {

class Durable {
 public:
  static constexpr const char* kKind = "collection";
  static constexpr const char* kIds = "ids";
  static constexpr const char* kChanges = "changes";

  static std::vector<store::FamilySpec> families();

  // A new collection; InvalidArgument if one exists at `path`.
  static std::unique_ptr<Durable> create(const std::string& path, const CollectionOptions& options,
                                         const store::StoreOptions& store_options);
  // An existing one, with the settings it was created with.
  static std::unique_ptr<Durable> open(const std::string& path, const OpenOptions& options);

  const CollectionOptions& options() const noexcept { return options_; }
  const std::string& path() const noexcept { return path_; }
  store::Store& store() const noexcept { return *store_; }
  bool writable() const noexcept { return store_->writable(); }

  // Indexes built from the store (open, and a secondary's reload after a checkpoint). A
  // secondary that finds its snapshot already replaced catches up and tries again.
  std::unique_ptr<Indexes> load();

  // Documents (with their assigned internal ids) and deletions: one batch.
  void write(const Documents& docs, const WritePlan& plan, const DeletePlan& removal);

  bool checkpoint_due() const noexcept;
  // Whether close() must write a snapshot so that the next open restores exactly this state.
  bool has_unsnapshotted_changes(const Indexes& indexes) const noexcept;

  // A checkpoint in two steps: write the next snapshot file (long; searches go on), then
  // point the manifest at it and drop the change log it covers (short).
  struct Checkpoint {
    std::uint64_t generation = 0;
    std::uint64_t seq = 0;
    std::uint64_t documents = 0;
    bool lexical = false;  // a lexical snapshot file belongs to this generation
    std::string analyzer;  // Analyzer::fingerprint() of the build that wrote it ("": unknown)
  };
  Checkpoint write_checkpoint(const Indexes& indexes) const;
  void commit_checkpoint(const Checkpoint& checkpoint);

  // Secondary: follow the writer. Returns the ids changed since the last call, or nullopt when
  // the changes were folded into a newer snapshot and the indexes must be loaded again.
  std::optional<std::vector<std::string>> catch_up();
  // Applies the current state of changed documents to the indexes (a secondary's catch-up).
  void apply_changes(Indexes& indexes, std::span<const std::string> ids) const;

  void read_texts(std::span<Hit*> hits) const;
  std::vector<std::optional<store::Document>> read(std::span<const std::string> ids, unsigned fields) const;

  std::uint64_t snapshot_generation() const noexcept { return snapshot_.generation; }
  std::uint64_t snapshot_bytes() const;
  std::uint64_t pending_changes() const noexcept { return pending_; }

  void close();

 private:
  using SnapshotRecord = Checkpoint;  // generation 0: none yet; seq: the last change it holds

  Durable(std::string path, CollectionOptions options, OpenOptions open, std::shared_ptr<store::Store> store);
  void read_state();
  std::vector<std::string> changed_since(std::uint64_t seq) const;
  void log_change(store::WriteBatch& batch, std::span<const std::string> ids);

  std::unique_ptr<Indexes> load_once();
  void restore_ids(Indexes& indexes) const;
  void check_documents() const;
  void restore_metadata(Indexes& indexes) const;
  void index_texts(Indexes& indexes, std::span<const std::uint32_t> ids) const;
  bool lexical_snapshot_usable(const Indexes& indexes) const;
  void restore_texts(Indexes& indexes, const std::vector<std::string>& changed, bool from_snapshot);
  void restore_vectors(Indexes& indexes, const std::vector<std::string>& changed);

  std::string path_;
  CollectionOptions options_;
  OpenOptions open_;
  std::shared_ptr<store::Store> store_;
  std::unique_ptr<store::DocStore> docs_;
  store::Family ids_, changes_, manifest_;
  std::uint64_t seq_ = 0;  // last change written (writer) or applied (readers)
  SnapshotRecord snapshot_;
  std::uint64_t pending_ = 0;     // ids logged since the snapshot
  bool vectors_rebuilt_ = false;  // the vector index differs from the snapshot: write one at close
  bool lexical_rebuilt_ = false;  // likewise the lexical index (the snapshot has none)
};

}  // namespace ragkernel::collection::detail

#pragma once
// Documents on a Store: id -> text, metadata (bytes the caller encodes) and a float32 vector,
// each kind in its own column family under per-document keys (doc_key.hpp).
//
// Every apply() is one WriteBatch: all of its documents and deletions land, or none do. The
// durable Collection adds its own records (index snapshots, id assignments) to the same batch
// through the `extra` callback, so a collection update is atomic as a whole. Reads go through
// one snapshot, so a reader never sees text from one write and the vector from another.
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ragkernel/store/store.hpp"

namespace ragkernel::store {

struct Document {
  std::string id;
  std::string text;
  std::optional<std::string> metadata;
  std::vector<float> vector;  // empty when the store keeps no vectors (dim 0)
};

// Columnar input, as Collection.add receives it. metadata: empty, or one per id (nullopt =
// none). vectors: empty, or ids.size() * dim floats, row-major.
struct DocumentBatch {
  std::vector<std::string> ids{};
  std::vector<std::string> texts{};
  std::vector<std::optional<std::string>> metadata{};
  std::vector<float> vectors{};
};

enum class WriteMode {
  add,     // every id must be new: an existing id is an InvalidArgument and nothing is written
  upsert,  // an existing id is replaced whole (all of its records, in every per-document family)
};

struct DocumentChanges {
  WriteMode mode = WriteMode::upsert;
  DocumentBatch documents{};
  std::vector<std::string> erase_ids{};  // absent ids are ignored
  // Called with the batch after the documents are staged and before it is written; throwing
  // from it writes nothing.
  std::function<void(WriteBatch&)> extra{};
};

struct ApplyResult {
  std::vector<bool> replaced;  // per document: the id existed before
  std::vector<bool> erased;    // per erase id: the id existed and was removed
};

// Which parts of a document a read returns (bit mask).
enum DocField : unsigned { kFieldText = 1, kFieldMetadata = 2, kFieldVector = 4, kAllFields = 7 };

class DocStore {
 public:
  static constexpr const char* kKind = "docstore";
  static constexpr const char* kDocuments = "documents";
  static constexpr const char* kMetadata = "metadata";
  static constexpr const char* kVectors = "vectors";

  // The families a DocStore needs; a Collection lists them in its own schema.
  static std::vector<FamilySpec> families();
  // A standalone document store: kind "docstore", config dim.
  static Schema schema(std::uint32_t dim);

  // Opens or creates a standalone store at `path`. dim: nullopt takes the stored dimension
  // (a new store then needs one: InvalidArgument).
  static std::unique_ptr<DocStore> open(const std::string& path, std::optional<std::uint32_t> dim,
                                        const StoreOptions& options = {});

  // A document store inside an open store that has families() (a Collection's).
  DocStore(std::shared_ptr<Store> store, std::uint32_t dim);

  std::uint32_t dim() const noexcept { return dim_; }
  Store& store() noexcept { return *store_; }
  const std::shared_ptr<Store>& shared_store() const noexcept { return store_; }

  // Validates everything first (ids non-empty and unique in the call, sizes match dim,
  // add-mode ids new); on any error throws InvalidArgument and writes nothing.
  ApplyResult apply(const DocumentChanges& changes);
  ApplyResult add(DocumentBatch documents);
  ApplyResult upsert(DocumentBatch documents);
  std::vector<bool> erase(std::span<const std::string> ids);

  // nullopt for an absent id. All ids are read through one snapshot.
  std::vector<std::optional<Document>> get(std::span<const std::string> ids, unsigned fields = kAllFields) const;
  bool contains(std::string_view id) const;
  std::size_t size() const;  // exact: kept in the manifest with every write

  // Every document in key order through one snapshot (what a Collection rebuilds its indexes
  // from); return false from visit to stop.
  void scan(const std::function<bool(const Document&)>& visit, unsigned fields = kAllFields) const;

 private:
  std::vector<float> decode_vector(std::string_view id, std::string_view bytes) const;
  void validate(const DocumentChanges& changes) const;

  std::shared_ptr<Store> store_;
  std::uint32_t dim_;
  Family documents_, metadata_, vectors_, manifest_;
  std::vector<Family> per_document_;  // every per-document family: cleared on replace/erase
  mutable std::mutex writer_;         // apply() reads existence, then writes: one at a time
};

}  // namespace ragkernel::store

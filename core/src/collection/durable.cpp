#include "collection/durable.hpp"

#include <filesystem>
#include <unordered_set>

#include "collection/metadata_codec.hpp"
#include "collection/snapshot.hpp"
#include "ragkernel/error.hpp"
#include "ragkernel/store/doc_key.hpp"
#include "store/encoding.hpp"

namespace fs = std::filesystem;

namespace ragkernel::collection::detail {
namespace {

using store::detail::put_be64;
using store::detail::put_bytes;
using store::detail::put_le;
using store::detail::put_u8;
using store::detail::put_varint;
using store::detail::Reader;

constexpr const char* kSeqKey = "collection/seq";
constexpr const char* kSnapshotKey = "collection/snapshot";
constexpr const char* kFormatKey = "format";

std::string seq_key(std::uint64_t seq) {
  std::string key;
  put_be64(key, seq);
  return key;
}

std::string access_name(store::Access a) {
  switch (a) {
    case store::Access::read_write: return "read_write";
    case store::Access::read_only: return "read_only";
    case store::Access::secondary: return "secondary";
  }
  return "?";
}

}  // namespace

std::vector<store::FamilySpec> Durable::families() {
  std::vector<store::FamilySpec> all = store::DocStore::families();
  all.push_back(store::FamilySpec{.name = kIds, .layout = store::KeyLayout::per_document});
  all.push_back(store::FamilySpec{.name = kChanges, .layout = store::KeyLayout::whole_key});
  return all;
}

Durable::Durable(std::string path, CollectionOptions options, OpenOptions open, std::shared_ptr<store::Store> store)
    : path_(std::move(path)), options_(std::move(options)), open_(std::move(open)), store_(std::move(store)) {
  docs_ = std::make_unique<store::DocStore>(store_, static_cast<std::uint32_t>(options_.dim));
  ids_ = store_->family(kIds);
  changes_ = store_->family(kChanges);
  manifest_ = store_->manifest_family();
  read_state();
}

std::unique_ptr<Durable> Durable::create(const std::string& path, const CollectionOptions& options,
                                         const store::StoreOptions& store_options) {
  options.validate();
  store::Schema schema{.kind = kKind, .families = families(), .config = {}};
  for (auto& [key, value] : options.to_config()) schema.config.emplace_back(key, value);
  schema.config.emplace_back(kFormatKey, std::to_string(kFormatVersion));
  store::StoreOptions so = store_options;
  so.access = store::Access::read_write;
  so.create_if_missing = true;
  // A creation that died half way is finished here (the store records missing settings);
  // settings that differ from a finished one are an InvalidArgument naming them.
  std::shared_ptr<store::Store> store = store::Store::open(path, schema, so);
  OpenOptions open;
  open.store = so;
  auto durable = std::unique_ptr<Durable>(new Durable(path, options, open, std::move(store)));
  if (durable->docs_->size() > 0 || durable->seq_ > 0) {
    const std::size_t n = durable->docs_->size();
    durable->close();
    throw InvalidArgument("a collection with " + std::to_string(n) + " documents already exists at " + path +
                          "; open it with Collection.open('" + path + "') or choose a new directory");
  }
  return durable;
}

std::unique_ptr<Durable> Durable::open(const std::string& path, const OpenOptions& options) {
  store::StoreOptions so = options.store;
  so.create_if_missing = false;
  std::shared_ptr<store::Store> store;
  try {
    store = store::Store::open(path, store::Schema{.kind = kKind, .families = families(), .config = {}}, so);
  } catch (const NotFound&) {
    throw NotFound("no collection at " + path + "; create one with Collection.create('" + path + "', dim=...)");
  }
  const std::string where = "collection at " + path;
  if (!store->config(kFormatKey)) {
    store->close();
    throw NotFound(where + " was never finished (its creation was interrupted); create it with Collection.create('" +
                   path + "', dim=...)");
  }
  const std::string format = *store->config(kFormatKey);
  std::uint32_t version = 0;
  try {
    version = static_cast<std::uint32_t>(std::stoul(format));
  } catch (const std::exception&) {
    throw Corruption(where + ": manifest format is '" + format + "', expected a decimal version");
  }
  if (version > kFormatVersion) {
    throw Corruption(where + " has collection format " + std::to_string(version) +
                     ", newer than this build of ragkernel reads (up to " + std::to_string(kFormatVersion) +
                     "); open it with a newer ragkernel");
  }
  CollectionOptions stored = CollectionOptions::from_config(store->config(), where);
  if (options.expect_dim && *options.expect_dim != stored.dim) {
    throw InvalidArgument(where + " has dim " + std::to_string(stored.dim) + "; this open expected dim " +
                          std::to_string(*options.expect_dim));
  }
  return std::unique_ptr<Durable>(new Durable(path, std::move(stored), options, std::move(store)));
}

void Durable::read_state() {
  seq_ = 0;
  if (const auto v = store_->get(manifest_, kSeqKey)) {
    Reader r(*v);
    seq_ = r.le<std::uint64_t>();
    if (r.failed()) throw Corruption("collection at " + path_ + ": the change counter is damaged");
  }
  snapshot_ = SnapshotRecord{};
  if (const auto v = store_->get(manifest_, kSnapshotKey)) {
    Reader r(*v);
    snapshot_.generation = r.le<std::uint64_t>();
    snapshot_.seq = r.le<std::uint64_t>();
    snapshot_.documents = r.le<std::uint64_t>();
    // Records written before lexical snapshots end here: their generation has vectors only.
    snapshot_.lexical = r.remaining() > 0 && r.u8() == 1;
    // ... and records written before analyzer fingerprints here (their lexical index is rebuilt).
    if (r.remaining() > 0) snapshot_.analyzer = std::string(r.length_prefixed());
    if (r.failed() || snapshot_.seq > seq_) {
      throw Corruption("collection at " + path_ + ": the snapshot record is damaged");
    }
  }
  pending_ = changed_since(snapshot_.seq).size();
}

std::vector<std::string> Durable::changed_since(std::uint64_t seq) const {
  std::vector<std::string> ids;
  std::unordered_set<std::string> seen;
  store_->scan(changes_, seq_key(seq + 1), {}, [&](std::string_view key, std::string_view value) {
    Reader r(value);
    const std::uint64_t n = r.varint();
    for (std::uint64_t i = 0; i < n && !r.failed(); ++i) {
      std::string id(r.length_prefixed());
      if (seen.insert(id).second) ids.push_back(std::move(id));
    }
    if (r.failed() || key.size() != 8) throw Corruption("collection at " + path_ + ": a change record is damaged");
    return true;
  });
  return ids;
}

void Durable::log_change(store::WriteBatch& batch, std::span<const std::string> ids) {
  std::string value;
  put_varint(value, ids.size());
  for (const std::string& id : ids) put_bytes(value, id);
  batch.put(changes_, seq_key(seq_ + 1), value);
  std::string seq;
  put_le<std::uint64_t>(seq, seq_ + 1);
  batch.put(manifest_, kSeqKey, seq);
}

void Durable::write(const Documents& docs, const WritePlan& plan, const DeletePlan& removal) {
  store::DocumentChanges changes;
  changes.mode = store::WriteMode::upsert;  // the in-memory IdMap already decided add vs replace
  store::DocumentBatch& d = changes.documents;
  d.ids = docs.ids;
  d.texts = docs.texts;
  d.metadata.reserve(docs.ids.size());
  for (const filter::Metadata& m : plan.metadata) {
    d.metadata.push_back(m.empty() ? std::nullopt : std::optional<std::string>(encode_metadata(m)));
  }
  d.vectors.assign(docs.vectors.begin(), docs.vectors.end());
  changes.erase_ids = removal.ids;
  std::vector<std::string> changed = docs.ids;
  changed.insert(changed.end(), removal.ids.begin(), removal.ids.end());
  changes.extra = [&](store::WriteBatch& batch) {
    for (std::size_t i = 0; i < docs.ids.size(); ++i) {
      std::string id;
      put_le<std::uint32_t>(id, plan.assigned[i]);
      batch.put(ids_, store::doc_key(docs.ids[i]), id);
    }
    log_change(batch, changed);
  };
  docs_->apply(changes);
  ++seq_;
  pending_ += changed.size();
}

bool Durable::checkpoint_due() const noexcept {
  const std::size_t min = open_.checkpoint_min_changes;
  return min > 0 && writable() && pending_ >= std::max<std::uint64_t>(min, snapshot_.documents);
}

bool Durable::has_unsnapshotted_changes(const Indexes& indexes) const noexcept {
  return pending_ > 0 || vectors_rebuilt_ || lexical_rebuilt_ || (snapshot_.generation == 0 && indexes.ids.size() > 0);
}

Durable::Checkpoint Durable::write_checkpoint(const Indexes& indexes) const {
  if (!writable()) {
    throw InvalidArgument("collection at " + path_ + " is open " + access_name(store_->access()) +
                          "; only the writer (access='read_write') writes snapshots");
  }
  const Checkpoint next{snapshot_.generation + 1, seq_, indexes.ids.size(), /*lexical=*/true,
                        indexes.bm25.analyzer().fingerprint()};
  if (indexes.vectors) write_snapshot(*indexes.vectors, path_, next.generation);
  write_lexical_snapshot(indexes.bm25.inverted(), path_, next.generation);
  return next;
}

void Durable::commit_checkpoint(const Checkpoint& next) {
  store::WriteBatch batch = store_->batch();
  std::string record;
  put_le<std::uint64_t>(record, next.generation);
  put_le<std::uint64_t>(record, next.seq);
  put_le<std::uint64_t>(record, next.documents);
  put_u8(record, next.lexical ? 1 : 0);
  put_bytes(record, next.analyzer);
  batch.put(manifest_, kSnapshotKey, record);
  batch.erase_range(changes_, seq_key(0), seq_key(next.seq + 1));  // folded into the snapshot
  store_->write(batch);
  snapshot_ = next;
  pending_ = 0;
  vectors_rebuilt_ = false;
  lexical_rebuilt_ = false;
  remove_old_snapshots(path_, next.generation);
}

std::optional<std::vector<std::string>> Durable::catch_up() {
  if (store_->access() != store::Access::secondary) {
    throw InvalidArgument("collection at " + path_ + " is open " + access_name(store_->access()) +
                          "; only access='secondary' follows a writer");
  }
  store_->try_catch_up();
  const std::uint64_t applied = seq_;
  read_state();
  if (snapshot_.seq > applied) return std::nullopt;  // the changes in between are gone: reload
  return changed_since(applied);
}

void Durable::read_texts(std::span<Hit*> hits) const {
  std::vector<std::string> ids;
  ids.reserve(hits.size());
  for (const Hit* h : hits) ids.push_back(h->id);
  auto docs = docs_->get(ids, store::kFieldText);
  for (std::size_t i = 0; i < hits.size(); ++i) {
    if (!docs[i]) throw Corruption("collection at " + path_ + ": document '" + ids[i] + "' is indexed but not stored");
    hits[i]->text = std::move(docs[i]->text);
  }
}

std::vector<std::optional<store::Document>> Durable::read(std::span<const std::string> ids, unsigned fields) const {
  return docs_->get(ids, fields);
}

std::uint64_t Durable::snapshot_bytes() const {
  if (snapshot_.generation == 0) return 0;
  std::uint64_t total = 0;
  std::error_code ec;
  if (options_.dim > 0) {
    const auto size = fs::file_size(snapshot_path(path_, snapshot_.generation), ec);
    if (!ec) total += size;
  }
  if (snapshot_.lexical) {
    const auto size = fs::file_size(lexical_snapshot_path(path_, snapshot_.generation), ec);
    if (!ec) total += size;
  }
  return total;
}

void Durable::close() {
  // A writer leaves its memtables in table files, so the next open reads them instead of
  // replaying the write-ahead log; the store closes even if the flush fails.
  if (writable() && !store_->closed()) {
    try {
      store_->flush();
    } catch (...) {
      store_->close();
      throw;
    }
  }
  store_->close();
}

}  // namespace ragkernel::collection::detail

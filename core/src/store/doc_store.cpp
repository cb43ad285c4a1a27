#include "ragkernel/store/doc_store.hpp"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <unordered_set>

#include "ragkernel/error.hpp"
#include "ragkernel/store/doc_key.hpp"
#include "store/encoding.hpp"

namespace ragkernel::store {
namespace {

constexpr const char* kCountKey = "docstore/count";

std::string vector_bytes(const float* row, std::uint32_t dim) {
  std::string bytes(static_cast<std::size_t>(dim) * sizeof(float), '\0');
  std::memcpy(bytes.data(), row, bytes.size());  // little-endian hosts only (checked in encoding.hpp users)
  return bytes;
}

std::string quote_id(std::string_view id) { return "'" + std::string(id) + "'"; }

}  // namespace

std::vector<FamilySpec> DocStore::families() {
  return {
      FamilySpec{.name = kDocuments, .layout = KeyLayout::per_document, .compression = Compression::lz4},
      FamilySpec{.name = kMetadata, .layout = KeyLayout::per_document, .compression = Compression::lz4},
      // float32 noise does not compress; do not spend CPU trying.
      FamilySpec{.name = kVectors, .layout = KeyLayout::per_document, .compression = Compression::none},
  };
}

Schema DocStore::schema(std::uint32_t dim) {
  return Schema{.kind = kKind, .families = families(), .config = {{"dim", std::to_string(dim)}}};
}

std::unique_ptr<DocStore> DocStore::open(const std::string& path, std::optional<std::uint32_t> dim,
                                         const StoreOptions& options) {
  Schema schema{.kind = kKind, .families = families(), .config = {}};
  if (dim) {
    schema.config.emplace_back("dim", std::to_string(*dim));
  } else if (std::error_code ec; options.access == Access::read_write &&
                                 (!std::filesystem::exists(path, ec) || std::filesystem::is_empty(path, ec))) {
    throw InvalidArgument("no docstore at " + path + " yet; creating one needs dim (0 for a store without vectors)");
  }
  std::shared_ptr<Store> store = Store::open(path, schema, options);
  const std::optional<std::string> recorded = store->config("dim");
  if (!recorded) {  // a store re-created empty (say, after a repair that recovered nothing)
    throw InvalidArgument("docstore at " + path + " has no dimension recorded; open it with dim=...");
  }
  const std::string& stored = *recorded;
  std::uint32_t stored_dim = 0;
  try {
    stored_dim = static_cast<std::uint32_t>(std::stoul(stored));
  } catch (const std::exception&) {
    throw Corruption("docstore at " + path + ": manifest dim is '" + stored + "', expected a decimal integer");
  }
  return std::make_unique<DocStore>(std::move(store), stored_dim);
}

DocStore::DocStore(std::shared_ptr<Store> store, std::uint32_t dim) : store_(std::move(store)), dim_(dim) {
  documents_ = store_->family(kDocuments);
  metadata_ = store_->family(kMetadata);
  vectors_ = store_->family(kVectors);
  manifest_ = store_->manifest_family();
  for (const std::string& name : store_->family_names()) {
    const Family f = store_->family(name);
    if (store_->family_spec(f).layout == KeyLayout::per_document) per_document_.push_back(f);
  }
}

void DocStore::validate(const DocumentChanges& changes) const {
  const DocumentBatch& d = changes.documents;
  const std::size_t n = d.ids.size();
  if (!d.texts.empty() && d.texts.size() != n) {
    throw InvalidArgument("texts has " + std::to_string(d.texts.size()) + " entries, expected one per id (" +
                          std::to_string(n) + ")");
  }
  if (!d.metadata.empty() && d.metadata.size() != n) {
    throw InvalidArgument("metadata has " + std::to_string(d.metadata.size()) + " entries, expected one per id (" +
                          std::to_string(n) + ")");
  }
  const std::size_t want = n * dim_;
  if (d.vectors.size() != want) {
    if (dim_ == 0)
      throw InvalidArgument("this docstore keeps no vectors (dim 0), got " + std::to_string(d.vectors.size()) +
                            " floats");
    throw InvalidArgument("vectors has " + std::to_string(d.vectors.size()) + " floats, expected " + std::to_string(n) +
                          " x " + std::to_string(dim_) + " = " + std::to_string(want));
  }
  for (std::size_t i = 0; i < d.vectors.size(); ++i) {
    if (!std::isfinite(d.vectors[i])) {
      throw InvalidArgument("vector of id " + quote_id(d.ids[i / dim_]) + " has a non-finite value at position " +
                            std::to_string(i % dim_));
    }
  }
  std::unordered_set<std::string_view> seen;
  for (const std::string& id : d.ids) {
    if (id.empty()) throw InvalidArgument("document ids must be non-empty strings");
    if (!seen.insert(id).second) throw InvalidArgument("id " + quote_id(id) + " appears twice in one write");
  }
  for (const std::string& id : changes.erase_ids) {
    if (seen.contains(id)) throw InvalidArgument("id " + quote_id(id) + " is both written and deleted in one call");
  }
}

ApplyResult DocStore::apply(const DocumentChanges& changes) {
  std::lock_guard lock(writer_);
  validate(changes);
  const DocumentBatch& d = changes.documents;

  auto existing = [&](const std::vector<std::string>& ids) {
    std::vector<std::string> keys;
    keys.reserve(ids.size());
    for (const std::string& id : ids) keys.push_back(doc_key(id));
    std::vector<std::string_view> views(keys.begin(), keys.end());
    std::vector<bool> found(ids.size(), false);
    store_->multi_get(documents_, views,
                      [&](std::size_t i, std::optional<std::string_view> v) { found[i] = v.has_value(); });
    return found;
  };

  ApplyResult result;
  result.replaced = existing(d.ids);
  if (changes.mode == WriteMode::add) {
    for (std::size_t i = 0; i < d.ids.size(); ++i) {
      if (result.replaced[i])
        throw InvalidArgument("id " + quote_id(d.ids[i]) + " already exists; use upsert to replace it");
    }
  }
  result.erased = existing(changes.erase_ids);

  WriteBatch batch = store_->batch();
  std::unordered_set<std::string_view> cleared;
  auto clear_document = [&](const std::string& id) {
    if (!cleared.insert(id).second) return;
    const std::string prefix = doc_key(id);
    for (const Family f : per_document_) {
      store_->scan_prefix(f, prefix, [&](std::string_view key, std::string_view) {
        batch.erase(f, key);
        return true;
      });
    }
  };
  std::int64_t delta = 0;
  for (std::size_t i = 0; i < changes.erase_ids.size(); ++i) {
    if (!result.erased[i]) continue;
    if (cleared.contains(changes.erase_ids[i])) {
      result.erased[i] = false;  // a repeated id is removed once
      continue;
    }
    clear_document(changes.erase_ids[i]);
    --delta;
  }
  for (std::size_t i = 0; i < d.ids.size(); ++i) {
    const std::string key = doc_key(d.ids[i]);
    if (result.replaced[i]) {
      clear_document(d.ids[i]);
    } else {
      ++delta;
    }
    batch.put(documents_, key, d.texts.empty() ? std::string_view() : std::string_view(d.texts[i]));
    if (!d.metadata.empty() && d.metadata[i]) batch.put(metadata_, key, *d.metadata[i]);
    if (dim_ > 0) batch.put(vectors_, key, vector_bytes(d.vectors.data() + i * dim_, dim_));
  }
  std::string count;
  detail::put_le<std::uint64_t>(count, static_cast<std::uint64_t>(static_cast<std::int64_t>(size()) + delta));
  batch.put(manifest_, kCountKey, count);
  if (changes.extra) changes.extra(batch);
  store_->write(batch);
  return result;
}

ApplyResult DocStore::add(DocumentBatch documents) {
  return apply(
      DocumentChanges{.mode = WriteMode::add, .documents = std::move(documents), .erase_ids = {}, .extra = {}});
}

ApplyResult DocStore::upsert(DocumentBatch documents) {
  return apply(
      DocumentChanges{.mode = WriteMode::upsert, .documents = std::move(documents), .erase_ids = {}, .extra = {}});
}

std::vector<bool> DocStore::erase(std::span<const std::string> ids) {
  return apply(DocumentChanges{
                   .mode = WriteMode::upsert, .documents = {}, .erase_ids = {ids.begin(), ids.end()}, .extra = {}})
      .erased;
}

std::vector<float> DocStore::decode_vector(std::string_view id, std::string_view bytes) const {
  if (bytes.size() != static_cast<std::size_t>(dim_) * sizeof(float)) {
    throw Corruption("docstore at " + store_->path() + ": vector of id " + quote_id(id) + " has " +
                     std::to_string(bytes.size()) + " bytes, expected " + std::to_string(dim_) + " x 4");
  }
  std::vector<float> v(dim_);
  std::memcpy(v.data(), bytes.data(), bytes.size());
  return v;
}

std::vector<std::optional<Document>> DocStore::get(std::span<const std::string> ids, unsigned fields) const {
  const ReadView view = store_->view();
  std::vector<std::string> keys;
  keys.reserve(ids.size());
  for (const std::string& id : ids) keys.push_back(doc_key(id));
  const std::vector<std::string_view> views(keys.begin(), keys.end());

  std::vector<std::optional<Document>> out(ids.size());
  store_->multi_get(
      documents_, views,
      [&](std::size_t i, std::optional<std::string_view> text) {
        if (!text) return;
        out[i].emplace();
        out[i]->id = ids[i];
        if (fields & kFieldText) out[i]->text = std::string(*text);
      },
      &view);
  if (fields & kFieldMetadata) {
    store_->multi_get(
        metadata_, views,
        [&](std::size_t i, std::optional<std::string_view> m) {
          if (m && out[i]) out[i]->metadata = std::string(*m);
        },
        &view);
  }
  if ((fields & kFieldVector) && dim_ > 0) {
    store_->multi_get(
        vectors_, views,
        [&](std::size_t i, std::optional<std::string_view> v) {
          if (v && out[i]) out[i]->vector = decode_vector(ids[i], *v);
        },
        &view);
  }
  return out;
}

bool DocStore::contains(std::string_view id) const { return store_->get(documents_, doc_key(id)).has_value(); }

std::size_t DocStore::size() const {
  const std::optional<std::string> count = store_->get(manifest_, kCountKey);
  if (!count) return 0;
  detail::Reader r(*count);
  const auto n = r.le<std::uint64_t>();
  if (r.failed()) throw Corruption("docstore at " + store_->path() + ": document count record is damaged");
  return static_cast<std::size_t>(n);
}

void DocStore::scan(const std::function<bool(const Document&)>& visit, unsigned fields) const {
  const ReadView view = store_->view();
  Cursor docs = store_->cursor(documents_, {}, &view);
  std::optional<Cursor> meta, vecs;
  if (fields & kFieldMetadata) meta.emplace(store_->cursor(metadata_, {}, &view));
  if ((fields & kFieldVector) && dim_ > 0) vecs.emplace(store_->cursor(vectors_, {}, &view));
  docs.seek_to_first();
  if (meta) meta->seek_to_first();
  if (vecs) vecs->seek_to_first();

  // The three families share one key order: advance the side cursors to each document's key.
  auto align = [](Cursor& c, std::string_view key) {
    while (c.valid() && c.key() < key) c.next();
    return c.valid() && c.key() == key;
  };
  Document doc;
  for (; docs.valid(); docs.next()) {
    const std::string_view key = docs.key();
    const auto parts = parse_doc_key(key);
    if (!parts) throw Corruption("docstore at " + store_->path() + ": a document key does not parse");
    if (!parts->suffix.empty()) continue;
    doc.id.assign(parts->doc_id);
    doc.text.clear();
    if (fields & kFieldText) doc.text.assign(docs.value());
    doc.metadata.reset();
    if (meta && align(*meta, key)) doc.metadata.emplace(meta->value());
    doc.vector.clear();
    if (vecs && align(*vecs, key)) doc.vector = decode_vector(doc.id, vecs->value());
    if (!visit(doc)) return;
  }
}

}  // namespace ragkernel::store

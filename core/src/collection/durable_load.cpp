// Rebuilding a durable collection's indexes from its store: ids, metadata, then the BM25 and
// vector indexes from their snapshot (plus the documents changed since) or from the stored
// texts and vectors. Documents are read in internal-id order, in chunks, so postings are
// appended rather than merged and memory stays bounded.
#include <algorithm>
#include <future>
#include <unordered_set>

#include "collection/durable.hpp"
#include "collection/metadata_codec.hpp"
#include "collection/snapshot.hpp"
#include "ragkernel/error.hpp"
#include "ragkernel/store/doc_key.hpp"
#include "store/encoding.hpp"

namespace ragkernel::collection::detail {
namespace {

constexpr std::size_t kTextChunk = 16384;
constexpr std::size_t kVectorChunk = 65536;

std::vector<std::uint32_t> live_ids(const IdMap& ids) {
  std::vector<std::uint32_t> out;
  out.reserve(ids.size());
  ids.live().for_each([&](std::size_t id) { out.push_back(static_cast<std::uint32_t>(id)); });
  return out;
}

bool same_vector_options(const vector::IndexOptions& a, const vector::IndexOptions& b) {
  return a.dim == b.dim && a.metric == b.metric && a.kind == b.kind && a.quantization == b.quantization &&
         a.keep_float == b.keep_float && a.M == b.M && a.ef_construction == b.ef_construction &&
         a.ef_search == b.ef_search && a.seed == b.seed;
}

}  // namespace

std::unique_ptr<Indexes> Durable::load() {
  constexpr int kAttempts = 3;
  for (int attempt = 1;; ++attempt) {
    try {
      return load_once();
    } catch (const Corruption&) {
      // A secondary may read a manifest whose snapshot the writer has just replaced twice.
      if (store_->access() != store::Access::secondary || attempt == kAttempts) throw;
      store_->try_catch_up();
    }
  }
}

std::unique_ptr<Indexes> Durable::load_once() {
  read_state();
  auto indexes = std::make_unique<Indexes>(options_, /*keep_texts=*/false);
  restore_ids(*indexes);
  const bool from_snapshot = open_.restore != VectorRestore::rebuild && snapshot_.generation > 0;
  const std::vector<std::string> changed = from_snapshot ? changed_since(snapshot_.seq) : std::vector<std::string>{};
  const bool lexical = lexical_snapshot_usable(*indexes);
  // Two halves side by side: the metadata and the document check read the store, the BM25 and
  // vector indexes come mostly from their snapshot files. They fill different members of
  // `indexes` and only read the IdMap, which is complete by now.
  auto store_half = std::async(std::launch::async, [&] {
    restore_metadata(*indexes);
    if (lexical) check_documents();
  });
  try {
    restore_texts(*indexes, changed, lexical);
    restore_vectors(*indexes, changed);
  } catch (...) {
    store_half.wait();  // its own error, if any, is dropped: one is enough to report
    throw;
  }
  store_half.get();
  return indexes;
}

void Durable::check_documents() const {
  // The lexical snapshot spares reading the texts; one sequential pass over their table files
  // still checks every block's checksum, so a damaged document store is reported at open (as
  // when every text was analysed again) rather than at the first search that reads a text.
  std::size_t n = 0;
  store_->scan(store_->family(store::DocStore::kDocuments), {}, {}, [&](std::string_view, std::string_view) {
    ++n;
    return true;
  });
  if (n != docs_->size()) {
    throw Corruption("collection at " + path_ + " counts " + std::to_string(docs_->size()) + " documents but holds " +
                     std::to_string(n) + " texts");
  }
}

void Durable::restore_ids(Indexes& indexes) const {
  std::vector<std::pair<std::uint32_t, std::string>> assigned;
  store_->scan(ids_, {}, {}, [&](std::string_view key, std::string_view value) {
    const auto parts = store::parse_doc_key(key);
    store::detail::Reader r(value);
    const auto id = r.le<std::uint32_t>();
    if (!parts || r.failed() || r.remaining() != 0) {
      throw Corruption("collection at " + path_ + ": an internal-id record is damaged");
    }
    assigned.emplace_back(id, std::string(parts->doc_id));
    return true;
  });
  std::sort(assigned.begin(), assigned.end());
  for (std::size_t i = 0; i < assigned.size(); ++i) {
    if (i > 0 && assigned[i].first == assigned[i - 1].first) {
      throw Corruption("collection at " + path_ + ": documents '" + assigned[i - 1].second + "' and '" +
                       assigned[i].second + "' share internal id " + std::to_string(assigned[i].first));
    }
    indexes.ids.insert_at(assigned[i].second, assigned[i].first);
  }
  const std::size_t stored = docs_->size();
  if (stored != assigned.size()) {
    throw Corruption("collection at " + path_ + " counts " + std::to_string(stored) + " documents but holds " +
                     std::to_string(assigned.size()) + " internal ids");
  }
}

void Durable::restore_metadata(Indexes& indexes) const {
  // One sequential pass over the metadata family (no texts read); documents without a record
  // get an empty one, as when they were added.
  std::vector<std::pair<std::uint32_t, filter::Metadata>> found;
  found.reserve(indexes.ids.size());
  store_->scan(store_->family(store::DocStore::kMetadata), {}, {}, [&](std::string_view key, std::string_view value) {
    const auto parts = store::parse_doc_key(key);
    const auto id = parts ? indexes.ids.find(parts->doc_id) : std::nullopt;
    if (!id) throw Corruption("collection at " + path_ + ": a metadata record belongs to no document");
    found.emplace_back(
        *id, decode_metadata(value, "collection at " + path_ + ", document '" + std::string(parts->doc_id) + "'"));
    return true;
  });
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  const std::vector<std::uint32_t> ids = live_ids(indexes.ids);
  std::vector<filter::Metadata> records;
  std::size_t next = 0;  // into found
  for (std::size_t begin = 0; begin < ids.size(); begin += kTextChunk) {
    const std::span<const std::uint32_t> chunk(ids.data() + begin, std::min(kTextChunk, ids.size() - begin));
    records.clear();
    for (const std::uint32_t id : chunk) {
      const bool has = next < found.size() && found[next].first == id;
      records.push_back(has ? std::move(found[next++].second) : filter::Metadata{});
    }
    try {
      indexes.metadata.set(chunk, records);
    } catch (const InvalidArgument& e) {
      throw Corruption("collection at " + path_ + ": stored metadata cannot be indexed again (" + e.what() + ")");
    }
  }
  if (next != found.size())
    throw Corruption("collection at " + path_ + ": its metadata records do not match its documents");
}

void Durable::index_texts(Indexes& indexes, std::span<const std::uint32_t> ids) const {
  std::vector<std::string> keys, texts;
  for (std::size_t begin = 0; begin < ids.size(); begin += kTextChunk) {
    const std::span<const std::uint32_t> chunk(ids.data() + begin, std::min(kTextChunk, ids.size() - begin));
    keys.clear();
    for (const std::uint32_t id : chunk) keys.emplace_back(indexes.ids.key(id));
    auto docs = docs_->get(keys, store::kFieldText);
    texts.clear();
    for (std::size_t i = 0; i < chunk.size(); ++i) {
      if (!docs[i]) {
        throw Corruption("collection at " + path_ + ": document '" + keys[i] + "' has an internal id but no text");
      }
      texts.push_back(std::move(docs[i]->text));
    }
    try {
      indexes.bm25.add_terms(chunk, analyse_texts(indexes.bm25.analyzer(), keys, texts));
    } catch (const InvalidArgument& e) {
      throw Corruption("collection at " + path_ + ": stored documents cannot be indexed again (" + e.what() + ")");
    }
  }
}

bool Durable::lexical_snapshot_usable(const Indexes& indexes) const {
  // A snapshot from an analyzer that analyses differently (another ICU or Snowball, or a
  // changed tokenizer) would mix two analyses in one index: it is rebuilt from the texts.
  return open_.restore == VectorRestore::snapshot && snapshot_.lexical &&
         snapshot_.analyzer == indexes.bm25.analyzer().fingerprint();
}

void Durable::restore_texts(Indexes& indexes, const std::vector<std::string>& changed, bool from_snapshot) {
  if (!from_snapshot) {
    index_texts(indexes, live_ids(indexes.ids));
    lexical_rebuilt_ = snapshot_.generation > 0;  // the next snapshot gets a current lexical index
    return;
  }
  text::InvertedIndex loaded = read_lexical_snapshot(path_, snapshot_.generation);
  // Forget documents deleted or rewritten since the snapshot, then index every changed one.
  const std::unordered_set<std::string> changed_set(changed.begin(), changed.end());
  std::vector<std::uint32_t> stale;
  for (const std::uint32_t id : loaded.ids()) {
    if (!indexes.ids.is_live(id) || changed_set.count(std::string(indexes.ids.key(id))) != 0) stale.push_back(id);
  }
  std::vector<std::uint32_t> todo;
  for (const std::string& key : changed) {
    if (const auto id = indexes.ids.find(key)) todo.push_back(*id);
  }
  std::sort(todo.begin(), todo.end());
  try {
    if (!stale.empty()) loaded.remove(stale);
  } catch (const Error& e) {
    throw Corruption("collection at " + path_ + ": lexical snapshot " + std::to_string(snapshot_.generation) +
                     " disagrees with the stored documents (" + e.what() + "); open with restore='rebuild_text'");
  }
  indexes.bm25.restore_index(std::move(loaded));
  index_texts(indexes, todo);
  lexical_rebuilt_ = false;
}

void Durable::restore_vectors(Indexes& indexes, const std::vector<std::string>& changed) {
  if (!indexes.vectors) return;
  std::vector<std::uint32_t> todo;  // ids whose stored vector the index must take
  if (open_.restore != VectorRestore::rebuild && snapshot_.generation > 0) {
    auto loaded = read_snapshot(path_, snapshot_.generation, open_.mmap);
    vector::IndexOptions want = options_.vector;
    want.dim = options_.dim;
    if (!same_vector_options(loaded->options(), want)) {
      throw Corruption("collection at " + path_ + ": vector snapshot " + std::to_string(snapshot_.generation) +
                       " was made with other index settings than the manifest's; open with restore='rebuild'");
    }
    // Forget documents deleted since the snapshot, then take every document changed since.
    std::vector<std::uint32_t> stale;
    for (std::uint32_t id = 0; id < loaded->id_capacity(); ++id) {
      if (loaded->contains(id) && !indexes.ids.is_live(id)) stale.push_back(id);
    }
    if (!stale.empty()) loaded->remove(stale);
    for (const std::string& key : changed) {
      if (const auto id = indexes.ids.find(key)) todo.push_back(*id);
    }
    std::sort(todo.begin(), todo.end());
    indexes.vectors = std::move(loaded);
    vectors_rebuilt_ = false;
  } else {
    todo = live_ids(indexes.ids);
    vectors_rebuilt_ = snapshot_.generation > 0;
  }
  const std::size_t dim = options_.dim;
  std::vector<std::string> keys;
  std::vector<float> rows;
  for (std::size_t begin = 0; begin < todo.size(); begin += kVectorChunk) {
    const std::span<const std::uint32_t> chunk(todo.data() + begin, std::min(kVectorChunk, todo.size() - begin));
    keys.clear();
    for (const std::uint32_t id : chunk) keys.emplace_back(indexes.ids.key(id));
    const auto docs = docs_->get(keys, store::kFieldVector);
    rows.resize(chunk.size() * dim);
    for (std::size_t i = 0; i < chunk.size(); ++i) {
      if (!docs[i] || docs[i]->vector.size() != dim) {
        throw Corruption("collection at " + path_ + ": document '" + keys[i] + "' has no stored vector");
      }
      std::copy(docs[i]->vector.begin(), docs[i]->vector.end(), rows.begin() + static_cast<std::ptrdiff_t>(i * dim));
    }
    try {
      indexes.vectors->upsert(chunk, rows.data());
    } catch (const InvalidArgument& e) {
      throw Corruption("collection at " + path_ + ": stored vectors cannot be indexed again (" + e.what() + ")");
    }
  }
}

void Durable::apply_changes(Indexes& indexes, std::span<const std::string> changed) const {
  // Where each changed document stands now: its internal id, or gone.
  std::vector<std::string> keys;
  for (const std::string& id : changed) keys.push_back(store::doc_key(id));
  const std::vector<std::string_view> views(keys.begin(), keys.end());
  std::vector<std::optional<std::uint32_t>> now(changed.size());
  store_->multi_get(ids_, views, [&](std::size_t i, std::optional<std::string_view> v) {
    if (!v) return;
    store::detail::Reader r(*v);
    now[i] = r.le<std::uint32_t>();
    if (r.failed()) throw Corruption("collection at " + path_ + ": an internal-id record is damaged");
  });

  // Gone, or moved to another internal id: forget the old entry first.
  DeletePlan gone;
  for (std::size_t i = 0; i < changed.size(); ++i) {
    const auto old = indexes.ids.find(changed[i]);
    if (old && (!now[i] || *now[i] != *old)) {
      gone.ids.push_back(changed[i]);
      gone.internal.push_back(*old);
    }
  }
  apply_delete(indexes, gone);

  Documents docs;
  WritePlan plan;
  plan.upsert = true;
  for (std::size_t i = 0; i < changed.size(); ++i) {
    if (!now[i]) continue;
    const auto old = indexes.ids.find(changed[i]);
    if (!old) {
      if (indexes.ids.is_live(*now[i])) {
        throw Corruption("collection at " + path_ + ": internal id " + std::to_string(*now[i]) +
                         " is given to two documents");
      }
      indexes.ids.insert_at(changed[i], *now[i]);
    }
    docs.ids.push_back(changed[i]);
    plan.existing.push_back(old ? *old : IdMap::kNone);
    plan.assigned.push_back(*now[i]);
  }
  if (docs.ids.empty()) return;
  auto stored = docs_->get(docs.ids, store::kAllFields);
  std::vector<float> rows;
  for (std::size_t i = 0; i < docs.ids.size(); ++i) {
    if (!stored[i]) throw Corruption("collection at " + path_ + ": document '" + docs.ids[i] + "' is missing");
    docs.texts.push_back(std::move(stored[i]->text));
    const std::string where = "collection at " + path_ + ", document '" + docs.ids[i] + "'";
    plan.metadata.push_back(stored[i]->metadata ? decode_metadata(*stored[i]->metadata, where) : filter::Metadata{});
    rows.insert(rows.end(), stored[i]->vector.begin(), stored[i]->vector.end());
  }
  docs.vectors = rows;
  plan.terms = analyse_texts(indexes.bm25.analyzer(), docs.ids, docs.texts);
  apply_write(indexes, docs, plan);
}

}  // namespace ragkernel::collection::detail

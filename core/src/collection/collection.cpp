// The Collection: locking, and the order of the steps of a write (plan, durable write, apply).
#include "ragkernel/collection/collection.hpp"

#include <atomic>
#include <mutex>
#include <shared_mutex>
#include <unordered_set>

#include "collection/durable.hpp"
#include "collection/indexes.hpp"
#include "collection/rw_lock.hpp"
#include "collection/search.hpp"
#include "collection/write_plan.hpp"
#include "ragkernel/error.hpp"

namespace ragkernel::collection {

struct Collection::State {
  CollectionOptions options;
  std::unique_ptr<detail::Durable> durable;  // null in memory
  std::unique_ptr<detail::Indexes> indexes;
  mutable detail::RwLock lock;  // shared: reads; exclusive: changing the indexes (and a secondary's store)
  std::mutex writer;            // one writer at a time (writes, checkpoints, catch-ups, close)
  std::atomic<bool> closed{false};

  std::string name() const { return durable ? "collection at " + durable->path() : "this collection"; }

  void check_open() const {
    if (closed.load()) throw InvalidArgument(name() + " is closed; open it again to use it");
  }
  void check_writable() const {
    if (durable && !durable->writable()) {
      throw InvalidArgument(name() + " is open for reading only; writes need access='read_write'");
    }
  }
  void checkpoint() {  // holds `writer`
    const detail::Durable::Checkpoint next = durable->write_checkpoint(*indexes);
    std::unique_lock exclusive(lock);
    durable->commit_checkpoint(next);
  }
};

namespace {

const std::string kNoPath;

}  // namespace

Collection::Collection(std::unique_ptr<State> state) : state_(std::move(state)) {}

Collection::Collection(const CollectionOptions& options) : state_(std::make_unique<State>()) {
  options.validate();
  state_->options = options;
  state_->indexes = std::make_unique<detail::Indexes>(options, /*keep_texts=*/true);
}

std::unique_ptr<Collection> Collection::create(const std::string& path, const CollectionOptions& options,
                                               const store::StoreOptions& store_options) {
  auto state = std::make_unique<State>();
  state->durable = detail::Durable::create(path, options, store_options);
  state->options = state->durable->options();
  state->indexes = std::make_unique<detail::Indexes>(state->options, /*keep_texts=*/false);
  return std::unique_ptr<Collection>(new Collection(std::move(state)));
}

std::unique_ptr<Collection> Collection::open(const std::string& path, const OpenOptions& options) {
  auto state = std::make_unique<State>();
  state->durable = detail::Durable::open(path, options);
  state->options = state->durable->options();
  try {
    state->indexes = state->durable->load();
  } catch (...) {
    state->durable->close();
    throw;
  }
  return std::unique_ptr<Collection>(new Collection(std::move(state)));
}

Collection::~Collection() {
  try {
    close();
  } catch (...) {  // a destructor must not throw; the change log keeps what a snapshot missed
  }
}

const CollectionOptions& Collection::options() const noexcept { return state_->options; }
std::size_t Collection::dim() const noexcept { return state_->options.dim; }
bool Collection::durable() const noexcept { return state_->durable != nullptr; }
const std::string& Collection::path() const noexcept { return state_->durable ? state_->durable->path() : kNoPath; }
store::Access Collection::access() const noexcept {
  return state_->durable ? state_->durable->store().access() : store::Access::read_write;
}

namespace {

WriteResult write(Collection::State& s, const Documents& docs, std::span<const std::string> erase, bool upsert) {
  std::lock_guard writer(s.writer);
  s.check_open();
  s.check_writable();
  // Other writers are excluded and readers only read: the plans stay valid until applied.
  detail::WritePlan plan = detail::plan_write(*s.indexes, docs, upsert);
  const detail::DeletePlan removal = detail::plan_delete(*s.indexes, erase);
  if (!erase.empty()) {
    const std::unordered_set<std::string_view> erased(erase.begin(), erase.end());
    for (const std::string& id : docs.ids) {
      if (erased.contains(id)) {
        throw InvalidArgument("id '" + id + "' is both written and deleted in one call; pass it once");
      }
    }
  }
  if (docs.ids.empty() && erase.empty()) return {};
  {
    std::unique_lock exclusive(s.lock);
    // New documents get ids now; the deleted ones are still live, so none is reused here.
    detail::assign_ids(*s.indexes, docs, plan);
    if (s.durable) {
      try {
        s.durable->write(docs, plan, removal);
      } catch (...) {
        detail::undo_assign(*s.indexes, docs, plan);
        throw;
      }
    }
    detail::apply_delete(*s.indexes, removal);
    detail::apply_write(*s.indexes, docs, plan);
  }
  if (s.durable && s.durable->checkpoint_due()) s.checkpoint();
  WriteResult result;
  for (const std::uint32_t id : plan.existing) result.replaced.push_back(id != IdMap::kNone);
  return result;
}

}  // namespace

WriteResult Collection::add(const Documents& docs) { return write(*state_, docs, {}, false); }
WriteResult Collection::upsert(const Documents& docs) { return write(*state_, docs, {}, true); }
WriteResult Collection::update(const Documents& docs, std::span<const std::string> erase) {
  return write(*state_, docs, erase, true);
}
void Collection::remove(std::span<const std::string> ids) { write(*state_, Documents{}, ids, true); }

std::vector<std::optional<Record>> Collection::get(std::span<const std::string> ids, unsigned fields) const {
  const State& s = *state_;
  std::shared_lock shared(s.lock);
  s.check_open();
  const detail::Indexes& idx = *s.indexes;
  std::vector<std::optional<Record>> out(ids.size());
  std::vector<std::size_t> present;
  std::vector<std::uint32_t> internal;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const auto id = idx.ids.find(ids[i]);
    if (!id) continue;
    present.push_back(i);
    internal.push_back(*id);
    Record& r = out[i].emplace();
    r.id = ids[i];
    if (fields & kMetadata) r.metadata = idx.metadata.get(*id);
    if ((fields & kText) && idx.keep_texts) r.text = idx.texts[*id];
  }
  const bool vectors = (fields & kVector) && idx.vectors;
  if (s.durable && (((fields & kText) && !idx.keep_texts) || vectors)) {
    std::vector<std::string> keys;
    for (const std::size_t i : present) keys.push_back(ids[i]);
    const unsigned stored = ((fields & kText) ? store::kFieldText : 0u) | (vectors ? store::kFieldVector : 0u);
    auto docs = s.durable->read(keys, stored);
    for (std::size_t j = 0; j < present.size(); ++j) {
      if (!docs[j]) throw Corruption(s.name() + ": document '" + keys[j] + "' is indexed but not stored");
      Record& r = *out[present[j]];
      if (fields & kText) r.text = std::move(docs[j]->text);
      if (vectors) r.vector = std::move(docs[j]->vector);
    }
  } else if (vectors && !internal.empty()) {
    std::vector<float> rows(internal.size() * idx.dim());
    idx.vectors->get(internal, rows.data());
    for (std::size_t j = 0; j < present.size(); ++j) {
      const auto first = rows.begin() + static_cast<std::ptrdiff_t>(j * idx.dim());
      out[present[j]]->vector.assign(first, first + static_cast<std::ptrdiff_t>(idx.dim()));
    }
  }
  return out;
}

std::vector<std::string> Collection::ids() const {
  std::shared_lock shared(state_->lock);
  state_->check_open();
  const IdMap& map = state_->indexes->ids;
  std::vector<std::string> out;
  out.reserve(map.size());
  map.live().for_each([&](std::size_t id) { out.emplace_back(map.key(static_cast<std::uint32_t>(id))); });
  return out;
}

std::size_t Collection::size() const {
  std::shared_lock shared(state_->lock);
  state_->check_open();
  return state_->indexes->ids.size();
}

bool Collection::contains(std::string_view id) const {
  std::shared_lock shared(state_->lock);
  state_->check_open();
  return state_->indexes->ids.contains(id);
}

std::vector<Hit> Collection::search(const Query& query) const {
  return std::move(search_batch(std::span<const Query>(&query, 1)).front());
}

std::vector<std::vector<Hit>> Collection::search_batch(std::span<const Query> queries, int threads) const {
  const State& s = *state_;
  std::shared_lock shared(s.lock);
  s.check_open();
  detail::TextReader reader;
  if (s.durable) reader = [&s](std::span<Hit*> hits) { s.durable->read_texts(hits); };
  return detail::run_search(*s.indexes, queries, threads, reader);
}

text::Explanation Collection::explain(std::string_view query, std::string_view id) const {
  const State& s = *state_;
  std::shared_lock shared(s.lock);
  s.check_open();
  const auto internal = s.indexes->ids.find(id);
  if (!internal) throw NotFound("explain: id '" + std::string(id) + "' is not in the collection");
  return s.indexes->bm25.explain(query, *internal);
}

CollectionStats Collection::stats() const {
  const State& s = *state_;
  std::shared_lock shared(s.lock);
  s.check_open();
  const detail::Indexes& idx = *s.indexes;
  CollectionStats out;
  out.documents = idx.ids.size();
  out.vocabulary = idx.bm25.inverted().vocabulary_size();
  out.avg_doc_length = idx.bm25.inverted().avg_doc_length();
  out.bm25_bytes = idx.bm25.inverted().memory_bytes();
  out.vector_bytes = idx.vectors ? idx.vectors->memory_usage() : 0;
  out.metadata_fields = idx.metadata.fields().size();
  if (s.durable) {
    out.store = s.durable->store().stats();
    out.snapshot_generation = s.durable->snapshot_generation();
    out.snapshot_bytes = s.durable->snapshot_bytes();
    out.pending_changes = s.durable->pending_changes();
  }
  return out;
}

void Collection::checkpoint() {
  State& s = *state_;
  std::lock_guard writer(s.writer);
  s.check_open();
  if (!s.durable) throw InvalidArgument("an in-memory collection has nothing to checkpoint; use Collection.create");
  s.checkpoint();
}

void Collection::compact() {
  State& s = *state_;
  std::lock_guard writer(s.writer);
  s.check_open();
  if (!s.durable) throw InvalidArgument("an in-memory collection has no files to compact; use Collection.create");
  s.check_writable();
  if (s.durable->has_unsnapshotted_changes(*s.indexes)) s.checkpoint();
  s.durable->store().compact();
}

void Collection::catch_up() {
  State& s = *state_;
  std::lock_guard writer(s.writer);
  s.check_open();
  if (!s.durable) throw InvalidArgument("an in-memory collection has no writer to follow");
  // Exclusive throughout: the store's state moves here, and searches read texts from it.
  std::unique_lock exclusive(s.lock);
  const auto changed = s.durable->catch_up();
  if (changed) {
    try {
      s.durable->apply_changes(*s.indexes, *changed);
      return;
    } catch (const InvalidArgument&) {
      // Metadata the writer now accepts but this reader's columns reject (a field whose every
      // document was deleted and which came back with another type): start afresh.
    }
  }
  s.indexes = s.durable->load();
}

void Collection::close() {
  State& s = *state_;
  std::lock_guard writer(s.writer);
  if (s.closed.load()) return;
  std::exception_ptr failed;
  if (s.durable && s.durable->writable() && s.durable->has_unsnapshotted_changes(*s.indexes)) {
    try {
      s.checkpoint();
    } catch (...) {
      failed = std::current_exception();  // the change log still has it all; close anyway
    }
  }
  {
    std::unique_lock exclusive(s.lock);
    s.closed = true;
    if (s.durable) s.durable->close();
    s.indexes.reset();
  }
  if (failed) std::rethrow_exception(failed);
}

bool Collection::closed() const noexcept { return state_->closed.load(); }

}  // namespace ragkernel::collection

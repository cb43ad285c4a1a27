// Store: families, batched writes, read views, point and range reads, close.
#include "ragkernel/store/store.hpp"

#include <rocksdb/iterator.h>
#include <rocksdb/slice.h>

#include <thread>

#include "store/status.hpp"
#include "store/store_impl.hpp"

namespace ragkernel::store {
namespace {

rocksdb::Slice slice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }
std::string_view view_of(const rocksdb::Slice& s) { return std::string_view(s.data(), s.size()); }

// The smallest key greater than every key that starts with `prefix`; empty if none exists.
std::string prefix_successor(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    auto& last = reinterpret_cast<unsigned char&>(end.back());
    if (last != 0xFF) {
      ++last;
      return end;
    }
    end.pop_back();
  }
  return end;
}

}  // namespace

// ---- Store::Impl ----

rocksdb::ColumnFamilyHandle* Store::Impl::handle(Family family) const {
  if (family.index() >= handles.size()) {
    throw InvalidArgument("family handle " + std::to_string(family.index()) + " does not belong to store at " + path);
  }
  return handles[family.index()];
}

void Store::Impl::close() {
  {
    std::lock_guard lock(cursors_mutex);
    for (Cursor::Impl* cursor : cursors) cursor->it.reset();
    cursors.clear();
  }
  {
    std::lock_guard lock(snapshots_mutex);
    for (const rocksdb::Snapshot* s : snapshots) db->ReleaseSnapshot(s);
    snapshots.clear();
  }
  for (rocksdb::ColumnFamilyHandle* h : handles) db->DestroyColumnFamilyHandle(h);
  handles.clear();
  db->Close().PermitUncheckedError();  // nothing left to lose: every write went through the WAL
  db.reset();
}

namespace detail {

void require_writable(const Store::Impl& impl, const char* operation) {
  if (impl.access != Access::read_write) {
    throw InvalidArgument(std::string(operation) + " needs a store opened with access='read_write'; store at " +
                          impl.path + " is open " +
                          (impl.access == Access::read_only ? "read_only" : "as a secondary"));
  }
}

}  // namespace detail

// ---- Store ----

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Store::~Store() {
  try {
    close();
  } catch (...) {  // NOLINT(bugprone-empty-catch): a destructor must not throw
  }
}

void Store::close() {
  if (impl_->closed.exchange(true)) return;
  while (impl_->in_flight.load() > 0) std::this_thread::yield();
  impl_->close();
  if (!impl_->secondary_dir.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(impl_->secondary_dir, ec);
  }
  if (impl_->registered_writer) {
    std::lock_guard lock(detail::writer_registry_mutex());
    detail::writer_registry().erase(detail::registry_key(impl_->path));
    impl_->registered_writer = false;
  }
}

bool Store::closed() const noexcept { return impl_->closed.load(); }
const std::string& Store::path() const noexcept { return impl_->path; }
Access Store::access() const noexcept { return impl_->access; }
std::int64_t Store::now_ms() const { return impl_->clock(); }
const std::string& Store::kind() const noexcept { return impl_->kind; }
std::uint32_t Store::schema_version() const noexcept { return impl_->schema_version; }

std::optional<std::string> Store::config(std::string_view key) const {
  const auto it = impl_->config.find(key);
  if (it == impl_->config.end()) return std::nullopt;
  return it->second;
}

std::map<std::string, std::string> Store::config() const { return {impl_->config.begin(), impl_->config.end()}; }

Family Store::family(std::string_view name) const {
  const auto it = impl_->by_name.find(name);
  if (it == impl_->by_name.end()) {
    std::string names;
    for (const auto& [n, i] : impl_->by_name) names += (names.empty() ? "" : ", ") + n;
    throw NotFound("store at " + impl_->path + " has no column family '" + std::string(name) + "' (it has: " + names +
                   ")");
  }
  return Family(it->second);
}

bool Store::has_family(std::string_view name) const { return impl_->by_name.contains(name); }

std::vector<std::string> Store::family_names() const {
  std::vector<std::string> names;
  for (const FamilySpec& spec : impl_->specs) names.push_back(spec.name);
  return names;
}

const FamilySpec& Store::family_spec(Family family) const {
  impl_->handle(family);  // validates the index
  return impl_->specs[family.index()];
}

Family Store::manifest_family() const { return Family(impl_->manifest_index); }

// ---- writes ----

WriteBatch::WriteBatch(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WriteBatch::WriteBatch(WriteBatch&&) noexcept = default;
WriteBatch& WriteBatch::operator=(WriteBatch&&) noexcept = default;
WriteBatch::~WriteBatch() = default;

void WriteBatch::put(Family family, std::string_view key, std::string_view value) {
  OpGuard guard(*impl_->store);
  detail::throw_if_error(impl_->rep.Put(impl_->store->handle(family), slice(key), slice(value)), "stage a put");
}

void WriteBatch::erase(Family family, std::string_view key) {
  OpGuard guard(*impl_->store);
  detail::throw_if_error(impl_->rep.Delete(impl_->store->handle(family), slice(key)), "stage a delete");
}

void WriteBatch::erase_range(Family family, std::string_view begin, std::string_view end) {
  OpGuard guard(*impl_->store);
  detail::throw_if_error(impl_->rep.DeleteRange(impl_->store->handle(family), slice(begin), slice(end)),
                         "stage a range delete");
}

std::size_t WriteBatch::count() const { return static_cast<std::size_t>(impl_->rep.Count()); }
std::size_t WriteBatch::byte_size() const { return impl_->rep.GetDataSize(); }
void WriteBatch::clear() { impl_->rep.Clear(); }

WriteBatch Store::batch() {
  OpGuard guard(*impl_);
  auto impl = std::make_unique<WriteBatch::Impl>();
  impl->store = impl_;
  return WriteBatch(std::move(impl));
}

void Store::write(WriteBatch& batch) {
  OpGuard guard(*impl_);
  if (batch.impl_->store != impl_) throw InvalidArgument("write batch belongs to another store");
  detail::require_writable(*impl_, "writing");
  if (batch.empty()) return;
  detail::throw_if_error(impl_->db->Write(impl_->write_options, &batch.impl_->rep), "write to store at " + impl_->path);
  batch.clear();
}

// ---- reads ----

ReadView::ReadView(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ReadView::ReadView(ReadView&&) noexcept = default;
ReadView& ReadView::operator=(ReadView&& other) noexcept {
  if (this != &other) {
    ReadView dying(std::move(*this));
    impl_ = std::move(other.impl_);
  }
  return *this;
}

ReadView::~ReadView() {
  if (!impl_ || impl_->snapshot == nullptr) return;
  Store::Impl& store = *impl_->store;
  std::lock_guard lock(store.snapshots_mutex);
  if (store.snapshots.erase(impl_->snapshot) > 0) store.db->ReleaseSnapshot(impl_->snapshot);
}

ReadView Store::view() const {
  OpGuard guard(*impl_);
  auto impl = std::make_unique<ReadView::Impl>();
  impl->store = impl_;
  // A secondary has no snapshots; its state moves only inside try_catch_up(), so reads between
  // two catch-ups already see one consistent state.
  impl->snapshot = impl_->access == Access::secondary ? nullptr : impl_->db->GetSnapshot();
  if (impl->snapshot != nullptr) {
    std::lock_guard lock(impl_->snapshots_mutex);
    impl_->snapshots.insert(impl->snapshot);
  }
  return ReadView(std::move(impl));
}

// Read options for one call: the view's snapshot, if it belongs to this store.
static rocksdb::ReadOptions options_for(const ReadView* view, const std::shared_ptr<Store::Impl>& impl,
                                        const ReadView::Impl* view_impl) {
  rocksdb::ReadOptions options;
  if (view != nullptr) {
    if (view_impl == nullptr || view_impl->store != impl) throw InvalidArgument("read view belongs to another store");
    options.snapshot = view_impl->snapshot;
  }
  return options;
}

std::optional<std::string> Store::get(Family family, std::string_view key, const ReadView* view) const {
  OpGuard guard(*impl_);
  const rocksdb::ReadOptions options = options_for(view, impl_, view ? view->impl_.get() : nullptr);
  std::string value;
  const rocksdb::Status s = impl_->db->Get(options, impl_->handle(family), slice(key), &value);
  if (s.IsNotFound()) return std::nullopt;
  detail::throw_if_error(s, "read from store at " + impl_->path);
  return value;
}

void Store::multi_get(Family family, std::span<const std::string_view> keys, const MultiGetVisitor& visit,
                      const ReadView* view) const {
  OpGuard guard(*impl_);
  const rocksdb::ReadOptions options = options_for(view, impl_, view ? view->impl_.get() : nullptr);
  rocksdb::ColumnFamilyHandle* handle = impl_->handle(family);
  // In slices of bounded size, so a huge request does not pin every value at once.
  constexpr std::size_t kChunk = 256;
  std::vector<rocksdb::Slice> slices(std::min(keys.size(), kChunk));
  std::vector<rocksdb::PinnableSlice> values(slices.size());
  std::vector<rocksdb::Status> statuses(slices.size());
  for (std::size_t start = 0; start < keys.size(); start += kChunk) {
    const std::size_t n = std::min(kChunk, keys.size() - start);
    for (std::size_t i = 0; i < n; ++i) {
      slices[i] = slice(keys[start + i]);
      values[i].Reset();
    }
    impl_->db->MultiGet(options, handle, n, slices.data(), values.data(), statuses.data());
    for (std::size_t i = 0; i < n; ++i) {
      if (statuses[i].IsNotFound()) {
        visit(start + i, std::nullopt);
        continue;
      }
      detail::throw_if_error(statuses[i], "read from store at " + impl_->path);
      visit(start + i, view_of(values[i]));
    }
  }
}

void Store::scan(Family family, std::string_view begin, std::string_view end, const ScanVisitor& visit,
                 const ReadView* view) const {
  OpGuard guard(*impl_);
  rocksdb::ReadOptions options = options_for(view, impl_, view ? view->impl_.get() : nullptr);
  const std::string upper(end);
  rocksdb::Slice upper_slice(upper);
  if (!upper.empty()) options.iterate_upper_bound = &upper_slice;
  options.auto_prefix_mode = true;  // use the prefix bloom when the bounds allow it
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(options, impl_->handle(family)));
  for (it->Seek(slice(begin)); it->Valid(); it->Next()) {
    if (!visit(view_of(it->key()), view_of(it->value()))) return;
  }
  detail::throw_if_error(it->status(), "scan store at " + impl_->path);
}

// ---- cursors ----

void Cursor::Impl::check() const {
  if (it) detail::throw_if_error(it->status(), "iterate store at " + store->path);
}

Cursor::Cursor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Cursor::Cursor(Cursor&&) noexcept = default;
Cursor& Cursor::operator=(Cursor&& other) noexcept {
  if (this != &other) {
    Cursor dying(std::move(*this));
    impl_ = std::move(other.impl_);
  }
  return *this;
}

Cursor::~Cursor() {
  if (!impl_) return;
  std::lock_guard lock(impl_->store->cursors_mutex);
  if (impl_->store->cursors.erase(impl_.get()) > 0) impl_->it.reset();
}

void Cursor::seek(std::string_view key) {
  OpGuard guard(*impl_->store);
  impl_->it->Seek(slice(key));
  impl_->check();
}

void Cursor::seek_to_first() {
  OpGuard guard(*impl_->store);
  impl_->it->SeekToFirst();
  impl_->check();
}

bool Cursor::valid() const {
  OpGuard guard(*impl_->store);
  return impl_->it->Valid();
}

void Cursor::next() {
  OpGuard guard(*impl_->store);
  impl_->it->Next();
  impl_->check();
}

std::string_view Cursor::key() const {
  OpGuard guard(*impl_->store);
  return view_of(impl_->it->key());
}

std::string_view Cursor::value() const {
  OpGuard guard(*impl_->store);
  return view_of(impl_->it->value());
}

Cursor Store::cursor(Family family, std::string_view upper_bound, const ReadView* view) const {
  OpGuard guard(*impl_);
  rocksdb::ReadOptions options = options_for(view, impl_, view ? view->impl_.get() : nullptr);
  auto impl = std::make_unique<Cursor::Impl>();
  impl->store = impl_;
  impl->upper_bound = std::string(upper_bound);
  impl->upper_slice = rocksdb::Slice(impl->upper_bound);
  if (!impl->upper_bound.empty()) options.iterate_upper_bound = &impl->upper_slice;
  options.auto_prefix_mode = true;
  impl->it.reset(impl_->db->NewIterator(options, impl_->handle(family)));
  std::lock_guard lock(impl_->cursors_mutex);
  impl_->cursors.insert(impl.get());
  return Cursor(std::move(impl));
}

void Store::scan_prefix(Family family, std::string_view prefix, const ScanVisitor& visit, const ReadView* view) const {
  scan(family, prefix, prefix_successor(prefix), visit, view);
}

}  // namespace ragkernel::store

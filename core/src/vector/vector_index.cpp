// ragkernel::vector::VectorIndex: string ids through an IdMap over an internal-id Index.
#include "ragkernel/vector/vector_index.hpp"

#include <atomic>
#include <cstring>
#include <limits>
#include <unordered_set>

#include "ragkernel/error.hpp"
#include "vector/index_impl.hpp"
#include "vector/rw_lock.hpp"

namespace ragkernel::vector {
namespace {

void check_keys(std::span<const std::string> ids) {
  std::unordered_set<std::string_view> seen;
  seen.reserve(ids.size());
  for (const std::string& id : ids) {
    if (id.empty()) throw InvalidArgument("ids must be non-empty strings");
    if (!seen.insert(id).second) throw InvalidArgument("id '" + id + "' appears twice in one batch");
  }
}

std::uint64_t next_serial() {
  static std::atomic<std::uint64_t> serial{0};
  return ++serial;
}

}  // namespace

struct VectorIndex::Locks {
  detail::RwLock ids;
  std::mutex writer;
};

VectorIndex::VectorIndex(const IndexOptions& options)
    : index_(Index::create(options)), serial_(next_serial()), locks_(std::make_unique<Locks>()) {}
VectorIndex::VectorIndex(std::unique_ptr<Index> index, IdMap ids)
    : index_(std::move(index)), ids_(std::move(ids)), serial_(next_serial()), locks_(std::make_unique<Locks>()) {}
VectorIndex::~VectorIndex() = default;

std::vector<std::uint32_t> VectorIndex::assign_new_ids(std::span<const std::string> ids) {
  std::vector<std::uint32_t> internal;
  internal.reserve(ids.size());
  std::unique_lock lock(locks_->ids);
  for (const std::string& id : ids) internal.push_back(ids_.insert(id).first);
  return internal;
}

void VectorIndex::add(std::span<const std::string> ids, const float* vectors) {
  if (ids.empty()) return;
  std::lock_guard writer(locks_->writer);
  check_keys(ids);
  {
    std::shared_lock lock(locks_->ids);
    for (const std::string& id : ids) {
      if (ids_.contains(id)) throw InvalidArgument("id '" + id + "' is already in the index (use upsert to replace)");
    }
  }
  index_->validate(vectors, ids.size());
  const std::vector<std::uint32_t> internal = assign_new_ids(ids);
  try {
    index_->add(internal, vectors);
  } catch (...) {
    // Nothing was added: give the ids back so the map is exactly as before.
    std::unique_lock lock(locks_->ids);
    for (const std::string& id : ids) ids_.erase(id);
    ++removals_;
    throw;
  }
  optimize_after(ids.size());
}

void VectorIndex::upsert(std::span<const std::string> ids, const float* vectors) {
  if (ids.empty()) return;
  std::lock_guard writer(locks_->writer);
  check_keys(ids);
  index_->validate(vectors, ids.size());
  std::vector<std::string> fresh;
  {
    std::shared_lock lock(locks_->ids);
    for (const std::string& id : ids) {
      if (!ids_.contains(id)) fresh.push_back(id);
    }
  }
  std::vector<std::uint32_t> internal;
  {
    std::unique_lock lock(locks_->ids);
    for (const std::string& id : ids) internal.push_back(ids_.insert(id).first);
  }
  try {
    index_->upsert(internal, vectors);
  } catch (...) {
    std::unique_lock lock(locks_->ids);
    for (const std::string& id : fresh) ids_.erase(id);
    ++removals_;
    throw;
  }
  optimize_after(ids.size());
}

void VectorIndex::remove(std::span<const std::string> ids) {
  if (ids.empty()) return;
  std::lock_guard writer(locks_->writer);
  check_keys(ids);
  std::vector<std::uint32_t> internal;
  {
    std::shared_lock lock(locks_->ids);
    for (const std::string& id : ids) {
      const auto found = ids_.find(id);
      if (!found) throw NotFound("id '" + id + "' is not in the index");
      internal.push_back(*found);
    }
  }
  index_->remove(internal);
  std::unique_lock lock(locks_->ids);
  for (const std::string& id : ids) ids_.erase(id);
  ++removals_;
}

void VectorIndex::get(std::span<const std::string> ids, float* out) const {
  std::vector<std::uint32_t> internal;
  std::shared_lock lock(locks_->ids);
  for (const std::string& id : ids) {
    const auto found = ids_.find(id);
    if (!found) throw NotFound("id '" + id + "' is not in the index");
    internal.push_back(*found);
  }
  index_->get(internal, out);
}

bool VectorIndex::contains(std::string_view id) const {
  std::shared_lock lock(locks_->ids);
  const auto found = ids_.find(id);
  return found && index_->contains(*found);
}

std::size_t VectorIndex::size() const { return index_->size(); }

void VectorIndex::optimize() {
  std::lock_guard writer(locks_->writer);
  relayout();
}

void VectorIndex::relayout() {
  const std::vector<std::uint32_t> new_of_old = index_->locality_order();
  if (new_of_old.empty()) return;
  // The new id map is made first: if that throws, nothing has changed.
  std::vector<std::uint32_t> old_of_new(new_of_old.size(), IdMap::kNone);
  IdMap renumbered;
  {
    std::shared_lock lock(locks_->ids);
    for (std::uint32_t old = 0; old < ids_.capacity(); ++old) {
      if (ids_.is_live(old)) old_of_new[new_of_old[old]] = old;
    }
    for (std::uint32_t id = 0; id < old_of_new.size(); ++id) {
      if (old_of_new[id] != IdMap::kNone) renumbered.insert_at(ids_.key(old_of_new[id]), id);
    }
  }
  std::unique_lock lock(locks_->ids);
  index_->renumber(new_of_old);
  ids_ = std::move(renumbered);
  ++layouts_;
}

// A bulk load (one batch of at least half the index) is laid out at once, so the common
// build-then-serve use gets the faster layout without a call; the pass costs under 2% of the
// build.
void VectorIndex::optimize_after(std::size_t batch) {
  const std::size_t n = index_->size();
  if (n >= kOptimizeFrom && 2 * batch >= n) relayout();
}

std::size_t VectorIndex::memory_usage() const {
  std::shared_lock lock(locks_->ids);
  return index_->memory_usage() + ids_.memory_usage();
}

AllowSet VectorIndex::allow_set(std::span<const std::string> ids) const {
  std::shared_lock lock(locks_->ids);
  AllowSet allow;
  allow.bits_ = Bitset(ids_.capacity());
  for (const std::string& id : ids) {
    const auto found = ids_.find(id);
    if (found && !allow.bits_.test(*found)) {
      allow.bits_.set(*found);
      ++allow.found_;
    }
  }
  allow.owner_ = serial_;
  allow.removals_ = removals_;
  allow.layouts_ = layouts_;
  return allow;
}

KeyedResults VectorIndex::search(const float* queries, std::size_t nq, std::size_t k, const AllowSet* allow,
                                 const SearchParams& params) const {
  // Holding the id lock shared for the whole search keeps ids and keys consistent; writers
  // take it exclusively only briefly, so a long add does not block searches.
  std::shared_lock lock(locks_->ids);
  if (allow != nullptr && allow->owner_ != serial_) {
    throw InvalidArgument("the allow-set was made by another index; make it with this index's allow_set()");
  }
  if (allow != nullptr && allow->removals_ != removals_) {
    throw InvalidArgument(
        "the allow-set is stale: ids were removed from the index after it was made (their internal ids may now "
        "belong to other keys); make it again with allow_set()");
  }
  if (allow != nullptr && allow->layouts_ != layouts_) {
    throw InvalidArgument(
        "the allow-set is stale: the index was optimized (its internal ids renumbered) after it was made; make it "
        "again with allow_set()");
  }
  const SearchResults found = index_->search(queries, nq, k, allow != nullptr ? &allow->bits() : nullptr, params);
  KeyedResults out;
  out.nq = nq;
  out.k = k;
  out.ids.resize(nq * k);
  out.scores = found.scores;
  for (std::size_t i = 0; i < nq * k; ++i) {
    const std::uint32_t id = found.ids[i];
    if (id != SearchResults::kNoId && ids_.is_live(id)) {
      out.ids[i] = ids_.key(id);
    } else {
      out.scores[i] = std::numeric_limits<float>::quiet_NaN();
    }
  }
  return out;
}

std::vector<std::byte> VectorIndex::keys_section() const {
  // [count u64][offsets u64 x (count + 1)][key bytes]; free ids have empty keys.
  const std::uint64_t count = ids_.capacity();
  std::vector<std::uint64_t> offsets(count + 1, 0);
  std::string blob;
  for (std::uint32_t id = 0; id < count; ++id) {
    if (ids_.is_live(id)) blob += ids_.key(id);
    offsets[id + 1] = blob.size();
  }
  std::vector<std::byte> out(8 + offsets.size() * 8 + blob.size());
  std::memcpy(out.data(), &count, 8);
  std::memcpy(out.data() + 8, offsets.data(), offsets.size() * 8);
  std::memcpy(out.data() + 8 + offsets.size() * 8, blob.data(), blob.size());
  return out;
}

namespace {

IdMap parse_keys(std::span<const std::byte> bytes, const Index& index) {
  auto corrupt = [](const std::string& what) { return Corruption("vector index file: string ids " + what); };
  if (bytes.size() < 8) throw corrupt("section is truncated");
  std::uint64_t count;
  std::memcpy(&count, bytes.data(), 8);
  if (count > (bytes.size() - 8) / 8 - 1) throw corrupt("section is truncated");
  std::vector<std::uint64_t> offsets(count + 1);
  std::memcpy(offsets.data(), bytes.data() + 8, offsets.size() * 8);
  const char* blob = reinterpret_cast<const char*>(bytes.data()) + 8 + offsets.size() * 8;
  const std::size_t blob_size = bytes.size() - 8 - offsets.size() * 8;
  if (offsets.back() != blob_size) throw corrupt("section has a wrong length");
  // Rebuild with identical internal ids: take each id in order, then free the placeholders of
  // ids that were free when saved.
  IdMap map;
  std::vector<std::string> placeholders;
  for (std::uint64_t id = 0; id < count; ++id) {
    if (offsets[id + 1] < offsets[id] || offsets[id + 1] > blob_size) throw corrupt("have invalid offsets");
    std::string key(blob + offsets[id], offsets[id + 1] - offsets[id]);
    if (key.empty()) {
      key = std::string("\0free:", 6) + std::to_string(id);
      placeholders.push_back(key);
    }
    const auto [assigned, fresh] = map.insert(key);
    if (!fresh || assigned != id) throw corrupt("repeat a key");
  }
  for (const std::string& key : placeholders) map.erase(key);
  for (std::uint32_t id = 0; id < count; ++id) {
    if (map.is_live(id) != index.contains(id)) throw corrupt("disagree with the stored vectors");
  }
  if (index.id_capacity() > count) throw corrupt("are fewer than the stored vectors");
  return map;
}

}  // namespace

void VectorIndex::save(const std::string& path) const {
  std::lock_guard writer(locks_->writer);
  std::shared_lock lock(locks_->ids);
  const std::vector<std::byte> keys = keys_section();
  write_file(path, [&](const Sink& sink) {
    std::lock_guard index_writer(index_->impl().writer);
    write_index(
        *index_, detail::kFlagHasKeys, [&keys](detail::SectionWriter& w) { w.section(detail::kTagKeys, keys); }, sink);
  });
}

std::vector<std::byte> VectorIndex::to_bytes() const {
  std::lock_guard writer(locks_->writer);
  std::shared_lock lock(locks_->ids);
  const std::vector<std::byte> keys = keys_section();
  std::vector<std::byte> bytes;
  std::lock_guard index_writer(index_->impl().writer);
  write_index(
      *index_, detail::kFlagHasKeys, [&keys](detail::SectionWriter& w) { w.section(detail::kTagKeys, keys); },
      [&bytes](const void* p, std::size_t n) {
        const auto* b = static_cast<const std::byte*>(p);
        bytes.insert(bytes.end(), b, b + n);
      });
  return bytes;
}

namespace {

std::unique_ptr<VectorIndex> load_keyed(const detail::Region& region, bool verify,
                                        std::unique_ptr<VectorIndex> (*make)(std::unique_ptr<Index>, IdMap)) {
  std::span<std::byte> keys;
  bool has_keys = false;
  auto index = read_index(region, verify, [&](const detail::SectionReader& in, const detail::FileHeader& header) {
    has_keys = (header.flags & detail::kFlagHasKeys) != 0 && in.has(detail::kTagKeys);
    if (has_keys) keys = in.bytes(detail::kTagKeys);
  });
  if (!has_keys) {
    throw Corruption("vector index file holds an internal-id index without string ids; load it with Index::load");
  }
  IdMap map = parse_keys(keys, *index);
  detail::release_pages(keys);
  return make(std::move(index), std::move(map));
}

}  // namespace

std::unique_ptr<VectorIndex> VectorIndex::load(const std::string& path, bool mmap) {
  return load_keyed(mmap ? detail::map_file(path) : detail::read_file(path), !mmap,
                    [](std::unique_ptr<Index> index, IdMap map) {
                      return std::unique_ptr<VectorIndex>(new VectorIndex(std::move(index), std::move(map)));
                    });
}

std::unique_ptr<VectorIndex> VectorIndex::from_bytes(std::span<const std::byte> bytes) {
  return load_keyed(detail::copy_bytes(bytes), true, [](std::unique_ptr<Index> index, IdMap map) {
    return std::unique_ptr<VectorIndex>(new VectorIndex(std::move(index), std::move(map)));
  });
}

}  // namespace ragkernel::vector

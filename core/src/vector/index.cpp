// ragkernel::vector::Index: validation, locking, quantizer training, results and files; the
// index kinds behind it only store, link and search.
#include "ragkernel/vector/index.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <ostream>
#include <unordered_set>

#include "ragkernel/error.hpp"
#include "vector/index_impl.hpp"

namespace ragkernel::vector {
namespace {

using detail::Candidate;

void check_options(const IndexOptions& o) {
  if (o.dim == 0) throw InvalidArgument("dim must be at least 1, got 0");
  if (o.dim > (1u << 16)) throw InvalidArgument("dim must be at most 65536, got " + std::to_string(o.dim));
  if (o.kind == IndexKind::hnsw) {
    if (o.M < 2 || o.M > 256) throw InvalidArgument("M must be in [2, 256], got " + std::to_string(o.M));
    if (o.ef_construction < 1) throw InvalidArgument("ef_construction must be at least 1, got 0");
    if (o.ef_search < 1) throw InvalidArgument("ef_search must be at least 1, got 0");
  }
  if (!o.keep_float && o.quantization == Quantization::none) {
    throw InvalidArgument(
        "keep_float=false needs a quantization (int8, binary or int4): the vectors must be kept somehow");
  }
}

// Branch-free scan of a row on the float bits (so the compiler vectorises it): true if no
// value has an all-ones exponent (inf or NaN), and in *nonzero whether any value is not +-0.
// Validating a query then costs far less than scoring it; the slow loop in check_finite runs
// only to name the offending value.
bool row_is_finite(const float* row, std::size_t d, bool* nonzero) noexcept {
  std::uint32_t special = 0;
  std::uint32_t magnitude = 0;
  for (std::size_t j = 0; j < d; ++j) {
    std::uint32_t bits;
    std::memcpy(&bits, row + j, sizeof bits);
    special |= static_cast<std::uint32_t>((bits & 0x7f800000u) == 0x7f800000u);
    magnitude |= bits & 0x7fffffffu;
  }
  *nonzero = magnitude != 0;
  return special == 0;
}

void check_finite(const float* v, std::size_t n, std::size_t d, Metric metric, const char* what) {
  for (std::size_t i = 0; i < n; ++i) {
    const float* row = v + i * d;
    bool nonzero = false;
    if (!row_is_finite(row, d, &nonzero)) {
      for (std::size_t j = 0; j < d; ++j) {
        if (!std::isfinite(row[j])) {
          throw InvalidArgument(std::string(what) + " " + std::to_string(i) + " has a non-finite value (" +
                                std::to_string(row[j]) + ") at dimension " + std::to_string(j) +
                                "; expected finite floats");
        }
      }
    }
    if (!nonzero && metric == Metric::cosine) {
      throw InvalidArgument(std::string(what) + " " + std::to_string(i) +
                            " is all zeros; the cosine metric needs a non-zero vector");
    }
  }
}

void check_unique(std::span<const std::uint32_t> ids) {
  if (ids.size() < 2) return;
  std::unordered_set<std::uint32_t> seen;
  seen.reserve(ids.size());
  for (std::uint32_t id : ids) {
    if (id == SearchResults::kNoId) throw InvalidArgument("id 4294967295 is reserved (it marks missing results)");
    if (!seen.insert(id).second) throw InvalidArgument("id " + std::to_string(id) + " appears twice in one batch");
  }
}

}  // namespace

Index::Index(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Index::~Index() = default;

std::unique_ptr<Index> Index::create(const IndexOptions& options) {
  check_options(options);
  auto impl = options.kind == IndexKind::flat ? make_flat(options) : make_hnsw(options);
  return std::make_unique<Index>(std::move(impl));
}

const IndexOptions& Index::options() const noexcept { return impl_->options; }
std::size_t Index::dim() const noexcept { return impl_->options.dim; }

void Index::validate(const float* vectors, std::size_t n) const {
  check_finite(vectors, n, dim(), impl_->options.metric, "vector");
}

void Index::train(const float* vectors, std::size_t n) {
  std::lock_guard writer(impl_->writer);
  const std::size_t d = dim();
  check_finite(vectors, n, d, impl_->options.metric, "training vector");
  std::vector<float> prepared(n * d);
  for (std::size_t i = 0; i < n; ++i) impl_->store.prepare(vectors + i * d, prepared.data() + i * d);
  std::unique_lock lock(impl_->mutex);
  if (impl_->live != 0) throw InvalidArgument("train() must be called before the first add");
  impl_->store.train(prepared.data(), n);
}

namespace {

// Shared by add and upsert: ids are validated by the caller.
void insert_batch(Index::Impl& impl, std::span<const std::uint32_t> ids, const float* vectors) {
  const std::size_t n = ids.size();
  const std::size_t d = impl.options.dim;
  std::vector<float> prepared(n * d);
  std::vector<float> norms(n);
  for (std::size_t i = 0; i < n; ++i) norms[i] = impl.store.prepare(vectors + i * d, prepared.data() + i * d);
  const std::uint32_t top = *std::max_element(ids.begin(), ids.end());
  {
    std::unique_lock lock(impl.mutex);
    if (top >= impl.store.slots()) impl.grow(std::size_t{top} + 1);
    if (impl.store.needs_training()) impl.store.train(prepared.data(), n);
  }
  impl.insert(ids, prepared.data(), norms.data());
  impl.live += n;
  if (impl.store.should_retrain(impl.live)) {
    std::unique_lock lock(impl.mutex);
    impl.store.retrain_from_rows();
  }
}

}  // namespace

void Index::add(std::span<const std::uint32_t> ids, const float* vectors) {
  if (ids.empty()) return;
  std::lock_guard writer(impl_->writer);
  check_unique(ids);
  for (std::uint32_t id : ids) {
    if (id == SearchResults::kNoId) throw InvalidArgument("id 4294967295 is reserved (it marks missing results)");
    if (impl_->store.live(id)) throw InvalidArgument("id " + std::to_string(id) + " is already in the index");
  }
  check_finite(vectors, ids.size(), dim(), impl_->options.metric, "vector");
  insert_batch(*impl_, ids, vectors);
}

void Index::upsert(std::span<const std::uint32_t> ids, const float* vectors) {
  if (ids.empty()) return;
  std::lock_guard writer(impl_->writer);
  check_unique(ids);
  for (std::uint32_t id : ids) {
    if (id == SearchResults::kNoId) throw InvalidArgument("id 4294967295 is reserved (it marks missing results)");
  }
  check_finite(vectors, ids.size(), dim(), impl_->options.metric, "vector");
  std::vector<std::uint32_t> existing;
  for (std::uint32_t id : ids) {
    if (impl_->store.live(id)) existing.push_back(id);
  }
  if (!existing.empty()) {
    std::unique_lock lock(impl_->mutex);
    impl_->erase(existing);
    impl_->live -= existing.size();
  }
  insert_batch(*impl_, ids, vectors);
}

void Index::remove(std::span<const std::uint32_t> ids) {
  if (ids.empty()) return;
  std::lock_guard writer(impl_->writer);
  check_unique(ids);
  for (std::uint32_t id : ids) {
    if (!impl_->store.live(id)) throw NotFound("id " + std::to_string(id) + " is not in the index");
  }
  std::unique_lock lock(impl_->mutex);
  impl_->erase(ids);
  impl_->live -= ids.size();
}

bool Index::contains(std::uint32_t id) const {
  std::shared_lock lock(impl_->mutex);
  return impl_->store.live(id);
}

std::size_t Index::size() const {
  std::shared_lock lock(impl_->mutex);
  return impl_->live;
}

std::vector<std::uint32_t> Index::locality_order() const {
  std::lock_guard writer(impl_->writer);
  std::shared_lock lock(impl_->mutex);
  return impl_->locality_order();
}

void Index::renumber(const std::vector<std::uint32_t>& new_of_old) {
  std::lock_guard writer(impl_->writer);
  std::unique_lock lock(impl_->mutex);
  const std::size_t slots = impl_->store.slots();
  if (new_of_old.size() != slots) {
    throw InvalidArgument("renumber: " + std::to_string(new_of_old.size()) + " new ids for " + std::to_string(slots) +
                          " ids");
  }
  std::vector<bool> taken(slots, false);
  for (std::uint32_t id : new_of_old) {
    if (id >= slots || taken[id]) throw InvalidArgument("renumber: new ids are not a permutation of the ids");
    taken[id] = true;
  }
  impl_->renumber(new_of_old);
}

std::uint32_t Index::id_capacity() const {
  std::shared_lock lock(impl_->mutex);
  return static_cast<std::uint32_t>(impl_->store.slots());
}

void Index::get(std::span<const std::uint32_t> ids, float* out) const {
  std::shared_lock lock(impl_->mutex);
  for (std::uint32_t id : ids) {
    if (!impl_->store.live(id)) throw NotFound("id " + std::to_string(id) + " is not in the index");
  }
  for (std::size_t i = 0; i < ids.size(); ++i) impl_->store.get(ids[i], out + i * dim());
}

SearchResults Index::search(const float* queries, std::size_t nq, std::size_t k, const Bitset* allow,
                            const SearchParams& params) const {
  if (k == 0) throw InvalidArgument("k must be at least 1, got 0");
  const std::size_t d = dim();
  check_finite(queries, nq, d, impl_->options.metric, "query");
  std::vector<float> prepared(nq * d);
  for (std::size_t i = 0; i < nq; ++i) impl_->store.prepare(queries + i * d, prepared.data() + i * d);
  std::vector<std::vector<Candidate>> found;
  SearchResults results;
  results.nq = nq;
  results.k = k;
  results.ids.assign(nq * k, SearchResults::kNoId);
  results.scores.assign(nq * k, std::numeric_limits<float>::quiet_NaN());
  {
    std::shared_lock lock(impl_->mutex);
    if (impl_->live == 0) return results;
    impl_->search(prepared.data(), nq, k, allow, params, found);
  }
  for (std::size_t q = 0; q < nq; ++q) {
    const std::size_t m = std::min(k, found[q].size());
    for (std::size_t j = 0; j < m; ++j) {
      results.ids[q * k + j] = found[q][j].id;
      results.scores[q * k + j] = impl_->store.to_score(found[q][j].dist);
    }
  }
  return results;
}

std::size_t Index::memory_usage() const {
  std::shared_lock lock(impl_->mutex);
  return impl_->memory_bytes();
}

}  // namespace ragkernel::vector

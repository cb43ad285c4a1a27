#include "ragkernel/store/embedding_cache.hpp"

#include <cmath>
#include <cstring>

#include "ragkernel/error.hpp"
#include "store/encoding.hpp"
#include "store/expiry.hpp"
#include "store/float16.hpp"
#include "store/sha256.hpp"

namespace ragkernel::store {
namespace {

constexpr std::size_t kScopeBytes = 8;
constexpr std::size_t kKeyBytes = kScopeBytes + 32;

std::string model_scope(std::string_view model) {
  std::string field;
  detail::put_bytes(field, model);
  const detail::Digest d = detail::Sha256().update("ragkernel.embedding.model.v1").update(field).finish();
  return std::string(reinterpret_cast<const char*>(d.data()), kScopeBytes);
}

// Every field but the text, encoded once per call.
std::string space_fields(const EmbeddingSpace& space) {
  std::string fields;
  detail::put_bytes(fields, space.model);
  detail::put_bytes(fields, std::to_string(space.dim));
  detail::put_bytes(fields, space.normalization);
  return fields;
}

std::string entry_key(const std::string& scope, const std::string& fields, std::string_view text, detail::Sha256& sha) {
  std::string text_field;
  text_field.reserve(text.size() + 5);
  detail::put_bytes(text_field, text);
  const detail::Digest d = sha.update("ragkernel.embedding.v1").update(fields).update(text_field).finish();
  std::string key = scope;
  key.append(reinterpret_cast<const char*>(d.data()), d.size());
  return key;
}

void check_space(const EmbeddingSpace& space) {
  if (space.model.empty()) throw InvalidArgument("model id is empty; expected the embedding model's name");
  if (space.dim == 0) throw InvalidArgument("dim is 0; expected the embedding dimension (> 0)");
}

void check_ttl(std::optional<std::int64_t> ttl_ms) {
  if (ttl_ms && *ttl_ms <= 0) {
    throw InvalidArgument("ttl is " + std::to_string(*ttl_ms) + " ms; expected a positive duration (or none)");
  }
}

std::string range_end_after(std::string_view prefix, std::size_t key_size) {
  // Keys are exactly key_size bytes, so prefix + 0xFF... (one byte longer) is past all of them.
  std::string end(prefix);
  end.append(key_size + 1 - prefix.size(), '\xFF');
  return end;
}

}  // namespace

std::vector<FamilySpec> EmbeddingCache::families() {
  return {FamilySpec{.name = kEntries,
                     .layout = KeyLayout::fixed_prefix,
                     .prefix_length = kScopeBytes,
                     .compression = Compression::none,  // float noise does not compress
                     .expiring_values = true,
                     .block_size = 32 * 1024}};
}

Schema EmbeddingCache::schema() { return Schema{.kind = kKind, .families = families(), .config = {}}; }

std::unique_ptr<EmbeddingCache> EmbeddingCache::open(const std::string& path, const StoreOptions& store_options,
                                                     const EmbeddingCacheOptions& options) {
  return std::make_unique<EmbeddingCache>(Store::open(path, schema(), store_options), options);
}

EmbeddingCache::EmbeddingCache(std::shared_ptr<Store> store, const EmbeddingCacheOptions& options)
    : store_(std::move(store)), options_(options) {
  check_ttl(options_.default_ttl_ms);
  if (options_.dtype != VectorDtype::float32 && options_.dtype != VectorDtype::float16) {
    throw InvalidArgument("dtype must be float32 or float16");
  }
  entries_ = store_->family(kEntries);
}

std::string EmbeddingCache::key(const EmbeddingSpace& space, std::string_view text) {
  check_space(space);
  detail::Sha256 sha;
  return entry_key(model_scope(space.model), space_fields(space), text, sha);
}

std::size_t EmbeddingCache::get_many(const EmbeddingSpace& space, std::span<const std::string_view> texts, float* out,
                                     std::uint8_t* hit) {
  check_space(space);
  const std::string scope = model_scope(space.model);
  const std::string fields = space_fields(space);
  detail::Sha256 sha;
  std::vector<std::string> keys;
  keys.reserve(texts.size());
  for (std::string_view text : texts) keys.push_back(entry_key(scope, fields, text, sha));
  const std::vector<std::string_view> views(keys.begin(), keys.end());

  const std::int64_t now = store_->now_ms();
  const std::size_t dim = space.dim;
  std::size_t hits = 0, expired = 0;
  store_->multi_get(entries_, views, [&](std::size_t i, std::optional<std::string_view> value) {
    float* row = out + i * dim;
    hit[i] = 0;
    std::fill(row, row + dim, 0.0f);
    if (!value) return;
    const auto header = detail::read_expiry_header(*value);
    detail::Reader r(value->substr(std::min(value->size(), detail::kExpiryHeaderSize)));
    const auto dtype = static_cast<VectorDtype>(r.u8());
    const auto stored_dim = r.le<std::uint32_t>();
    const std::size_t width = dtype == VectorDtype::float16 ? 2 : 4;
    const std::string_view payload = r.bytes(static_cast<std::size_t>(stored_dim) * width);
    if (!header || r.failed() || r.remaining() != 0 || stored_dim != dim ||
        (dtype != VectorDtype::float32 && dtype != VectorDtype::float16)) {
      throw Corruption("embedding cache at " + store_->path() + ": the entry for text " + std::to_string(i) +
                       " is damaged (expected a " + std::to_string(dim) + "-dimensional vector)");
    }
    if (header->expired(now)) {
      ++expired;
      return;
    }
    if (dtype == VectorDtype::float32) {
      std::memcpy(row, payload.data(), dim * sizeof(float));
    } else {
      std::vector<std::uint16_t> halves(dim);
      std::memcpy(halves.data(), payload.data(), dim * sizeof(std::uint16_t));
      detail::halves_to_floats(halves.data(), row, dim);
    }
    hit[i] = 1;
    ++hits;
  });
  hits_ += hits;
  misses_ += texts.size() - hits;
  expired_ += expired;
  return hits;
}

void EmbeddingCache::put_many(const EmbeddingSpace& space, std::span<const std::string_view> texts,
                              const float* vectors, std::optional<std::int64_t> ttl_ms) {
  check_space(space);
  check_ttl(ttl_ms);
  const std::size_t dim = space.dim;
  for (std::size_t i = 0; i < texts.size() * dim; ++i) {
    if (!std::isfinite(vectors[i])) {
      throw InvalidArgument("vector " + std::to_string(i / dim) + " has a non-finite value at position " +
                            std::to_string(i % dim) + "; nothing was cached");
    }
  }
  const std::string scope = model_scope(space.model);
  const std::string fields = space_fields(space);
  const std::int64_t expires = detail::expires_at(store_->now_ms(), ttl_ms ? ttl_ms : options_.default_ttl_ms);
  const std::size_t width = options_.dtype == VectorDtype::float16 ? 2 : 4;

  detail::Sha256 sha;
  WriteBatch batch = store_->batch();
  std::string value;
  std::vector<std::uint16_t> halves(options_.dtype == VectorDtype::float16 ? dim : 0);
  for (std::size_t i = 0; i < texts.size(); ++i) {
    value.clear();
    value.reserve(detail::kExpiryHeaderSize + 5 + dim * width);
    detail::append_expiry_header(value, detail::ExpiryHeader{.flags = 0, .expires_at_ms = expires});
    detail::put_u8(value, static_cast<std::uint8_t>(options_.dtype));
    detail::put_le<std::uint32_t>(value, space.dim);
    const float* row = vectors + i * dim;
    if (options_.dtype == VectorDtype::float32) {
      value.append(reinterpret_cast<const char*>(row), dim * sizeof(float));
    } else {
      detail::floats_to_halves(row, halves.data(), dim);
      value.append(reinterpret_cast<const char*>(halves.data()), dim * sizeof(std::uint16_t));
    }
    batch.put(entries_, entry_key(scope, fields, texts[i], sha), value);
  }
  store_->write(batch);
  puts_ += texts.size();
}

void EmbeddingCache::erase_model(std::string_view model) {
  if (model.empty()) throw InvalidArgument("model id is empty");
  const std::string scope = model_scope(model);
  WriteBatch batch = store_->batch();
  batch.erase_range(entries_, scope, range_end_after(scope, kKeyBytes));
  store_->write(batch);
}

void EmbeddingCache::clear() {
  WriteBatch batch = store_->batch();
  batch.erase_range(entries_, std::string(), range_end_after({}, kKeyBytes));
  store_->write(batch);
}

EmbeddingCacheCounters EmbeddingCache::counters() const {
  return EmbeddingCacheCounters{
      .hits = hits_.load(), .misses = misses_.load(), .expired = expired_.load(), .puts = puts_.load()};
}

void EmbeddingCache::reset_counters() {
  hits_ = 0;
  misses_ = 0;
  expired_ = 0;
  puts_ = 0;
}

}  // namespace ragkernel::store

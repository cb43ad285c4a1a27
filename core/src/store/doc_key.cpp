#include "ragkernel/store/doc_key.hpp"

#include "store/doc_key_transform.hpp"
#include "store/encoding.hpp"

namespace ragkernel::store {

std::string doc_key(std::string_view doc_id, std::string_view suffix) {
  std::string key;
  key.reserve(doc_id.size() + suffix.size() + 2);
  detail::put_bytes(key, doc_id);
  key.append(suffix);
  return key;
}

std::optional<DocKeyParts> parse_doc_key(std::string_view key) {
  detail::Reader r(key);
  const std::string_view id = r.length_prefixed();
  if (r.failed()) return std::nullopt;
  return DocKeyParts{id, r.rest()};
}

std::optional<std::string_view> doc_key_prefix(std::string_view key) {
  const auto parts = parse_doc_key(key);
  if (!parts) return std::nullopt;
  return key.substr(0, key.size() - parts->suffix.size());
}

namespace detail {
namespace {

class DocKeyTransform final : public rocksdb::SliceTransform {
 public:
  // The name is stored in table files: changing it turns the prefix filters of existing
  // files off (reads stay correct, only slower).
  const char* Name() const override { return "ragkernel.DocKeyPrefix.v1"; }

  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    const auto prefix = doc_key_prefix(std::string_view(key.data(), key.size()));
    return rocksdb::Slice(key.data(), prefix->size());  // InDomain was checked first
  }

  bool InDomain(const rocksdb::Slice& key) const override {
    return doc_key_prefix(std::string_view(key.data(), key.size())).has_value();
  }
};

}  // namespace

std::shared_ptr<const rocksdb::SliceTransform> make_doc_key_transform() { return std::make_shared<DocKeyTransform>(); }

}  // namespace detail
}  // namespace ragkernel::store

#include "store/expiry.hpp"

#include <limits>

#include "store/encoding.hpp"

namespace ragkernel::store::detail {

void append_expiry_header(std::string& out, const ExpiryHeader& header) {
  put_u8(out, kExpiryHeaderVersion);
  put_u8(out, header.flags);
  put_le<std::int64_t>(out, header.expires_at_ms);
}

std::optional<ExpiryHeader> read_expiry_header(std::string_view value) {
  Reader r(value);
  if (r.u8() != kExpiryHeaderVersion) return std::nullopt;
  ExpiryHeader header;
  header.flags = r.u8();
  header.expires_at_ms = r.le<std::int64_t>();
  if (r.failed()) return std::nullopt;
  return header;
}

std::int64_t expires_at(std::int64_t now_ms, std::optional<std::int64_t> ttl_ms) {
  if (!ttl_ms) return 0;
  const std::int64_t limit = std::numeric_limits<std::int64_t>::max();
  return *ttl_ms > limit - now_ms ? limit : now_ms + *ttl_ms;
}

namespace {

class ExpiryFilter final : public rocksdb::CompactionFilter {
 public:
  explicit ExpiryFilter(std::int64_t now_ms) : now_ms_(now_ms) {}

  const char* Name() const override { return "ragkernel.ExpiryFilter"; }

  bool Filter(int /*level*/, const rocksdb::Slice& /*key*/, const rocksdb::Slice& value, std::string* /*new_value*/,
              bool* /*value_changed*/) const override {
    const auto header = read_expiry_header(std::string_view(value.data(), value.size()));
    return header && header->expired(now_ms_);
  }

 private:
  std::int64_t now_ms_;  // one clock reading per compaction keeps its decisions consistent
};

class ExpiryFilterFactory final : public rocksdb::CompactionFilterFactory {
 public:
  explicit ExpiryFilterFactory(std::function<std::int64_t()> clock) : clock_(std::move(clock)) {}

  const char* Name() const override { return "ragkernel.ExpiryFilterFactory"; }

  bool ShouldFilterTableFileCreation(rocksdb::TableFileCreationReason reason) const override {
    return reason == rocksdb::TableFileCreationReason::kCompaction ||
           reason == rocksdb::TableFileCreationReason::kFlush;
  }

  std::unique_ptr<rocksdb::CompactionFilter> CreateCompactionFilter(
      const rocksdb::CompactionFilter::Context& /*context*/) override {
    return std::make_unique<ExpiryFilter>(clock_());
  }

 private:
  std::function<std::int64_t()> clock_;
};

}  // namespace

std::shared_ptr<rocksdb::CompactionFilterFactory> make_expiry_filter_factory(std::function<std::int64_t()> clock) {
  return std::make_shared<ExpiryFilterFactory>(std::move(clock));
}

}  // namespace ragkernel::store::detail

// Saving and loading indexes (format: vector/file_format.hpp).
#include <cstdio>
#include <fstream>
#include <ostream>

#include "ragkernel/error.hpp"
#include "vector/index_impl.hpp"

namespace ragkernel::vector {

void write_index(const Index& index, std::uint64_t flags, const std::function<void(detail::SectionWriter&)>& extra,
                 const Sink& out) {
  const Index::Impl& impl = index.impl();
  std::shared_lock lock(impl.mutex);
  auto sections = [&](detail::SectionWriter& w) {
    impl.write(w);
    if (extra) extra(w);
  };
  detail::SectionWriter count(nullptr);
  sections(count);
  detail::FileHeader header;
  header.options = impl.options;
  header.flags = flags;
  header.payload_bytes = count.bytes();
  header.payload_checksum = count.checksum();
  const auto head = detail::encode_header(header);
  out(head.data(), head.size());
  detail::SectionWriter writer(out);
  sections(writer);
}

std::unique_ptr<Index> read_index(
    const detail::Region& region, bool verify_payload,
    const std::function<void(const detail::SectionReader&, const detail::FileHeader&)>& extra) {
  const detail::FileHeader header = detail::decode_header(region, verify_payload);
  const detail::SectionReader sections(region, header);
  std::unique_ptr<Index> index;
  try {
    index = Index::create(header.options);
  } catch (const InvalidArgument& e) {
    throw Corruption(std::string("vector index file has invalid options: ") + e.what());
  }
  Index::Impl& impl = index->impl();
  const std::size_t slots = sections.bytes(detail::kTagState).size();
  impl.read(sections, slots);
  std::size_t live = 0;
  for (std::uint32_t id = 0; id < slots; ++id) live += impl.store.state(id) == detail::kLive ? 1 : 0;
  impl.live = live;
  if (extra) extra(sections, header);
  return index;
}

void write_file(const std::string& path, const std::function<void(const Sink&)>& write) {
  // Write beside the target and rename, so a crash never leaves a half-written index there.
  const std::string tmp = path + ".tmp";
  {
    std::ofstream file(tmp, std::ios::binary | std::ios::trunc);
    if (!file) throw IOError("cannot open '" + tmp + "' for writing");
    write([&file](const void* p, std::size_t n) {
      file.write(static_cast<const char*>(p), static_cast<std::streamsize>(n));
    });
    file.flush();
    if (!file) throw IOError("failed writing vector index file '" + tmp + "'");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw IOError("cannot rename '" + tmp + "' to '" + path + "'");
}

void Index::save(std::ostream& out) const {
  std::lock_guard writer(impl_->writer);
  write_index(*this, 0, nullptr, [&out](const void* p, std::size_t n) {
    out.write(static_cast<const char*>(p), static_cast<std::streamsize>(n));
  });
  if (!out) throw IOError("failed writing vector index to stream");
}

void Index::save(const std::string& path) const {
  std::lock_guard writer(impl_->writer);
  write_file(path, [this](const Sink& sink) { write_index(*this, 0, nullptr, sink); });
}

std::vector<std::byte> Index::to_bytes() const {
  std::lock_guard writer(impl_->writer);
  std::vector<std::byte> bytes;
  write_index(*this, 0, nullptr, [&bytes](const void* p, std::size_t n) {
    const auto* b = static_cast<const std::byte*>(p);
    bytes.insert(bytes.end(), b, b + n);
  });
  return bytes;
}

std::unique_ptr<Index> Index::load(const std::string& path, bool mmap) {
  return read_index(mmap ? detail::map_file(path) : detail::read_file(path), !mmap, nullptr);
}

std::unique_ptr<Index> Index::load(std::istream& in) { return read_index(detail::read_stream(in), true, nullptr); }

std::unique_ptr<Index> Index::from_bytes(std::span<const std::byte> bytes) {
  return read_index(detail::copy_bytes(bytes), true, nullptr);
}

}  // namespace ragkernel::vector

#include "vector/file_format.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <istream>
#include <iterator>
#include <vector>

#include "ragkernel/error.hpp"
#include "vector/buffer.hpp"

namespace ragkernel::vector::detail {
namespace {

constexpr std::uint64_t kMul = 0x9FB21C651E98DF25ull;

std::uint64_t mix(std::uint64_t h) noexcept {
  h ^= h >> 32;
  h *= kMul;
  h ^= h >> 29;
  return h;
}

template <class T>
void put(std::array<std::byte, kHeaderBytes>& out, std::size_t& at, T value) {
  std::memcpy(out.data() + at, &value, sizeof(T));
  at += sizeof(T);
}

template <class T>
T take(const std::byte* in, std::size_t& at) {
  T value;
  std::memcpy(&value, in + at, sizeof(T));
  at += sizeof(T);
  return value;
}

std::size_t padded(std::size_t n) { return (n + 63) / 64 * 64; }

std::string os_error(const std::string& what, const std::string& path) {
  return what + " '" + path + "': " + std::strerror(errno);
}

Region owned_region(std::size_t size) {
  std::shared_ptr<void> memory(aligned_bytes(size), AlignedFree{});
  return Region{static_cast<std::byte*>(memory.get()), size, memory};
}

}  // namespace

void Hasher::block(const unsigned char* p) noexcept {
  for (int lane = 0; lane < 4; ++lane) {
    std::uint64_t w;
    std::memcpy(&w, p + 8 * lane, 8);
    lanes_[lane] = (lanes_[lane] ^ w) * kMul;
    lanes_[lane] ^= lanes_[lane] >> 31;
  }
}

void Hasher::update(const void* data, std::size_t n) noexcept {
  const auto* p = static_cast<const unsigned char*>(data);
  total_ += n;
  if (pending_n_ != 0) {
    const std::size_t take_n = std::min(n, 32 - pending_n_);
    std::memcpy(pending_ + pending_n_, p, take_n);
    pending_n_ += take_n;
    p += take_n;
    n -= take_n;
    if (pending_n_ < 32) return;
    block(pending_);
    pending_n_ = 0;
  }
  for (; n >= 32; n -= 32, p += 32) block(p);
  std::memcpy(pending_, p, n);
  pending_n_ = n;
}

std::uint64_t Hasher::digest() const noexcept {
  unsigned char tail[32] = {};
  std::memcpy(tail, pending_, pending_n_);
  Hasher copy = *this;
  copy.block(tail);
  std::uint64_t h = total_;
  for (std::uint64_t lane : copy.lanes_) h = mix(h ^ mix(lane));
  return h;
}

void SectionWriter::emit(const void* data, std::size_t n) {
  hasher_.update(data, n);
  bytes_ += n;
  if (out_) out_(data, n);
}

void SectionWriter::section(std::uint32_t tag, std::span<const std::byte> bytes) {
  std::uint64_t head[2] = {tag, bytes.size()};
  emit(head, sizeof(head));
  // Pad the section header to 64 bytes so the data starts aligned.
  static constexpr std::byte zeros[64] = {};
  emit(zeros, 64 - sizeof(head));
  if (!bytes.empty()) emit(bytes.data(), bytes.size());
  emit(zeros, padded(bytes.size()) - bytes.size());
}

std::array<std::byte, kHeaderBytes> encode_header(const FileHeader& header) {
  std::array<std::byte, kHeaderBytes> out{};
  std::size_t at = 0;
  std::memcpy(out.data(), kMagic, 8);
  at = 8;
  const IndexOptions& o = header.options;
  put<std::uint32_t>(out, at, kFormatVersion);
  put<std::uint32_t>(out, at, static_cast<std::uint32_t>(kHeaderBytes));
  put<std::uint32_t>(out, at, static_cast<std::uint32_t>(o.kind));
  put<std::uint32_t>(out, at, static_cast<std::uint32_t>(o.metric));
  put<std::uint32_t>(out, at, static_cast<std::uint32_t>(o.quantization));
  put<std::uint32_t>(out, at, o.keep_float ? 1u : 0u);
  put<std::uint64_t>(out, at, o.dim);
  put<std::uint64_t>(out, at, o.M);
  put<std::uint64_t>(out, at, o.ef_construction);
  put<std::uint64_t>(out, at, o.ef_search);
  put<std::uint64_t>(out, at, o.seed);
  put<std::uint64_t>(out, at, header.flags);
  put<std::uint64_t>(out, at, header.payload_bytes);
  put<std::uint64_t>(out, at, header.payload_checksum);
  Hasher h;
  h.update(out.data(), kHeaderBytes - 8);
  std::size_t last = kHeaderBytes - 8;
  put<std::uint64_t>(out, last, h.digest());
  return out;
}

FileHeader decode_header(const Region& region, bool verify_payload) {
  if (region.size < kHeaderBytes) {
    throw Corruption("vector index file is truncated: " + std::to_string(region.size) + " bytes, the header alone is " +
                     std::to_string(kHeaderBytes));
  }
  const std::byte* in = region.data;
  if (std::memcmp(in, kMagic, 8) != 0) {
    throw Corruption("not a ragkernel vector index file: bad magic (expected \"RKVECIDX\")");
  }
  std::size_t at = 8;
  const auto version = take<std::uint32_t>(in, at);
  if (version != kFormatVersion) {
    throw Corruption("vector index file has format version " + std::to_string(version) + ", this build reads version " +
                     std::to_string(kFormatVersion));
  }
  Hasher h;
  h.update(in, kHeaderBytes - 8);
  std::size_t last = kHeaderBytes - 8;
  if (take<std::uint64_t>(in, last) != h.digest()) throw Corruption("vector index file header checksum mismatch");
  const auto header_bytes = take<std::uint32_t>(in, at);
  if (header_bytes != kHeaderBytes) throw Corruption("vector index file has an unexpected header size");
  FileHeader header;
  IndexOptions& o = header.options;
  const auto kind = take<std::uint32_t>(in, at);
  const auto metric = take<std::uint32_t>(in, at);
  const auto quant = take<std::uint32_t>(in, at);
  if (kind > 1 || metric > 2 || quant > 3) throw Corruption("vector index file names an unknown kind, metric or code");
  o.kind = static_cast<IndexKind>(kind);
  o.metric = static_cast<Metric>(metric);
  o.quantization = static_cast<Quantization>(quant);
  o.keep_float = take<std::uint32_t>(in, at) != 0;
  o.dim = take<std::uint64_t>(in, at);
  o.M = take<std::uint64_t>(in, at);
  o.ef_construction = take<std::uint64_t>(in, at);
  o.ef_search = take<std::uint64_t>(in, at);
  o.seed = take<std::uint64_t>(in, at);
  header.flags = take<std::uint64_t>(in, at);
  header.payload_bytes = take<std::uint64_t>(in, at);
  header.payload_checksum = take<std::uint64_t>(in, at);
  if (region.size - kHeaderBytes != header.payload_bytes) {
    throw Corruption("vector index file is truncated or has trailing bytes: payload is " +
                     std::to_string(region.size - kHeaderBytes) + " bytes, the header says " +
                     std::to_string(header.payload_bytes));
  }
  if (verify_payload) {
    Hasher p;
    p.update(in + kHeaderBytes, header.payload_bytes);
    if (p.digest() != header.payload_checksum) throw Corruption("vector index file payload checksum mismatch");
  }
  return header;
}

SectionReader::SectionReader(const Region& region, const FileHeader& header) : keepalive_(region.keepalive) {
  std::byte* p = region.data + kHeaderBytes;
  std::size_t left = header.payload_bytes;
  while (left != 0) {
    if (left < 64) throw Corruption("vector index file: truncated section header");
    std::uint64_t head[2];
    std::memcpy(head, p, sizeof(head));
    const std::size_t len = head[1];
    if (len > left - 64 || padded(len) > left - 64) throw Corruption("vector index file: section runs past the end");
    sections_[static_cast<std::uint32_t>(head[0])] = std::span<std::byte>(p + 64, len);
    p += 64 + padded(len);
    left -= 64 + padded(len);
  }
}

std::span<std::byte> SectionReader::bytes(std::uint32_t tag) const {
  const auto it = sections_.find(tag);
  if (it == sections_.end()) throw Corruption("vector index file lacks section " + std::to_string(tag));
  return it->second;
}

void SectionReader::check_length(std::uint32_t tag, std::size_t got, std::size_t want) {
  if (got != want) {
    throw Corruption("vector index file: section " + std::to_string(tag) + " has " + std::to_string(got) +
                     " bytes, expected " + std::to_string(want));
  }
}

Region map_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw IOError(os_error("cannot open vector index file", path));
  struct stat st{};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    throw IOError(os_error("cannot stat", path));
  }
  const auto size = static_cast<std::size_t>(st.st_size);
  if (size == 0) {
    ::close(fd);
    throw Corruption("vector index file '" + path + "' is empty");
  }
  void* addr = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (addr == MAP_FAILED) throw IOError(os_error("cannot map", path));
  std::shared_ptr<void> keepalive(addr, [size](void* p) { ::munmap(p, size); });
  return Region{static_cast<std::byte*>(addr), size, keepalive};
}

Region read_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw IOError(os_error("cannot open vector index file", path));
  struct stat st{};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    throw IOError(os_error("cannot stat", path));
  }
  Region region = owned_region(static_cast<std::size_t>(st.st_size));
  std::size_t done = 0;
  while (done < region.size) {
    const ssize_t got = ::read(fd, region.data + done, region.size - done);
    if (got <= 0) {
      ::close(fd);
      throw IOError(os_error("cannot read", path));
    }
    done += static_cast<std::size_t>(got);
  }
  ::close(fd);
  return region;
}

Region read_stream(std::istream& in) {
  std::vector<char> all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return copy_bytes(std::as_bytes(std::span<const char>(all)));
}

void release_pages(std::span<std::byte> section) noexcept {
  const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  const auto begin = reinterpret_cast<std::uintptr_t>(section.data());
  const std::uintptr_t first = (begin + page - 1) / page * page;
  const std::uintptr_t last = (begin + section.size()) / page * page;
  if (last > first) ::madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);
}

Region copy_bytes(std::span<const std::byte> bytes) {
  Region region = owned_region(bytes.size());
  if (!bytes.empty()) std::memcpy(region.data, bytes.data(), bytes.size());
  return region;
}

}  // namespace ragkernel::vector::detail

#include "collection/snapshot.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>

#include "ragkernel/error.hpp"

namespace fs = std::filesystem;

namespace ragkernel::collection::detail {
namespace {

constexpr std::string_view kPrefix = "vectors-";
constexpr std::string_view kSuffix = ".rkv";
constexpr std::string_view kLexicalPrefix = "lexical-";
constexpr std::string_view kLexicalSuffix = ".rkl";
const std::string kRecover = "; Collection.open(..., restore='rebuild') re-indexes the stored vectors and texts";
const std::string kRecoverText =
    "; Collection.open(..., restore='rebuild_text') analyses the stored texts again and keeps the vector snapshot";

void sync_path(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) throw IOError("cannot open '" + path + "' to sync it");
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) throw IOError("fsync of '" + path + "' failed");
}

std::optional<std::uint64_t> generation_of(const std::string& name, std::string_view prefix = kPrefix,
                                           std::string_view suffix = kSuffix) {
  if (!name.starts_with(prefix) || !name.ends_with(suffix) || name.size() < prefix.size() + suffix.size()) {
    return std::nullopt;
  }
  const std::string_view digits =
      std::string_view(name).substr(prefix.size(), name.size() - prefix.size() - suffix.size());
  std::uint64_t g = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), g);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return g;
}

}  // namespace

std::string snapshot_path(const std::string& dir, std::uint64_t generation) {
  return (fs::path(dir) / (std::string(kPrefix) + std::to_string(generation) + std::string(kSuffix))).string();
}

std::uint64_t write_snapshot(const vector::Index& index, const std::string& dir, std::uint64_t generation) {
  const std::string path = snapshot_path(dir, generation);
  index.save(path);  // written beside and renamed into place
  sync_path(path, O_RDONLY);
  sync_path(dir, O_RDONLY | O_DIRECTORY);  // the rename itself
  std::error_code ec;
  return fs::file_size(path, ec);
}

std::unique_ptr<vector::Index> read_snapshot(const std::string& dir, std::uint64_t generation, bool mmap) {
  const std::string path = snapshot_path(dir, generation);
  const std::string& recover = kRecover;
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    throw Corruption("collection at " + dir + ": its vector snapshot " + fs::path(path).filename().string() +
                     " is missing" + recover);
  }
  try {
    return vector::Index::load(path, mmap);
  } catch (const Error& e) {
    throw Corruption("collection at " + dir + ": vector snapshot " + fs::path(path).filename().string() +
                     " cannot be read (" + e.what() + ")" + recover);
  }
}

std::string lexical_snapshot_path(const std::string& dir, std::uint64_t generation) {
  return (fs::path(dir) / (std::string(kLexicalPrefix) + std::to_string(generation) + std::string(kLexicalSuffix)))
      .string();
}

std::uint64_t write_lexical_snapshot(const text::InvertedIndex& index, const std::string& dir,
                                     std::uint64_t generation) {
  const std::string path = lexical_snapshot_path(dir, generation);
  const std::string tmp = path + ".tmp";
  const std::string bytes = index.to_bytes();
  {
    std::ofstream file(tmp, std::ios::binary | std::ios::trunc);
    if (!file) throw IOError("cannot open '" + tmp + "' for writing");
    file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    file.flush();
    if (!file) throw IOError("failed writing lexical index file '" + tmp + "'");
  }
  sync_path(tmp, O_RDONLY);  // the bytes are on disk before the name points at them
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw IOError("cannot rename '" + tmp + "' to '" + path + "'");
  sync_path(dir, O_RDONLY | O_DIRECTORY);
  return bytes.size();
}

text::InvertedIndex read_lexical_snapshot(const std::string& dir, std::uint64_t generation) {
  const std::string path = lexical_snapshot_path(dir, generation);
  const std::string name = fs::path(path).filename().string();
  std::ifstream file(path, std::ios::binary);
  if (!file) throw Corruption("collection at " + dir + ": its lexical snapshot " + name + " is missing" + kRecoverText);
  std::error_code ec;
  const std::uintmax_t size = fs::file_size(path, ec);
  std::string bytes;
  if (!ec) {
    bytes.resize(size);
    file.read(bytes.data(), static_cast<std::streamsize>(size));
  }
  if (ec || !file) {
    throw Corruption("collection at " + dir + ": lexical snapshot " + name + " cannot be read" + kRecoverText);
  }
  try {
    return text::InvertedIndex::from_bytes(bytes);
  } catch (const Error& e) {
    throw Corruption("collection at " + dir + ": lexical snapshot " + name + " cannot be read (" + e.what() + ")" +
                     kRecoverText);
  }
}

std::vector<std::uint64_t> snapshot_generations(const std::string& dir) {
  std::vector<std::uint64_t> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (const auto g = generation_of(entry.path().filename().string())) out.push_back(*g);
  }
  return out;
}

void remove_old_snapshots(const std::string& dir, std::uint64_t keep) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    auto g = generation_of(name);
    if (!g) g = generation_of(name, kLexicalPrefix, kLexicalSuffix);
    const bool stale_tmp = (name.starts_with(kPrefix) && name.ends_with(std::string(kSuffix) + ".tmp")) ||
                           (name.starts_with(kLexicalPrefix) && name.ends_with(std::string(kLexicalSuffix) + ".tmp"));
    if ((g && *g != keep && *g + 1 != keep) || stale_tmp) fs::remove(entry.path(), ec);
  }
}

}  // namespace ragkernel::collection::detail

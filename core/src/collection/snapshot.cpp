#include "collection/snapshot.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <optional>

#include "ragkernel/error.hpp"

namespace fs = std::filesystem;

namespace ragkernel::collection::detail {
namespace {

constexpr std::string_view kPrefix = "vectors-";
constexpr std::string_view kSuffix = ".rkv";

void sync_path(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) throw IOError("cannot open '" + path + "' to sync it");
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) throw IOError("fsync of '" + path + "' failed");
}

std::optional<std::uint64_t> generation_of(const std::string& name) {
  if (!name.starts_with(kPrefix) || !name.ends_with(kSuffix)) return std::nullopt;
  const std::string_view digits =
      std::string_view(name).substr(kPrefix.size(), name.size() - kPrefix.size() - kSuffix.size());
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
  const std::string recover = "; Collection.open(..., restore='rebuild') re-indexes the stored vectors";
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
    const auto g = generation_of(name);
    const bool stale_tmp = name.starts_with(kPrefix) && name.ends_with(std::string(kSuffix) + ".tmp");
    if ((g && *g != keep && *g + 1 != keep) || stale_tmp) fs::remove(entry.path(), ec);
  }
}

}  // namespace ragkernel::collection::detail

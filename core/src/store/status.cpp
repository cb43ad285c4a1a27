#include "store/status.hpp"

#include <string>

#include "ragkernel/error.hpp"

namespace ragkernel::store::detail {
namespace {

// RocksDB reports a held LOCK file as an IOError whose text names the lock; say plainly what
// it means and what to do instead.
bool is_lock_conflict(const rocksdb::Status& status) {
  const std::string text = status.ToString();
  return status.IsIOError() && (text.find("lock hold by current process") != std::string::npos ||
                                (text.find("LOCK") != std::string::npos && text.find("lock") != std::string::npos));
}

}  // namespace

void throw_if_error(const rocksdb::Status& status, std::string_view what) {
  if (status.ok()) return;
  const std::string message = std::string(what) + ": " + status.ToString();
  if (is_lock_conflict(status)) {
    throw IOError(std::string(what) +
                  ": another writer (a process, or another handle in this process) has the store open; "
                  "one writer per directory: open it with access='read_only' or 'secondary' to read (" +
                  status.ToString() + ")");
  }
  if (status.IsCorruption()) throw Corruption(message);
  if (status.IsNotFound() || status.IsPathNotFound()) throw NotFound(message);
  if (status.IsIOError() || status.IsNoSpace()) throw IOError(message);
  if (status.IsInvalidArgument() || status.IsNotSupported()) throw InvalidArgument(message);
  throw Error(message);
}

}  // namespace ragkernel::store::detail

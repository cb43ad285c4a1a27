#pragma once
// The one place where a rocksdb::Status becomes a ragkernel exception.
#include <rocksdb/status.h>

#include <string_view>

namespace ragkernel::store::detail {

// Throws the ragkernel error for a failed status: Corruption -> Corruption, IOError and
// NoSpace -> IOError, NotFound -> NotFound, InvalidArgument and NotSupported -> InvalidArgument,
// anything else -> Error. `what` says what was being done ("open store at /x").
void throw_if_error(const rocksdb::Status& status, std::string_view what);

}  // namespace ragkernel::store::detail

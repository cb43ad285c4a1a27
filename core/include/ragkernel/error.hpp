#pragma once
// The exceptions the engine throws. Every message names what was wrong and what was expected
// ("query has dimension 383, index expects 384"). The Python bindings map each class once:
// InvalidArgument -> ValueError, NotFound -> KeyError, Corruption -> ragkernel.CorruptionError
// (an OSError), IOError -> OSError, anything else -> RuntimeError.
#include <stdexcept>
#include <string>

namespace ragkernel {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The caller passed something the engine cannot accept; nothing was changed.
class InvalidArgument : public Error {
 public:
  using Error::Error;
};

// An id, key or file that the caller named does not exist.
class NotFound : public Error {
 public:
  using Error::Error;
};

// Stored data failed a check (checksum, magic, version, truncated file).
class Corruption : public Error {
 public:
  using Error::Error;
};

// The operating system or the storage engine failed to read or write.
class IOError : public Error {
 public:
  using Error::Error;
};

}  // namespace ragkernel

// The writer of the crash loop (tests/cpp/test_store_crash.cpp): opens the docstore, applies
// batches start, start+1, ... forever and reports each one after apply() returns, by writing
// its number to a pipe. The parent kills it with SIGKILL at a random moment.
//
//   store_crash_child <dir> <first batch> <ack fd>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "helpers/store_crash_model.hpp"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s <dir> <first batch> <ack fd>\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  const std::uint64_t first = std::stoull(argv[2]);
  const int ack_fd = std::atoi(argv[3]);

  ragkernel::store::StoreOptions options;
  options.memtable_bytes = 256 << 10;  // small: flushes (and kills during them) happen often
  auto docs = ragkernel::store::DocStore::open(dir, ragkernel::store::crash_model::kDim, options);
  const std::uint64_t opened = ragkernel::store::crash_model::kOpened;
  if (::write(ack_fd, &opened, sizeof opened) != static_cast<ssize_t>(sizeof opened)) return 3;
  for (std::uint64_t b = first;; ++b) {
    docs->apply(ragkernel::store::crash_model::batch(b));
    if (::write(ack_fd, &b, sizeof b) != static_cast<ssize_t>(sizeof b)) return 3;
    if (b % 50 == 49) docs->store().compact();  // and during compactions
  }
}

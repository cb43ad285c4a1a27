// The writer of the crash loop (tests/cpp/test_store_crash.cpp): opens the docstore, applies
// batches start, start+1, ... forever and reports each one after apply() returns, by writing
// its number to a pipe. The parent kills it with SIGKILL at a random moment.
//
//   store_crash_child <dir> <first batch> <ack fd>
#include <cstdint>

#include "helpers/crash_child.hpp"
#include "helpers/store_crash_model.hpp"

int main(int argc, char** argv) {
  const auto args = ragkernel::testing::parse_crash_child_args(argc, argv);
  if (!args) return 2;
  const auto& [dir, first, ack_fd] = *args;

  ragkernel::store::StoreOptions options;
  options.memtable_bytes = 256 << 10;  // small: flushes (and kills during them) happen often
  auto docs = ragkernel::store::DocStore::open(dir, ragkernel::store::crash_model::kDim, options);
  if (!ragkernel::testing::acknowledge(ack_fd, ragkernel::store::crash_model::kOpened)) return 3;
  for (std::uint64_t b = first;; ++b) {
    docs->apply(ragkernel::store::crash_model::batch(b));
    if (!ragkernel::testing::acknowledge(ack_fd, b)) return 3;
    if (b % 50 == 49) docs->store().compact();  // and during compactions
  }
}

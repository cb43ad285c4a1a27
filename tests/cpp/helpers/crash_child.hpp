#pragma once
// The writer side of a crash loop: its command line and its acknowledgements.
//
//   <child> <dir> <first batch> <ack fd>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

namespace ragkernel::testing {

struct CrashChildArgs {
  std::string dir;
  std::uint64_t first = 0;
  int ack_fd = -1;
};

// The arguments, or nullopt after printing the usage line.
inline std::optional<CrashChildArgs> parse_crash_child_args(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s <dir> <first batch> <ack fd>\n", argv[0]);
    return std::nullopt;
  }
  return CrashChildArgs{argv[1], std::stoull(argv[2]), std::atoi(argv[3])};
}

// Reports one number to the parent through the pipe; false when the pipe is gone.
inline bool acknowledge(int fd, std::uint64_t value) {
  return ::write(fd, &value, sizeof value) == static_cast<ssize_t>(sizeof value);
}

}  // namespace ragkernel::testing

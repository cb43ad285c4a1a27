#pragma once
// One round of a crash loop: exec a writer child, let it run, kill it with SIGKILL at a random
// moment, and collect the batch numbers it acknowledged. The child is invoked as
//
//   <child> <dir> <first batch> <ack fd>
//
// and writes kOpenedAck once its store is open, then each batch number after the write
// returned. A quarter of the kills land anywhere from the start (open, log recovery, flushes
// at open); the rest after the store is open (writes, flushes, compactions, checkpoints).
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace ragkernel::testing::crash_loop {

inline constexpr std::uint64_t kOpenedAck = ~std::uint64_t{0};

struct Round {
  std::optional<std::uint64_t> last_ack;  // the last batch the child acknowledged
  bool killed = false;                    // the child died of our SIGKILL (not by itself)
  int status = 0;
};

inline Round run_and_kill(const char* child, const std::string& dir, std::uint64_t first, std::mt19937_64& rng,
                          int max_delay_ms = 40) {
  std::bernoulli_distribution from_start(0.25);
  std::uniform_int_distribution<int> start_delay_ms(0, 120), open_delay_ms(0, max_delay_ms);
  int fds[2];
  if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::close(fds[0]);
    const std::string first_s = std::to_string(first), fd = std::to_string(fds[1]);
    ::execl(child, child, dir.c_str(), first_s.c_str(), fd.c_str(), nullptr);
    ::_exit(127);
  }
  ::close(fds[1]);
  std::vector<std::uint64_t> acks;
  if (from_start(rng)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(start_delay_ms(rng)));
  } else {
    pollfd p{.fd = fds[0], .events = POLLIN, .revents = 0};
    std::uint64_t ack = 0;
    if (::poll(&p, 1, 10'000) == 1 && ::read(fds[0], &ack, sizeof ack) == static_cast<ssize_t>(sizeof ack)) {
      acks.push_back(ack);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(open_delay_ms(rng)));
  }
  ::kill(pid, SIGKILL);
  Round round;
  ::waitpid(pid, &round.status, 0);
  round.killed = WIFSIGNALED(round.status) && WTERMSIG(round.status) == SIGKILL;
  std::uint64_t ack = 0;
  while (::read(fds[0], &ack, sizeof ack) == static_cast<ssize_t>(sizeof ack)) acks.push_back(ack);
  ::close(fds[0]);
  for (const std::uint64_t a : acks) {
    if (a != kOpenedAck) round.last_ack = a;
  }
  return round;
}

}  // namespace ragkernel::testing::crash_loop

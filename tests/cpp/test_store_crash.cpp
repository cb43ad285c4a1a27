// The crash loop: a child process writes batches and acknowledges each; the parent kills it
// with SIGKILL at random moments (during open and recovery, writes, flushes, compactions),
// reopens the store and checks that every acknowledged batch is fully there and that the one
// in flight is either fully there or not at all.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <random>
#include <thread>

#include "helpers/store_crash_model.hpp"
#include "store_test_util.hpp"

using namespace ragkernel::store;

namespace {

// 50 in the test suite; scripts/soak_store.py runs thousands through RAGKERNEL_CRASH_KILLS.
int kills_wanted() {
  const char* env = std::getenv("RAGKERNEL_CRASH_KILLS");
  return env != nullptr ? std::max(1, std::atoi(env)) : 50;
}

std::map<std::string, Document> read_back(DocStore& docs) {
  std::map<std::string, Document> out;
  docs.scan([&](const Document& d) {
    out.emplace(d.id, d);
    return true;
  });
  return out;
}

}  // namespace

TEST(StoreCrash, EveryAcknowledgedBatchSurvivesSigkill) {
  test_util::ScratchDir dir;
  const std::string path = dir.path();
  std::mt19937_64 rng(20240607);
  // A quarter of the kills land anywhere from the start (open, log recovery, flushes at open);
  // the rest after the store is open (writes, memtable flushes, compactions).
  std::bernoulli_distribution from_start(0.25);
  std::uniform_int_distribution<int> start_delay_ms(0, 120), open_delay_ms(0, 40);
  std::uint64_t present = 0;  // batches known to be in the store
  int acknowledged_runs = 0;

  const int kills = kills_wanted();
  for (int kill_no = 0; kill_no < kills; ++kill_no) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      const std::string first = std::to_string(present), fd = std::to_string(fds[1]);
      ::execl(STORE_CRASH_CHILD, STORE_CRASH_CHILD, path.c_str(), first.c_str(), fd.c_str(), nullptr);
      ::_exit(127);
    }
    ::close(fds[1]);
    std::vector<std::uint64_t> acks;
    if (from_start(rng)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(start_delay_ms(rng)));
    } else {
      pollfd p{.fd = fds[0], .events = POLLIN, .revents = 0};
      std::uint64_t first = 0;
      if (::poll(&p, 1, 10'000) == 1 && ::read(fds[0], &first, sizeof first) == static_cast<ssize_t>(sizeof first)) {
        acks.push_back(first);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(open_delay_ms(rng)));
    }
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "the writer stopped by itself (status " << status << ") before the kill";

    std::uint64_t ack = 0;
    while (::read(fds[0], &ack, sizeof ack) == static_cast<ssize_t>(sizeof ack)) acks.push_back(ack);
    ::close(fds[0]);
    std::optional<std::uint64_t> last_ack;
    for (const std::uint64_t a : acks) {
      if (a != crash_model::kOpened) last_ack = a;
    }
    if (last_ack) ++acknowledged_runs;

    // Acknowledged: every batch up to last_ack. In flight: the next one, all or nothing.
    const std::uint64_t at_least = last_ack ? *last_ack + 1 : present;
    // Read-only: the check itself must not change what the next writer recovers from.
    auto docs = DocStore::open(path, crash_model::kDim, StoreOptions{.access = Access::read_only});
    const std::map<std::string, Document> state = read_back(*docs);
    if (crash_model::same(state, crash_model::state_after(at_least))) {
      present = at_least;
    } else if (crash_model::same(state, crash_model::state_after(at_least + 1))) {
      present = at_least + 1;
    } else {
      FAIL() << "after kill " << kill_no << " the store matches neither " << at_least << " nor " << at_least + 1
             << " batches (" << state.size() << " documents)";
    }
    ASSERT_EQ(docs->size(), state.size()) << "the document count disagrees with the documents";
  }
  EXPECT_GT(acknowledged_runs, kills / 3) << "most runs should get some batches acknowledged before the kill";
  EXPECT_GT(present, static_cast<std::uint64_t>(kills));
}

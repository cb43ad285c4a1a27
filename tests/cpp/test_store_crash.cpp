// The crash loop: a child process writes batches and acknowledges each; the parent kills it
// with SIGKILL at random moments (during open and recovery, writes, flushes, compactions),
// reopens the store and checks that every acknowledged batch is fully there and that the one
// in flight is either fully there or not at all.
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>

#include "helpers/crash_loop.hpp"
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
  std::uint64_t present = 0;  // batches known to be in the store
  int acknowledged_runs = 0;

  const int kills = kills_wanted();
  for (int kill_no = 0; kill_no < kills; ++kill_no) {
    const auto round = ragkernel::testing::crash_loop::run_and_kill(STORE_CRASH_CHILD, path, present, rng);
    ASSERT_TRUE(round.killed) << "the writer stopped by itself (status " << round.status << ") before the kill";
    if (round.last_ack) ++acknowledged_runs;

    // Acknowledged: every batch up to last_ack. In flight: the next one, all or nothing.
    const std::uint64_t at_least = round.last_ack ? *round.last_ack + 1 : present;
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

// The crash loop at collection level: a child process writes atomic updates (upserts and a
// delete) through a durable Collection and acknowledges each; the parent kills it with SIGKILL
// at random moments (open and replay, writes, flushes, checkpoints, compactions), opens the
// collection read-only and checks that every acknowledged update is there, the one in flight
// all or nothing, and that the rebuilt indexes agree with the documents: each document's own
// token finds exactly it, its own vector finds it at distance 0, and no deleted one is found.
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>

#include "helpers/collection_crash_model.hpp"
#include "ragkernel/error.hpp"
#include "store_test_util.hpp"

using namespace ragkernel;
using namespace ragkernel::collection;

namespace {

int kills_wanted() {
  const char* env = std::getenv("RAGKERNEL_CRASH_KILLS");
  return env != nullptr ? std::max(1, std::atoi(env)) : 50;
}

bool holds(const Collection& col, const std::map<std::string, crash_model::Version>& want) {
  const std::vector<std::string> ids = col.ids();
  if (ids.size() != want.size()) return false;
  const auto records = col.get(ids);
  for (const auto& r : records) {
    const auto it = want.find(r->id);
    if (it == want.end() || r->text != it->second.text || r->vector != it->second.vector) return false;
    if (r->metadata.size() != 1 || std::get<std::int64_t>(r->metadata[0].second) != it->second.batch) return false;
  }
  return true;
}

// The indexes rebuilt on open (BM25, metadata, vectors from snapshot + change log) agree with
// the documents.
void check_indexes(const Collection& col, const std::map<std::string, crash_model::Version>& docs) {
  for (const auto& [id, v] : docs) {
    Query text;
    text.text = v.text.substr(0, v.text.find(' '));  // the version's own token
    text.k = 3;
    const auto by_text = col.search(text);
    ASSERT_EQ(by_text.size(), 1u) << id;
    EXPECT_EQ(by_text[0].id, id);
    Query vec;
    vec.vector = v.vector;
    vec.k = 1;
    const auto by_vector = col.search(vec);
    ASSERT_EQ(by_vector.size(), 1u) << id;
    EXPECT_EQ(by_vector[0].id, id);
    EXPECT_NEAR(by_vector[0].score, 0.0, 1e-5);
    Query filtered = text;
    filtered.filter = std::make_shared<const filter::Filter>(filter::parse_filter(
        filter::Json{filter::JsonObject{{"batch", filter::Json{static_cast<std::int64_t>(v.batch)}}}}));
    EXPECT_EQ(col.search(filtered).size(), 1u) << id;
  }
  Query all;
  all.text = "shared";
  all.k = 1000;
  EXPECT_EQ(col.search(all).size(), docs.size());
}

}  // namespace

TEST(CollectionCrash, EveryAcknowledgedUpdateSurvivesSigkill) {
  store::test_util::ScratchDir dir;
  const std::string path = dir.path();
  std::mt19937_64 rng(20240611);
  std::uint64_t present = 0;
  int acknowledged_runs = 0;
  const int kills = kills_wanted();
  for (int kill_no = 0; kill_no < kills; ++kill_no) {
    const auto round = ragkernel::testing::crash_loop::run_and_kill(COLLECTION_CRASH_CHILD, path, present, rng, 60);
    ASSERT_TRUE(round.killed) << "the writer stopped by itself (status " << round.status << ") before the kill";
    if (round.last_ack) ++acknowledged_runs;
    const std::uint64_t at_least = round.last_ack ? *round.last_ack + 1 : present;
    std::unique_ptr<Collection> col;
    try {
      OpenOptions o;
      o.store.access = store::Access::read_only;
      col = Collection::open(path, o);
    } catch (const NotFound&) {  // killed before the creation finished
      ASSERT_EQ(at_least, 0u) << "acknowledged writes but the creation did not finish";
      continue;
    }
    const auto now = crash_model::state_after(at_least), next = crash_model::state_after(at_least + 1);
    if (holds(*col, now)) {
      present = at_least;
      check_indexes(*col, now);
    } else if (holds(*col, next)) {
      present = at_least + 1;
      check_indexes(*col, next);
    } else {
      FAIL() << "after kill " << kill_no << " the collection matches neither " << at_least << " nor " << at_least + 1
             << " updates (" << col->size() << " documents)";
    }
    if (HasFatalFailure()) return;
  }
  EXPECT_GT(acknowledged_runs, kills / 3) << "most runs should get some updates acknowledged before the kill";
  EXPECT_GT(present, static_cast<std::uint64_t>(kills));
}

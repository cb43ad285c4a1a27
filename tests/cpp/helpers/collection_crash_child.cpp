// The writer of the collection crash loop (tests/cpp/test_collection_crash.cpp): opens (or
// creates) the collection, applies batches start, start+1, ... forever (each one atomic
// update: six upserts and, when the doomed id is present, its deletion), acknowledges each
// after it returned, and checkpoints often, so kills land in snapshot writes too.
//
//   collection_crash_child <dir> <first batch> <ack fd>
#include "helpers/collection_crash_model.hpp"
#include "helpers/crash_child.hpp"
#include "ragkernel/error.hpp"

using namespace ragkernel::collection;

int main(int argc, char** argv) {
  const auto args = ragkernel::testing::parse_crash_child_args(argc, argv);
  if (!args) return 2;
  const auto& [dir, first, ack_fd] = *args;

  ragkernel::store::StoreOptions store;
  store.memtable_bytes = 256 << 10;  // small: flushes (and kills during them) happen often
  std::unique_ptr<Collection> col;
  try {
    OpenOptions o;
    o.store = store;
    o.checkpoint_min_changes = 40;
    col = Collection::open(dir, o);
  } catch (const ragkernel::NotFound&) {  // not there yet, or its creation was killed
    col = Collection::create(dir, crash_model::options(), store);
  }
  if (!ragkernel::testing::acknowledge(ack_fd, crash_model::kOpened)) return 3;
  for (std::uint64_t b = first;; ++b) {
    const crash_model::Batch batch = crash_model::batch(b);
    Documents docs;
    std::vector<float> vectors;
    for (std::size_t i = 0; i < batch.ids.size(); ++i) {
      docs.ids.push_back(batch.ids[i]);
      docs.texts.push_back(batch.versions[i].text);
      docs.metadata.push_back({{"batch", batch.versions[i].batch}});
      vectors.insert(vectors.end(), batch.versions[i].vector.begin(), batch.versions[i].vector.end());
    }
    docs.vectors = vectors;
    const bool doomed_present = !batch.erase.empty() && col->contains(batch.erase.front());
    col->update(docs, doomed_present ? std::span<const std::string>(batch.erase) : std::span<const std::string>());
    if (!ragkernel::testing::acknowledge(ack_fd, b)) return 3;
    if (b % 50 == 49) col->compact();
  }
}

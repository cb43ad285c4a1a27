#pragma once
// What goes into a Collection and what comes back out of get().
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "ragkernel/filter/metadata_store.hpp"

namespace ragkernel::collection {

// Columnar input of add/upsert. texts: one per id, non-empty, valid UTF-8. metadata: empty
// (no metadata) or one record per id. vectors: ids.size() * dim floats, row-major (empty for a
// text-only collection); the caller keeps them alive during the call.
struct Documents {
  std::vector<std::string> ids{};
  std::vector<std::string> texts{};
  std::vector<filter::Metadata> metadata{};
  std::span<const float> vectors{};
};

// Which parts of a record get() and search() return (bit mask); the id always.
enum Field : unsigned { kText = 1, kMetadata = 2, kVector = 4, kAllFields = 7 };

struct Record {
  std::string id;
  std::string text;
  filter::Metadata metadata;  // fields in name order; empty when none were given
  std::vector<float> vector;  // as given (cosine: not normalised); empty for a text-only collection
};

struct WriteResult {
  std::vector<bool> replaced;  // per document: the id existed before (always false for add)
};

}  // namespace ragkernel::collection

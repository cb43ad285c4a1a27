#pragma once
// A write in two steps: plan_*() checks everything and prepares what the indexes need
// (analysed terms, parsed metadata) without changing anything; apply_*() then changes the
// indexes and cannot fail on a plan made against the same state. A durable collection writes
// its batch between the two, so memory and disk change together or not at all.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "collection/indexes.hpp"
#include "ragkernel/collection/documents.hpp"

namespace ragkernel::collection::detail {

struct WritePlan {
  bool upsert = false;
  std::vector<std::uint32_t> existing;  // per document: its internal id, or IdMap::kNone when new
  std::vector<std::vector<std::string>> terms;
  std::vector<filter::Metadata> metadata;  // one per document (empty records where none given)
  std::vector<std::uint32_t> assigned;     // per document: its internal id, filled by assign_ids()
};

struct DeletePlan {
  std::vector<std::string> ids;
  std::vector<std::uint32_t> internal;
};

// Throws InvalidArgument (NotFound for unknown ids on delete) naming the document and what
// was expected; nothing changes.
WritePlan plan_write(const Indexes& indexes, const Documents& docs, bool upsert);
DeletePlan plan_delete(const Indexes& indexes, std::span<const std::string> ids);

// Gives every new document an internal id (the only step that touches the IdMap before the
// indexes); undo_assign() releases them again if the durable write fails.
void assign_ids(Indexes& indexes, const Documents& docs, WritePlan& plan);
void undo_assign(Indexes& indexes, const Documents& docs, const WritePlan& plan);

void apply_write(Indexes& indexes, const Documents& docs, const WritePlan& plan);
void apply_delete(Indexes& indexes, const DeletePlan& plan);

// The terms of each text, analysed on OpenMP threads; InvalidArgument naming the id of the
// first text (by position) that is empty or cannot be analysed.
std::vector<std::vector<std::string>> analyse_texts(const text::Analyzer& analyzer, std::span<const std::string> ids,
                                                    std::span<const std::string> texts);

// Checks a metadata record's values beyond their types (finite numbers), naming the document.
void check_metadata_values(const filter::Metadata& record, const std::string& id);

}  // namespace ragkernel::collection::detail

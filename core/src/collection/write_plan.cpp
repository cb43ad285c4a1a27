#include "collection/write_plan.hpp"

#include <omp.h>

#include <atomic>
#include <cmath>
#include <exception>
#include <unordered_set>

#include "ragkernel/error.hpp"

namespace ragkernel::collection::detail {
namespace {

std::string quoted(const std::string& id) { return "'" + id + "'"; }

void check_ids(std::span<const std::string> ids, const char* call) {
  std::unordered_set<std::string_view> seen;
  seen.reserve(ids.size());
  for (const std::string& id : ids) {
    if (id.empty()) throw InvalidArgument(std::string(call) + ": ids must be non-empty strings");
    if (!seen.insert(id).second) {
      throw InvalidArgument(std::string(call) + ": id " + quoted(id) + " appears twice; pass each id once");
    }
  }
}

void check_vectors(const Indexes& indexes, const Documents& docs) {
  const std::size_t n = docs.ids.size();
  const std::size_t dim = indexes.dim();
  if (dim == 0) {
    if (!docs.vectors.empty()) {
      throw InvalidArgument(
          "this collection is text-only (dim 0) and takes no vectors; create it with dim=... to "
          "store vectors");
    }
    return;
  }
  if (docs.vectors.size() != n * dim) {
    if (docs.vectors.empty()) {
      throw InvalidArgument("vectors are missing: this collection keeps a " + std::to_string(dim) +
                            "-dimensional vector per document; pass vectors of shape [" + std::to_string(n) + ", " +
                            std::to_string(dim) + "]");
    }
    throw InvalidArgument("vectors hold " + std::to_string(docs.vectors.size()) + " floats, expected " +
                          std::to_string(n) + " x " + std::to_string(dim) + " (one " + std::to_string(dim) +
                          "-dimensional vector per id)");
  }
  const bool cosine = indexes.vectors->options().metric == vector::Metric::cosine;
  for (std::size_t i = 0; i < n; ++i) {
    const float* row = docs.vectors.data() + i * dim;
    bool zero = true;
    for (std::size_t j = 0; j < dim; ++j) {
      if (!std::isfinite(row[j])) {
        throw InvalidArgument("vector of id " + quoted(docs.ids[i]) + " has a non-finite value at dimension " +
                              std::to_string(j) + "; expected finite floats");
      }
      zero = zero && row[j] == 0.f;
    }
    if (zero && cosine) {
      throw InvalidArgument("vector of id " + quoted(docs.ids[i]) +
                            " is all zeros; the cosine metric needs a non-zero vector");
    }
  }
}

}  // namespace

std::vector<std::vector<std::string>> analyse_texts(const text::Analyzer& analyzer, std::span<const std::string> ids,
                                                    std::span<const std::string> texts) {
  const std::size_t n = texts.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (texts[i].empty()) {
      throw InvalidArgument("text of id " + quoted(ids[i]) + " is empty; every document needs some text");
    }
  }
  std::vector<std::vector<std::string>> terms(n);
  std::atomic<std::size_t> first_bad{n};
  std::vector<std::exception_ptr> errors(n);
  const auto count = static_cast<std::int64_t>(n);
#pragma omp parallel for schedule(dynamic, 64) if (count > 256)
  for (std::int64_t i = 0; i < count; ++i) {
    const auto idx = static_cast<std::size_t>(i);
    if (idx > first_bad.load(std::memory_order_relaxed)) continue;
    try {
      terms[idx] = analyzer.analyze(texts[idx]);
    } catch (...) {
      errors[idx] = std::current_exception();
      std::size_t cur = first_bad.load();
      while (idx < cur && !first_bad.compare_exchange_weak(cur, idx)) {
      }
    }
  }
  if (const std::size_t bad = first_bad.load(); bad < n) {
    try {
      std::rethrow_exception(errors[bad]);
    } catch (const InvalidArgument& e) {
      throw InvalidArgument("text of id " + quoted(ids[bad]) + ": " + e.what());
    }
  }
  return terms;
}

void check_metadata_values(const filter::Metadata& record, const std::string& id) {
  for (const auto& [field, value] : record) {
    const double* d = std::get_if<double>(&value);
    if (d != nullptr && !std::isfinite(*d)) {
      throw InvalidArgument("metadata field '" + field + "' of id " + quoted(id) +
                            " is not a finite number; expected a finite float, an int, a str, a bool or a list of str");
    }
  }
}

WritePlan plan_write(const Indexes& indexes, const Documents& docs, bool upsert) {
  const char* call = upsert ? "upsert" : "add";
  const std::size_t n = docs.ids.size();
  if (docs.texts.size() != n) {
    throw InvalidArgument(std::string(call) + " got " + std::to_string(n) + " ids but " +
                          std::to_string(docs.texts.size()) + " texts; pass one text per id");
  }
  if (!docs.metadata.empty() && docs.metadata.size() != n) {
    throw InvalidArgument(std::string(call) + " got " + std::to_string(n) + " ids but " +
                          std::to_string(docs.metadata.size()) + " metadata records; pass one per id (or none)");
  }
  check_ids(docs.ids, call);
  WritePlan plan;
  plan.upsert = upsert;
  plan.existing.resize(n, IdMap::kNone);
  for (std::size_t i = 0; i < n; ++i) {
    if (const auto id = indexes.ids.find(docs.ids[i])) {
      if (!upsert) throw InvalidArgument("id " + quoted(docs.ids[i]) + " already exists; use upsert to replace it");
      plan.existing[i] = *id;
    }
  }
  check_vectors(indexes, docs);
  plan.metadata = docs.metadata.empty() ? std::vector<filter::Metadata>(n) : docs.metadata;
  for (std::size_t i = 0; i < n; ++i) check_metadata_values(plan.metadata[i], docs.ids[i]);
  std::vector<std::string> names;
  names.reserve(n);
  for (const std::string& id : docs.ids) names.push_back("id " + quoted(id));
  indexes.metadata.validate(plan.metadata, names);
  plan.terms = analyse_texts(indexes.bm25.analyzer(), docs.ids, docs.texts);
  return plan;
}

DeletePlan plan_delete(const Indexes& indexes, std::span<const std::string> ids) {
  check_ids(ids, "delete");
  DeletePlan plan;
  plan.ids.assign(ids.begin(), ids.end());
  for (const std::string& id : ids) {
    const auto internal = indexes.ids.find(id);
    if (!internal) throw NotFound("delete: id " + quoted(id) + " is not in the collection; nothing was deleted");
    plan.internal.push_back(*internal);
  }
  return plan;
}

void assign_ids(Indexes& indexes, const Documents& docs, WritePlan& plan) {
  plan.assigned = plan.existing;
  for (std::size_t i = 0; i < docs.ids.size(); ++i) {
    if (plan.assigned[i] == IdMap::kNone) plan.assigned[i] = indexes.ids.insert(docs.ids[i]).first;
  }
}

void undo_assign(Indexes& indexes, const Documents& docs, const WritePlan& plan) {
  // In reverse, so the IdMap's free list is as it was.
  for (std::size_t i = docs.ids.size(); i-- > 0;) {
    if (plan.existing[i] == IdMap::kNone) indexes.ids.erase(docs.ids[i]);
  }
}

void apply_write(Indexes& indexes, const Documents& docs, const WritePlan& plan) {
  std::vector<std::uint32_t> replaced;
  for (const std::uint32_t id : plan.existing) {
    if (id != IdMap::kNone) replaced.push_back(id);
  }
  indexes.metadata.set(plan.assigned, plan.metadata);
  if (!replaced.empty()) indexes.bm25.remove(replaced);
  indexes.bm25.add_terms(plan.assigned, plan.terms);
  if (indexes.vectors && !plan.assigned.empty()) indexes.vectors->upsert(plan.assigned, docs.vectors.data());
  if (indexes.keep_texts) {
    for (std::size_t i = 0; i < plan.assigned.size(); ++i) {
      const std::uint32_t id = plan.assigned[i];
      if (indexes.texts.size() <= id) indexes.texts.resize(std::size_t{id} + 1);
      indexes.texts[id] = docs.texts[i];
    }
  }
}

void apply_delete(Indexes& indexes, const DeletePlan& plan) {
  if (plan.internal.empty()) return;
  indexes.bm25.remove(plan.internal);
  if (indexes.vectors) indexes.vectors->remove(plan.internal);
  indexes.metadata.remove(plan.internal);
  if (indexes.keep_texts) {
    for (const std::uint32_t id : plan.internal) std::string().swap(indexes.texts[id]);
  }
  // Only now may the IdMap hand these ids out again: every index has forgotten them.
  for (const std::string& id : plan.ids) indexes.ids.erase(id);
}

}  // namespace ragkernel::collection::detail

#pragma once
// The workload of the collection crash loop, shared by the writer child and the checking
// parent: batch b upserts six documents (each with a token no other version has, typed
// metadata and a pseudo-random vector) and deletes one, so the parent can compute exactly
// which documents the collection must hold after any number of batches.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "helpers/crash_loop.hpp"
#include "ragkernel/collection/collection.hpp"

namespace ragkernel::collection::crash_model {

inline constexpr std::size_t kDim = 8;
inline constexpr std::uint64_t kIdSpace = 120;
inline constexpr std::uint64_t kDocsPerBatch = 6;
inline constexpr std::uint64_t kOpened = ::ragkernel::testing::crash_loop::kOpenedAck;

template <class... Parts>
std::string cat(const Parts&... parts) {
  std::string out;
  (out.append(parts), ...);
  return out;
}

inline std::string doc_id(std::uint64_t n) { return cat("doc-", std::to_string(n % kIdSpace)); }
// A token only this version of this document has.
inline std::string token(std::uint64_t b, std::uint64_t j) {
  return cat("tok", std::to_string(b), "x", std::to_string(j));
}

struct Version {
  std::string text;
  std::int64_t batch = 0;
  std::vector<float> vector;
};

inline float pseudo(std::uint64_t b, std::uint64_t j, std::uint64_t k) {
  std::uint64_t x = (b * 1000003 + j * 10007 + k * 101 + 7) * 0x9E3779B97F4A7C15ull;
  x ^= x >> 29;
  return static_cast<float>(x % 2001) / 1000.f - 1.f + 0.0005f;  // never all zeros
}

struct Batch {
  std::vector<std::string> ids;
  std::vector<Version> versions;
  std::vector<std::string> erase;
};

inline Batch batch(std::uint64_t b) {
  Batch out;
  for (std::uint64_t j = 0; j < kDocsPerBatch; ++j) {
    out.ids.push_back(doc_id(b * 5 + j * 17));
    Version v;
    // Variable sizes so memtables fill and flush at different points.
    v.text = cat(token(b, j), " shared words ", std::string(1 + (b * 31 + j * 7) % 300, 'y'));
    v.batch = static_cast<std::int64_t>(b);
    for (std::size_t k = 0; k < kDim; ++k) v.vector.push_back(pseudo(b, j, k));
    out.versions.push_back(std::move(v));
  }
  const std::string doomed = doc_id(b * 11 + 3);
  bool written = false;
  for (const std::string& id : out.ids) written = written || id == doomed;
  if (!written) out.erase.push_back(doomed);
  return out;
}

// The documents after the first `batches` batches (deletions of absent ids are skipped, as
// the child skips them).
inline std::map<std::string, Version> state_after(std::uint64_t batches) {
  std::map<std::string, Version> docs;
  for (std::uint64_t b = 0; b < batches; ++b) {
    Batch c = batch(b);
    for (const std::string& id : c.erase) docs.erase(id);
    for (std::size_t i = 0; i < c.ids.size(); ++i) docs[c.ids[i]] = c.versions[i];
  }
  return docs;
}

inline CollectionOptions options() {
  CollectionOptions o;
  o.dim = kDim;
  o.vector.metric = vector::Metric::l2;
  o.vector.kind = vector::IndexKind::flat;
  return o;
}

}  // namespace ragkernel::collection::crash_model

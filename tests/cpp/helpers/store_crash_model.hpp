#pragma once
// The workload of the crash loop, shared by the writer child and the checking parent: batch b
// is a deterministic mix of upserts (some replacing, some without metadata) and one delete, so
// the parent can compute exactly what the store must hold after any number of batches.
#include <cstdint>
#include <map>
#include <string>

#include "helpers/crash_loop.hpp"
#include "ragkernel/store/doc_store.hpp"

namespace ragkernel::store::crash_model {

inline constexpr std::uint32_t kDim = 8;
// Sent by the child once the store is open (batch numbers are never this large).
inline constexpr std::uint64_t kOpened = ::ragkernel::testing::crash_loop::kOpenedAck;
inline constexpr std::uint64_t kIdSpace = 150;
inline constexpr std::uint64_t kDocsPerBatch = 6;

// Appends pieces (GCC 12 reports a false -Wrestrict on "literal" + std::string).
template <class... Parts>
std::string cat(const Parts&... parts) {
  std::string out;
  (out.append(parts), ...);
  return out;
}

inline std::string doc_id(std::uint64_t n) { return cat("doc-", std::to_string(n % kIdSpace)); }

inline DocumentChanges batch(std::uint64_t b) {
  DocumentChanges changes;
  changes.mode = WriteMode::upsert;
  for (std::uint64_t j = 0; j < kDocsPerBatch; ++j) {
    DocumentBatch& d = changes.documents;
    d.ids.push_back(doc_id(b * 5 + j * 17));
    // Variable sizes so memtables fill and flush at different points.
    d.texts.push_back(cat("b", std::to_string(b), "-j", std::to_string(j), std::string((b * 31 + j * 7) % 400, 'x')));
    if ((b + j) % 3 == 0) {
      d.metadata.emplace_back(std::nullopt);
    } else {
      d.metadata.emplace_back(cat("m", std::to_string(b), ".", std::to_string(j)));
    }
    for (std::uint32_t k = 0; k < kDim; ++k) {
      d.vectors.push_back(static_cast<float>(b) + 0.5f * static_cast<float>(j) + 0.001f * static_cast<float>(k));
    }
  }
  const std::string doomed = doc_id(b * 11 + 3);
  bool written = false;
  for (const std::string& id : changes.documents.ids) written = written || id == doomed;
  if (!written) changes.erase_ids.push_back(doomed);
  return changes;
}

// The documents after the first `batches` batches, by id.
inline std::map<std::string, Document> state_after(std::uint64_t batches) {
  std::map<std::string, Document> docs;
  for (std::uint64_t b = 0; b < batches; ++b) {
    const DocumentChanges c = batch(b);
    for (const std::string& id : c.erase_ids) docs.erase(id);
    for (std::size_t i = 0; i < c.documents.ids.size(); ++i) {
      Document& d = docs[c.documents.ids[i]];
      d.id = c.documents.ids[i];
      d.text = c.documents.texts[i];
      d.metadata = c.documents.metadata[i];
      d.vector.assign(c.documents.vectors.begin() + static_cast<std::ptrdiff_t>(i * kDim),
                      c.documents.vectors.begin() + static_cast<std::ptrdiff_t>((i + 1) * kDim));
    }
  }
  return docs;
}

inline bool same(const std::map<std::string, Document>& a, const std::map<std::string, Document>& b) {
  if (a.size() != b.size()) return false;
  for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib) {
    if (ia->first != ib->first || ia->second.text != ib->second.text || ia->second.metadata != ib->second.metadata ||
        ia->second.vector != ib->second.vector) {
      return false;
    }
  }
  return true;
}

}  // namespace ragkernel::store::crash_model

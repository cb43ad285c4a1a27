// InvertedIndex::to_bytes / from_bytes: the lexical index of a durable collection's snapshot.
//
//   header: magic "RKLEXIDX", format version (u32), payload bytes (u64), payload checksum (u64)
//   payload (varints):
//     terms      count, then each term length-prefixed, in term-id order (dead terms too, so
//                ids and later additions number terms exactly as before)
//     documents  id bound, count, total length, then per document: id gap and length
//     postings   per term: count, then per posting: doc gap and tf - 1
//
// The forward index is rebuilt from the postings, the impact cache on first use. Reading checks
// the checksum and then every structural rule (ids ascending and present, each document's
// tfs summing to its length, the total), so a foreign, truncated or damaged copy is a
// Corruption and never a half-built index.
#include <cstring>
#include <string>
#include <vector>

#include "inverted_index_impl.hpp"
#include "ragkernel/error.hpp"
#include "store/encoding.hpp"
#include "vector/file_format.hpp"

namespace ragkernel::text {
namespace {

using store::detail::put_bytes;
using store::detail::put_le;
using store::detail::put_varint;
using store::detail::Reader;

constexpr char kMagic[8] = {'R', 'K', 'L', 'E', 'X', 'I', 'D', 'X'};
constexpr std::uint32_t kVersion = 1;
constexpr std::size_t kHeaderBytes = sizeof(kMagic) + 4 + 8 + 8;

std::uint64_t checksum(std::string_view payload) {
  vector::detail::Hasher h;
  h.update(payload.data(), payload.size());
  return h.digest();
}

[[noreturn]] void corrupt(const std::string& what) { throw Corruption("lexical index copy: " + what); }

std::uint64_t read_count(Reader& r, std::uint64_t max, const char* what) {
  const std::uint64_t n = r.varint();
  if (r.failed()) corrupt(std::string("truncated in ") + what);
  if (n > max) corrupt(std::string(what) + " out of range (" + std::to_string(n) + ")");
  return n;
}

}  // namespace

std::string InvertedIndex::to_bytes() const {
  const Impl& m = *impl_;
  std::string payload;
  put_varint(payload, m.dict.size());
  for (std::uint32_t t = 0; t < m.dict.size(); ++t) put_bytes(payload, m.dict.term(t));

  put_varint(payload, m.doc_len.size());
  put_varint(payload, m.n_docs);
  put_varint(payload, m.total_len);
  std::uint64_t next = 0;  // documents as gaps from one past the previous id
  m.present.for_each([&](std::size_t id) {
    put_varint(payload, id - next);
    put_varint(payload, m.doc_len[id]);
    next = id + 1;
  });

  std::array<std::uint32_t, PostingList::kBlock> docs{}, tfs{};
  for (const PostingList& list : m.postings) {
    put_varint(payload, list.size());
    std::uint64_t prev = 0;
    for (std::size_t b = 0; b < list.blocks().size(); ++b) {
      list.decode(b, docs.data(), tfs.data());
      for (std::size_t i = 0; i < list.blocks()[b].count; ++i) {
        put_varint(payload, docs[i] - prev);
        put_varint(payload, tfs[i] - 1);
        prev = std::uint64_t{docs[i]} + 1;
      }
    }
  }

  std::string out(kMagic, sizeof(kMagic));
  put_le<std::uint32_t>(out, kVersion);
  put_le<std::uint64_t>(out, payload.size());
  put_le<std::uint64_t>(out, checksum(payload));
  out += payload;
  return out;
}

InvertedIndex InvertedIndex::from_bytes(std::string_view bytes) {
  if (bytes.size() < kHeaderBytes || std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) {
    corrupt("not a lexical index (expected magic RKLEXIDX, " + std::to_string(bytes.size()) + " bytes)");
  }
  Reader header(bytes.substr(sizeof(kMagic), kHeaderBytes - sizeof(kMagic)));
  const auto version = header.le<std::uint32_t>();
  const auto payload_bytes = header.le<std::uint64_t>();
  const auto want_sum = header.le<std::uint64_t>();
  if (version != kVersion) {
    corrupt("format version " + std::to_string(version) + ", this build reads version " + std::to_string(kVersion));
  }
  const std::string_view payload = bytes.substr(kHeaderBytes);
  if (payload.size() != payload_bytes) {
    corrupt("payload is " + std::to_string(payload.size()) + " bytes, header says " + std::to_string(payload_bytes));
  }
  if (checksum(payload) != want_sum) corrupt("payload checksum mismatch");

  InvertedIndex index;
  Impl& m = *index.impl_;
  Reader r(payload);
  // Every element takes at least one byte, which bounds each count before anything is allocated.
  const std::uint64_t n_terms = read_count(r, r.remaining(), "term count");
  m.postings.resize(n_terms);
  m.slots.resize(n_terms);
  for (std::uint64_t t = 0; t < n_terms; ++t) {
    const std::string_view term = r.length_prefixed();
    if (r.failed()) corrupt("truncated in the terms");
    if (m.dict.intern(term) != t) corrupt("term " + std::to_string(t) + " appears twice");
  }

  const std::uint64_t id_bound = read_count(r, 0xFFFFFFFFull, "id bound");
  const std::uint64_t n_docs = read_count(r, std::min<std::uint64_t>(id_bound, r.remaining()), "document count");
  const std::uint64_t total_len = r.varint();
  m.doc_len.assign(id_bound, 0);
  m.present.resize(id_bound);
  std::uint64_t next = 0, sum_len = 0;
  for (std::uint64_t i = 0; i < n_docs; ++i) {
    const std::uint64_t id = next + r.varint();
    const std::uint64_t len = r.varint();
    if (r.failed()) corrupt("truncated in the documents");
    if (id >= id_bound || len > 0xFFFFFFFFull) corrupt("document " + std::to_string(i) + " out of range");
    m.doc_len[id] = static_cast<std::uint32_t>(len);
    m.present.set(id);
    sum_len += len;
    next = id + 1;
  }
  if (sum_len != total_len) corrupt("document lengths do not add up to the total");
  m.n_docs = n_docs;
  m.total_len = total_len;

  // Postings; each document's tfs must add up to its length, and its distinct terms (in term
  // order, as the postings are read) become its forward entry.
  std::vector<std::uint64_t> tf_sum(id_bound, 0);
  std::vector<std::uint32_t> fwd_count(id_bound, 0);
  std::vector<std::uint64_t> posting_terms;  // (doc << 32 | term) per posting, in term order
  std::vector<detail::Posting> list;
  for (std::uint64_t t = 0; t < n_terms; ++t) {
    const std::uint64_t n = read_count(r, n_docs, "posting count");
    list.clear();
    std::uint64_t prev = 0;
    for (std::uint64_t i = 0; i < n; ++i) {
      const std::uint64_t doc = prev + r.varint();
      const std::uint64_t tf = r.varint() + 1;
      if (r.failed()) corrupt("truncated in the postings of term " + std::to_string(t));
      if (doc >= id_bound || !m.present.test(doc) || tf > 0xFFFFFFFFull) {
        corrupt("a posting of term " + std::to_string(t) + " names no indexed document");
      }
      list.push_back({static_cast<std::uint32_t>(doc), static_cast<std::uint32_t>(tf)});
      tf_sum[doc] += tf;
      ++fwd_count[doc];
      posting_terms.push_back(doc << 32 | t);
      prev = doc + 1;
    }
    if (!list.empty()) {
      m.postings[t].insert(list);
      m.posting_bytes += m.postings[t].memory_bytes();
      ++m.live_terms;
    }
  }
  if (r.remaining() != 0) corrupt(std::to_string(r.remaining()) + " unexpected bytes after the postings");
  for (std::uint64_t id = 0; id < id_bound; ++id) {
    if (tf_sum[id] != m.doc_len[id]) corrupt("document " + std::to_string(id) + "'s postings disagree with its length");
  }

  // Forward entries: group the (doc, term) pairs by document, terms ascending within each.
  std::vector<std::uint64_t> start(id_bound + 1, 0);
  for (std::uint64_t id = 0; id < id_bound; ++id) start[id + 1] = start[id] + fwd_count[id];
  std::vector<std::uint32_t> terms(posting_terms.size());
  for (const std::uint64_t p : posting_terms) terms[start[p >> 32]++] = static_cast<std::uint32_t>(p);
  m.forward.reserve_ids(id_bound);
  std::uint64_t begin = 0;
  for (std::uint64_t id = 0; id < id_bound; ++id) {
    if (m.present.test(id)) {
      m.forward.put(static_cast<std::uint32_t>(id), std::span(terms).subspan(begin, fwd_count[id]));
    }
    begin += fwd_count[id];
  }
  return index;
}

}  // namespace ragkernel::text

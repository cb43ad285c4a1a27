// InvertedIndex::to_bytes / from_bytes: a copy behaves exactly like the original (searches,
// statistics, explanations, and every later add/remove), and anything but an intact copy is a
// Corruption, never a crash or a half-built index.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "ragkernel/error.hpp"
#include "ragkernel/text/inverted_index.hpp"
#include "store/encoding.hpp"
#include "vector/file_format.hpp"

using namespace ragkernel::text;
using ragkernel::Corruption;
using Doc = std::vector<std::string>;

namespace {

constexpr std::size_t kHeader = 8 + 4 + 8 + 8;  // magic, version, payload bytes, checksum

std::string term(std::size_t i) {
  std::string t = "w";
  t.append(std::to_string(i));
  return t;
}

// Zipf-like terms, some empty and some long documents.
std::vector<Doc> corpus(std::mt19937& rng, std::size_t n, std::size_t vocab) {
  std::vector<double> weights(vocab);
  for (std::size_t i = 0; i < vocab; ++i) weights[i] = 1.0 / static_cast<double>(i + 1);
  std::discrete_distribution<std::size_t> word(weights.begin(), weights.end());
  std::vector<Doc> docs(n);
  for (Doc& d : docs) {
    const std::size_t len = rng() % 9 == 0 ? 0 : 1 + rng() % 40 + (rng() % 23 == 0 ? 400 : 0);
    for (std::size_t i = 0; i < len; ++i) d.push_back(term(word(rng)));
  }
  return docs;
}

// Adds docs under ids start, start + stride, ...
void add(InvertedIndex& index, const std::vector<Doc>& docs, std::uint32_t start, std::uint32_t stride) {
  std::vector<std::uint32_t> ids(docs.size());
  for (std::size_t i = 0; i < docs.size(); ++i) ids[i] = start + static_cast<std::uint32_t>(i) * stride;
  index.add(ids, docs);
}

void expect_same(const InvertedIndex& a, const InvertedIndex& b, std::mt19937& rng, std::size_t vocab) {
  ASSERT_EQ(a.num_docs(), b.num_docs());
  ASSERT_EQ(a.total_length(), b.total_length());
  ASSERT_EQ(a.vocabulary_size(), b.vocabulary_size());
  ASSERT_EQ(a.id_bound(), b.id_bound());
  ASSERT_EQ(a.ids(), b.ids());
  for (const std::uint32_t id : a.ids()) ASSERT_EQ(a.doc_length(id), b.doc_length(id));
  for (std::size_t t = 0; t < vocab + 5; ++t) ASSERT_EQ(a.doc_frequency(term(t)), b.doc_frequency(term(t)));
  ragkernel::Bitset allow(a.id_bound());
  for (std::uint32_t i = 0; i < a.id_bound(); i += 3) allow.set(i);
  const Bm25Params variants[] = {{}, {Bm25Variant::kBm25Plus, 1.2, 0.9, 1.0}};
  for (int q = 0; q < 60; ++q) {
    Doc query;
    for (std::size_t i = 0, n = 1 + rng() % 5; i < n; ++i) query.push_back(term(rng() % (vocab / (1 + rng() % 10))));
    for (const Bm25Params& p : variants) {
      for (const SearchMode mode : {SearchMode::kExhaustive, SearchMode::kPruned, SearchMode::kAuto}) {
        const ragkernel::Bitset* filter = q % 3 == 0 ? &allow : nullptr;
        ASSERT_EQ(a.search(query, 10, p, filter, mode), b.search(query, 10, p, filter, mode)) << "query " << q;
      }
    }
    if (a.num_docs() > 0) {
      const std::vector<std::uint32_t> ids = a.ids();
      const std::uint32_t id = ids[rng() % ids.size()];
      const Explanation ea = a.explain(query, id, {}), eb = b.explain(query, id, {});
      ASSERT_EQ(ea.score, eb.score);
      ASSERT_EQ(ea.terms.size(), eb.terms.size());
    }
  }
}

// A copy's bytes with its payload replaced (and the checksum made to match it).
std::string reseal(const std::string& bytes, const std::string& payload) {
  ragkernel::vector::detail::Hasher h;
  h.update(payload.data(), payload.size());
  std::string out = bytes.substr(0, 12);
  ragkernel::store::detail::put_le<std::uint64_t>(out, payload.size());
  ragkernel::store::detail::put_le<std::uint64_t>(out, h.digest());
  return out + payload;
}

// Where the postings begin in a payload (after the terms and the documents).
std::size_t postings_offset(const std::string& payload) {
  ragkernel::store::detail::Reader r(payload);
  for (std::uint64_t t = 0, n = r.varint(); t < n; ++t) r.length_prefixed();
  r.varint();  // id bound
  const std::uint64_t docs = r.varint();
  r.varint();  // total length
  for (std::uint64_t i = 0; i < 2 * docs; ++i) r.varint();
  return payload.size() - r.remaining();
}

std::string sample_bytes() {
  std::mt19937 rng(7);
  InvertedIndex index;
  add(index, corpus(rng, 60, 40), 0, 2);
  index.remove(std::vector<std::uint32_t>{4, 10, 30});
  return index.to_bytes();
}

}  // namespace

TEST(TextIndexIo, RoundTripSearchesAndUpdatesLikeTheOriginal) {
  std::mt19937 rng(11);
  const std::size_t vocab = 3000;
  InvertedIndex original;
  add(original, corpus(rng, 6000, vocab), 0, 1);
  add(original, corpus(rng, 2000, vocab), 9000, 3);  // gaps in the ids
  std::vector<std::uint32_t> gone;
  for (std::uint32_t id = 0; id < 6000; id += 7) gone.push_back(id);
  gone.push_back(9000 + 3 * 1999);  // the largest id: id_bound must survive it
  original.remove(gone);
  original.remove(original.ids().size() > 0 ? std::vector<std::uint32_t>{1} : std::vector<std::uint32_t>{});

  InvertedIndex copy = InvertedIndex::from_bytes(original.to_bytes());
  expect_same(original, copy, rng, vocab);
  EXPECT_EQ(copy.to_bytes(), original.to_bytes());

  // The same further changes leave both identical, to a never-saved index.
  const std::vector<Doc> more = corpus(rng, 1500, vocab + 400);  // new terms too
  add(original, more, 20000, 2);
  add(copy, more, 20000, 2);
  const std::vector<std::uint32_t> again{2, 3, 5, 9003, 20002};
  original.remove(again);
  copy.remove(again);
  expect_same(original, copy, rng, vocab + 400);
  EXPECT_EQ(copy.to_bytes(), original.to_bytes());
  copy.cache_impacts_for({});
  expect_same(original, copy, rng, vocab + 400);
}

TEST(TextIndexIo, EmptyAndEmptiedIndexesRoundTrip) {
  std::mt19937 rng(3);
  InvertedIndex empty;
  InvertedIndex copy = InvertedIndex::from_bytes(empty.to_bytes());
  EXPECT_EQ(copy.num_docs(), 0u);
  EXPECT_EQ(copy.id_bound(), 0u);

  InvertedIndex emptied;
  add(emptied, corpus(rng, 50, 30), 0, 1);
  emptied.remove(emptied.ids());
  InvertedIndex copy2 = InvertedIndex::from_bytes(emptied.to_bytes());
  expect_same(emptied, copy2, rng, 30);
  add(copy2, corpus(rng, 10, 30), 0, 1);  // ids free again
  EXPECT_EQ(copy2.num_docs(), 10u);
}

TEST(TextIndexIo, ForeignTruncatedAndNewerCopiesAreCorruption) {
  const std::string bytes = sample_bytes();
  EXPECT_THROW(InvertedIndex::from_bytes(""), Corruption);
  EXPECT_THROW(InvertedIndex::from_bytes("not a lexical index at all, just some text"), Corruption);
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_THROW(InvertedIndex::from_bytes(std::string_view(bytes).substr(0, n)), Corruption) << "prefix " << n;
  }
  EXPECT_THROW(InvertedIndex::from_bytes(bytes + "x"), Corruption);
  std::string newer = bytes;
  newer[8] = 2;  // format version 2
  try {
    InvertedIndex::from_bytes(newer);
    FAIL() << "a newer version loaded";
  } catch (const Corruption& e) {
    EXPECT_NE(std::string(e.what()).find("version 2"), std::string::npos) << e.what();
  }
}

TEST(TextIndexIo, EveryFlippedByteIsCorruption) {
  const std::string bytes = sample_bytes();
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    for (const int mask : {0x01, 0x80}) {
      std::string bad = bytes;
      bad[i] = static_cast<char>(static_cast<unsigned char>(bad[i]) ^ mask);
      EXPECT_THROW(InvertedIndex::from_bytes(bad), Corruption) << "byte " << i << " mask " << mask;
    }
  }
}

TEST(TextIndexIo, StructuralDamageBehindAValidChecksumIsCorruption) {
  const std::string bytes = sample_bytes();
  const std::string payload = bytes.substr(kHeader);
  // The payload itself reloads (the helper is right), and a wrong tail or a cut is caught.
  EXPECT_NO_THROW(InvertedIndex::from_bytes(reseal(bytes, payload)));
  EXPECT_THROW(InvertedIndex::from_bytes(reseal(bytes, payload + '\0')), Corruption);
  EXPECT_THROW(InvertedIndex::from_bytes(reseal(bytes, payload.substr(0, payload.size() - 1))), Corruption);
  // A term count of 2^63 must be refused before anything is allocated.
  std::string huge;
  ragkernel::store::detail::put_varint(huge, std::uint64_t{1} << 62);
  EXPECT_THROW(InvertedIndex::from_bytes(reseal(bytes, huge)), Corruption);

  // An id bound below a document's id, and a posting naming an absent document.
  {
    InvertedIndex small;
    small.add(std::vector<std::uint32_t>{0, 2}, std::vector<Doc>{{"a", "b"}, {"b"}});
    std::string p = small.to_bytes().substr(kHeader);
    const std::size_t bound_at = 1 + 2 + 2;  // after the count and the terms "a", "b"
    ASSERT_EQ(p[bound_at], 3);
    p[bound_at] = 2;
    EXPECT_THROW(InvertedIndex::from_bytes(reseal(bytes, p)), Corruption);
  }

  // Random damage to the postings with a matching checksum: a Corruption, or an index that
  // works (a change that keeps every rule), never undefined behaviour (run under the
  // sanitizers). The sections before them declare sizes whose damage is the checksum's job.
  const std::size_t from = postings_offset(payload);
  ASSERT_LT(from, payload.size());
  std::mt19937 rng(5);
  int caught = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    std::string bad = payload;
    for (int k = 0, n = 1 + static_cast<int>(rng() % 3); k < n; ++k) {
      bad[from + rng() % (bad.size() - from)] = static_cast<char>(rng());
    }
    try {
      InvertedIndex index = InvertedIndex::from_bytes(reseal(bytes, bad));
      const std::vector<std::string> query{term(0), term(1), term(2)};
      (void)index.search(query, 5, {});
      if (index.num_docs() > 0) index.remove(std::vector<std::uint32_t>{index.ids().front()});
    } catch (const Corruption&) {
      ++caught;
    }
  }
  EXPECT_GT(caught, 2000);  // almost every random change breaks a rule
}

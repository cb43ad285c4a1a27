#include "posting_list.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <new>

#include "bitpack.hpp"

namespace ragkernel::text::detail {

PostingList::PostingList(PostingList&& o) noexcept : one_(o.one_), size_(o.size_), n_blocks_(o.n_blocks_) {
  o.size_ = 0;
  o.n_blocks_ = 0;
}

PostingList& PostingList::operator=(PostingList&& o) noexcept {
  if (this != &o) {
    release();
    one_ = o.one_;  // copies the pointer too: the union's bytes are the same
    size_ = o.size_;
    n_blocks_ = o.n_blocks_;
    o.size_ = 0;
    o.n_blocks_ = 0;
  }
  return *this;
}

void PostingList::release() noexcept {
  if (size_ >= 2) ::operator delete(buf_);
  size_ = 0;
  n_blocks_ = 0;
  one_ = BlockMeta{};
}

std::size_t PostingList::memory_bytes() const noexcept {
  if (size_ <= 1) return 0;
  return (kHeaderWords + 4 * std::size_t{header()[0]} + header()[2]) * sizeof(std::uint32_t);
}

void PostingList::decode(std::size_t b, std::uint32_t* docs, std::uint32_t* tfs) const noexcept {
  if (size_ == 1) {
    docs[0] = one_.first_doc;
    tfs[0] = one_.offset;
    return;
  }
  const BlockMeta& m = metas()[b];
  const std::uint32_t* w = block_words(b);
  unpack(w, m.count, m.gap_bits, docs);
  unpack(w + packed_words(m.count, m.gap_bits), m.count, m.tf_bits, tfs);
  // Gaps are doc[i] - doc[i-1] - 1, the first one relative to first_doc - 1.
  std::uint32_t doc = m.first_doc - 1;
  for (std::size_t i = 0; i < m.count; ++i) {
    doc += docs[i] + 1;
    docs[i] = doc;
    tfs[i] += 1;
  }
}

void PostingList::decode_docs(std::size_t b, std::uint32_t* docs) const noexcept {
  if (size_ == 1) {
    docs[0] = one_.first_doc;
    return;
  }
  const BlockMeta& m = metas()[b];
  unpack(block_words(b), m.count, m.gap_bits, docs);
  std::uint32_t doc = m.first_doc - 1;
  for (std::size_t i = 0; i < m.count; ++i) {
    doc += docs[i] + 1;
    docs[i] = doc;
  }
}

std::size_t PostingList::first_block_at_or_after(std::uint32_t doc) const noexcept {
  const auto b = blocks();
  auto it =
      std::lower_bound(b.begin(), b.end(), doc, [](const BlockMeta& m, std::uint32_t d) { return m.last_doc < d; });
  return static_cast<std::size_t>(it - b.begin());
}

void PostingList::decode_from(std::size_t b, std::vector<Posting>& out) const {
  std::array<std::uint32_t, kBlock> docs{}, tfs{};
  const auto all = blocks();
  for (; b < all.size(); ++b) {
    decode(b, docs.data(), tfs.data());
    for (std::size_t i = 0; i < all[b].count; ++i) out.push_back({docs[i], tfs[i]});
  }
}

// Replaces blocks b.. with `postings`. Blocks before b keep their words; the buffer is
// reallocated (with room to grow) only when the result does not fit.
void PostingList::encode_from(std::size_t b, std::span<const Posting> postings) {
  const std::size_t total = b * kBlock + postings.size();
  if (total <= 1) {
    const Posting p = total == 1 ? (b == 0 ? postings[0] : Posting{one_.first_doc, one_.offset}) : Posting{};
    release();
    if (total == 1) {
      one_ = BlockMeta{p.doc, p.doc, p.tf, 1, 0, 0, 0};
      size_ = 1;
      n_blocks_ = 1;
    }
    return;
  }
  // Encode the new blocks into scratch first: their word count decides the buffer size.
  std::vector<BlockMeta> new_metas;
  std::vector<std::uint32_t> new_words;
  const std::uint32_t base = b == 0 || size_ <= 1 ? 0 : metas()[b - 1].offset;
  std::uint32_t kept_words = 0;
  if (b > 0 && size_ >= 2) {
    const BlockMeta& last = metas()[b - 1];
    kept_words = base + static_cast<std::uint32_t>(packed_words(last.count, last.gap_bits) +
                                                   packed_words(last.count, last.tf_bits));
  }
  std::array<std::uint32_t, kBlock> gaps{}, tfs{};
  for (std::size_t start = 0; start < postings.size(); start += kBlock) {
    const std::size_t n = std::min(kBlock, postings.size() - start);
    BlockMeta m{};
    m.first_doc = postings[start].doc;
    m.last_doc = postings[start + n - 1].doc;
    m.offset = kept_words + static_cast<std::uint32_t>(new_words.size());
    m.count = static_cast<std::uint8_t>(n);
    std::uint32_t max_gap = 0, max_tf1 = 0;
    std::uint32_t prev = m.first_doc - 1;
    for (std::size_t i = 0; i < n; ++i) {
      const Posting& p = postings[start + i];
      gaps[i] = p.doc - prev - 1;
      prev = p.doc;
      tfs[i] = p.tf - 1;
      max_gap = std::max(max_gap, gaps[i]);
      max_tf1 = std::max(max_tf1, tfs[i]);
    }
    m.gap_bits = static_cast<std::uint8_t>(bits_needed(max_gap));
    m.tf_bits = static_cast<std::uint8_t>(bits_needed(max_tf1));
    pack(gaps.data(), n, m.gap_bits, new_words);
    pack(tfs.data(), n, m.tf_bits, new_words);
    new_metas.push_back(m);
  }
  const std::size_t n_blocks = b + new_metas.size();
  const std::size_t n_words = kept_words + new_words.size();
  const bool heap = size_ >= 2;
  const std::size_t meta_cap = heap ? header()[0] : 0;
  const std::size_t word_cap = heap ? header()[2] : 0;
  // Reallocate when the result does not fit, or when it would waste more than half the buffer
  // (after deletes). Growth leaves room for half as much again: appends stay amortised O(1).
  const bool fits = n_blocks <= meta_cap && n_words <= word_cap;
  const bool wasteful = 2 * (4 * n_blocks + n_words) + 16 < 4 * meta_cap + word_cap;
  if (!heap || !fits || wasteful) {
    const bool first = !heap;
    const std::size_t new_meta_cap = first || wasteful ? n_blocks : std::max(n_blocks, meta_cap + meta_cap / 2);
    const std::size_t new_word_cap = first || wasteful ? n_words : std::max(n_words, word_cap + word_cap / 2);
    auto* fresh = static_cast<std::uint32_t*>(
        ::operator new((kHeaderWords + 4 * new_meta_cap + new_word_cap) * sizeof(std::uint32_t)));
    fresh[0] = static_cast<std::uint32_t>(new_meta_cap);
    fresh[1] = 0;
    fresh[2] = static_cast<std::uint32_t>(new_word_cap);
    fresh[3] = 0;
    if (heap && b > 0) {
      std::memcpy(fresh + kHeaderWords, metas(), b * sizeof(BlockMeta));
      std::memcpy(fresh + kHeaderWords + 4 * new_meta_cap, words(), kept_words * sizeof(std::uint32_t));
    }
    release();
    buf_ = fresh;
  }
  size_ = static_cast<std::uint32_t>(total);
  n_blocks_ = static_cast<std::uint32_t>(n_blocks);
  std::copy(new_metas.begin(), new_metas.end(), metas() + b);
  std::copy(new_words.begin(), new_words.end(), words() + kept_words);
  header()[1] = static_cast<std::uint32_t>(n_words);
}

void PostingList::insert(std::span<const Posting> sorted) {
  if (sorted.empty()) return;
  std::size_t b = first_block_at_or_after(sorted.front().doc);
  // Appending: re-encode the last block only when it has room.
  if (b == blocks().size() && b > 0 && blocks()[b - 1].count < kBlock) --b;
  std::vector<Posting> tail;
  decode_from(b, tail);
  std::vector<Posting> merged;
  merged.reserve(tail.size() + sorted.size());
  std::merge(tail.begin(), tail.end(), sorted.begin(), sorted.end(), std::back_inserter(merged),
             [](const Posting& x, const Posting& y) { return x.doc < y.doc; });
  encode_from(b, merged);
}

void PostingList::erase(std::span<const std::uint32_t> sorted_docs) {
  if (sorted_docs.empty()) return;
  const std::size_t b = first_block_at_or_after(sorted_docs.front());
  std::vector<Posting> tail;
  decode_from(b, tail);
  std::vector<Posting> kept;
  kept.reserve(tail.size());
  std::size_t j = 0;
  for (const Posting& p : tail) {
    while (j < sorted_docs.size() && sorted_docs[j] < p.doc) ++j;
    if (j < sorted_docs.size() && sorted_docs[j] == p.doc) continue;
    kept.push_back(p);
  }
  encode_from(b, kept);
}

std::uint32_t PostingList::find(std::uint32_t doc) const noexcept {
  const std::size_t b = first_block_at_or_after(doc);
  const auto all = blocks();
  if (b == all.size() || all[b].first_doc > doc) return 0;
  std::array<std::uint32_t, kBlock> docs{}, tfs{};
  decode(b, docs.data(), tfs.data());
  const std::uint32_t* first = docs.data();
  const std::uint32_t* end = first + all[b].count;
  const std::uint32_t* it = std::lower_bound(first, end, doc);
  return it != end && *it == doc ? tfs[static_cast<std::size_t>(it - docs.data())] : 0;
}

}  // namespace ragkernel::text::detail

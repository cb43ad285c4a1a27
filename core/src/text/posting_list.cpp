#include "posting_list.hpp"

#include <algorithm>
#include <array>

#include "bitpack.hpp"

namespace ragkernel::text::detail {

void PostingList::decode(std::size_t b, std::uint32_t* docs, std::uint32_t* tfs) const noexcept {
  const BlockMeta& m = blocks_[b];
  const std::uint32_t* w = words_.data() + m.offset;
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
  const BlockMeta& m = blocks_[b];
  unpack(words_.data() + m.offset, m.count, m.gap_bits, docs);
  std::uint32_t doc = m.first_doc - 1;
  for (std::size_t i = 0; i < m.count; ++i) {
    doc += docs[i] + 1;
    docs[i] = doc;
  }
}

std::size_t PostingList::first_block_at_or_after(std::uint32_t doc) const noexcept {
  auto it = std::lower_bound(blocks_.begin(), blocks_.end(), doc,
                             [](const BlockMeta& m, std::uint32_t d) { return m.last_doc < d; });
  return static_cast<std::size_t>(it - blocks_.begin());
}

void PostingList::decode_from(std::size_t b, std::vector<Posting>& out) const {
  std::array<std::uint32_t, kBlock> docs{}, tfs{};
  for (; b < blocks_.size(); ++b) {
    decode(b, docs.data(), tfs.data());
    for (std::size_t i = 0; i < blocks_[b].count; ++i) out.push_back({docs[i], tfs[i]});
  }
}

void PostingList::encode_from(std::size_t b, std::span<const Posting> postings,
                              std::span<const std::uint32_t> doc_len) {
  words_.resize(b < blocks_.size() ? blocks_[b].offset : words_.size());
  blocks_.resize(b);
  std::array<std::uint32_t, kBlock> gaps{}, tfs{};
  for (std::size_t start = 0; start < postings.size(); start += kBlock) {
    const std::size_t n = std::min(kBlock, postings.size() - start);
    BlockMeta m{};
    m.first_doc = postings[start].doc;
    m.last_doc = postings[start + n - 1].doc;
    m.offset = static_cast<std::uint32_t>(words_.size());
    m.count = static_cast<std::uint16_t>(n);
    m.min_len = UINT32_MAX;
    std::uint32_t max_gap = 0, max_tf1 = 0;
    std::uint32_t prev = m.first_doc - 1;
    for (std::size_t i = 0; i < n; ++i) {
      const Posting& p = postings[start + i];
      gaps[i] = p.doc - prev - 1;
      prev = p.doc;
      tfs[i] = p.tf - 1;
      max_gap = std::max(max_gap, gaps[i]);
      max_tf1 = std::max(max_tf1, tfs[i]);
      m.min_len = std::min(m.min_len, doc_len[p.doc]);
    }
    m.max_tf = max_tf1 + 1;
    m.gap_bits = static_cast<std::uint8_t>(bits_needed(max_gap));
    m.tf_bits = static_cast<std::uint8_t>(bits_needed(max_tf1));
    pack(gaps.data(), n, m.gap_bits, words_);
    pack(tfs.data(), n, m.tf_bits, words_);
    blocks_.push_back(m);
  }
  // Most terms are rare: give back the slack of geometric growth, but not on every small append.
  if (words_.capacity() > words_.size() + words_.size() / 2 + 16) words_.shrink_to_fit();
  if (blocks_.capacity() > blocks_.size() + blocks_.size() / 2 + 2) blocks_.shrink_to_fit();
}

void PostingList::insert(std::span<const Posting> sorted, std::span<const std::uint32_t> doc_len) {
  if (sorted.empty()) return;
  std::size_t b = first_block_at_or_after(sorted.front().doc);
  // Appending: re-encode the last block only when it has room.
  if (b == blocks_.size() && b > 0 && blocks_[b - 1].count < kBlock) --b;
  std::vector<Posting> tail;
  decode_from(b, tail);
  std::vector<Posting> merged;
  merged.reserve(tail.size() + sorted.size());
  std::merge(tail.begin(), tail.end(), sorted.begin(), sorted.end(), std::back_inserter(merged),
             [](const Posting& x, const Posting& y) { return x.doc < y.doc; });
  encode_from(b, merged, doc_len);
  size_ += static_cast<std::uint32_t>(sorted.size());
}

void PostingList::erase(std::span<const std::uint32_t> sorted_docs, std::span<const std::uint32_t> doc_len) {
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
  size_ -= static_cast<std::uint32_t>(tail.size() - kept.size());
  encode_from(b, kept, doc_len);
}

std::uint32_t PostingList::find(std::uint32_t doc) const noexcept {
  const std::size_t b = first_block_at_or_after(doc);
  if (b == blocks_.size() || blocks_[b].first_doc > doc) return 0;
  std::array<std::uint32_t, kBlock> docs{}, tfs{};
  decode(b, docs.data(), tfs.data());
  const std::uint32_t* first = docs.data();
  const std::uint32_t* end = first + blocks_[b].count;
  const std::uint32_t* it = std::lower_bound(first, end, doc);
  return it != end && *it == doc ? tfs[static_cast<std::size_t>(it - docs.data())] : 0;
}

}  // namespace ragkernel::text::detail

#pragma once
// One term's postings: (doc id, term frequency) sorted by doc id, in blocks of up to 128.
// Each block stores its doc-id gaps and tf-1 bit-packed at the block's own widths. Updates
// re-encode the blocks from the first one they touch, so appends in id order only touch the
// last block, and every block but the last stays full.
//
// Most terms of a real vocabulary occur once, so the object is small (24 bytes) and a single
// posting lives inside it without a heap allocation. Longer lists keep their block metadata
// and packed words in one heap buffer.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace ragkernel::text::detail {

struct Posting {
  std::uint32_t doc;
  std::uint32_t tf;
};

struct BlockMeta {
  std::uint32_t first_doc;
  std::uint32_t last_doc;
  std::uint32_t offset;  // first packed word of the block (a single inline posting: its tf)
  std::uint8_t count;    // postings in the block, 1..128
  std::uint8_t gap_bits;
  std::uint8_t tf_bits;
  std::uint8_t unused = 0;
};

class PostingList {
 public:
  static constexpr std::size_t kBlock = 128;

  PostingList() noexcept : one_{} {}
  ~PostingList() { release(); }
  PostingList(PostingList&& o) noexcept;
  PostingList& operator=(PostingList&& o) noexcept;
  PostingList(const PostingList&) = delete;
  PostingList& operator=(const PostingList&) = delete;

  std::uint32_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  std::span<const BlockMeta> blocks() const noexcept {
    if (size_ <= 1) return {&one_, size_};
    return {metas(), n_blocks_};
  }

  // Decodes block b into docs[0..count) and tfs[0..count).
  void decode(std::size_t b, std::uint32_t* docs, std::uint32_t* tfs) const noexcept;
  void decode_docs(std::size_t b, std::uint32_t* docs) const noexcept;
  // Every block but the last is full, so block b's first posting is posting b * kBlock.
  static std::size_t first_posting(std::size_t b) noexcept { return b * kBlock; }

  // Adds postings sorted by doc, none already present.
  void insert(std::span<const Posting> sorted);
  // Removes the given docs (sorted, each present).
  void erase(std::span<const std::uint32_t> sorted_docs);

  // The tf of doc, or 0.
  std::uint32_t find(std::uint32_t doc) const noexcept;

  // Heap bytes (the object itself is counted by its owner).
  std::size_t memory_bytes() const noexcept;

 private:
  // Heap buffer: a 4-word header {meta capacity, words used, word capacity, 0}, then
  // `meta capacity` BlockMetas, then the packed words.
  static constexpr std::size_t kHeaderWords = 4;
  std::uint32_t* header() const noexcept { return buf_; }
  BlockMeta* metas() const noexcept { return reinterpret_cast<BlockMeta*>(buf_ + kHeaderWords); }
  std::uint32_t* words() const noexcept { return buf_ + kHeaderWords + 4 * header()[0]; }
  const std::uint32_t* block_words(std::size_t b) const noexcept { return words() + metas()[b].offset; }

  void release() noexcept;
  std::size_t first_block_at_or_after(std::uint32_t doc) const noexcept;
  void decode_from(std::size_t b, std::vector<Posting>& out) const;
  void encode_from(std::size_t b, std::span<const Posting> postings);

  union {
    std::uint32_t* buf_;  // size_ >= 2
    BlockMeta one_;       // size_ == 1: the posting itself (tf in `offset`)
  };
  std::uint32_t size_ = 0;
  std::uint32_t n_blocks_ = 0;
};

}  // namespace ragkernel::text::detail

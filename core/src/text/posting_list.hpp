#pragma once
// One term's postings: (doc id, term frequency) sorted by doc id, in blocks of up to 128.
// Each block stores its doc-id gaps and tf-1 bit-packed at the block's own widths, plus the
// metadata that block-max pruning needs (largest tf, shortest document). Updates re-encode
// the blocks from the first one they touch, so appends in id order only touch the last block.
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
  std::uint32_t offset;  // first word in PostingList::words_
  std::uint32_t max_tf;
  std::uint32_t min_len;  // shortest document in the block
  std::uint16_t count;
  std::uint8_t gap_bits;
  std::uint8_t tf_bits;
};

class PostingList {
 public:
  static constexpr std::size_t kBlock = 128;

  std::uint32_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  const std::vector<BlockMeta>& blocks() const noexcept { return blocks_; }

  // Decodes block b into docs[0..count) and tfs[0..count).
  void decode(std::size_t b, std::uint32_t* docs, std::uint32_t* tfs) const noexcept;
  void decode_docs(std::size_t b, std::uint32_t* docs) const noexcept;
  // Every block but the last is full (updates re-pack from the first block they touch), so
  // block b's first posting is posting b * kBlock.
  static std::size_t first_posting(std::size_t b) noexcept { return b * kBlock; }

  // Adds postings sorted by doc, none already present. doc_len[doc] is each doc's length.
  void insert(std::span<const Posting> sorted, std::span<const std::uint32_t> doc_len);
  // Removes the given docs (sorted, each present).
  void erase(std::span<const std::uint32_t> sorted_docs, std::span<const std::uint32_t> doc_len);

  // The tf of doc, or 0.
  std::uint32_t find(std::uint32_t doc) const noexcept;

  std::size_t memory_bytes() const noexcept {
    return blocks_.capacity() * sizeof(BlockMeta) + words_.capacity() * sizeof(std::uint32_t);
  }

 private:
  std::size_t first_block_at_or_after(std::uint32_t doc) const noexcept;
  void decode_from(std::size_t b, std::vector<Posting>& out) const;
  void encode_from(std::size_t b, std::span<const Posting> postings, std::span<const std::uint32_t> doc_len);

  std::vector<BlockMeta> blocks_;
  std::vector<std::uint32_t> words_;
  std::uint32_t size_ = 0;
};

}  // namespace ragkernel::text::detail

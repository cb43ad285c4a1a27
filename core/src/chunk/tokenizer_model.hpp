#pragma once
// The inside of a Tokenizer: added tokens, the pre-tokenizer and the model, plus the
// memoised per-piece counts. Pieces are byte spans of the input; the chunkers' token
// measure (span_measure.cpp) counts any span of a document from the document's pieces.
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "flat_string_map.hpp"

namespace ragkernel::chunk::detail {

struct Piece {
  std::size_t begin = 0;  // bytes, in the text given to pieces()
  std::size_t end = 0;
  std::size_t tokens = 0;
  bool special = false;  // an added token matched literally
};

using Vocab = FlatStringMap;

struct AddedToken {
  std::string content;
  std::uint32_t id = 0;
};

struct WordPieceModel {
  Vocab vocab;         // tokens that start a word
  Vocab continuation;  // "##ing" stored as "ing"
  std::uint32_t unk = 0;
  std::size_t max_chars = 100;
  std::size_t max_token_bytes = 1;
  // BERT normalizer
  bool clean_text = true;
  bool handle_chinese_chars = true;
  bool strip_accents = true;
  bool lowercase = true;
  void encode_word(std::string_view normalized, std::vector<std::uint32_t>& out) const;
};

struct BpeModel {
  Vocab vocab;  // byte-level tokens mapped back to raw bytes
  std::unordered_map<std::uint64_t, std::pair<std::uint32_t, std::uint32_t>> merges;  // (a<<32|b) -> (rank, merged id)
  std::array<std::int64_t, 256> byte_ids{};  // id of each single byte, -1 if absent
  std::int64_t unk = -1;
  bool ignore_merges = false;
  bool add_prefix_space = false;
  void encode_piece(std::string_view bytes, std::vector<std::uint32_t>& out) const;
};

// End of the GPT-2 regex match that starts at `pos` of `text` (ByteLevel pre-tokenizer).
std::size_t gpt2_match(std::string_view text, std::size_t pos) noexcept;

class TokenizerModel {
 public:
  enum class Kind { wordpiece, bpe };

  TokenizerModel();

  Kind kind = Kind::wordpiece;
  WordPieceModel wordpiece;
  BpeModel bpe;
  std::vector<AddedToken> added;  // matched literally in the raw text, longest first
  std::array<bool, 256> added_first_byte{};
  std::size_t special_added = 0;  // tokens the post-processor adds around one sequence
  std::vector<std::uint32_t> special_prefix, special_suffix;
  std::size_t vocab_size = 0;

  // Pre-tokenizes `text` into pieces with their token counts (memoised when use_cache).
  void pieces(std::string_view text, std::vector<Piece>& out, bool use_cache = true) const;
  // Tokens of `text` through the whole pipeline (no special tokens added). prefix_space=false
  // counts text that continues a segment: ByteLevel's add_prefix_space is not applied to it.
  std::size_t count(std::string_view text, bool use_cache = true, bool prefix_space = true) const;
  void encode(std::string_view text, std::vector<std::uint32_t>& out) const;
  // Forgets every memoised count (the per-thread hot caches are invalidated too).
  void clear_cache() const;

  // WordPiece pieces are words (whitespace is dropped, each depends only on its own
  // characters); byte-level BPE pieces cover the text and depend on a character of context.
  bool pieces_are_local() const noexcept { return kind == Kind::wordpiece; }

 private:
  // Calls emit(begin, end, added_id or -1) for each pre-token of text, in order.
  template <class Emit>
  void split(std::string_view text, bool prefix_space, Emit&& emit) const;
  template <class Emit>
  void split_segment(std::string_view text, std::size_t base, bool prefix_space, Emit&& emit) const;
  void encode_piece(std::string_view text, std::vector<std::uint32_t>& out) const;
  std::size_t piece_tokens(std::string_view piece, std::uint64_t hash, bool use_cache) const;
  std::size_t shared_piece_tokens(std::string_view piece, std::uint64_t hash) const;

  mutable std::atomic<std::uint64_t> id_;  // distinguishes models in the per-thread hot cache

  static constexpr std::size_t kShards = 16;
  static constexpr std::size_t kShardCapacity = std::size_t{1} << 17;
  struct Shard {
    std::mutex mutex;
    FlatStringMap counts;
  };
  mutable std::array<Shard, kShards> cache_;
};

}  // namespace ragkernel::chunk::detail

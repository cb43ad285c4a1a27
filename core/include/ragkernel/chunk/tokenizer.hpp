#pragma once
// Token counting for chunk sizes, read from a HuggingFace `tokenizer.json`.
//
// Two model families are supported natively and give exactly HuggingFace `tokenizers`' ids:
// WordPiece with the BERT normalizer and pre-tokenizer (e.g. all-MiniLM-L6-v2), and byte-level
// BPE with the GPT-2 pre-tokenizer (GPT-2, RoBERTa and models trained the same way). Any other
// pipeline is refused with an InvalidArgument naming the component; count such tokens with a
// SizeCounter (a Python callable from Python) instead.
//
// Counting is memoised per pre-token (a word, or a GPT-2 regex piece): a corpus has few
// distinct words, so most of the text is counted by one hash lookup. A Tokenizer is immutable
// apart from that cache, which is sharded and locked, so one instance serves many threads.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ragkernel::chunk {

namespace detail {
class TokenizerModel;
}

class Tokenizer {
 public:
  // Parses the JSON text of a tokenizer.json; InvalidArgument when it does not parse or uses
  // a component this class does not implement.
  static std::shared_ptr<const Tokenizer> from_json(std::string_view json);
  // Reads and parses a tokenizer.json file; IOError when the file cannot be read.
  static std::shared_ptr<const Tokenizer> from_file(const std::string& path);

  ~Tokenizer();
  Tokenizer(const Tokenizer&) = delete;
  Tokenizer& operator=(const Tokenizer&) = delete;

  // Token ids of valid UTF-8 text, as HuggingFace's `encode(text, add_special_tokens=...)`
  // without truncation or padding.
  std::vector<std::uint32_t> encode(std::string_view text, bool add_special_tokens = false) const;
  // Number of tokens `encode` returns, computed without building the id list.
  std::size_t count(std::string_view text, bool add_special_tokens = false) const;

  // Tokens the post-processor adds around one sequence ([CLS] and [SEP] for BERT: 2).
  std::size_t special_tokens_added() const noexcept;
  // "WordPiece" or "BPE".
  std::string_view model_type() const noexcept;
  std::size_t vocab_size() const noexcept;
  // Forgets the memoised counts (to bound memory, or to time counting from a cold start).
  void clear_cache() const;

  // Internal: the pre-tokenizer and model, used by the chunkers' span counting.
  const detail::TokenizerModel& model() const noexcept { return *model_; }

 private:
  explicit Tokenizer(std::unique_ptr<detail::TokenizerModel> model);
  std::unique_ptr<detail::TokenizerModel> model_;
};

}  // namespace ragkernel::chunk

#pragma once
// Sizes of spans of one document, in the chunker's unit. Chunkers only ever ask "how big is
// text[begin, end)" and "how far can a chunk that starts here reach", so each unit prepares
// the document once and answers both in about logarithmic time: code point checkpoints for
// chars, word starts for words, memoised pre-token counts with prefix sums for tokens.
#include <cstddef>
#include <memory>
#include <string_view>

#include "ragkernel/chunk/chunk.hpp"

namespace ragkernel::chunk::detail {

class SpanMeasure {
 public:
  explicit SpanMeasure(std::string_view text) : text_(text) {}
  virtual ~SpanMeasure() = default;
  SpanMeasure(const SpanMeasure&) = delete;
  SpanMeasure& operator=(const SpanMeasure&) = delete;

  // Size of text[begin, end); both are code point boundaries (byte offsets).
  virtual std::size_t measure(std::size_t begin, std::size_t end) = 0;
  // A code point boundary `end` in (begin, limit] with measure(begin, end) <= budget, as far
  // as the search finds; `begin` when not even one code point fits.
  virtual std::size_t fit(std::size_t begin, std::size_t limit, std::size_t budget);

  std::string_view text() const noexcept { return text_; }

 protected:
  std::string_view text_;
};

std::unique_ptr<SpanMeasure> make_measure(std::string_view text, const Options& options);

// Python's str.isspace(): the White_Space property plus U+001C..U+001F. Chunks are trimmed
// of these, and words are runs of anything else (as str.split()).
bool is_trim_space(char32_t c) noexcept;

}  // namespace ragkernel::chunk::detail

#pragma once
// The chunkers' building blocks, all over byte spans of one document.
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ragkernel/chunk/chunk.hpp"
#include "span_measure.hpp"

namespace ragkernel::chunk::detail {

struct Span {
  std::size_t begin = 0;
  std::size_t end = 0;
  int section = -1;  // markdown: index into the heading paths
};

// The span without leading and trailing whitespace (str.strip()); empty spans keep begin.
Span trim(std::string_view text, Span span);

// What a chunker needs: the measure, the bound, the overlap.
struct Budget {
  SpanMeasure& measure;
  std::size_t size;
  std::size_t overlap;
};

// Packs consecutive pieces into chunks of at most budget.size, carrying the last pieces that
// total at most budget.overlap into the next chunk (LangChain's _merge_splits, on spans).
// Chunks are trimmed; empty ones are dropped.
void merge_pieces(const std::vector<Span>& pieces, const Budget& budget, std::vector<Span>& out);

// Splits `span` on the first separator of the list it contains, recursing with the rest on
// pieces that are still too big ("" splits into code points). With separator_at_end false a
// separator starts the piece after it (LangChain's keep_separator="start"); with it true a
// separator ends the piece before it, unless it opens a block ("\ndef ", "\n## ").
void split_recursive(Span span, std::span<const std::string> separators, bool separator_at_end, const Budget& budget,
                     std::vector<Span>& out);

// Sentences of text[span]: contiguous spans covering it, each with its trailing whitespace.
std::vector<Span> split_sentences(std::string_view text, Span span);

// Fixed-size windows over the unit, `overlap` units shared.
void split_windows(Span span, const Budget& budget, std::vector<Span>& out);

// Sentences packed up to the bound; a sentence too big alone is split on clauses and words.
void split_by_sentences(Span span, const Budget& budget, std::vector<Span>& out);

// Markdown sections; heading_paths receives each section's path, spans carry its index.
// `initial_path` is the path in force at the start (streaming), `final_path` the one at the end.
struct HeadingStack {
  std::vector<int> levels;
  std::vector<std::string> titles;
};
void split_markdown(Span span, const Budget& budget, HeadingStack& stack, std::vector<std::vector<std::string>>& paths,
                    std::vector<Span>& out);

// Sentences grouped where adjacent windows' embeddings stay similar; groups split again at
// their least similar sentence boundary until they fit.
void split_semantic(Span span, const Budget& budget, const Options& options, std::vector<Span>& out);

// The separators of the recursive presets.
const std::vector<std::string>& clause_separators();

}  // namespace ragkernel::chunk::detail

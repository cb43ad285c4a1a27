#pragma once
// Chunkers: split a document into pieces that each fit a size bound, with exact offsets.
//
// Every chunk is a contiguous span of the source: `text.substr(byte_start, byte_end -
// byte_start)` is the chunk, and `start`/`end` are the same span in code points (Python `str`
// indices). Offsets are carried through every split and merge, never searched for. No chunk
// measures more than `chunk_size` in its unit, whatever the method: a piece that does not fit
// is split again, down to single code points, and never inside a code point.
#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ragkernel/chunk/tokenizer.hpp"

namespace ragkernel::chunk {

enum class Method {
  token,      // fixed-size windows of `chunk_size` units, `overlap` units shared
  sentence,   // whole sentences packed up to the bound
  recursive,  // a separator hierarchy (paragraphs, lines, sentences, clauses, words, characters)
  markdown,   // sections under headings; code fences and tables kept whole when they fit
  semantic,   // sentences grouped where the embeddings of adjacent windows stay similar
};

enum class Unit { chars, words, tokens };

Method parse_method(std::string_view name);  // "token" | "sentence" | "recursive" | "markdown" | "semantic"
Unit parse_unit(std::string_view name);      // "chars" | "words" | "tokens"
std::string_view to_string(Method method) noexcept;
std::string_view to_string(Unit unit) noexcept;

struct Chunk {
  std::size_t start = 0;       // first code point (Python str index)
  std::size_t end = 0;         // one past the last code point
  std::size_t byte_start = 0;  // the same span in UTF-8 bytes
  std::size_t byte_end = 0;
  std::size_t index = 0;                  // position in the document's list of chunks
  std::size_t size = 0;                   // length in the chunker's unit (chars, words or tokens), <= chunk_size
  std::vector<std::string> heading_path;  // markdown: the enclosing headings, outermost first
};

// Any size function over text, for units the Tokenizer does not implement (from Python: a
// callable `str -> int`). Must return the same value for the same text.
class SizeCounter {
 public:
  virtual ~SizeCounter() = default;
  virtual std::size_t count(std::string_view text) const = 0;
};

// The user's embedding model for the semantic chunker: one row of `dim` floats per text.
struct Embeddings {
  std::vector<float> values;  // rows * dim, row-major
  std::size_t rows = 0;
  std::size_t dim = 0;
};
using Embedder = std::function<Embeddings(const std::vector<std::string_view>& texts)>;

struct Options {
  Method method = Method::recursive;
  Unit unit = Unit::chars;
  std::size_t chunk_size = 512;  // the hard bound, in `unit`
  std::size_t overlap = 0;       // units shared by consecutive chunks; < chunk_size
  // unit == tokens: exactly one of these counts tokens.
  std::shared_ptr<const Tokenizer> tokenizer;
  std::shared_ptr<const SizeCounter> counter;
  bool add_special_tokens = false;  // tokenizer counts include [CLS]/[SEP] etc. (reserves room for them)
  // recursive: the separators, tried in order; empty = the preset's. "" means characters.
  std::vector<std::string> separators;
  std::string preset = "text";  // recursive: see recursive_presets()
  // semantic
  Embedder embedder;
  std::size_t window = 1;             // a boundary compares window + 1 sentences before it with window + 1 after
  double breakpoint_percentile = 95;  // split where the distance of adjacent windows is above this percentile
};

// Throws InvalidArgument naming the first bad field and what was expected.
void validate(const Options& options);

// Names of the separator presets of the recursive chunker and their separators.
std::vector<std::string> recursive_presets();
std::vector<std::string> preset_separators(std::string_view preset);

// Chunks one document of valid UTF-8 (InvalidArgument naming the byte offset otherwise; see
// sanitize_utf8 to repair first). Empty or all-whitespace text gives no chunks.
std::vector<Chunk> chunk_text(std::string_view text, const Options& options);

// Chunks many documents, in parallel (OpenMP) unless a SizeCounter or an Embedder is set
// (those may call back into an interpreter, so they run on the calling thread, in order).
std::vector<std::vector<Chunk>> chunk_batch(std::span<const std::string_view> texts, const Options& options);

}  // namespace ragkernel::chunk

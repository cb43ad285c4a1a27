// The chunkers' entry points: options, dispatch, the hard bound, offsets, batches.
#include "ragkernel/chunk/chunk.hpp"

#include <omp.h>

#include <algorithm>
#include <exception>
#include <string>

#include "document.hpp"
#include "ragkernel/chunk/utf8.hpp"
#include "ragkernel/error.hpp"
#include "span_measure.hpp"
#include "splitters.hpp"
#include "utf8_decode.hpp"

namespace ragkernel::chunk {

Method parse_method(std::string_view name) {
  if (name == "token") return Method::token;
  if (name == "sentence") return Method::sentence;
  if (name == "recursive") return Method::recursive;
  if (name == "markdown") return Method::markdown;
  if (name == "semantic") return Method::semantic;
  throw InvalidArgument(
      "method must be one of \"token\", \"sentence\", \"recursive\", \"markdown\", \"semantic\"; got \"" +
      std::string(name) + "\"");
}

Unit parse_unit(std::string_view name) {
  if (name == "chars") return Unit::chars;
  if (name == "words") return Unit::words;
  if (name == "tokens") return Unit::tokens;
  throw InvalidArgument("unit must be one of \"chars\", \"words\", \"tokens\"; got \"" + std::string(name) + "\"");
}

std::string_view to_string(Method method) noexcept {
  switch (method) {
    case Method::token: return "token";
    case Method::sentence: return "sentence";
    case Method::recursive: return "recursive";
    case Method::markdown: return "markdown";
    case Method::semantic: return "semantic";
  }
  return "?";
}

std::string_view to_string(Unit unit) noexcept {
  switch (unit) {
    case Unit::chars: return "chars";
    case Unit::words: return "words";
    case Unit::tokens: return "tokens";
  }
  return "?";
}

void validate(const Options& o) {
  if (o.chunk_size == 0) throw InvalidArgument("chunk_size must be at least 1, got 0");
  if (o.overlap >= o.chunk_size)
    throw InvalidArgument("overlap must be smaller than chunk_size (" + std::to_string(o.chunk_size) + "), got " +
                          std::to_string(o.overlap));
  if (o.unit == Unit::tokens && !o.tokenizer && !o.counter)
    throw InvalidArgument("unit \"tokens\" needs a tokenizer (a tokenizer.json) or a counter callable");
  if (o.unit != Unit::tokens && (o.tokenizer || o.counter))
    throw InvalidArgument("a tokenizer or counter was given but unit is \"" + std::string(to_string(o.unit)) +
                          "\"; use unit \"tokens\"");
  if (o.unit == Unit::tokens && o.tokenizer && o.add_special_tokens &&
      o.chunk_size <= o.tokenizer->special_tokens_added())
    throw InvalidArgument("chunk_size (" + std::to_string(o.chunk_size) + ") leaves no room beside the " +
                          std::to_string(o.tokenizer->special_tokens_added()) + " special tokens");
  if (o.method == Method::recursive && o.separators.empty()) preset_separators(o.preset);  // throws if unknown
  if (o.method == Method::semantic) {
    if (!o.embedder) throw InvalidArgument("method \"semantic\" needs an embedder");
    if (o.overlap != 0)
      throw InvalidArgument("method \"semantic\" does not take an overlap, got " + std::to_string(o.overlap));
    if (!(o.breakpoint_percentile >= 0 && o.breakpoint_percentile <= 100))
      throw InvalidArgument("breakpoint_percentile must be in [0, 100], got " +
                            std::to_string(o.breakpoint_percentile));
  }
}

namespace detail {
namespace {

std::string describe(std::string_view text, std::size_t byte) {
  std::size_t p = byte;
  const char32_t c = decode(text, p);
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string hex;
  for (int shift = c > 0xFFFF ? 20 : 12; shift >= 0; shift -= 4) hex += kHex[(c >> shift) & 0xF];
  return "U+" + hex + " at byte " + std::to_string(byte);
}

// Every chunk within the bound: a span over it (a single code point at the bound that the
// recursion left, or a separator list without "") is cut at the furthest point that fits.
void enforce_bound(std::vector<Span>& spans, SpanMeasure& m, const Options& o) {
  const std::string_view text = m.text();
  std::vector<Span> result;
  result.reserve(spans.size());
  for (const Span& raw : spans) {
    Span s = trim(text, raw);
    if (s.end <= s.begin) continue;
    if (m.measure(s.begin, s.end) <= o.chunk_size) {
      result.push_back(s);
      continue;
    }
    std::size_t pos = s.begin;
    while (pos < s.end) {
      const std::size_t end = m.fit(pos, s.end, o.chunk_size);
      if (end <= pos) {
        const std::size_t one = next_boundary(text, pos);
        throw InvalidArgument("chunk_size=" + std::to_string(o.chunk_size) + " " + std::string(to_string(o.unit)) +
                              " is smaller than the single character " + describe(text, pos) + ", which measures " +
                              std::to_string(m.measure(pos, one)) + "; no chunk can hold it");
      }
      const Span piece = trim(text, {pos, end, s.section});
      if (piece.end > piece.begin) result.push_back(piece);
      pos = trim(text, {end, s.end, s.section}).begin;
    }
  }
  spans = std::move(result);
}

}  // namespace

void set_code_point_offsets(std::string_view text, std::vector<Chunk>& chunks, std::size_t base) {
  std::vector<std::size_t> positions;
  positions.reserve(chunks.size() * 2);
  for (const Chunk& c : chunks) {
    positions.push_back(c.byte_start);
    positions.push_back(c.byte_end);
  }
  std::sort(positions.begin(), positions.end());
  positions.erase(std::unique(positions.begin(), positions.end()), positions.end());
  std::vector<std::size_t> code_points(positions.size());
  std::size_t byte = 0, count = 0;
  for (std::size_t i = 0; i < positions.size(); ++i) {
    for (; byte < positions[i]; ++byte) count += !is_continuation(static_cast<unsigned char>(text[byte]));
    code_points[i] = count;
  }
  auto lookup = [&](std::size_t b) {
    return code_points[static_cast<std::size_t>(std::lower_bound(positions.begin(), positions.end(), b) -
                                                positions.begin())];
  };
  for (Chunk& c : chunks) {
    c.start = base + lookup(c.byte_start);
    c.end = base + lookup(c.byte_end);
  }
}

std::vector<Chunk> chunk_document(std::string_view text, const Options& o, HeadingStack& headings) {
  if (find_invalid_utf8(text)) sanitize_utf8(text, Utf8Errors::strict);  // throws, naming the byte
  std::vector<Chunk> chunks;
  if (text.empty()) return chunks;
  const std::unique_ptr<SpanMeasure> m = make_measure(text, o);
  const Budget budget{*m, o.chunk_size, o.overlap};
  const Span all{0, text.size(), -1};
  std::vector<Span> spans;
  std::vector<std::vector<std::string>> paths;
  switch (o.method) {
    case Method::token: split_windows(all, budget, spans); break;
    case Method::sentence: split_by_sentences(all, budget, spans); break;
    case Method::recursive: {
      const std::vector<std::string> separators = o.separators.empty() ? preset_separators(o.preset) : o.separators;
      split_recursive(all, separators, o.preset != "langchain" && o.separators.empty(), budget, spans);
      break;
    }
    case Method::markdown: split_markdown(all, budget, headings, paths, spans); break;
    case Method::semantic: split_semantic(all, budget, o, spans); break;
  }
  enforce_bound(spans, *m, o);
  chunks.reserve(spans.size());
  for (const Span& s : spans) {
    Chunk c;
    c.byte_start = s.begin;
    c.byte_end = s.end;
    c.index = chunks.size();
    c.size = m->measure(s.begin, s.end);
    if (s.section >= 0) c.heading_path = paths[static_cast<std::size_t>(s.section)];
    chunks.push_back(std::move(c));
  }
  set_code_point_offsets(text, chunks);
  return chunks;
}

}  // namespace detail

std::vector<Chunk> chunk_text(std::string_view text, const Options& options) {
  validate(options);
  detail::HeadingStack headings;
  return detail::chunk_document(text, options, headings);
}

std::vector<std::vector<Chunk>> chunk_batch(std::span<const std::string_view> texts, const Options& options) {
  validate(options);
  std::vector<std::vector<Chunk>> results(texts.size());
  const bool serial = options.counter || options.embedder;
  if (serial) {
    for (std::size_t i = 0; i < texts.size(); ++i) results[i] = chunk_text(texts[i], options);
    return results;
  }
  std::vector<std::exception_ptr> errors(texts.size());
  const auto n = static_cast<std::ptrdiff_t>(texts.size());
#pragma omp parallel for schedule(dynamic, 1)
  for (std::ptrdiff_t i = 0; i < n; ++i) {
    const auto k = static_cast<std::size_t>(i);
    try {
      detail::HeadingStack headings;
      results[k] = detail::chunk_document(texts[k], options, headings);
    } catch (...) {
      errors[k] = std::current_exception();
    }
  }
  for (std::size_t i = 0; i < errors.size(); ++i) {
    if (!errors[i]) continue;
    try {
      std::rethrow_exception(errors[i]);
    } catch (const InvalidArgument& e) {
      throw InvalidArgument("document " + std::to_string(i) + ": " + e.what());
    }
  }
  return results;
}

}  // namespace ragkernel::chunk

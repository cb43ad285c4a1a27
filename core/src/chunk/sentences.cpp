// Rule-based sentence boundaries: terminators followed by closing quotes or brackets and
// whitespace, with exceptions for abbreviations, initials, decimals and ellipses; CJK full
// stops end a sentence without whitespace; a blank line always ends one.
#include <algorithm>
#include <array>
#include <string>

#include "splitters.hpp"
#include "unicode.hpp"
#include "utf8_decode.hpp"

namespace ragkernel::chunk::detail {
namespace {

bool is_terminator(char32_t c) noexcept {
  switch (c) {
    case '.':
    case '!':
    case '?':
    case 0x2026:
    case 0x203C:
    case 0x2047:
    case 0x2048:
    case 0x2049:
    case 0x3002:
    case 0xFF01:
    case 0xFF1F:
    case 0xFF61:
    case 0x061F:
    case 0x0964:
    case 0x0965: return true;
    default: return false;
  }
}

bool ends_without_space(char32_t c) noexcept {  // CJK and Devanagari stops need no space after them
  return c == 0x3002 || c == 0xFF01 || c == 0xFF1F || c == 0xFF61 || c == 0x0964 || c == 0x0965;
}

bool is_closer(char32_t c) noexcept {
  switch (c) {
    case '"':
    case '\'':
    case ')':
    case ']':
    case '}':
    case 0x201D:
    case 0x2019:
    case 0x00BB:
    case 0x300D:
    case 0x300F:
    case 0x3011:
    case 0x3015:
    case 0xFF09:
    case 0x201C: return true;
    default: return false;
  }
}

// Abbreviations after which a period never ends a sentence.
constexpr std::array<std::string_view, 34> kTitles = {
    "mr",   "mrs",  "ms",   "dr",  "prof", "sr",   "jr",  "st",  "mt",    "rev", "gen",    "col",
    "lt",   "sgt",  "capt", "hon", "fr",   "e.g",  "i.e", "cf",  "vs",    "viz", "approx", "ca",
    "dept", "univ", "inc",  "ltd", "co",   "corp", "no",  "nos", "et al", "al"};
// Abbreviations that end a sentence only before a capital letter (the default rule), and
// never before a digit ("Fig. 3", "pp. 12").
constexpr std::array<std::string_view, 14> kBeforeNumbers = {"fig", "figs", "eq",  "eqs", "vol",  "pp", "p",
                                                             "ch",  "sec",  "art", "ref", "refs", "nr", "op"};

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  return out;
}

// The word before a period at `dot` (letters and inner periods), lowercased.
std::string word_before(std::string_view text, std::size_t from, std::size_t dot) {
  std::size_t b = dot;
  while (b > from) {
    std::size_t prev = b;
    const char32_t c = decode_before(text, prev);
    if (!(is_letter(c) || c == '.')) break;
    b = prev;
  }
  return lower_ascii(text.substr(b, dot - b));
}

bool in_list(const auto& list, std::string_view word) {
  return std::find(list.begin(), list.end(), word) != list.end();
}

}  // namespace

std::vector<Span> split_sentences(std::string_view text, Span span) {
  std::vector<std::size_t> starts{span.begin};
  std::size_t pos = span.begin;
  while (pos < span.end) {
    const std::size_t at = pos;
    const char32_t c = decode(text, pos);
    if (c == '\n') {  // a blank line ends a sentence
      std::size_t p = pos, newlines = 1;
      while (p < span.end) {
        std::size_t q = p;
        const char32_t d = decode(text, q);
        if (!is_trim_space(d)) break;
        newlines += d == '\n';
        p = q;
      }
      if (newlines >= 2 && p < span.end && p > starts.back()) starts.push_back(p);
      pos = std::max(pos, at + 1);
      continue;
    }
    if (!is_terminator(c)) continue;
    // The run of terminators and closers.
    std::size_t end = pos;
    std::size_t terminators = 1;
    bool cjk = ends_without_space(c);
    char32_t last = c;
    while (end < span.end) {
      std::size_t q = end;
      const char32_t d = decode(text, q);
      if (is_terminator(d)) {
        ++terminators;
        cjk = cjk || ends_without_space(d);
        last = d;
      } else if (!is_closer(d)) {
        break;
      }
      end = q;
    }
    pos = end;
    // What follows: whitespace, then the next sentence's first character.
    std::size_t next = end;
    bool spaced = false;
    char32_t following = 0;
    while (next < span.end) {
      std::size_t q = next;
      const char32_t d = decode(text, q);
      if (!is_trim_space(d)) {
        following = d;
        break;
      }
      spaced = true;
      next = q;
    }
    if (next >= span.end) break;  // the text ends with this sentence
    if (!cjk) {
      if (!spaced) continue;  // 3.14, example.com, "e.g.x"
      const bool ellipsis = c == 0x2026 || (c == '.' && terminators >= 3);
      if (is_lower(following)) continue;  // "etc. and", "... and then"
      if (ellipsis && !is_upper(following)) continue;
      if (c == '.' && terminators == 1 && last == '.') {
        const std::string word = word_before(text, span.begin, at);
        const bool initial = word.size() == 1 && is_letter(static_cast<unsigned char>(word[0]));
        if (initial || in_list(kTitles, word)) continue;
        if (in_list(kBeforeNumbers, word) && is_number(following)) continue;
      }
    }
    if (next > starts.back()) starts.push_back(next);
  }
  std::vector<Span> sentences;
  for (std::size_t i = 0; i < starts.size(); ++i) {
    const std::size_t e = i + 1 < starts.size() ? starts[i + 1] : span.end;
    if (e > starts[i]) sentences.push_back({starts[i], e, span.section});
  }
  return sentences;
}

void split_by_sentences(Span span, const Budget& budget, std::vector<Span>& out) {
  std::vector<Span> pieces;
  for (const Span& sentence : split_sentences(budget.measure.text(), span)) {
    if (budget.measure.measure(sentence.begin, sentence.end) <= budget.size) {
      pieces.push_back(sentence);
      continue;
    }
    // Too long alone: clauses, then words, then characters; its parts become pieces.
    std::vector<Span> parts;
    const Budget no_overlap{budget.measure, budget.size, 0};
    split_recursive(sentence, clause_separators(), true, no_overlap, parts);
    pieces.insert(pieces.end(), parts.begin(), parts.end());
  }
  merge_pieces(pieces, budget, out);
}

}  // namespace ragkernel::chunk::detail

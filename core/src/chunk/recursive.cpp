// The recursive splitter: a separator hierarchy, LangChain's algorithm on spans.
#include "splitters.hpp"
#include "utf8_decode.hpp"

namespace ragkernel::chunk::detail {
namespace {

// Pieces of `span` split on `sep` (non-empty); empty pieces are dropped.
void split_on(std::string_view text, Span span, std::string_view sep, bool at_end, std::vector<Span>& pieces) {
  const std::string_view body = text.substr(span.begin, span.end - span.begin);
  std::size_t piece_start = 0, from = 0;
  while (true) {
    const std::size_t hit = body.find(sep, from);
    if (hit == std::string_view::npos) break;
    const std::size_t cut = at_end ? hit + sep.size() : hit;
    if (cut > piece_start) pieces.push_back({span.begin + piece_start, span.begin + cut, span.section});
    piece_start = cut;
    from = hit + sep.size();
  }
  if (body.size() > piece_start) pieces.push_back({span.begin + piece_start, span.end, span.section});
}

// Where a separator goes: one that opens a block ("\ndef ", "\n## ") starts the next piece;
// one that closes something (". ", ", ", "\n\n") ends the previous one.
bool keeps_at_end(std::string_view sep) {
  if (sep.size() < 2 || sep.front() != '\n') return true;
  return sep.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

void split_chars(std::string_view text, Span span, std::vector<Span>& pieces) {
  std::size_t pos = span.begin;
  while (pos < span.end) {
    const std::size_t next = next_boundary(text, pos);
    pieces.push_back({pos, next, span.section});
    pos = next;
  }
}

}  // namespace

void split_recursive(Span span, std::span<const std::string> separators, bool separator_at_end, const Budget& budget,
                     std::vector<Span>& out) {
  const std::string_view text = budget.measure.text();
  const std::string_view body = text.substr(span.begin, span.end - span.begin);
  std::size_t chosen = separators.size();
  for (std::size_t i = 0; i < separators.size(); ++i) {
    if (separators[i].empty() || body.find(separators[i]) != std::string_view::npos) {
      chosen = i;
      break;
    }
  }
  std::vector<Span> pieces;
  std::span<const std::string> rest;
  if (chosen == separators.size() || separators[chosen].empty()) {
    split_chars(text, span, pieces);
  } else {
    split_on(text, span, separators[chosen], separator_at_end && keeps_at_end(separators[chosen]), pieces);
    rest = separators.subspan(chosen + 1);
  }
  std::vector<Span> good;
  for (const Span& piece : pieces) {
    if (budget.measure.measure(piece.begin, piece.end) < budget.size) {
      good.push_back(piece);
      continue;
    }
    if (!good.empty()) {
      merge_pieces(good, budget, out);
      good.clear();
    }
    if (rest.empty())
      out.push_back(piece);  // a single code point at the bound (or over it: the caller checks)
    else
      split_recursive(piece, rest, separator_at_end, budget, out);
  }
  if (!good.empty()) merge_pieces(good, budget, out);
}

}  // namespace ragkernel::chunk::detail

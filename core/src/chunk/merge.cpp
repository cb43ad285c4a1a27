// Packing pieces into chunks under the bound, with overlap.
#include <deque>

#include "splitters.hpp"
#include "utf8_decode.hpp"

namespace ragkernel::chunk::detail {

Span trim(std::string_view text, Span span) {
  std::size_t b = span.begin, e = span.end;
  while (b < e) {
    std::size_t next = b;
    if (!is_trim_space(decode(text, next))) break;
    b = next;
  }
  while (e > b) {
    std::size_t prev = e;
    if (!is_trim_space(decode_before(text, prev))) break;
    e = prev;
  }
  return {b, e, span.section};
}

void merge_pieces(const std::vector<Span>& pieces, const Budget& budget, std::vector<Span>& out) {
  SpanMeasure& m = budget.measure;
  const std::string_view text = m.text();
  std::deque<Span> current;
  auto emit = [&]() {
    if (current.empty()) return;
    const Span chunk = trim(text, {current.front().begin, current.back().end, current.front().section});
    if (chunk.end > chunk.begin) out.push_back(chunk);
  };
  for (const Span& piece : pieces) {
    if (!current.empty() && m.measure(current.front().begin, piece.end) > budget.size) {
      emit();
      // Keep at most `overlap` at the tail, and room for the new piece.
      while (!current.empty() && (m.measure(current.front().begin, current.back().end) > budget.overlap ||
                                  m.measure(current.front().begin, piece.end) > budget.size)) {
        current.pop_front();
      }
    }
    current.push_back(piece);
  }
  emit();
}

}  // namespace ragkernel::chunk::detail

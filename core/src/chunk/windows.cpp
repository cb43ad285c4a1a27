// Fixed-size windows: each as long as the bound allows, the next starting `overlap` units
// before the previous one ended.
#include "splitters.hpp"
#include "utf8_decode.hpp"

namespace ragkernel::chunk::detail {
namespace {

std::size_t skip_space(std::string_view text, std::size_t pos, std::size_t end) {
  while (pos < end) {
    std::size_t next = pos;
    if (!is_trim_space(decode(text, next))) break;
    pos = next;
  }
  return pos;
}

// The earliest start s in (after, end] with measure(s, end) <= overlap.
std::size_t overlap_start(SpanMeasure& m, std::size_t after, std::size_t end, std::size_t overlap) {
  const std::string_view text = m.text();
  std::size_t too_far = after, fits = end;  // measure(too_far, end) > overlap assumed
  while (true) {
    std::size_t mid = floor_boundary(text, too_far + (fits - too_far) / 2);
    if (mid <= too_far) mid = next_boundary(text, too_far);
    if (mid >= fits) break;
    if (m.measure(mid, end) <= overlap)
      fits = mid;
    else
      too_far = mid;
  }
  return fits;
}

}  // namespace

void split_windows(Span span, const Budget& budget, std::vector<Span>& out) {
  SpanMeasure& m = budget.measure;
  const std::string_view text = m.text();
  std::size_t pos = skip_space(text, span.begin, span.end);
  while (pos < span.end) {
    std::size_t end = m.fit(pos, span.end, budget.size);
    if (end <= pos) end = next_boundary(text, pos);  // one code point over the bound: reported later
    const Span window = trim(text, {pos, end, span.section});
    if (window.end > window.begin) out.push_back(window);
    if (end >= span.end) break;
    const std::size_t next = budget.overlap == 0 ? end : overlap_start(m, pos, end, budget.overlap);
    pos = skip_space(text, next > pos ? next : end, span.end);
  }
}

}  // namespace ragkernel::chunk::detail

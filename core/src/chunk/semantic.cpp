// Semantic grouping: at each sentence boundary, embed (with the user's model) the sentences
// just before it and just after it, cut where the two sides are far apart (above a percentile
// of all boundaries' distances), then cut oversized groups again at their widest gap until
// every group fits the bound.
#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "ragkernel/error.hpp"
#include "ragkernel/simd/kernels.hpp"
#include "splitters.hpp"

namespace ragkernel::chunk::detail {
namespace {

// numpy.percentile's default (linear interpolation between closest ranks).
double percentile(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  const double rank = q / 100.0 * static_cast<double>(values.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(rank));
  const std::size_t hi = std::min(lo + 1, values.size() - 1);
  return values[lo] + (values[hi] - values[lo]) * (rank - static_cast<double>(lo));
}

struct Grouper {
  const std::vector<Span>& units;
  const std::vector<double>& distance;  // distance[i]: between units i and i + 1
  const Budget& budget;
  std::vector<Span>& out;

  void emit(std::size_t first, std::size_t last) {  // units [first, last)
    const std::string_view text = budget.measure.text();
    const Span whole{units[first].begin, units[last - 1].end, units[first].section};
    if (last - first == 1 || budget.measure.measure(whole.begin, whole.end) <= budget.size) {
      const Span t = trim(text, whole);
      if (t.end > t.begin) out.push_back(t);
      return;
    }
    std::size_t cut = first + 1;
    for (std::size_t k = first + 1; k < last; ++k)
      if (distance[k - 1] > distance[cut - 1]) cut = k;
    emit(first, cut);
    emit(cut, last);
  }
};

}  // namespace

void split_semantic(Span span, const Budget& budget, const Options& options, std::vector<Span>& out) {
  SpanMeasure& m = budget.measure;
  const std::string_view text = m.text();
  std::vector<Span> units;
  for (const Span& sentence : split_sentences(text, span)) {
    const Span t = trim(text, sentence);
    if (t.end <= t.begin) continue;
    if (m.measure(t.begin, t.end) <= budget.size) {
      units.push_back(t);
    } else {
      const Budget alone{m, budget.size, 0};
      split_recursive(t, clause_separators(), true, alone, units);
    }
  }
  if (units.size() <= 1) {
    for (const Span& u : units) out.push_back(u);
    return;
  }
  // For the boundary after unit b: the `window` + 1 units ending at b against the `window` + 1
  // units starting at b + 1, so a topic change scores highest exactly where it happens.
  const std::size_t n = units.size();
  const std::size_t w = options.window;
  std::vector<std::pair<std::size_t, std::size_t>> spans;  // unique (first unit, last unit)
  std::map<std::pair<std::size_t, std::size_t>, std::size_t> row_of;
  std::vector<std::pair<std::size_t, std::size_t>> sides(n - 1);  // rows of the left and right window
  auto row = [&](std::size_t first, std::size_t last) {
    const auto [it, added] = row_of.emplace(std::make_pair(first, last), spans.size());
    if (added) spans.emplace_back(first, last);
    return it->second;
  };
  for (std::size_t b = 0; b + 1 < n; ++b) {
    sides[b] = {row(b >= w ? b - w : 0, b), row(b + 1, std::min(n - 1, b + 1 + w))};
  }
  std::vector<std::string_view> windows;
  windows.reserve(spans.size());
  for (const auto& [first, last] : spans)
    windows.push_back(text.substr(units[first].begin, units[last].end - units[first].begin));
  const Embeddings e = options.embedder(windows);
  if (e.rows != windows.size() || e.dim == 0 || e.values.size() != e.rows * e.dim) {
    throw InvalidArgument("the embedder returned " + std::to_string(e.rows) + " rows of dimension " +
                          std::to_string(e.dim) + " for " + std::to_string(windows.size()) +
                          " texts; expected one row per text and a dimension of at least 1");
  }
  const simd::Kernels& k = simd::active();
  std::vector<double> distance(n - 1);
  for (std::size_t b = 0; b + 1 < n; ++b) {
    const float* left = e.values.data() + sides[b].first * e.dim;
    const float* right = e.values.data() + sides[b].second * e.dim;
    const double d = 1.0 - static_cast<double>(k.cosine_f32(left, right, e.dim));
    if (!std::isfinite(d)) throw InvalidArgument("the embedder returned a NaN or infinite value");
    distance[b] = d;
  }
  const double threshold = percentile(distance, options.breakpoint_percentile);
  Grouper grouper{units, distance, budget, out};
  std::size_t first = 0;
  for (std::size_t i = 0; i + 1 < n; ++i) {
    if (distance[i] > threshold) {
      grouper.emit(first, i + 1);
      first = i + 1;
    }
  }
  grouper.emit(first, n);
}

}  // namespace ragkernel::chunk::detail

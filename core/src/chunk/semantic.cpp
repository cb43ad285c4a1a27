// Semantic grouping: embed a window of sentences around each sentence with the user's
// model, cut where adjacent windows are far apart (above a percentile of the distances),
// then cut oversized groups again at their widest gap until every group fits the bound.
#include <algorithm>
#include <cmath>
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
  const std::size_t n = units.size();
  const std::size_t w = options.window;
  std::vector<std::string_view> windows;
  windows.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t a = i >= w ? i - w : 0;
    const std::size_t b = std::min(n - 1, i + w);
    windows.push_back(text.substr(units[a].begin, units[b].end - units[a].begin));
  }
  const Embeddings e = options.embedder(windows);
  if (e.rows != n || e.dim == 0 || e.values.size() != e.rows * e.dim) {
    throw InvalidArgument("the embedder returned " + std::to_string(e.rows) + " rows of dimension " +
                          std::to_string(e.dim) + " for " + std::to_string(n) +
                          " texts; expected one row per text and a dimension of at least 1");
  }
  const simd::Kernels& k = simd::active();
  std::vector<double> distance(n - 1);
  for (std::size_t i = 0; i + 1 < n; ++i) {
    const float* a = e.values.data() + i * e.dim;
    const float* b = a + e.dim;
    const double d = 1.0 - static_cast<double>(k.cosine_f32(a, b, e.dim));
    if (!std::isfinite(d)) throw InvalidArgument("the embedder returned a NaN or infinite value");
    distance[i] = d;
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

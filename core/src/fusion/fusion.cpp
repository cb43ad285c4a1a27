#include "ragkernel/fusion/fusion.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <numeric>
#include <string>

#include "ragkernel/error.hpp"

namespace ragkernel::fusion {
namespace {

// Open addressing from id to output row; sized for the total number of entries.
class RowTable {
 public:
  explicit RowTable(std::size_t n) : mask_(std::bit_ceil(std::max<std::size_t>(2 * n, 16)) - 1), slots_(mask_ + 1) {}
  // The row of `id`, inserting `next` if the id is new (then *inserted = true).
  std::uint32_t find_or_insert(std::uint32_t id, std::uint32_t next, bool* inserted) {
    std::size_t h = (id * 0x9E3779B1u) & mask_;
    while (true) {
      Slot& s = slots_[h];
      if (s.row == kEmpty) {
        s = {id, next};
        *inserted = true;
        return next;
      }
      if (s.id == id) {
        *inserted = false;
        return s.row;
      }
      h = (h + 1) & mask_;
    }
  }

 private:
  static constexpr std::uint32_t kEmpty = 0xFFFFFFFFu;
  struct Slot {
    std::uint32_t id = 0;
    std::uint32_t row = kEmpty;
  };
  std::size_t mask_;
  std::vector<Slot> slots_;
};

struct Affine {  // norm(x) = (x - shift) * scale
  double shift = 0.0, scale = 1.0;
};

Affine normalizer_for(const Source& s, Method method, Normalizer normalizer) {
  const std::size_t n = s.scores.size();
  if (n == 0) return {};
  double lo = s.scores[0], hi = s.scores[0], sum = 0.0;
  for (float x : s.scores) {
    lo = std::min<double>(lo, x);
    hi = std::max<double>(hi, x);
    sum += x;
  }
  const double mean = sum / static_cast<double>(n);
  double var = 0.0;
  for (float x : s.scores) var += (x - mean) * (x - mean);
  const double sd = std::sqrt(var / static_cast<double>(n));
  if (method == Method::kDbsf) {
    if (sd == 0.0) return {mean - 0.5, 1.0};  // every score maps to 0.5
    return {mean - 3.0 * sd, 1.0 / (6.0 * sd)};
  }
  switch (normalizer) {
    case Normalizer::kMinMax:
      if (hi == lo) return {lo - 1.0, 1.0};  // a flat list maps to 1
      return {lo, 1.0 / (hi - lo)};
    case Normalizer::kZScore:
      if (sd == 0.0) return {mean, 1.0};
      return {mean, 1.0 / sd};
    case Normalizer::kTheoretical: {
      const double l = std::isnan(s.lower) ? 0.0 : s.lower;
      const double u = std::isnan(s.upper) ? hi : s.upper;
      if (!(u > l)) {
        throw InvalidArgument("theoretical normalizer needs upper > lower, got lower " + std::to_string(l) +
                              " and upper " + std::to_string(u));
      }
      return {l, 1.0 / (u - l)};
    }
  }
  return {};
}

void validate(std::span<const Source> sources, const Options& options) {
  if (sources.empty()) throw InvalidArgument("fusion needs at least one ranked list");
  if (options.method == Method::kRrf && !(options.rrf_k > 0.0 && std::isfinite(options.rrf_k))) {
    throw InvalidArgument("rrf k must be a finite number > 0, got " + std::to_string(options.rrf_k));
  }
  double total = 0.0;
  for (std::size_t s = 0; s < sources.size(); ++s) {
    const Source& src = sources[s];
    const std::string name = "source " + std::to_string(s);
    if (src.ids.size() != src.scores.size()) {
      throw InvalidArgument(name + " has " + std::to_string(src.ids.size()) + " ids but " +
                            std::to_string(src.scores.size()) + " scores");
    }
    if (!std::isfinite(src.weight) || src.weight < 0.0) {
      throw InvalidArgument(name + " has weight " + std::to_string(src.weight) + "; weights must be finite and >= 0");
    }
    total += src.weight;
    for (std::size_t i = 0; i < src.scores.size(); ++i) {
      if (!std::isfinite(src.scores[i])) {
        throw InvalidArgument(name + " has a non-finite score at position " + std::to_string(i));
      }
    }
  }
  if (total <= 0.0) throw InvalidArgument("fusion weights are all zero; at least one must be positive");
}

}  // namespace

Method parse_method(std::string_view name) {
  if (name == "rrf") return Method::kRrf;
  if (name == "convex") return Method::kConvex;
  if (name == "dbsf") return Method::kDbsf;
  throw InvalidArgument("unknown fusion method '" + std::string(name) + "'; expected 'rrf', 'convex' or 'dbsf'");
}

Normalizer parse_normalizer(std::string_view name) {
  if (name == "minmax") return Normalizer::kMinMax;
  if (name == "zscore") return Normalizer::kZScore;
  if (name == "theoretical") return Normalizer::kTheoretical;
  throw InvalidArgument("unknown normalizer '" + std::string(name) + "'; expected 'minmax', 'zscore' or 'theoretical'");
}

Fused fuse(std::span<const Source> sources, const Options& options) {
  validate(sources, options);
  const std::size_t ns = sources.size();
  std::size_t total = 0;
  for (const Source& s : sources) total += s.ids.size();

  Fused all;
  all.num_sources = ns;
  all.ids.reserve(total);
  all.scores.reserve(total);
  all.source_scores.reserve(total * ns);
  all.source_ranks.reserve(total * ns);
  RowTable rows(total);
  for (std::size_t s = 0; s < ns; ++s) {
    const Source& src = sources[s];
    const Affine norm =
        options.method == Method::kRrf ? Affine{} : normalizer_for(src, options.method, options.normalizer);
    for (std::size_t i = 0; i < src.ids.size(); ++i) {
      bool inserted = false;
      const std::uint32_t row = rows.find_or_insert(src.ids[i], static_cast<std::uint32_t>(all.ids.size()), &inserted);
      if (inserted) {
        all.ids.push_back(src.ids[i]);
        all.scores.push_back(0.0);
        all.source_scores.insert(all.source_scores.end(), ns, std::numeric_limits<float>::quiet_NaN());
        all.source_ranks.insert(all.source_ranks.end(), ns, 0u);
      }
      std::uint32_t& rank = all.source_ranks[std::size_t{row} * ns + s];
      if (rank != 0) {
        throw InvalidArgument("source " + std::to_string(s) + " lists id " + std::to_string(src.ids[i]) + " twice");
      }
      rank = static_cast<std::uint32_t>(i + 1);
      all.source_scores[std::size_t{row} * ns + s] = src.scores[i];
      const double part = options.method == Method::kRrf
                              ? 1.0 / (options.rrf_k + static_cast<double>(i + 1))
                              : (static_cast<double>(src.scores[i]) - norm.shift) * norm.scale;
      all.scores[row] += src.weight * part;
    }
  }

  const std::size_t n = all.ids.size();
  const std::size_t keep = options.k == 0 ? n : std::min(options.k, n);
  std::vector<std::uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  auto better = [&](std::uint32_t a, std::uint32_t b) {
    return all.scores[a] > all.scores[b] || (all.scores[a] == all.scores[b] && all.ids[a] < all.ids[b]);
  };
  if (keep < n) {
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(keep), order.end(), better);
  } else {
    std::sort(order.begin(), order.end(), better);
  }
  Fused out;
  out.num_sources = ns;
  out.ids.resize(keep);
  out.scores.resize(keep);
  out.source_scores.resize(keep * ns);
  out.source_ranks.resize(keep * ns);
  for (std::size_t r = 0; r < keep; ++r) {
    const std::size_t row = order[r];
    out.ids[r] = all.ids[row];
    out.scores[r] = all.scores[row];
    std::copy_n(all.source_scores.begin() + static_cast<std::ptrdiff_t>(row * ns), ns,
                out.source_scores.begin() + static_cast<std::ptrdiff_t>(r * ns));
    std::copy_n(all.source_ranks.begin() + static_cast<std::ptrdiff_t>(row * ns), ns,
                out.source_ranks.begin() + static_cast<std::ptrdiff_t>(r * ns));
  }
  return out;
}

}  // namespace ragkernel::fusion

#include "ragkernel/eval/significance.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "ragkernel/error.hpp"
#include "rng.hpp"

namespace ragkernel::eval {
namespace {

void require_pairs(std::size_t a, std::size_t b, std::size_t minimum) {
  if (a != b) {
    throw InvalidArgument("paired scores have different lengths: " + std::to_string(a) + " and " + std::to_string(b) +
                          "; expected one score per query for both systems");
  }
  if (a < minimum) {
    throw InvalidArgument("got " + std::to_string(a) + " paired scores; expected at least " + std::to_string(minimum));
  }
}

// Continued fraction of the regularized incomplete beta function (modified Lentz).
double beta_continued_fraction(double a, double b, double x) {
  constexpr double tiny = 1e-300;
  constexpr double epsilon = 1e-16;
  double c = 1.0;
  double d = 1.0 - (a + b) * x / (a + 1.0);
  if (std::fabs(d) < tiny) d = tiny;
  d = 1.0 / d;
  double h = d;
  for (int m = 1; m <= 10000; ++m) {
    const double m2 = 2.0 * m;
    double numerator = m * (b - m) * x / ((a + m2 - 1.0) * (a + m2));
    for (int half = 0; half < 2; ++half) {
      d = 1.0 + numerator * d;
      if (std::fabs(d) < tiny) d = tiny;
      c = 1.0 + numerator / c;
      if (std::fabs(c) < tiny) c = tiny;
      d = 1.0 / d;
      const double delta = c * d;
      h *= delta;
      if (half == 1 && std::fabs(delta - 1.0) < epsilon) return h;
      numerator = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0));
    }
  }
  return h;
}

// I_x(a, b), given x and 1 - x separately so neither loses precision.
double incomplete_beta(double a, double b, double x, double one_minus_x) {
  if (x <= 0.0) return 0.0;
  if (one_minus_x <= 0.0) return 1.0;
  const double front =
      std::exp(std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log(one_minus_x));
  if (x < (a + 1.0) / (a + b + 2.0)) return front * beta_continued_fraction(a, b, x) / a;
  return 1.0 - front * beta_continued_fraction(b, a, one_minus_x) / b;
}

// scipy.stats.permutation_test's two-sided p-value: twice the smaller tail, where values within
// a relative 100 ulp of the observed statistic count as equal to it.
double two_sided_p(std::size_t less_equal, std::size_t greater_equal, std::size_t total, bool exact) {
  const double adjustment = exact ? 0.0 : 1.0;
  const double less = (static_cast<double>(less_equal) + adjustment) / (static_cast<double>(total) + adjustment);
  const double greater = (static_cast<double>(greater_equal) + adjustment) / (static_cast<double>(total) + adjustment);
  return std::clamp(2.0 * std::min(less, greater), 0.0, 1.0);
}

constexpr std::size_t kBlock = 256;  // permutations per random stream (independent of thread count)

}  // namespace

double student_t_sf(double t, double df) {
  if (std::isnan(t) || !(df > 0.0)) return std::numeric_limits<double>::quiet_NaN();
  if (std::isinf(t)) return t > 0 ? 0.0 : 1.0;
  const double t2 = t * t;
  const double tail = 0.5 * incomplete_beta(0.5 * df, 0.5, df / (df + t2), t2 / (df + t2));
  return t >= 0 ? tail : 1.0 - tail;
}

TestResult paired_t_test(std::span<const double> a, std::span<const double> b) {
  require_pairs(a.size(), b.size(), 2);
  const auto n = static_cast<double>(a.size());
  double mean = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) mean += a[i] - b[i];
  mean /= n;
  double ss = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) ss += (a[i] - b[i] - mean) * (a[i] - b[i] - mean);
  const double variance = ss / (n - 1.0);
  if (variance == 0.0) {
    if (mean == 0.0) return {0.0, 1.0};
    return {mean > 0 ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity(), 0.0};
  }
  const double t = mean / std::sqrt(variance / n);
  return {t, std::min(1.0, 2.0 * student_t_sf(std::fabs(t), n - 1.0))};
}

TestResult randomization_test(std::span<const double> a, std::span<const double> b, std::size_t permutations,
                              std::uint64_t seed) {
  require_pairs(a.size(), b.size(), 1);
  return randomization_tests(a, 1, b, permutations, seed).front();
}

std::vector<TestResult> randomization_tests(std::span<const double> systems, std::size_t num_systems,
                                            std::span<const double> baseline, std::size_t permutations,
                                            std::uint64_t seed) {
  const std::size_t n = baseline.size();
  if (n == 0) throw InvalidArgument("no paired scores; expected at least one query");
  if (systems.size() != num_systems * n) {
    throw InvalidArgument("systems hold " + std::to_string(systems.size()) + " scores; expected " +
                          std::to_string(num_systems) + " systems x " + std::to_string(n) + " queries");
  }
  if (permutations == 0) throw InvalidArgument("permutations is 0; expected a positive count such as 10000");

  // Differences per system, and the observed mean difference.
  std::vector<double> diff(num_systems * n);
  std::vector<double> total(num_systems, 0.0), observed(num_systems), gamma(num_systems);
  for (std::size_t s = 0; s < num_systems; ++s) {
    for (std::size_t i = 0; i < n; ++i) {
      diff[s * n + i] = systems[s * n + i] - baseline[i];
      total[s] += diff[s * n + i];
    }
    observed[s] = total[s] / static_cast<double>(n);
    gamma[s] = std::fabs(observed[s] * 100.0 * std::numeric_limits<double>::epsilon());
  }

  // Exact when every assignment of signs fits in the budget (scipy does the same).
  const bool exact = n < 63 && (std::uint64_t{1} << n) <= permutations;
  const std::size_t count = exact ? (std::size_t{1} << n) : permutations;
  const std::size_t blocks = (count + kBlock - 1) / kBlock;
  std::vector<std::size_t> less(num_systems * blocks, 0), greater(num_systems * blocks, 0);

  const bool parallel = count * n * num_systems >= 1000000;  // small tests stay on one thread
#pragma omp parallel if (parallel)
  {
    std::vector<double> flipped(num_systems);
#pragma omp for schedule(static)
    for (std::ptrdiff_t block = 0; block < static_cast<std::ptrdiff_t>(blocks); ++block) {
      const auto blk = static_cast<std::size_t>(block);
      Xoshiro256 rng(seed, blk);
      const std::size_t end = std::min(count, (blk + 1) * kBlock);
      for (std::size_t p = blk * kBlock; p < end; ++p) {
        std::fill(flipped.begin(), flipped.end(), 0.0);
        // Sum of the differences whose pair is swapped (sign flipped): bit i of the mask.
        for (std::size_t base = 0; base < n; base += 64) {
          const std::uint64_t bits = exact ? (static_cast<std::uint64_t>(p) >> base) : rng.next();
          const std::size_t width = std::min<std::size_t>(64, n - base);
          for (std::size_t s = 0; s < num_systems; ++s) {
            const double* d = diff.data() + s * n + base;
            double acc = 0.0;
            for (std::size_t j = 0; j < width; ++j) acc += ((bits >> j) & 1u) ? d[j] : 0.0;
            flipped[s] += acc;
          }
        }
        for (std::size_t s = 0; s < num_systems; ++s) {
          const double value = (total[s] - 2.0 * flipped[s]) / static_cast<double>(n);
          less[s * blocks + blk] += value <= observed[s] + gamma[s];
          greater[s * blocks + blk] += value >= observed[s] - gamma[s];
        }
      }
    }
  }

  std::vector<TestResult> out(num_systems);
  for (std::size_t s = 0; s < num_systems; ++s) {
    const auto first = less.begin() + static_cast<std::ptrdiff_t>(s * blocks);
    const auto first_g = greater.begin() + static_cast<std::ptrdiff_t>(s * blocks);
    const std::size_t le = std::accumulate(first, first + static_cast<std::ptrdiff_t>(blocks), std::size_t{0});
    const std::size_t ge = std::accumulate(first_g, first_g + static_cast<std::ptrdiff_t>(blocks), std::size_t{0});
    out[s] = {observed[s], two_sided_p(le, ge, count, exact)};
  }
  return out;
}

Interval bootstrap_ci(std::span<const double> values, double confidence, std::size_t resamples, std::uint64_t seed) {
  if (values.empty()) throw InvalidArgument("no values to bootstrap; expected at least one query");
  if (!(confidence > 0.0 && confidence < 1.0)) {
    throw InvalidArgument("confidence is " + std::to_string(confidence) + "; expected a level in (0, 1) such as 0.95");
  }
  if (resamples == 0) throw InvalidArgument("resamples is 0; expected a positive count such as 10000");
  const std::size_t n = values.size();
  std::vector<double> means(resamples);
  const std::size_t blocks = (resamples + kBlock - 1) / kBlock;
#pragma omp parallel for schedule(static) if (resamples * n >= 1000000)
  for (std::ptrdiff_t block = 0; block < static_cast<std::ptrdiff_t>(blocks); ++block) {
    const auto blk = static_cast<std::size_t>(block);
    Xoshiro256 rng(seed, blk);
    for (std::size_t r = blk * kBlock; r < std::min(resamples, (blk + 1) * kBlock); ++r) {
      double sum = 0.0;
      for (std::size_t i = 0; i < n; ++i) sum += values[rng.below(n)];
      means[r] = sum / static_cast<double>(n);
    }
  }
  std::sort(means.begin(), means.end());
  // numpy.percentile's default (linear interpolation between order statistics).
  auto percentile = [&](double q) {
    const double pos = q * static_cast<double>(resamples - 1);
    const auto lo = static_cast<std::size_t>(std::floor(pos));
    const std::size_t hi = std::min(lo + 1, resamples - 1);
    return means[lo] + (means[hi] - means[lo]) * (pos - static_cast<double>(lo));
  };
  const double alpha = (1.0 - confidence) / 2.0;
  return {percentile(alpha), percentile(1.0 - alpha)};
}

std::vector<double> holm(std::span<const double> p_values) {
  const std::size_t m = p_values.size();
  std::vector<std::size_t> order(m);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return p_values[x] < p_values[y]; });
  std::vector<double> adjusted(m);
  double running = 0.0;
  for (std::size_t rank = 0; rank < m; ++rank) {
    const double p = p_values[order[rank]];
    if (std::isnan(p) || p < 0.0 || p > 1.0) {
      throw InvalidArgument("p-value " + std::to_string(p) + " is not in [0, 1]");
    }
    running = std::max(running, std::min(1.0, static_cast<double>(m - rank) * p));
    adjusted[order[rank]] = running;
  }
  return adjusted;
}

}  // namespace ragkernel::eval

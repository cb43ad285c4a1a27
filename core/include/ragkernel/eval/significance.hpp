#pragma once
// Paired significance tests over per-query scores of systems evaluated on the same queries.
//
// The p-values are two-sided and follow scipy's definitions so they can be checked against
// it: paired_t_test equals scipy.stats.ttest_rel; randomization_test is scipy.stats.
// permutation_test(permutation_type="samples") with the mean difference as the statistic
// (exact when 2^n <= permutations, else Monte Carlo with scipy's +1 correction).
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace ragkernel::eval {

struct TestResult {
  double statistic = 0.0;  // t for the t-test, the mean difference for the randomization test
  double p_value = 1.0;
};

// Student's paired t-test of a - b. Identical inputs give statistic 0 and p 1 (scipy: NaN).
// Throws InvalidArgument if the sizes differ or fewer than 2 pairs are given.
TestResult paired_t_test(std::span<const double> a, std::span<const double> b);

// Fisher's randomization test: each permutation swaps a[i] and b[i] with probability 1/2.
TestResult randomization_test(std::span<const double> a, std::span<const double> b, std::size_t permutations,
                              std::uint64_t seed);

// Every system against one baseline at once: systems is row-major [num_systems][num_queries].
// All systems see the same permutations (the same seed gives the same answer as testing each
// alone). Parallel over permutation blocks.
std::vector<TestResult> randomization_tests(std::span<const double> systems, std::size_t num_systems,
                                            std::span<const double> baseline, std::size_t permutations,
                                            std::uint64_t seed);

struct Interval {
  double low = 0.0;
  double high = 0.0;
};

// Percentile bootstrap confidence interval of the mean of `values`.
Interval bootstrap_ci(std::span<const double> values, double confidence, std::size_t resamples, std::uint64_t seed);

// Holm-Bonferroni adjusted p-values (same order as the input, monotone, capped at 1).
std::vector<double> holm(std::span<const double> p_values);

// Student's t distribution: P(T > t) with df degrees of freedom.
double student_t_sf(double t, double df);

}  // namespace ragkernel::eval

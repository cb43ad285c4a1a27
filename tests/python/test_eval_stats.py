"""Significance tests equal scipy's where scipy has the test."""

from __future__ import annotations

import numpy as np
import pytest

import ragkernel as rk

stats = pytest.importorskip("scipy.stats")


def mean_difference(x, y, axis=-1):
    return np.mean(x - y, axis=axis)


@pytest.mark.parametrize("seed", range(5))
def test_paired_t_test_equals_scipy(seed):
    rng = np.random.default_rng(seed)
    a = rng.random(50)
    b = np.clip(a + rng.normal(0.02 * seed, 0.1, 50), 0, 1)
    ours = rk.eval.paired_t_test(a, b)
    ref = stats.ttest_rel(a, b)
    assert ours.statistic == pytest.approx(ref.statistic, rel=1e-12)
    assert ours.p_value == pytest.approx(ref.pvalue, rel=1e-10, abs=1e-300)


@pytest.mark.parametrize("seed", range(5))
def test_exact_randomization_test_equals_scipy_permutation_test(seed):
    rng = np.random.default_rng(seed)
    n = 8 + seed  # 2**n assignments fit in the budget: exact
    a = np.round(rng.random(n), 2)  # rounding makes ties in the null distribution
    b = np.round(a + rng.normal(0.05, 0.2, n), 2)
    ours = rk.eval.randomization_test(a, b, permutations=10_000)
    ref = stats.permutation_test((a, b), mean_difference, permutation_type="samples", n_resamples=np.inf)
    assert ours.statistic == pytest.approx(ref.statistic, abs=1e-15)
    assert ours.p_value == pytest.approx(ref.pvalue, abs=1e-12)


def test_monte_carlo_randomization_is_seeded_and_close_to_exact():
    rng = np.random.default_rng(9)
    a, b = rng.random(16), rng.random(16)
    exact = stats.permutation_test((a, b), mean_difference, permutation_type="samples", n_resamples=np.inf).pvalue
    first = rk.eval.randomization_test(a, b, permutations=20_000, seed=1)
    assert rk.eval.randomization_test(a, b, permutations=20_000, seed=1) == first
    assert first.p_value == pytest.approx(exact, abs=0.015)  # about 4 standard errors
    assert rk.eval.randomization_test(a, b, permutations=20_000, seed=2).p_value != first.p_value


def test_several_systems_share_permutations():
    rng = np.random.default_rng(4)
    base = rng.random(300)
    systems = np.stack([base + rng.normal(d, 0.1, 300) for d in (0.0, 0.02, 0.05)])
    together = rk.eval.randomization_tests(systems, base, permutations=5000, seed=3)
    alone = [rk.eval.randomization_test(row, base, permutations=5000, seed=3) for row in systems]
    assert together == alone
    assert together[2].p_value < 0.001 < together[0].p_value


def test_bootstrap_interval_is_seeded_and_matches_scipy_percentile():
    values = np.random.default_rng(5).random(200)
    low, high = rk.eval.bootstrap_ci(values, resamples=20_000, seed=7)
    assert (low, high) == rk.eval.bootstrap_ci(values, resamples=20_000, seed=7)
    ref = stats.bootstrap((values,), np.mean, method="percentile", n_resamples=20_000, random_state=1)
    assert low == pytest.approx(ref.confidence_interval.low, abs=0.004)
    assert high == pytest.approx(ref.confidence_interval.high, abs=0.004)
    assert low < values.mean() < high


def test_holm_adjustment():
    assert rk.eval.holm([0.01, 0.04, 0.03, 0.5]) == pytest.approx([0.04, 0.09, 0.09, 0.5])
    assert rk.eval.holm([]) == []
    with pytest.raises(ValueError, match="not in \\[0, 1\\]"):
        rk.eval.holm([1.5])


def test_bad_input_is_reported():
    with pytest.raises(ValueError, match="different lengths"):
        rk.eval.paired_t_test([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="permutations"):
        rk.eval.randomization_test([1.0], [2.0], permutations=0)
    with pytest.raises(ValueError, match="confidence"):
        rk.eval.bootstrap_ci([1.0, 2.0], confidence=1.5)
    assert rk.eval.paired_t_test([0.5, 0.5], [0.5, 0.5]).p_value == 1.0

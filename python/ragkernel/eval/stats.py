"""Paired significance tests over per-query scores; the loops are C++.

p-values are two-sided and follow scipy's definitions: :func:`paired_t_test` equals
``scipy.stats.ttest_rel``; :func:`randomization_test` equals ``scipy.stats.permutation_test``
with ``permutation_type="samples"`` and the mean difference as statistic when it is exact
(``2**n <= permutations``), and uses scipy's Monte Carlo estimate otherwise (seeded here).

>>> import numpy as np, ragkernel as rk
>>> a = np.array([0.5, 0.6, 0.9, 0.4]); b = np.array([0.4, 0.5, 0.7, 0.5])
>>> rk.eval.randomization_test(a, b).p_value     # exact: 2**4 sign assignments
0.5
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ragkernel import _core

__all__ = ["TestResult", "bootstrap_ci", "holm", "paired_t_test", "randomization_test", "randomization_tests"]

ArrayLike = npt.ArrayLike


@dataclass(frozen=True)
class TestResult:
    """``statistic`` is t for the t-test and the mean difference for the randomization test."""

    __test__ = False  # not a pytest test class

    statistic: float
    p_value: float


def _vector(values: ArrayLike, name: str) -> npt.NDArray[np.float64]:
    array = np.ascontiguousarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one score per query), got shape {array.shape}")
    return array


def paired_t_test(a: ArrayLike, b: ArrayLike) -> TestResult:
    """Student's paired t-test of ``a - b`` (equal systems give t = 0, p = 1)."""
    t, p = _core.eval_paired_t_test(_vector(a, "a"), _vector(b, "b"))
    return TestResult(float(t), float(p))


def randomization_test(a: ArrayLike, b: ArrayLike, *, permutations: int = 10_000, seed: int = 42) -> TestResult:
    """Fisher's paired randomization test of the mean difference ``mean(a - b)``."""
    return randomization_tests(_vector(a, "a")[None, :], b, permutations=permutations, seed=seed)[0]


def randomization_tests(
    systems: ArrayLike, baseline: ArrayLike, *, permutations: int = 10_000, seed: int = 42
) -> list[TestResult]:
    """Every row of ``systems`` [s, n] against ``baseline`` [n], with shared permutations."""
    matrix = np.ascontiguousarray(systems, dtype=np.float64)
    if matrix.ndim != 2:
        raise ValueError(f"systems must be 2-D [systems, queries], got shape {matrix.shape}")
    if permutations <= 0:
        raise ValueError(f"permutations is {permutations}; expected a positive count such as 10000")
    out = _core.eval_randomization_tests(matrix, _vector(baseline, "baseline"), permutations, seed & (2**64 - 1))
    return [TestResult(float(s), float(p)) for s, p in out]


def bootstrap_ci(
    values: ArrayLike, *, confidence: float = 0.95, resamples: int = 10_000, seed: int = 42
) -> tuple[float, float]:
    """Percentile bootstrap confidence interval of the mean of ``values``."""
    if resamples <= 0:
        raise ValueError(f"resamples is {resamples}; expected a positive count such as 10000")
    low, high = _core.eval_bootstrap_ci(_vector(values, "values"), confidence, resamples, seed & (2**64 - 1))
    return float(low), float(high)


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values, in input order."""
    return [float(p) for p in _core.eval_holm([float(p) for p in p_values])]

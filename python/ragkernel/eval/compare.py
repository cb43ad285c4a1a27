"""Compare systems on one golden set: means, confidence intervals, paired significance.

>>> import ragkernel as rk
>>> qrels = {"q1": {"a": 1}, "q2": {"b": 1}, "q3": {"c": 1}}
>>> runs = {"bm25": {"q1": {"a": 1.0}, "q2": {"x": 1.0}, "q3": {"c": 1.0}},
...         "dense": {"q1": {"a": 1.0}, "q2": {"b": 1.0}, "q3": {"c": 1.0}}}
>>> table = rk.eval.compare(runs, qrels, metrics=["recip_rank"])
>>> table.cell("dense", "recip_rank").mean
1.0
"""

from __future__ import annotations

import pathlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from ragkernel.eval.golden import GoldenSet
from ragkernel.eval.ir import DEFAULT_METRICS, QrelsLike, RunLike, Scores, as_qrels, canonical_metric, score
from ragkernel.eval.stats import bootstrap_ci, holm, paired_t_test, randomization_tests

__all__ = ["Cell", "Comparison", "compare", "compare_scores", "resolve_qrels"]

Test = Literal["randomization", "t-test"]
RECALL_CUTOFFS = (1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000)


@dataclass(frozen=True)
class Cell:
    """One system on one metric."""

    mean: float
    ci_low: float
    ci_high: float
    delta: float = 0.0  # mean - baseline mean
    p_value: float | None = None  # adjusted for the number of systems; None for the baseline
    significant: bool = False

    @property
    def mark(self) -> str:
        """``▲`` significantly better than the baseline, ``▼`` significantly worse, else empty."""
        if not self.significant:
            return ""
        return "▲" if self.delta > 0 else "▼"


@dataclass
class Comparison:
    """The result of :func:`compare`; render it with :mod:`ragkernel.eval.report`."""

    systems: tuple[str, ...]
    baseline: str
    metrics: tuple[str, ...]
    scores: dict[str, Scores]
    cells: dict[tuple[str, str], Cell]
    settings: dict[str, Any]
    recall_curves: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    golden_name: str = "golden"

    @property
    def query_ids(self) -> tuple[str, ...]:
        return self.scores[self.baseline].query_ids

    def cell(self, system: str, metric: str) -> Cell:
        key = (system, canonical_metric(metric))
        if key not in self.cells:
            raise KeyError(f"no result for system {system!r} on metric {metric!r}; systems: {', '.join(self.systems)}")
        return self.cells[key]

    def means(self) -> dict[str, dict[str, float]]:
        return {s: {m: self.cells[(s, m)].mean for m in self.metrics} for s in self.systems}

    def to_markdown(self) -> str:
        from ragkernel.eval.report import comparison_markdown

        return comparison_markdown(self)

    def _repr_html_(self) -> str:
        from ragkernel.eval.report import Report

        return Report(self)._repr_html_()  # a fragment for the notebook cell, not a whole page

    def __repr__(self) -> str:
        return self.to_markdown()


def resolve_qrels(golden: GoldenSet | QrelsLike | str | pathlib.Path, split: str = "test") -> tuple[Any, str]:
    """Judgments and a display name from a golden set, a folder path, or qrels."""
    if isinstance(golden, (str, pathlib.Path)):
        golden = GoldenSet.load(golden, split=split)
    if isinstance(golden, GoldenSet):
        return as_qrels(golden.qrels), golden.name
    return as_qrels(golden), "golden"


def compare(
    runs: Mapping[str, RunLike],
    golden: GoldenSet | QrelsLike | str | pathlib.Path,
    metrics: Sequence[str] = DEFAULT_METRICS,
    *,
    baseline: str | None = None,
    test: Test = "randomization",
    alpha: float = 0.05,
    permutations: int = 10_000,
    resamples: int = 10_000,
    confidence: float = 0.95,
    seed: int = 42,
    relevance_level: int = 1,
    remove_query_id: bool = False,
    recall_cutoffs: Sequence[int] | None = RECALL_CUTOFFS,
    split: str = "test",
) -> Comparison:
    """Evaluate each run, test each against ``baseline`` (default: the first run), Holm-correct.

    Every judged query counts (``complete``: a query a run lacks scores 0), so all systems are
    paired on the same queries. A cell is significant when its Holm-adjusted p-value (over the
    non-baseline systems, per metric) is below ``alpha``.
    """
    if not runs:
        raise ValueError("no runs to compare; expected a dict {system_name: run}")
    qrels, golden_name = resolve_qrels(golden, split)
    names = tuple(dict.fromkeys(canonical_metric(m) for m in metrics))
    options: dict[str, Any] = {"relevance_level": relevance_level, "complete": True, "remove_query_id": remove_query_id}
    scores = {s: score(qrels, runs[s], names, **options) for s in runs}
    curves: dict[str, list[tuple[int, float]]] = {}
    if recall_cutoffs:
        cut_names = [f"recall_{k}" for k in recall_cutoffs]
        for s in runs:
            means = score(qrels, runs[s], cut_names, **options).mean()
            curves[s] = [(k, means[n]) for k, n in zip(recall_cutoffs, cut_names, strict=True)]
    return compare_scores(
        scores,
        baseline=baseline,
        test=test,
        alpha=alpha,
        permutations=permutations,
        resamples=resamples,
        confidence=confidence,
        seed=seed,
        recall_curves=curves,
        golden_name=golden_name,
        settings={"relevance_level": relevance_level, "remove_query_id": remove_query_id, "complete": True},
    )


def compare_scores(
    scores: Mapping[str, Scores],
    *,
    baseline: str | None = None,
    test: Test = "randomization",
    alpha: float = 0.05,
    permutations: int = 10_000,
    resamples: int = 10_000,
    confidence: float = 0.95,
    seed: int = 42,
    recall_curves: Mapping[str, list[tuple[int, float]]] | None = None,
    golden_name: str = "golden",
    settings: Mapping[str, Any] | None = None,
) -> Comparison:
    """The statistics of :func:`compare` over per-query scores that share queries and metrics."""
    if not scores:
        raise ValueError("no systems to compare")
    if test not in ("randomization", "t-test"):
        raise ValueError(f"test is {test!r}; expected 'randomization' or 't-test'")
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha is {alpha}; expected a level in (0, 1) such as 0.05")
    systems = tuple(scores)
    base = systems[0] if baseline is None else baseline
    if base not in scores:
        raise KeyError(f"baseline {base!r} is not one of the systems: {', '.join(systems)}")
    names = scores[base].metrics
    for s in systems:
        if scores[s].query_ids != scores[base].query_ids or scores[s].metrics != names:
            raise ValueError(f"system {s!r} was scored on other queries or metrics than {base!r}; expected the same")

    others = [s for s in systems if s != base]
    cells: dict[tuple[str, str], Cell] = {}
    for j, metric in enumerate(names):
        base_values = scores[base].values[:, j]
        raw: list[float] = []
        if others:
            matrix = np.stack([scores[s].values[:, j] for s in others])
            if test == "randomization":
                raw = [
                    r.p_value for r in randomization_tests(matrix, base_values, permutations=permutations, seed=seed)
                ]
            else:
                raw = [paired_t_test(row, base_values).p_value for row in matrix]
        adjusted = dict(zip(others, holm(raw), strict=True))
        for s in systems:
            values = scores[s].values[:, j]
            low, high = bootstrap_ci(values, confidence=confidence, resamples=resamples, seed=seed)
            mean = float(values.mean())
            if s == base:
                cells[(s, metric)] = Cell(mean, low, high)
            else:
                p = adjusted[s]
                delta = mean - float(base_values.mean())
                cells[(s, metric)] = Cell(mean, low, high, delta, p, p < alpha and delta != 0.0)

    all_settings = {
        "test": test,
        "alpha": alpha,
        "correction": "holm",
        "permutations": permutations,
        "bootstrap_resamples": resamples,
        "confidence": confidence,
        "seed": seed,
        **(settings or {}),
    }
    curves = {s: list(points) for s, points in (recall_curves or {}).items()}
    return Comparison(systems, base, tuple(names), dict(scores), cells, all_settings, curves, golden_name)

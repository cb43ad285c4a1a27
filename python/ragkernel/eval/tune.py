"""Tune retrieval parameters (fusion's RRF k, convex alpha, normaliser...) on a golden set's
training queries and report the effect on the held-out ones.

The harness is generic: ``make_run(**params)`` returns a run for the golden set's queries
(``{query_id: {doc_id: score}}``); every point of the grid is scored on the training queries,
the best is re-scored on the held-out queries and tested against a baseline setting there,
so the reported gain is not the optimistic training number.

>>> import ragkernel as rk
>>> qrels = {f"q{i}": {"good": 1} for i in range(20)}
>>> def make_run(alpha):  # a toy system that is best at alpha = 0.7
...     return {q: {"good": 1.0 - abs(alpha - 0.7), "bad": 0.8} for q in qrels}
>>> result = rk.eval.tune(make_run, {"alpha": [0.0, 0.3, 0.7, 1.0]}, qrels, metric="mrr",
...                       baseline={"alpha": 0.0})
>>> result.best_params, result.heldout_score, result.baseline_heldout_score
({'alpha': 0.7}, 1.0, 0.5)
"""

from __future__ import annotations

import itertools
import pathlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ragkernel.eval.compare import Test, resolve_qrels
from ragkernel.eval.golden import GoldenSet
from ragkernel.eval.ir import QrelsLike, RunLike, canonical_metric, score
from ragkernel.eval.stats import paired_t_test, randomization_test

__all__ = ["TuningResult", "expand_grid", "split_queries", "tune"]


def expand_grid(grid: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Sequence[Any]]]) -> list[dict[str, Any]]:
    """Every combination of a grid, or of each grid in a list (e.g. one per fusion method)."""
    grids = [grid] if isinstance(grid, Mapping) else list(grid)
    points: list[dict[str, Any]] = []
    for g in grids:
        for key, values in g.items():
            if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or not values:
                raise ValueError(f"grid values for {key!r} must be a non-empty list, got {values!r}")
        keys = list(g)
        points += [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*(g[k] for k in keys))]
    if not points:
        raise ValueError("the grid is empty; expected e.g. {'alpha': [0.3, 0.5, 0.7]}")
    return points


def split_queries(query_ids: Sequence[str], train_fraction: float = 0.5, seed: int = 42) -> tuple[list[str], list[str]]:
    """A seeded split of the queries into (train, held-out); the same inputs give the same split."""
    if not 0.0 < train_fraction < 1.0:
        raise ValueError(f"train_fraction is {train_fraction}; expected a share in (0, 1) such as 0.5")
    ordered = sorted(query_ids)
    if len(ordered) < 2:
        raise ValueError(f"{len(ordered)} judged queries; expected at least 2 to split")
    order = np.random.default_rng(seed).permutation(len(ordered))
    cut = min(len(ordered) - 1, max(1, round(train_fraction * len(ordered))))
    train = sorted(ordered[i] for i in order[:cut])
    heldout = sorted(ordered[i] for i in order[cut:])
    return train, heldout


@dataclass
class TuningResult:
    metric: str
    best_params: dict[str, Any]
    train_score: float
    heldout_score: float
    baseline_params: dict[str, Any] | None
    baseline_heldout_score: float | None
    heldout_p_value: float | None
    trials: list[tuple[dict[str, Any], float]] = field(default_factory=list)  # (params, train score), grid order
    train_queries: list[str] = field(default_factory=list)
    heldout_queries: list[str] = field(default_factory=list)

    @property
    def heldout_delta(self) -> float | None:
        if self.baseline_heldout_score is None:
            return None
        return self.heldout_score - self.baseline_heldout_score

    def to_markdown(self) -> str:
        lines = [
            f"Tuned on {len(self.train_queries)} training queries, tested on {len(self.heldout_queries)} held-out.",
            "",
            f"| params | train {self.metric} |",
            "|---|---|",
        ]
        for params, value in self.trials:
            mark = " (best)" if params == self.best_params else ""
            lines.append(f"| {params}{mark} | {value:.4f} |")
        lines.append("")
        lines.append(f"Held-out {self.metric}: {self.heldout_score:.4f} with {self.best_params}")
        if self.baseline_params is not None and self.baseline_heldout_score is not None:
            lines.append(
                f"against {self.baseline_heldout_score:.4f} with {self.baseline_params}: "
                f"{self.heldout_delta:+.4f}, p = {self.heldout_p_value:.4g}"
            )
        return "\n".join(lines) + "\n"


def _restrict(qrels: Any, queries: Sequence[str]) -> dict[str, dict[str, int]]:
    full = qrels.to_dict()
    return {q: full[q] for q in queries}


def tune(
    make_run: Callable[..., RunLike],
    grid: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Sequence[Any]]],
    golden: GoldenSet | QrelsLike | str | pathlib.Path,
    *,
    metric: str = "ndcg@10",
    baseline: Mapping[str, Any] | None = None,
    train_fraction: float = 0.5,
    train_queries: Sequence[str] | None = None,
    seed: int = 42,
    test: Test = "randomization",
    permutations: int = 10_000,
    remove_query_id: bool = False,
    split: str = "test",
) -> TuningResult:
    """Grid search on training queries; held-out score of the best point (ties: first in grid
    order) and, with ``baseline`` params, its paired test against the baseline there."""
    qrels, _ = resolve_qrels(golden, split)
    name = canonical_metric(metric)
    all_queries = qrels.query_ids()
    if train_queries is None:
        train, heldout = split_queries(all_queries, train_fraction, seed)
    else:
        unknown = [q for q in train_queries if q not in set(all_queries)]
        if unknown:
            raise ValueError(f"training queries {unknown[:5]} are not judged in the golden set")
        train = sorted(set(train_queries))
        heldout = sorted(set(all_queries) - set(train))
        if not train or not heldout:
            raise ValueError("train_queries must leave at least one judged query on each side")
    train_qrels, heldout_qrels = _restrict(qrels, train), _restrict(qrels, heldout)
    options: dict[str, Any] = {"complete": True, "remove_query_id": remove_query_id}

    trials: list[tuple[dict[str, Any], float]] = []
    best: tuple[dict[str, Any], float] | None = None
    for params in expand_grid(grid):
        value = score(train_qrels, make_run(**params), [name], **options).mean()[name]
        trials.append((params, value))
        if best is None or value > best[1]:
            best = (params, value)
    assert best is not None
    best_params, train_score = best
    heldout_best = score(heldout_qrels, make_run(**best_params), [name], **options).column(name)
    base_score = p_value = None
    if baseline is not None:
        heldout_base = score(heldout_qrels, make_run(**dict(baseline)), [name], **options).column(name)
        base_score = float(heldout_base.mean())
        if test == "randomization":
            p_value = randomization_test(heldout_best, heldout_base, permutations=permutations, seed=seed).p_value
        elif len(heldout) >= 2:
            p_value = paired_t_test(heldout_best, heldout_base).p_value
    return TuningResult(
        metric=name,
        best_params=dict(best_params),
        train_score=train_score,
        heldout_score=float(heldout_best.mean()),
        baseline_params=dict(baseline) if baseline is not None else None,
        baseline_heldout_score=base_score,
        heldout_p_value=p_value,
        trials=trials,
        train_queries=train,
        heldout_queries=heldout,
    )

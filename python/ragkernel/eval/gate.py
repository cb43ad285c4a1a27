"""Quality gates for CI: absolute floors and significant regressions against a baseline.

A regression is a drop larger than the tolerance *and* significant (paired test over the
golden set's queries), not any drop, so noise alone does not fail a build.

>>> import ragkernel as rk
>>> qrels = {"q1": {"a": 1}, "q2": {"b": 1}}
>>> run = {"q1": {"a": 1.0}, "q2": {"b": 0.5, "x": 0.9}}
>>> rk.eval.gate(run, qrels, fail_under={"mrr": 0.9}).passed
False
>>> rk.eval.assert_golden(run, qrels, fail_under={"mrr": 0.7}).passed
True
"""

from __future__ import annotations

import json
import pathlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ragkernel.eval.compare import Comparison, Test, compare_scores, resolve_qrels
from ragkernel.eval.golden import GoldenSet
from ragkernel.eval.ir import DEFAULT_METRICS, QrelsLike, RunLike, Scores, canonical_metric, score
from ragkernel.eval.report import Report

__all__ = ["Check", "GateResult", "assert_golden", "gate", "load_baseline", "parse_limits"]

RECALL_CUTOFFS = (1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000)


def parse_limits(items: Sequence[str] | Mapping[str, float], separator: str) -> dict[str, float]:
    """``["ndcg@10=0.4", "map=0.3"]`` (or comma-joined) into ``{"ndcg@10": 0.4, "map": 0.3}``."""
    if isinstance(items, Mapping):
        pairs = dict(items)
    else:
        pairs = {}
        for item in (part for entry in items for part in entry.split(",") if part.strip()):
            metric, sep, value = item.strip().rpartition(separator)
            if not sep or not metric:
                raise ValueError(f"{item!r} is not METRIC{separator}VALUE (for example ndcg@10{separator}0.40)")
            try:
                pairs[metric] = float(value)
            except ValueError:
                raise ValueError(f"{item!r}: {value!r} is not a number") from None
    for metric in pairs:
        canonical_metric(metric)  # unknown names fail here, before any work
    return pairs


@dataclass(frozen=True)
class Check:
    kind: str  # "floor" or "regression"
    metric: str
    value: float  # the candidate's mean, or its delta against the baseline
    limit: float  # the floor, or minus the tolerance
    passed: bool
    p_value: float | None = None

    def describe(self) -> str:
        verdict = "ok  " if self.passed else "FAIL"
        if self.kind == "floor":
            return f"{verdict} {self.metric} = {self.value:.4f} (floor {self.limit:.4f})"
        p = "" if self.p_value is None else f", p = {self.p_value:.4g}"
        return f"{verdict} {self.metric} changed by {self.value:+.4f} (tolerance {-self.limit:.4f}{p})"


@dataclass
class GateResult:
    checks: list[Check]
    comparison: Comparison
    candidate: str
    baseline: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if not c.passed]

    def report(self, title: str = "ragkernel eval gate") -> Report:
        return Report(self.comparison, title=title)

    def to_markdown(self) -> str:
        verdict = "passed" if self.passed else f"FAILED ({len(self.failures)} of {len(self.checks)} checks)"
        lines = [self.report().to_markdown(), f"**Gate {verdict}**", ""]
        lines += [f"- {c.describe()}" for c in self.checks]
        lines += [f"- note: {n}" for n in self.notes]
        return "\n".join(lines) + "\n"

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "candidate": self.candidate,
            "baseline": self.baseline,
            "checks": [c.__dict__ for c in self.checks],
            "notes": self.notes,
            "report": self.report().to_dict(),
        }


def load_baseline(path: str | pathlib.Path, system: str | None = None) -> tuple[str, dict[str, dict[str, float]], Any]:
    """(system name, {metric: {query_id: value}}, recall curve) from a saved JSON report."""
    path = pathlib.Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}:{exc.lineno}: not a JSON report: {exc.msg}") from None
    systems = data.get("systems") if isinstance(data, dict) else None
    if not isinstance(systems, dict) or not systems:
        raise ValueError(f"{path} holds no systems; expected a report written by `ragkernel eval --save-baseline`")
    if system is None:
        if len(systems) != 1:
            raise ValueError(f"{path} holds systems {sorted(systems)}; choose one with --baseline-system")
        system = next(iter(systems))
    if system not in systems:
        raise KeyError(f"{path} has no system {system!r}; it has {sorted(systems)}")
    curve = data.get("recall_curves", {}).get(system)
    return system, systems[system]["per_query"], curve


def _baseline_scores(
    per_query: Mapping[str, Mapping[str, float]], metrics: Sequence[str], query_ids: Sequence[str], source: str
) -> Scores:
    values = np.zeros((len(query_ids), len(metrics)))
    for j, metric in enumerate(metrics):
        if metric not in per_query:
            raise ValueError(
                f"the baseline {source} has no per-query values of {metric}; it has {sorted(per_query)}: "
                "regenerate it with this metric"
            )
        column = per_query[metric]
        missing = [q for q in query_ids if q not in column]
        if missing:
            raise ValueError(f"the baseline {source} lacks queries {missing[:5]} of the golden set; regenerate it")
        values[:, j] = [column[q] for q in query_ids]
    return Scores(tuple(metrics), tuple(query_ids), values)


def gate(
    run: RunLike,
    golden: GoldenSet | QrelsLike | str | pathlib.Path,
    *,
    fail_under: Mapping[str, float] | Sequence[str] = (),
    fail_on_regression: Mapping[str, float] | Sequence[str] = (),
    baseline: RunLike | str | pathlib.Path | None = None,
    baseline_system: str | None = None,
    metrics: Sequence[str] = DEFAULT_METRICS,
    name: str = "candidate",
    test: Test = "randomization",
    alpha: float = 0.05,
    permutations: int = 10_000,
    seed: int = 42,
    relevance_level: int = 1,
    remove_query_id: bool = False,
    split: str = "test",
) -> GateResult:
    """Score ``run`` on ``golden`` and check floors (``{"ndcg@10": 0.40}`` or ``["ndcg@10=0.40"]``)
    and regressions (``{"ndcg@10": 0.01}`` or ``["ndcg@10:0.01"]``) against ``baseline``: a run,
    a TREC run file, or a JSON report saved by an earlier gate (``--save-baseline``)."""
    floors = parse_limits(fail_under, "=")
    tolerances = parse_limits(fail_on_regression, ":")
    if tolerances and baseline is None:
        raise ValueError("fail_on_regression needs a baseline (a run, a TREC run file or a saved JSON report)")
    if any(t < 0 for t in tolerances.values()):
        raise ValueError(f"tolerances must be >= 0, got {tolerances}")
    qrels, golden_name = resolve_qrels(golden, split)
    wanted = list(dict.fromkeys([*(canonical_metric(m) for m in metrics), *map(canonical_metric, floors)]))
    wanted += [m for m in map(canonical_metric, tolerances) if m not in wanted]
    options: dict[str, Any] = {"relevance_level": relevance_level, "complete": True, "remove_query_id": remove_query_id}
    candidate = score(qrels, run, wanted, **options)
    cut_names = [f"recall_{k}" for k in RECALL_CUTOFFS]
    curves = {name: list(zip(RECALL_CUTOFFS, score(qrels, run, cut_names, **options).mean().values(), strict=True))}
    scores = {name: candidate}
    base_name: str | None = None
    if baseline is not None:
        if isinstance(baseline, (str, pathlib.Path)) and str(baseline).endswith(".json"):
            base_name, per_query, curve = load_baseline(baseline, baseline_system)
            base_name = f"{base_name} (baseline)" if base_name == name else base_name
            scores[base_name] = _baseline_scores(per_query, wanted, candidate.query_ids, str(baseline))
            if curve:
                curves[base_name] = [(int(k), float(v)) for k, v in curve]
        else:
            base_run: Any = baseline
            if isinstance(baseline, (str, pathlib.Path)):
                from ragkernel.eval.trec import load_run

                base_run = load_run(baseline)
            base_name = baseline_system or "baseline"
            scores[base_name] = score(qrels, base_run, wanted, **options)
            curves[base_name] = list(
                zip(RECALL_CUTOFFS, score(qrels, base_run, cut_names, **options).mean().values(), strict=True)
            )
        scores = {base_name: scores[base_name], name: candidate}
    comparison = compare_scores(
        scores,
        baseline=base_name or name,
        test=test,
        alpha=alpha,
        permutations=permutations,
        seed=seed,
        recall_curves=curves,
        golden_name=golden_name,
        settings={"relevance_level": relevance_level, "remove_query_id": remove_query_id, "complete": True},
    )
    checks = []
    for metric, floor in floors.items():
        mean = comparison.cell(name, metric).mean
        checks.append(Check("floor", metric, mean, floor, mean >= floor))
    for metric, tolerance in tolerances.items():
        cell = comparison.cell(name, metric)
        dropped = cell.delta < -tolerance
        significant = cell.p_value is not None and cell.p_value < alpha
        checks.append(Check("regression", metric, cell.delta, -tolerance, not (dropped and significant), cell.p_value))
    notes = [] if checks else ["no floor or regression check was requested"]
    return GateResult(checks, comparison, name, base_name, notes)


def assert_golden(
    run: RunLike,
    golden: GoldenSet | QrelsLike | str | pathlib.Path,
    *,
    fail_under: Mapping[str, float] | Sequence[str] = (),
    fail_on_regression: Mapping[str, float] | Sequence[str] = (),
    baseline: RunLike | str | pathlib.Path | None = None,
    **options: Any,
) -> GateResult:
    """The gate as one line in a test: raises ``AssertionError`` with the report if it fails."""
    result = gate(
        run, golden, fail_under=fail_under, fail_on_regression=fail_on_regression, baseline=baseline, **options
    )
    if not result.passed:
        raise AssertionError("golden set gate failed:\n" + result.to_markdown())
    return result

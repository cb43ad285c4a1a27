"""IR metrics with trec_eval's semantics, computed in C++ in parallel over queries.

>>> import ragkernel as rk
>>> qrels = {"q1": {"d1": 1, "d2": 0}, "q2": {"d3": 2}}
>>> run = {"q1": {"d1": 0.9, "d2": 0.5}, "q2": {"d4": 0.7, "d3": 0.2}}
>>> rk.evaluate(qrels, run, metrics=["map", "P@1", "ndcg@10"])
{'map': 0.75, 'P@1': 0.5, 'ndcg@10': 0.8154648767857288}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import numpy.typing as npt

from ragkernel import _core

Qrels = _core.EvalQrels
Run = _core.EvalRun

QrelsLike: TypeAlias = Mapping[str, Mapping[str, int]] | _core.EvalQrels
RunLike: TypeAlias = Mapping[str, Mapping[str, float]] | _core.EvalRun

DEFAULT_METRICS = ("map", "ndcg_cut_10", "P_10", "recall_100", "recip_rank")

__all__ = [
    "DEFAULT_METRICS",
    "Qrels",
    "QrelsLike",
    "Run",
    "RunLike",
    "Scores",
    "as_qrels",
    "as_run",
    "canonical_metric",
    "evaluate",
    "score",
]


def as_qrels(qrels: QrelsLike) -> _core.EvalQrels:
    """Judgments as the compiled type (a dict ``{query_id: {doc_id: grade}}`` is converted)."""
    if isinstance(qrels, _core.EvalQrels):
        return qrels
    if isinstance(qrels, dict):
        return _core.EvalQrels.from_dict(qrels)
    if isinstance(qrels, Mapping):
        return _core.EvalQrels.from_dict({q: dict(d) for q, d in qrels.items()})
    raise TypeError(
        f"qrels must be a dict {{query_id: {{doc_id: grade}}}} or rk.eval.Qrels, got {type(qrels).__name__}"
    )


def as_run(run: RunLike) -> _core.EvalRun:
    """A run as the compiled type (a dict ``{query_id: {doc_id: score}}`` is converted)."""
    if isinstance(run, _core.EvalRun):
        return run
    if isinstance(run, dict):
        return _core.EvalRun.from_dict(run)
    if isinstance(run, Mapping):
        return _core.EvalRun.from_dict({q: dict(d) for q, d in run.items()})
    raise TypeError(f"run must be a dict {{query_id: {{doc_id: score}}}} or rk.eval.Run, got {type(run).__name__}")


def canonical_metric(name: str) -> str:
    """The pytrec_eval name of a metric: ``canonical_metric("ndcg@10") == "ndcg_cut_10"``."""
    return _core.eval_metric_name(name)


@dataclass(frozen=True)
class Scores:
    """Per-query metric values of one run: ``values[i, j]`` is metric j on query i."""

    metrics: tuple[str, ...]
    query_ids: tuple[str, ...]
    values: npt.NDArray[np.float64]

    def column(self, metric: str) -> npt.NDArray[np.float64]:
        """The per-query values of one metric, in ``query_ids`` order."""
        try:
            j = self.metrics.index(metric)
        except ValueError:
            raise KeyError(f"metric {metric!r} was not computed; computed: {', '.join(self.metrics)}") from None
        return self.values[:, j]

    def mean(self) -> dict[str, float]:
        """The mean over queries of every metric (trec_eval's ``all`` line; 0 without queries)."""
        if not self.query_ids:
            return dict.fromkeys(self.metrics, 0.0)
        means = self.values.mean(axis=0)
        return {m: float(v) for m, v in zip(self.metrics, means, strict=True)}

    def per_query(self) -> dict[str, dict[str, float]]:
        """``{query_id: {metric: value}}``, the shape pytrec_eval returns."""
        return {
            q: {m: float(v) for m, v in zip(self.metrics, row, strict=True)}
            for q, row in zip(self.query_ids, self.values.tolist(), strict=True)
        }


def score(
    qrels: QrelsLike,
    run: RunLike,
    metrics: Sequence[str] = DEFAULT_METRICS,
    *,
    relevance_level: int = 1,
    complete: bool = False,
    judged_docs_only: bool = False,
    remove_query_id: bool = False,
) -> Scores:
    """Per-query values of ``metrics`` for ``run`` against ``qrels``.

    Semantics are trec_eval's: ranking by score with ties broken by document id descending;
    queries in both qrels and run (all judged queries with ``complete``, as ``trec_eval -c``);
    ``relevance_level`` is the lowest relevant grade for the binary metrics (``-l``);
    ``judged_docs_only`` drops unjudged documents first (``-J``); ``remove_query_id`` drops
    documents whose id equals the query id (BEIR's ``ignore_identical_ids``).
    """
    if isinstance(metrics, str):
        raise TypeError(f"metrics must be a list of names, got the string {metrics!r}; write [{metrics!r}]")
    names = list(metrics)
    compiled_qrels, compiled_run = as_qrels(qrels), as_run(run)
    query_ids, values = _core.eval_evaluate(
        compiled_qrels, compiled_run, names, relevance_level, complete, judged_docs_only, remove_query_id
    )
    if not query_ids and compiled_run.num_queries and compiled_qrels.num_queries:
        raise ValueError(
            "no query of the run is judged: run ids look like "
            f"{compiled_run.query_ids()[:3]}, qrels ids like {compiled_qrels.query_ids()[:3]}"
        )
    return Scores(tuple(names), tuple(query_ids), values)


def evaluate(
    qrels: QrelsLike,
    run: RunLike,
    metrics: Sequence[str] = DEFAULT_METRICS,
    *,
    per_query: bool = False,
    relevance_level: int = 1,
    complete: bool = False,
    judged_docs_only: bool = False,
    remove_query_id: bool = False,
) -> dict[str, float] | dict[str, dict[str, float]]:
    """Evaluate a run: ``{metric: mean}``, or ``{query_id: {metric: value}}`` with ``per_query``.

    ``qrels`` is ``{query_id: {doc_id: grade}}`` and ``run`` is ``{query_id: {doc_id: score}}``
    (or the compiled :class:`Qrels` / :class:`Run` from the loaders). Metric names follow
    trec_eval (``map``, ``P_10`` or ``P.10``, ``ndcg_cut_10``, ``recall_100``, ``recip_rank``,
    ``Rprec``, ``bpref``, ``success_10``, ...) with ``@`` aliases (``ndcg@10``, ``mrr@10``) and
    the explicit extras ``ndcg_burges[@k]`` and ``judged@k``; the result uses the names as given.
    See :func:`score` for the options.
    """
    scores = score(
        qrels,
        run,
        metrics,
        relevance_level=relevance_level,
        complete=complete,
        judged_docs_only=judged_docs_only,
        remove_query_id=remove_query_id,
    )
    return scores.per_query() if per_query else scores.mean()

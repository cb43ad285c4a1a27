"""Tune a collection's hybrid fusion (RRF k, convex alpha and normaliser, DBSF) on a golden set's
training queries and report the effect on the held-out ones.

Every grid point is a :class:`ragkernel.fusion.Fusion`; its run is the collection's own hybrid
search (``Collection.search_batch``) over the golden set's judged queries, so the tuned setting
is what ``collection.search(..., fusion=result.best_fusion)`` will do.
"""

from __future__ import annotations

import pathlib
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from ragkernel.eval.compare import Test
from ragkernel.eval.golden import GoldenSet
from ragkernel.eval.tune import TuningResult, tune
from ragkernel.fusion import Fusion

if TYPE_CHECKING:
    from ragkernel.collection import Collection

__all__ = ["FUSION_GRID", "tune_fusion"]

# RRF's k, the vector's share of a convex combination under each normaliser, and DBSF.
FUSION_GRID: list[dict[str, list[Any]]] = [
    {"method": ["rrf"], "rrf_k": [10, 30, 60, 100]},
    {"method": ["convex"], "normalizer": ["minmax", "zscore"], "alpha": [0.2, 0.35, 0.5, 0.65, 0.8]},
    {"method": ["dbsf"]},
]

QueryVectors = Mapping[str, npt.ArrayLike] | Callable[[list[str]], npt.ArrayLike]


def _query_matrix(collection: Collection, query_ids: list[str], texts: list[str], vectors: QueryVectors) -> Any:
    if callable(vectors):
        matrix = np.asarray(vectors(texts), dtype=np.float32)
    else:
        missing = [q for q in query_ids if q not in vectors]
        if missing:
            raise ValueError(f"query_vectors has no vector for queries {missing[:5]}; give one per judged query")
        matrix = np.asarray([np.asarray(vectors[q], dtype=np.float32) for q in query_ids], dtype=np.float32)
    if matrix.ndim != 2 or matrix.shape != (len(query_ids), collection.dim):
        raise ValueError(
            f"query vectors have shape {matrix.shape}; expected ({len(query_ids)}, {collection.dim}): "
            "one vector of the collection's dimension per judged query"
        )
    return np.ascontiguousarray(matrix)


def _fusion(params: Mapping[str, Any]) -> Fusion:
    try:
        return Fusion(**params)
    except TypeError as e:
        raise ValueError(
            f"grid point {dict(params)} is not a Fusion; use keys method, rrf_k, normalizer, alpha or weights"
        ) from e


def tune_fusion(
    collection: Collection,
    golden: GoldenSet | str | pathlib.Path,
    *,
    query_vectors: QueryVectors,
    grid: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Sequence[Any]]] | None = None,
    metric: str = "ndcg@10",
    baseline: Mapping[str, Any] | None = None,
    k: int = 100,
    candidates: int | None = None,
    train_fraction: float = 0.5,
    seed: int = 42,
    test: Test = "randomization",
    permutations: int = 10_000,
    split: str = "test",
) -> TuningResult:
    """Grid search over fusion settings (default :data:`FUSION_GRID`) on the golden set's
    training queries, the best re-scored on the held-out queries and tested against
    ``baseline`` (default RRF with k = 60). ``query_vectors``: per judged query id its vector,
    or a function embedding a list of query texts. ``k``: hits per query in each run;
    ``candidates``: depth per source (default ``max(k, 100)``). Apply the result with
    ``collection.search(..., fusion=rk.fusion.Fusion(**result.best_params))``."""
    if collection.dim == 0:
        raise ValueError("fusion needs a vector index: the collection is text only (create it with dim=...)")
    gold = golden if isinstance(golden, GoldenSet) else GoldenSet.load(golden, split=split)
    query_ids = sorted(gold.qrels)
    texts = [gold.queries[q] for q in query_ids]
    matrix = _query_matrix(collection, query_ids, texts, query_vectors)
    points = grid if grid is not None else FUSION_GRID

    def make_run(**params: Any) -> dict[str, dict[str, float]]:
        # Judgements name documents; a chunked collection's hits are chunks, scored by source.
        hits = collection.search_batch(
            texts, matrix, k=k, fusion=_fusion(params), candidates=candidates, include=("metadata",)
        )
        return {q: h.to_run(by="source_id") for q, h in zip(query_ids, hits, strict=True)}

    return tune(
        make_run,
        points,
        gold.qrels,
        metric=metric,
        baseline=dict(baseline) if baseline is not None else {"method": "rrf", "rrf_k": 60},
        train_fraction=train_fraction,
        seed=seed,
        test=test,
        permutations=permutations,
    )

"""Fusion of ranked lists from several retrievers into one ranking.

``rrf``: Σ w / (k + rank), rank 1-based, k = 60 by default (k = 60 here is Qdrant's k = 61).
``convex``: Σ w · norm(score) with ``normalizer`` ``"minmax"``, ``"zscore"`` or ``"theoretical"``
(known bounds per source, e.g. ``(-1, 1)`` for cosine; a missing lower bound is 0 and a missing
upper bound the list's maximum). ``dbsf``: Σ w · (score - (mean - 3 std)) / (6 std).

A document absent from a source gets nothing from it; its score and rank there are reported as
``None``. Ties in the fused score go to the smaller internal position (first seen).

>>> import ragkernel as rk
>>> bm25 = [("d1", 12.0), ("d2", 9.5), ("d3", 3.1)]
>>> dense = [("d3", 0.91), ("d1", 0.80)]
>>> [h.id for h in rk.fusion.rrf([bm25, dense])]
['d1', 'd3', 'd2']
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ragkernel import _core

__all__ = ["FusedHit", "Fusion", "convex", "dbsf", "fuse", "fuse_arrays", "rrf"]

Ranked = Sequence[tuple[str, float]]

_METHODS = ("rrf", "convex", "dbsf")
_NORMALIZERS = ("minmax", "zscore", "theoretical")


@dataclass(frozen=True)
class Fusion:
    """How a hybrid search fuses its BM25 and vector candidates (``Collection.search(fusion=...)``).

    ``method``: ``"rrf"`` (Σ w / (rrf_k + rank)), ``"convex"`` (Σ w · normalised score, with
    ``normalizer`` ``"minmax"``, ``"zscore"`` or ``"theoretical"``: BM25 on [0, list max],
    cosine on [-1, 1]) or ``"dbsf"``. ``weights`` are (bm25, vector); ``alpha`` is the vector's
    share of a convex combination, ``weights = (1 - alpha, alpha)``.

    >>> Fusion("convex", alpha=0.7).source_weights
    (0.30000000000000004, 0.7)
    """

    method: str = "rrf"
    rrf_k: float = 60.0
    normalizer: str = "minmax"
    weights: tuple[float, float] | None = None
    alpha: float | None = None

    def __post_init__(self) -> None:
        if self.method not in _METHODS:
            raise ValueError(f"fusion method is {self.method!r}; expected one of {', '.join(_METHODS)}")
        if self.normalizer not in _NORMALIZERS:
            raise ValueError(f"normalizer is {self.normalizer!r}; expected one of {', '.join(_NORMALIZERS)}")
        if self.alpha is not None:
            if self.weights is not None:
                raise ValueError("pass alpha or weights, not both")
            if not 0.0 <= self.alpha <= 1.0:
                raise ValueError(f"alpha must be in [0, 1] (the vector's share), got {self.alpha}")
        if self.weights is not None and len(self.weights) != 2:
            raise ValueError(f"weights must be (bm25, vector), got {self.weights!r}")

    @property
    def source_weights(self) -> tuple[float, float]:
        """(bm25 weight, vector weight)."""
        if self.alpha is not None:
            return (1.0 - self.alpha, self.alpha)
        if self.weights is not None:
            return (float(self.weights[0]), float(self.weights[1]))
        return (1.0, 1.0)


@dataclass(frozen=True)
class FusedHit:
    """One fused result: its fused score and, per source, its score and 1-based rank."""

    id: str
    score: float
    source_scores: tuple[float | None, ...]
    source_ranks: tuple[int | None, ...]


def fuse_arrays(
    ids: Sequence[npt.NDArray[np.uint32]],
    scores: Sequence[npt.NDArray[np.float32]],
    *,
    method: str = "rrf",
    weights: Sequence[float] | None = None,
    rrf_k: float = 60.0,
    normalizer: str = "minmax",
    bounds: Sequence[tuple[float | None, float | None]] | None = None,
    k: int | None = None,
) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.float64], npt.NDArray[np.float32], npt.NDArray[np.uint32]]:
    """Fusion on internal ids: per source a uint32 id array and a float32 score array, best
    first. Returns (ids, fused scores, per-source scores [n, sources] with NaN where absent,
    per-source 1-based ranks [n, sources] with 0 where absent)."""
    lower = upper = None
    if bounds is not None:
        lower = [math.nan if lo is None else float(lo) for lo, _ in bounds]
        upper = [math.nan if hi is None else float(hi) for _, hi in bounds]
    return _core.fuse(
        list(ids),
        list(scores),
        None if weights is None else [float(w) for w in weights],
        method,
        rrf_k,
        normalizer,
        lower,
        upper,
        0 if k is None else k,
    )


def fuse(
    lists: Sequence[Ranked],
    *,
    method: str = "rrf",
    weights: Sequence[float] | None = None,
    rrf_k: float = 60.0,
    normalizer: str = "minmax",
    bounds: Sequence[tuple[float | None, float | None]] | None = None,
    k: int | None = None,
) -> list[FusedHit]:
    """Fuses ranked lists of (id, score), each best first, into :class:`FusedHit` s."""
    position: dict[str, int] = {}
    names: list[str] = []
    id_arrays: list[npt.NDArray[np.uint32]] = []
    score_arrays: list[npt.NDArray[np.float32]] = []
    for ranked in lists:
        internal = np.empty(len(ranked), dtype=np.uint32)
        values = np.empty(len(ranked), dtype=np.float32)
        for i, (doc, score) in enumerate(ranked):
            if doc not in position:
                position[doc] = len(names)
                names.append(doc)
            internal[i] = position[doc]
            values[i] = score
        id_arrays.append(internal)
        score_arrays.append(values)
    ids, fused, per_score, per_rank = fuse_arrays(
        id_arrays,
        score_arrays,
        method=method,
        weights=weights,
        rrf_k=rrf_k,
        normalizer=normalizer,
        bounds=bounds,
        k=k,
    )
    out = []
    for row, internal_id in enumerate(ids.tolist()):
        out.append(
            FusedHit(
                id=names[internal_id],
                score=float(fused[row]),
                source_scores=tuple(
                    None if r == 0 else float(s) for s, r in zip(per_score[row], per_rank[row], strict=True)
                ),
                source_ranks=tuple(None if r == 0 else int(r) for r in per_rank[row]),
            )
        )
    return out


def rrf(
    lists: Sequence[Ranked], *, k: float = 60.0, weights: Sequence[float] | None = None, top_k: int | None = None
) -> list[FusedHit]:
    """Reciprocal rank fusion: Σ w / (k + rank), rank 1-based."""
    return fuse(lists, method="rrf", rrf_k=k, weights=weights, k=top_k)


def convex(
    lists: Sequence[Ranked],
    *,
    alpha: float | None = None,
    weights: Sequence[float] | None = None,
    normalizer: str = "minmax",
    bounds: Sequence[tuple[float | None, float | None]] | None = None,
    top_k: int | None = None,
) -> list[FusedHit]:
    """Convex combination of normalised scores. ``alpha`` (two lists only) weighs the first
    list by ``alpha`` and the second by ``1 - alpha``; otherwise pass ``weights``."""
    if alpha is not None:
        if weights is not None:
            raise ValueError("pass alpha or weights, not both")
        if len(lists) != 2:
            raise ValueError(f"alpha needs exactly two lists, got {len(lists)}; pass weights instead")
        if not 0.0 <= alpha <= 1.0:
            raise ValueError(f"alpha must be in [0, 1], got {alpha}")
        weights = [alpha, 1.0 - alpha]
    return fuse(lists, method="convex", weights=weights, normalizer=normalizer, bounds=bounds, k=top_k)


def dbsf(
    lists: Sequence[Ranked], *, weights: Sequence[float] | None = None, top_k: int | None = None
) -> list[FusedHit]:
    """Distribution-based score fusion: each list mapped through mean ± 3 std, then summed."""
    return fuse(lists, method="dbsf", weights=weights, k=top_k)

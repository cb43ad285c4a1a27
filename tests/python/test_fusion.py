from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ragkernel as rk


def reference(
    lists: list[list[tuple[str, float]]], method: str, weights: list[float], k: float = 60.0
) -> dict[str, float]:
    out: dict[str, float] = {}
    for w, ranked in zip(weights, lists, strict=True):
        scores = np.array([s for _, s in ranked], dtype=np.float64)
        for rank, (doc, s) in enumerate(ranked, start=1):
            if method == "rrf":
                part = 1.0 / (k + rank)
            elif method == "minmax":
                span = scores.max() - scores.min()
                part = (s - scores.min()) / span if span > 0 else 1.0
            elif method == "zscore":
                sd = scores.std()
                part = (s - scores.mean()) / sd if sd > 0 else 0.0
            else:  # dbsf
                sd = scores.std()
                part = (s - (scores.mean() - 3 * sd)) / (6 * sd) if sd > 0 else 0.5
            out[doc] = out.get(doc, 0.0) + w * part
    return out


ranked_lists = st.lists(
    st.lists(st.tuples(st.sampled_from([f"d{i}" for i in range(40)]), st.floats(-5, 5, width=32)), max_size=30).map(
        lambda pairs: sorted(dict(pairs).items(), key=lambda p: -p[1])
    ),
    min_size=1,
    max_size=3,
)


@settings(max_examples=80, deadline=None)
@given(lists=ranked_lists, method=st.sampled_from(["rrf", "minmax", "zscore", "dbsf"]))
def test_matches_reference(lists: list[list[tuple[str, float]]], method: str) -> None:
    weights = [1.0 + i for i in range(len(lists))]
    if method == "rrf":
        hits = rk.fusion.rrf(lists, weights=weights)
    elif method == "dbsf":
        hits = rk.fusion.dbsf(lists, weights=weights)
    else:
        hits = rk.fusion.convex(lists, weights=weights, normalizer=method)
    want = reference(lists, method, weights)
    assert {h.id for h in hits} == set(want)
    for h in hits:
        assert h.score == pytest.approx(want[h.id], rel=1e-5, abs=1e-6)
        for s, ranked in enumerate(lists):
            ranks = {doc: r for r, (doc, _) in enumerate(ranked, start=1)}
            assert h.source_ranks[s] == ranks.get(h.id)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_hit_fields_alpha_and_bounds() -> None:
    bm25 = [("d1", 12.0), ("d2", 9.5)]
    dense = [("d2", 0.9), ("d3", 0.1)]
    hits = rk.fusion.convex([bm25, dense], alpha=0.25, normalizer="theoretical", bounds=[(0, None), (-1, 1)])
    by_id = {h.id: h for h in hits}
    assert by_id["d2"].score == pytest.approx(0.25 * 9.5 / 12 + 0.75 * 0.95)
    assert by_id["d3"].source_scores == (None, pytest.approx(0.1))
    assert by_id["d3"].source_ranks == (None, 2)
    assert len(rk.fusion.rrf([bm25, dense], top_k=1)) == 1


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="all zero"):
        rk.fusion.rrf([[("a", 1.0)]], weights=[0.0])
    with pytest.raises(ValueError, match="weights must be finite and >= 0"):
        rk.fusion.rrf([[("a", 1.0)], [("a", 1.0)]], weights=[1.0, -1.0])
    with pytest.raises(ValueError, match="lists id 0 twice"):
        rk.fusion.rrf([[("a", 1.0), ("a", 0.5)]])
    with pytest.raises(ValueError, match="weights has 1 entries for 2 sources"):
        rk.fusion.rrf([[("a", 1.0)], [("b", 1.0)]], weights=[1.0])
    with pytest.raises(ValueError, match="alpha must be in"):
        rk.fusion.convex([[("a", 1.0)], [("b", 1.0)]], alpha=1.5)
    with pytest.raises(ValueError, match="non-finite"):
        rk.fusion.convex([[("a", float("nan"))]])
    with pytest.raises(ValueError, match="unknown fusion method"):
        rk.fusion.fuse([[("a", 1.0)]], method="borda")
    with pytest.raises(ValueError, match="dtype uint32"):
        rk.fusion.fuse_arrays([np.arange(3)], [np.ones(3, dtype=np.float32)])

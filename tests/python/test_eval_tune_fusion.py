"""rk.eval.tune_fusion on the bundled Cranfield collection: the grid is searched through the
collection's own hybrid search, the best point is the training argmax, and the held-out and
baseline scores equal an independent evaluation of the same searches."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import ragkernel as rk
from collection_helpers import DIM, Corpus, hashed_vectors, load

GOLDEN = rk.datasets.path("cranfield")


@pytest.fixture(scope="module")
def cranfield() -> Corpus:
    return load("cranfield")


@pytest.fixture(scope="module")
def col(cranfield: Corpus) -> rk.Collection:
    c = rk.Collection(DIM, index="flat")
    c.add(cranfield.ids, cranfield.texts, cranfield.vectors)
    return c


@pytest.fixture(scope="module")
def vectors(cranfield: Corpus) -> dict[str, np.ndarray]:
    return dict(zip(cranfield.query_ids, cranfield.query_vectors, strict=True))


def heldout_score(
    col: rk.Collection,
    golden: rk.eval.GoldenSet,
    vectors: dict[str, np.ndarray],
    params: dict[str, Any],
    queries: list[str],
) -> float:
    hits = col.search_batch(
        [golden.queries[q] for q in queries],
        np.stack([vectors[q] for q in queries]),
        k=20,
        fusion=rk.fusion.Fusion(**params),
    )
    run = {q: h.to_run() for q, h in zip(queries, hits, strict=True)}
    return float(rk.evaluate({q: golden.qrels[q] for q in queries}, run, metrics=["ndcg@10"])["ndcg@10"])


def test_tune_fusion_picks_the_training_best_and_reports_held_out_scores(
    col: rk.Collection, vectors: dict[str, np.ndarray]
) -> None:
    golden = rk.eval.GoldenSet.load(GOLDEN)
    result = rk.eval.tune_fusion(col, GOLDEN, query_vectors=vectors, k=20, permutations=500)
    assert len(result.trials) == len(rk.eval.expand_grid(rk.eval.FUSION_GRID)) == 15
    best_train = max(value for _, value in result.trials)
    assert result.train_score == best_train
    assert result.best_params == next(p for p, v in result.trials if v == best_train)
    assert len(result.train_queries) + len(result.heldout_queries) == 225
    assert set(result.train_queries).isdisjoint(result.heldout_queries)
    # Independent evaluation of the same searches.
    assert result.heldout_score == pytest.approx(
        heldout_score(col, golden, vectors, result.best_params, result.heldout_queries), abs=1e-12
    )
    assert result.baseline_params == {"method": "rrf", "rrf_k": 60}
    assert result.baseline_heldout_score == pytest.approx(
        heldout_score(col, golden, vectors, result.baseline_params, result.heldout_queries), abs=1e-12
    )
    dbsf = next(v for p, v in result.trials if p == {"method": "dbsf"})
    assert dbsf == pytest.approx(
        heldout_score(col, golden, vectors, {"method": "dbsf"}, result.train_queries), abs=1e-12
    )
    # The settings differ: the grid is not flat (fusion matters on this collection).
    assert max(v for _, v in result.trials) - min(v for _, v in result.trials) > 0.01
    assert result.heldout_p_value is not None and 0.0 <= result.heldout_p_value <= 1.0
    assert "(best)" in result.to_markdown()


def test_tune_fusion_takes_an_embedding_function_and_a_grid(col: rk.Collection, vectors: dict[str, np.ndarray]) -> None:
    grid = {"method": ["convex"], "alpha": [0.0, 1.0]}
    by_map = rk.eval.tune_fusion(col, GOLDEN, query_vectors=vectors, grid=grid, k=10, permutations=100)
    by_function = rk.eval.tune_fusion(
        col, GOLDEN, query_vectors=lambda texts: hashed_vectors(texts), grid=grid, k=10, permutations=100
    )
    assert by_map.trials == by_function.trials
    assert [p["alpha"] for p, _ in by_map.trials] == [0.0, 1.0]


def test_tune_fusion_rejects_what_it_cannot_use(col: rk.Collection, vectors: dict[str, np.ndarray]) -> None:
    with pytest.raises(ValueError, match="text only"):
        rk.eval.tune_fusion(rk.Collection(), GOLDEN, query_vectors=vectors)
    with pytest.raises(ValueError, match="no vector for queries"):
        rk.eval.tune_fusion(col, GOLDEN, query_vectors={"1": vectors["1"]})
    with pytest.raises(ValueError, match=r"expected \(225, 64\)"):
        rk.eval.tune_fusion(col, GOLDEN, query_vectors=lambda texts: np.ones((len(texts), 3)))
    with pytest.raises(ValueError, match="not a Fusion"):
        rk.eval.tune_fusion(col, GOLDEN, query_vectors=vectors, grid={"method": ["rrf"], "kk": [1]})
    with pytest.raises(ValueError, match="fusion method"):
        rk.eval.tune_fusion(col, GOLDEN, query_vectors=vectors, grid={"method": ["max"]})

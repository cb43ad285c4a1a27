"""The tuning harness with a synthetic run maker whose quality peaks at known parameters."""

from __future__ import annotations

import numpy as np
import pytest

import ragkernel as rk

GOLDEN = rk.datasets.path("cranfield")


def fusion_like(qrels):
    """Fuses a 'lexical' and a 'dense' noisy ranking; their mix is best near alpha = 0.6."""
    rng = np.random.default_rng(0)
    noise = {q: {f"d{i}": (rng.random(), rng.random()) for i in range(40)} for q in qrels}
    signal = {q: {d: (rng.random(), rng.random()) for d in judged} for q, judged in qrels.items()}

    def make_run(method="convex", alpha=0.5, k=60):
        run = {}
        for q in qrels:
            docs = {**noise[q], **{d: (0.5 + 0.5 * a, 0.5 + 0.5 * b) for d, (a, b) in signal[q].items()}}
            if method == "convex":
                # Each side carries half of the signal; weights far from 0.6 add the other's noise.
                run[q] = {
                    d: alpha * lex + (1 - alpha) * dense - abs(alpha - 0.6) * rng.random()
                    for d, (lex, dense) in docs.items()
                }
            else:
                run[q] = {d: 1.0 / (k + 1 + i) for i, d in enumerate(sorted(docs, key=lambda d: -docs[d][0]))}
        return run

    return make_run


def test_tune_finds_the_best_point_and_reports_the_held_out_effect():
    qrels = rk.eval.GoldenSet.load(GOLDEN).qrels
    make_run = fusion_like(qrels)
    grid = [{"method": ["convex"], "alpha": [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]}, {"method": ["rrf"], "k": [1, 60]}]
    result = rk.eval.tune(
        make_run, grid, GOLDEN, metric="ndcg@10", baseline={"method": "rrf", "k": 60}, permutations=2000
    )
    assert result.best_params == {"method": "convex", "alpha": 0.6}
    assert len(result.trials) == 8
    assert set(result.train_queries).isdisjoint(result.heldout_queries)
    assert len(result.train_queries) + len(result.heldout_queries) == 225
    assert result.heldout_delta is not None and result.heldout_delta > 0
    assert result.heldout_p_value is not None and result.heldout_p_value < 0.05
    assert "(best)" in result.to_markdown()


def test_split_is_seeded_and_inputs_are_checked():
    ids = [str(i) for i in range(10)]
    assert rk.eval.split_queries(ids, 0.3, seed=1) == rk.eval.split_queries(list(reversed(ids)), 0.3, seed=1)
    train, heldout = rk.eval.split_queries(ids, 0.3, seed=1)
    assert len(train) == 3 and len(heldout) == 7
    with pytest.raises(ValueError, match="train_fraction"):
        rk.eval.split_queries(ids, 1.0)
    with pytest.raises(ValueError, match="non-empty list"):
        rk.eval.expand_grid({"alpha": 0.5})
    with pytest.raises(ValueError, match="not judged"):
        rk.eval.tune(lambda: {}, {"x": [1]}, {"q1": {"d": 1}, "q2": {"d": 1}}, train_queries=["zz"])

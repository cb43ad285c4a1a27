"""Every IR metric equals pytrec_eval (trec_eval's own code) within 1e-9 on every query.

Runs come from a small TF-IDF scorer over the bundled collections and from random runs built
to stress the semantics: many tied scores, graded and negative grades, queries with no
relevant document, queries the run lacks (``complete``), relevance levels and -J.
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pytest

import ragkernel as rk

sparse = pytest.importorskip("scipy.sparse")

pytrec_eval = pytest.importorskip("pytrec_eval")

# pytrec_eval families; each expands to trec_eval's default cutoffs (P_5 ... P_1000, ...).
FAMILIES = {"map", "P", "recall", "ndcg", "ndcg_cut", "recip_rank", "Rprec", "bpref", "success", "map_cut"}
COUNTS = {"num_ret", "num_rel", "num_rel_ret"}


def reference(qrels, run, *, relevance_level=1, judged_docs_only=False, measures=FAMILIES | COUNTS):
    evaluator = pytrec_eval.RelevanceEvaluator(
        qrels, set(measures), relevance_level=relevance_level, judged_docs_only_flag=judged_docs_only
    )
    return evaluator.evaluate(run)


def assert_same(expected, qrels, run, **options):
    names = sorted({name for values in expected.values() for name in values})
    ours = rk.evaluate(qrels, run, metrics=names, per_query=True, **options)
    assert set(ours) == set(expected), "evaluated query sets differ"
    worst = 0.0
    for query, values in expected.items():
        for name in names:
            diff = abs(ours[query][name] - values[name])
            worst = max(worst, diff)
            assert diff <= 1e-9, f"{name} on query {query}: ragkernel {ours[query][name]!r}, trec_eval {values[name]!r}"
    return worst


def _tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def tfidf_run(name: str, depth: int = 200) -> tuple[dict, dict]:
    """A TF-IDF (log tf, idf, cosine) run over a bundled collection, top ``depth`` per query."""
    golden = rk.eval.GoldenSet.load(rk.datasets.path(name))
    corpus = golden.corpus()
    doc_ids = list(corpus)
    vocab: dict[str, int] = {}
    doc_terms = []
    for doc in corpus.values():
        counts = Counter(_tokens(doc.title + " " + doc.text))
        doc_terms.append({vocab.setdefault(t, len(vocab)): c for t, c in counts.items()})
    rows, cols, vals = [], [], []
    for i, terms in enumerate(doc_terms):
        for t, c in terms.items():
            rows.append(i)
            cols.append(t)
            vals.append(1 + np.log(c))
    matrix = sparse.csr_matrix((vals, (rows, cols)), shape=(len(doc_ids), len(vocab)))
    df = np.bincount(cols, minlength=len(vocab))
    idf = np.log(len(doc_ids) / df)
    matrix = sparse.csr_matrix(matrix.multiply(idf[None, :]))
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1))).ravel()
    matrix = sparse.csr_matrix(matrix.multiply(1.0 / np.maximum(norms, 1e-12)[:, None]))
    query_ids = list(golden.qrels)
    q_rows, q_cols, q_vals = [], [], []
    for r, query_id in enumerate(query_ids):
        for t in _tokens(golden.queries[query_id]):
            if t in vocab:
                q_rows.append(r)
                q_cols.append(vocab[t])
                q_vals.append(idf[vocab[t]])
    queries = sparse.csr_matrix((q_vals, (q_rows, q_cols)), shape=(len(query_ids), len(vocab)))
    scores_all = (queries @ matrix.T).toarray()
    run = {}
    for r, query_id in enumerate(query_ids):
        scores = scores_all[r]
        top = np.argsort(-scores, kind="stable")[:depth]
        # Rounded to 3 decimals so equal-score ties (and their docno tie-break) really occur.
        run[query_id] = {doc_ids[i]: round(float(scores[i]), 3) for i in top}
    return golden.qrels, run


@pytest.fixture(scope="module", params=["cranfield", "cisi", "adi"])
def collection_run(request):
    return tfidf_run(request.param)


def test_bundled_collections_match_trec_eval(collection_run):
    qrels, run = collection_run
    ties = sum(len(docs) - len(set(docs.values())) for docs in run.values())
    assert ties > 0, "the fixture must contain tied scores"
    assert_same(reference(qrels, run), qrels, run)


def test_bundled_collections_at_relevance_level_2_and_judged_only(collection_run):
    qrels, run = collection_run
    assert_same(reference(qrels, run, relevance_level=2), qrels, run, relevance_level=2)
    assert_same(reference(qrels, run, judged_docs_only=True), qrels, run, judged_docs_only=True)


def random_case(seed: int, *, ties: bool = True):
    rng = np.random.default_rng(seed)
    n_queries, n_docs = 60, 120
    docs = [f"d{i}" for i in range(n_docs)]
    qrels, run = {}, {}
    for q in range(n_queries):
        qid = f"q{q}"
        judged = rng.choice(n_docs, size=int(rng.integers(1, 40)), replace=False)
        # Every seventh query is judged with nothing relevant.
        grades = np.zeros(len(judged), dtype=int) if q % 7 == 0 else rng.choice([-1, 0, 0, 1, 2, 3], size=len(judged))
        qrels[qid] = {docs[d]: int(g) for d, g in zip(judged, grades, strict=True)}
        if q % 11 == 5:
            continue  # a judged query the run lacks
        retrieved = rng.choice(n_docs, size=int(rng.integers(0, n_docs)), replace=False)
        values = rng.integers(0, 4, size=len(retrieved)) / 2.0 if ties else rng.standard_normal(len(retrieved))
        run[qid] = {docs[d]: float(v) for d, v in zip(retrieved, values, strict=True)}
    run["unjudged-query"] = {"d1": 1.0}
    return qrels, run


@pytest.mark.parametrize("seed", range(6))
def test_random_runs_with_ties_grades_and_missing_queries(seed):
    qrels, run = random_case(seed, ties=seed % 2 == 0)
    assert_same(reference(qrels, run), qrels, run)
    assert_same(reference(qrels, run, relevance_level=2), qrels, run, relevance_level=2)
    assert_same(reference(qrels, run, judged_docs_only=True), qrels, run, judged_docs_only=True)


@pytest.mark.parametrize("seed", range(3))
def test_complete_scores_missing_queries_as_zero(seed):
    qrels, run = random_case(seed)
    # trec_eval -c: a judged query the run lacks is evaluated with nothing retrieved.
    padded = {**run, **{q: {} for q in qrels if q not in run}}
    expected = reference(qrels, padded)
    assert_same(expected, qrels, run, complete=True)
    names = ["map", "ndcg_cut_10", "P_10"]
    means = rk.evaluate(qrels, run, metrics=names, complete=True)
    for name in names:
        assert means[name] == pytest.approx(np.mean([v[name] for v in expected.values()]), abs=1e-12)
    partial = rk.evaluate(qrels, run, metrics=["map"], per_query=True)
    assert len(partial) < len(qrels)


def test_aliases_give_the_canonical_values():
    qrels, run = random_case(11)
    canonical = rk.evaluate(qrels, run, metrics=["ndcg_cut_10", "P_5", "map_cut_100", "success_10"])
    aliases = rk.evaluate(qrels, run, metrics=["ndcg@10", "P.5", "map@100", "hit@10"])
    assert list(canonical.values()) == list(aliases.values())


def test_extras_against_direct_formulas():
    qrels, run = random_case(3)
    ours = rk.evaluate(
        qrels, run, metrics=["ndcg_burges_cut_10", "judged_10", "recip_rank_cut_5", "ndcg_burges"], per_query=True
    )
    for query, docs in run.items():
        if query not in qrels:
            continue
        judged = qrels[query]
        ranked = sorted(docs, key=lambda d: (-docs[d], (*(-b for b in d.encode()), 1)))
        grades = [judged.get(d, -1) for d in ranked]

        def dcg(gs):
            return sum((2.0**g - 1) / np.log2(i + 2) for i, g in enumerate(gs) if g > 0)

        ideal = sorted((g for g in judged.values() if g > 0), reverse=True)
        expect_cut = dcg(grades[:10]) / dcg(ideal[:10]) if dcg(ideal[:10]) > 0 else 0.0
        expect_all = dcg(grades) / dcg(ideal) if dcg(ideal) > 0 else 0.0
        assert ours[query]["ndcg_burges_cut_10"] == pytest.approx(expect_cut, abs=1e-12)
        assert ours[query]["ndcg_burges"] == pytest.approx(expect_all, abs=1e-12)
        assert ours[query]["judged_10"] == pytest.approx(sum(g >= 0 for g in grades[:10]) / 10)
        first = next((i for i, g in enumerate(grades[:5]) if g >= 1), None)
        assert ours[query]["recip_rank_cut_5"] == (0.0 if first is None else 1.0 / (first + 1))


def test_remove_query_id_matches_filtering_the_run():
    qrels = {"a": {"b": 1, "c": 1}, "b": {"a": 1}}
    run = {"a": {"a": 3.0, "b": 2.0, "c": 1.0}, "b": {"b": 5.0, "a": 1.0}}
    filtered = {q: {d: s for d, s in docs.items() if d != q} for q, docs in run.items()}
    names = ["map", "recip_rank", "ndcg_cut_10"]
    assert rk.evaluate(qrels, run, metrics=names, remove_query_id=True) == rk.evaluate(qrels, filtered, metrics=names)

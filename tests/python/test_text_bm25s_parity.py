"""BM25 scores equal bm25s's (relative 1e-5) and top-k lists are the same, on the bundled
collections, for every variant, with the bm25s preset analysing the text."""

from __future__ import annotations

import json

import numpy as np
import pytest

import ragkernel as rk

bm25s = pytest.importorskip("bm25s")
Stemmer = pytest.importorskip("Stemmer")

VARIANTS = [
    ("lucene", 1.5, 0.75, 0.5),
    ("robertson", 1.2, 0.75, 0.5),
    ("atire", 0.9, 0.4, 0.5),
    ("bm25l", 1.5, 0.75, 0.5),
    ("bm25+", 1.2, 0.75, 1.0),
]


def load(name: str) -> tuple[list[str], list[str], list[str]]:
    folder = rk.datasets.path(name)
    docs = [json.loads(line) for line in (folder / "corpus.jsonl").open()]
    queries = [json.loads(line)["text"] for line in (folder / "queries.jsonl").open()]
    return [d["_id"] for d in docs], [(d.get("title") or "") + " " + d["text"] for d in docs], queries


def bm25s_tokens(texts: list[str]) -> list[list[str]]:
    stemmer = Stemmer.Stemmer("english")
    out: list[list[str]] = bm25s.tokenize(texts, stopwords="en", stemmer=stemmer, return_ids=False, show_progress=False)
    return out


@pytest.fixture(scope="module", params=["cranfield", "cisi"])
def collection(request: pytest.FixtureRequest) -> tuple[list[str], list[str], list[str]]:
    return load(request.param)


def test_bm25s_preset_tokens_equal_bm25s_tokenizer(collection: tuple[list[str], list[str], list[str]]) -> None:
    _, texts, queries = collection
    analyzer = rk.Analyzer("bm25s")
    assert analyzer.analyze_batch(texts) == bm25s_tokens(texts)
    assert analyzer.analyze_batch(queries) == bm25s_tokens(queries)


@pytest.mark.parametrize(("variant", "k1", "b", "delta"), VARIANTS)
def test_scores_and_top_k_equal_bm25s(
    collection: tuple[list[str], list[str], list[str]], variant: str, k1: float, b: float, delta: float
) -> None:
    ids, texts, queries = collection
    reference = bm25s.BM25(method=variant, k1=k1, b=b, delta=delta)
    reference.index(bm25s_tokens(texts), show_progress=False)
    index = rk.BM25Index("bm25s", variant=variant, k1=k1, b=b, delta=delta)
    index.add(ids, texts)
    position = {doc: i for i, doc in enumerate(ids)}
    k = 10
    results = index.search(queries, k=k)
    for query, hits, terms in zip(queries, results, bm25s_tokens(queries), strict=True):
        known = [t for t in terms if t in reference.vocab_dict]
        if not known:
            assert hits == [], query
            continue
        expected = np.asarray(reference.get_scores(known), dtype=np.float64)
        got = np.array([score for _, score in hits])
        want = expected[[position[doc] for doc, _ in hits]]
        np.testing.assert_allclose(got, want, rtol=1e-5, err_msg=query)
        assert list(got) == sorted(got, reverse=True)
        # Same top-k: every document bm25s ranks clearly above our k-th score is in our list,
        # and our k-th score is bm25s's k-th score (so only exact ties may be ordered differently).
        kth = np.sort(expected)[::-1][k - 1]
        np.testing.assert_allclose(got[-1], kth, rtol=1e-5)
        above = {ids[i] for i in np.flatnonzero(expected > kth * (1 + 1e-5))}
        assert above <= {doc for doc, _ in hits}

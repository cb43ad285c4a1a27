from __future__ import annotations

import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ragkernel as rk

DOCS = {
    "a": "The boundary layer on a flat plate.",
    "b": "Supersonic flow past a flat plate and a cone.",
    "c": "Heat transfer in laminar flow.",
    "d": "Plates, shells and the buckling of plates.",
}


def make(analyzer: str = "lucene", **kw: float | str) -> rk.BM25Index:
    idx = rk.BM25Index(analyzer, **kw)  # type: ignore[arg-type]
    idx.add(list(DOCS), list(DOCS.values()))
    return idx


def test_search_batch_allow_and_explain() -> None:
    idx = make()
    hits = idx.search("flat plate", k=3)
    assert [h[0] for h in hits][:2] == ["a", "b"] or [h[0] for h in hits][:2] == ["b", "a"]
    assert idx.search(["flat plate", "heat"], k=3) == [hits, idx.search("heat", k=3)]
    assert idx.search(["flat plate"] * 50, k=3, threads=2) == [hits] * 50
    assert [d for d, _ in idx.search("plate", k=10, allow=["d", "zzz"])] == ["d"]
    repeated = idx.search("flat plate plate", k=1)[0]
    explained = idx.explain("flat plate plate", repeated[0])
    assert explained["score"] == repeated[1]
    assert [t["term"] for t in explained["terms"]] == ["flat", "plate"]
    assert explained["terms"][1]["query_count"] == 2
    assert idx.search("the and of", k=5) == []
    assert idx.search("unseenword", k=5) == []


def test_search_arrays_match_search() -> None:
    idx = make()
    queries = ["flat plate", "flow", "nothing", "the"]
    ids, scores = idx.search_arrays(queries, k=3)
    terms = [idx.analyze(q) for q in queries]
    assert ids.shape == scores.shape == (4, 3)
    for row, hits in enumerate(idx.search(queries, k=3)):
        assert [d for d in ids[row] if d is not None] == [d for d, _ in hits]
        assert [float(s) for s in scores[row][: len(hits)]] == [s for _, s in hits]
        assert all(d is None for d in ids[row][len(hits) :])
    pre_ids, pre_scores = idx.search_arrays(terms, k=3)
    assert (pre_ids == ids).all()
    np.testing.assert_array_equal(pre_scores, scores)


def test_remove_keeps_statistics_exact() -> None:
    idx = make()
    idx.remove(["c"])
    fresh = rk.BM25Index("lucene")
    fresh.add(["a", "b", "d"], [DOCS["a"], DOCS["b"], DOCS["d"]])
    assert idx.stats()["num_docs"] == 3
    assert idx.stats()["avg_doc_length"] == fresh.stats()["avg_doc_length"]
    assert idx.search("flow plate", k=5) == fresh.search("flow plate", k=5)
    idx.add(["c"], ["brand new text"])
    assert idx.search("laminar", k=5) == []
    assert "c" in idx and len(idx) == 4


def test_bad_input_leaves_index_unchanged() -> None:
    idx = make()
    before = idx.stats()
    with pytest.raises(ValueError, match="appears twice"):
        idx.add(["x", "x"], ["one", "two"])
    with pytest.raises(ValueError, match="already indexed"):
        idx.add(["y", "a"], ["one", "two"])
    with pytest.raises(ValueError, match="text 1 is empty"):
        idx.add(["y", "z"], ["one", ""])
    with pytest.raises(ValueError, match="2 ids but 1"):
        idx.add(["y", "z"], ["one"])
    with pytest.raises(KeyError):
        idx.remove(["a", "nope"])
    with pytest.raises(ValueError, match="query 0 is empty"):
        idx.search("", k=3)
    with pytest.raises(ValueError, match="text 0 cannot be encoded as UTF-8"):
        idx.add(["y"], ["bad \ud800 surrogate"])
    with pytest.raises(ValueError, match="text 1 is not valid UTF-8 \\(bad byte sequence at byte offset 4\\)"):
        idx.add(["y", "z"], ["fine", b"bad \xc3\x28"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="query 0 is not valid UTF-8"):
        idx.search([b"\xff"])  # type: ignore[list-item]
    assert idx.stats() == before
    assert "y" not in idx and "a" in idx
    with pytest.raises(ValueError, match="unknown BM25 variant"):
        rk.BM25Index("lucene", variant="bm26")
    with pytest.raises(ValueError, match="b must be in"):
        rk.BM25Index("lucene", b=2.0)
    with pytest.raises(ValueError, match="unknown analyzer preset"):
        rk.BM25Index("solr")


def test_text_without_terms_is_indexed_but_never_found() -> None:
    idx = rk.BM25Index("lucene")
    idx.add(["p", "q"], ["the of and", "plate"])
    assert idx.stats()["num_docs"] == 2 and idx.stats()["total_length"] == 1
    assert [d for d, _ in idx.search("plate")] == ["q"]


def test_analyzer_is_stored_with_the_index() -> None:
    custom = rk.Analyzer("lucene", stopwords=["plate"], stemmer="")
    idx = rk.BM25Index(custom)
    idx.add(["a"], ["flat plates on a plate"])
    assert idx.analyze("Plates plate") == ["plates"]
    assert idx.analyzer.config() == custom.config()
    assert rk.Analyzer.from_serialized(custom.serialize()).analyze("The Plates") == ["the", "plates"]
    assert "porter" in rk.text.stemmer_algorithms()
    assert len(rk.text.english_stopwords()) == 33


def test_searches_run_while_another_thread_adds() -> None:
    idx = make()
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            for i in range(200):
                idx.add([f"w{i}"], [f"plate number {i}"])
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    t = threading.Thread(target=writer)
    t.start()
    for _ in range(200):
        assert idx.search("plate", k=5)
    t.join()
    assert not errors and len(idx) == 204


words = st.sampled_from([f"w{i}" for i in range(30)] + ["the", "and"])
docs_strategy = st.lists(st.lists(words, min_size=1, max_size=25).map(" ".join), min_size=1, max_size=150)


@settings(max_examples=60, deadline=None)
@given(
    docs=docs_strategy,
    query=st.lists(words, min_size=1, max_size=5).map(" ".join),
    k=st.integers(1, 20),
    variant=st.sampled_from(["lucene", "robertson", "atire", "bm25l", "bm25+"]),
    removed=st.integers(0, 10),
)
def test_pruned_equals_exhaustive(docs: list[str], query: str, k: int, variant: str, removed: int) -> None:
    idx = rk.BM25Index(rk.Analyzer(None, tokenizer="word", stemmer=""), variant=variant)
    idx.add([str(i) for i in range(len(docs))], docs)
    idx.remove([str(i) for i in range(0, len(docs), 7)][:removed])
    allow = [str(i) for i in range(0, len(docs), 2)]
    for a in (None, allow):
        assert idx.search(query, k, allow=a, mode="pruned") == idx.search(query, k, allow=a, mode="exhaustive")

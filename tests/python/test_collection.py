"""rk.Collection in memory against the indexes it composes, on the bundled Cranfield: BM25
equals rk.BM25Index, vectors equal rk.VectorIndex (exact), hybrid equals rk.fusion over the
two candidate lists, filters work inside both searches; bad input changes nothing."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import ragkernel as rk
from collection_helpers import DIM, Corpus, load, matches


@pytest.fixture(scope="module")
def cranfield() -> Corpus:
    return load("cranfield")


@pytest.fixture(scope="module")
def col(cranfield: Corpus) -> rk.Collection:
    c = rk.Collection(DIM, index="flat", analyzer="bm25s", bm25={"variant": "bm25l", "k1": 1.2})
    c.add(cranfield.ids, cranfield.texts, cranfield.vectors, cranfield.metadata)
    return c


def test_text_search_equals_bm25_index(cranfield: Corpus, col: rk.Collection) -> None:
    ref = rk.BM25Index("bm25s", variant="bm25l", k1=1.2)
    ref.add(cranfield.ids, cranfield.texts)
    for query in cranfield.queries[:40]:
        hits = col.search(text=query, k=20)
        want = ref.search(query, k=20)
        assert [(h.id, h.score) for h in hits] == [(d, pytest.approx(s, rel=1e-6)) for d, s in want]
        assert [h.sources["bm25"][1] for h in hits] == list(range(1, len(hits) + 1))
        assert all("vector" not in h.sources for h in hits)
    hit = col.search(text=cranfield.queries[0], k=1)[0]
    assert hit.text == cranfield.texts[cranfield.ids.index(hit.id)]
    assert hit.metadata == cranfield.metadata[cranfield.ids.index(hit.id)]
    assert hit.explain()["score"] == pytest.approx(hit.score, rel=1e-6)


def test_vector_search_equals_exact_index(cranfield: Corpus, col: rk.Collection) -> None:
    ref = rk.VectorIndex(DIM, kind="flat")
    ref.add(cranfield.ids, cranfield.vectors)
    want_ids, want_scores = ref.search(cranfield.query_vectors[:30], k=15)
    for i in range(30):
        hits = col.search(vector=cranfield.query_vectors[i], k=15)
        assert hits.ids == list(want_ids[i])
        np.testing.assert_array_equal(np.array(hits.scores, dtype=np.float32), want_scores[i])


@pytest.mark.parametrize("method", ["rrf", "convex", "dbsf"])
def test_hybrid_equals_fusion_of_the_candidates(cranfield: Corpus, col: rk.Collection, method: str) -> None:
    fusion = rk.fusion.Fusion(method, normalizer="zscore", weights=(0.4, 0.6))
    for i in range(0, 60, 3):
        text, vector = cranfield.queries[i], cranfield.query_vectors[i]
        hits = col.search(text=text, vector=vector, k=10, fusion=fusion, candidates=50)
        bm25 = [(h.id, h.score) for h in col.search(text=text, k=50)]
        dense = [(h.id, h.score) for h in col.search(vector=vector, k=50)]
        want = rk.fusion.fuse([bm25, dense], method=method, normalizer="zscore", weights=[0.4, 0.6], k=10)
        assert hits.ids == [w.id for w in want] or [round(h.score, 9) for h in hits] == [
            round(w.score, 9) for w in want
        ]  # ids may differ only inside a tie
        assert [h.score for h in hits] == pytest.approx([w.score for w in want], rel=1e-9)
        for h, w in zip(hits, want, strict=True):
            if h.id == w.id:
                assert h.sources.get("bm25", (None, None))[1] == w.source_ranks[0]
                assert h.sources.get("vector", (None, None))[1] == w.source_ranks[1]


def test_filters_apply_inside_both_searches(cranfield: Corpus, col: rk.Collection) -> None:
    flt = {"year": {"$gte": 1975}, "lang": "de"}
    allowed = [d for d, m in zip(cranfield.ids, cranfield.metadata, strict=True) if matches(m, 1975, "de")]
    assert 50 < len(allowed) < 200  # selective: a post-filtered top-10 would come up short
    bm25 = rk.BM25Index("bm25s", variant="bm25l", k1=1.2)
    bm25.add(cranfield.ids, cranfield.texts)
    dense = rk.VectorIndex(DIM, kind="flat")
    dense.add(cranfield.ids, cranfield.vectors)
    for i in range(0, 100, 7):
        text, vector = cranfield.queries[i], cranfield.query_vectors[i]
        got = col.search(text=text, k=10, filter=flt)
        assert [(h.id, h.score) for h in got] == [
            (d, pytest.approx(s, rel=1e-6)) for d, s in bm25.search(text, k=10, allow=allowed)
        ]
        want_ids, _ = dense.search(vector, k=10, filter=allowed)
        assert col.search(vector=vector, k=10, filter=flt).ids == list(want_ids[0])
        hybrid = col.search(text=text, vector=vector, k=10, filter=flt)
        assert len(hybrid) == 10 and set(hybrid.ids) <= set(allowed)
    # Filters on lists, $exists, $not; a type mismatch is a ValueError naming the field.
    tagged = col.search(text="flow", k=500, filter={"tags": {"$in": ["t2"]}})
    assert tagged and all("t2" in (h.metadata or {}).get("tags", []) for h in tagged)
    untagged = col.search(text="flow", k=500, filter={"tags": {"$exists": False}})
    assert untagged and all("tags" not in (h.metadata or {}) for h in untagged)
    with pytest.raises(ValueError, match="year"):
        col.search(text="flow", filter={"year": {"$gte": "x"}})
    with pytest.raises(ValueError, match=r"\$near"):
        col.search(text="flow", filter={"year": {"$near": 3}})


def test_search_batch_equals_single_searches(cranfield: Corpus, col: rk.Collection) -> None:
    texts = cranfield.queries[:25]
    vectors = cranfield.query_vectors[:25]
    filters = [None if i % 2 else {"lang": "en"} for i in range(25)]
    batch = col.search_batch(texts, vectors, k=7, filter=filters, fusion="dbsf", threads=2)
    for i in range(25):
        single = col.search(texts[i], vectors[i], k=7, filter=filters[i], fusion="dbsf")
        assert batch[i] == single
    text_only = col.search_batch(texts, k=5)
    assert [h.ids for h in text_only] == [col.search(t, k=5).ids for t in texts]
    vector_only = col.search_batch(vectors=vectors, k=5, filter={"lang": "fr"})
    assert [h.ids for h in vector_only] == [col.search(vector=v, k=5, filter={"lang": "fr"}).ids for v in vectors]


def test_writes_reads_and_records(cranfield: Corpus) -> None:
    c = rk.Collection(DIM, index="hnsw", quantization="int8")
    c.add(cranfield.ids[:100], cranfield.texts[:100], cranfield.vectors[:100].astype(np.float16))
    assert len(c) == 100 and "1" in c and "nope" not in c and c.ids()[:3] == cranfield.ids[:3]
    rec = c.get(["2", "nope"])
    assert rec[1] is None and rec[0] is not None
    assert rec[0].text == cranfield.texts[1] and rec[0].metadata == {}
    np.testing.assert_allclose(rec[0].vector, cranfield.vectors[1], atol=1e-3)  # float16 was widened
    assert c.upsert(
        ["2", "new"],
        ["replaced text about zyzzyvas", "a new text about zyzzyvas"],
        cranfield.vectors[:2],
        [{"kind": "edit"}, None],
    ) == [True, False]
    assert set(c.search("zyzzyvas", k=5).ids) == {"2", "new"}
    assert c.get(["2"], include=["metadata"])[0] == rk.Record("2", None, {"kind": "edit"}, None)
    c.delete(["2", "5"])
    assert len(c) == 99 and "2" not in c and c.search("zyzzyvas", k=5).ids == ["new"]
    with pytest.raises(KeyError, match="'2'"):
        c.delete(["2"])


def test_bad_input_changes_nothing(cranfield: Corpus) -> None:
    c = rk.Collection(DIM, index="flat")
    c.add(cranfield.ids[:50], cranfield.texts[:50], cranfield.vectors[:50], cranfield.metadata[:50])
    before = (c.ids(), [(r.text, r.metadata) for r in c.get(c.ids()) if r], c.search("flow", k=50).ids)
    v = cranfield.vectors[50:53].copy()
    bad_calls = [
        (lambda: c.add(["1", "x"], ["a", "b"], v[:2]), ValueError, "'1' already exists"),
        (lambda: c.add(["x", "x"], ["a", "b"], v[:2]), ValueError, "twice"),
        (lambda: c.add(["x", "y"], ["a", ""], v[:2]), ValueError, "'y' is empty"),
        (lambda: c.add(["x"], ["a"], np.full((1, DIM), np.nan, dtype=np.float32)), ValueError, "non-finite"),
        (lambda: c.add(["x"], ["a"], np.zeros((1, DIM), dtype=np.float32)), ValueError, "all zeros"),
        (lambda: c.add(["x"], ["a"], v[:1, :10].copy()), ValueError, "dimension 10, expected 64"),
        (lambda: c.add(["x"], ["a"], v[:1].astype(np.float64)), ValueError, "astype"),
        (lambda: c.add(["x"], ["a"]), ValueError, "vectors are missing"),
        (lambda: c.add(["x", "y"], ["a", "b"], v[:2], [{"year": "1999"}, None]), ValueError, "'year'"),
        (lambda: c.add(["x"], ["a"], v[:1], [{"f": {"nested": 1}}]), ValueError, "'f'"),
        (lambda: c.add(["x"], ["a"], v[:1], [{"w": float("nan")}]), ValueError, "finite"),
        (lambda: c.add(["x"], ["\ud800"], v[:1]), ValueError, "surrogate"),
        (lambda: c.upsert(["1", "x"], ["a", "b"], v[:2], [{"$bad": 1}, None]), ValueError, r"\$"),
        (lambda: c.delete(["1", "ghost"]), KeyError, "'ghost'"),
        (lambda: c.search(), ValueError, "text=..., vector=..."),
        (lambda: c.search(text=""), ValueError, "empty"),
        (lambda: c.search(vector=v[0, :5].copy()), ValueError, "dimension 5"),
        (lambda: c.search("a", v[0], weights={"bm25": 0, "vector": 0}), ValueError, "weights"),
        (lambda: c.search("a", v[0], weights={"bm25": -1}), ValueError, "weights"),
        (lambda: c.search("a", v[0], fusion="borda"), ValueError, "borda"),
        (lambda: c.search("a", v[0], k=10, candidates=5), ValueError, "candidates"),
    ]
    for call, error, message in bad_calls:
        with pytest.raises(error, match=message):
            call()
        assert (c.ids(), [(r.text, r.metadata) for r in c.get(c.ids()) if r], c.search("flow", k=50).ids) == before
    assert c.search("the of and").ids == []  # analyses to no terms: documented as no hits


def test_text_only_collection() -> None:
    c = rk.Collection()
    c.add(["a", "b"], ["first text", "second text"], metadata=[{"n": 1}, {"n": 2}])
    assert c.search("second").ids == ["b"]
    with pytest.raises(ValueError, match="text-only"):
        c.search(vector=np.ones(3, dtype=np.float32))
    with pytest.raises(ValueError, match="text-only"):
        c.add(["c"], ["third"], np.ones((1, 3), dtype=np.float32))
    assert repr(c) == "Collection(text only, documents=2)"


def test_hits_are_small_typed_objects(col: rk.Collection, cranfield: Corpus) -> None:
    hits = col.search(cranfield.queries[3], cranfield.query_vectors[3], k=3)
    assert isinstance(hits, rk.Hits) and isinstance(hits[0], rk.Hit) and len(hits[:2]) == 2
    assert hits.query == cranfield.queries[3]
    assert hits.to_run() == {h.id: h.score for h in hits}
    text = repr(hits)
    assert text.startswith("Hits(3 for ") and "bm25=(" in text and "#1" in text
    assert all(h.score > 0 for h in hits)
    with pytest.raises(ValueError, match="without text"):
        col.search(vector=cranfield.query_vectors[3], k=1)[0].explain()


def test_searches_never_see_half_a_write(cranfield: Corpus) -> None:
    """A writer flips documents between two versions (text, metadata and vector together) and
    deletes and re-adds others; concurrent searches must see each hit whole."""
    c = rk.Collection(DIM, index="hnsw")
    ids = cranfield.ids[:300]

    def version(v: int) -> tuple[list[str], np.ndarray, list[dict[str, object]]]:
        texts = [f"v{v} {t}" for t in cranfield.texts[:300]]
        return texts, cranfield.vectors[:300] * (1.0 if v == 1 else -1.0), [{"v": v}] * 300

    texts, vectors, meta = version(1)
    c.add(ids, texts, vectors, meta)
    stop = threading.Event()
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            for round_ in range(12):
                texts, vectors, meta = version(2 - round_ % 2)
                c.upsert(ids[:150], texts[:150], vectors[:150], meta[:150])
                c.delete(ids[150:160])
                c.add(ids[150:160], texts[150:160], vectors[150:160], meta[150:160])
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)
        finally:
            stop.set()

    t = threading.Thread(target=writer)
    t.start()
    searches = 0
    while not stop.is_set() or searches == 0:
        i = searches % 100
        for h in c.search(cranfield.queries[i], cranfield.query_vectors[i], k=10):
            assert h.metadata is not None and h.text is not None
            assert h.text.startswith(f"v{h.metadata['v']} "), (h.id, h.text[:10], h.metadata)
        searches += 1
    t.join()
    assert not errors
    assert len(c) == 300

"""Collection.add_documents (chunk -> embed through the cache -> index) and what hits give
back: offsets and source ids, replacement of a document's chunks, context packing, tables."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest

import ragkernel as rk
from ragkernel.embedders import FunctionEmbedder

DIM = 16


class Counting:
    """A deterministic embedder (vectors from a hash of the text) that counts its calls."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.embedder = FunctionEmbedder(self._embed, model_id="hash-16", dim=DIM)

    def _embed(self, texts: list[str]) -> np.ndarray:
        self.texts += texts
        rows = [np.random.default_rng(abs(hash(t)) % (1 << 32)).standard_normal(DIM) for t in texts]
        return np.asarray(rows, dtype=np.float32)


@pytest.fixture(scope="module")
def adi() -> list[dict[str, str]]:
    golden = rk.eval.GoldenSet.load(rk.datasets.path("adi"))
    return [{"id": d.id, "text": d.text, "title": d.title} for d in list(golden.corpus().values())[:30]]


def test_chunks_carry_their_source_and_exact_offsets(adi: list[dict[str, str]]) -> None:
    col = rk.Collection(dim=DIM, index="flat")
    counting = Counting()
    report = col.add_documents(adi, embedder=counting.embedder, chunker=rk.Chunker(chunk_size=200, overlap=40))
    assert report.documents == 30 and report.chunks == len(col) > 30 and report.embedded == report.chunks
    by_id = {d["id"]: d for d in adi}
    for record in col.get(col.ids()):
        assert record is not None and record.metadata is not None
        source = by_id[record.metadata["source_id"]]["text"]
        meta = record.metadata
        assert record.id == f"{meta['source_id']}#{meta['chunk']}"
        assert source[meta["start"] : meta["end"]] == record.text
        assert source.encode()[meta["byte_start"] : meta["byte_end"]] == record.text.encode()
        assert meta["token_count"] == len(record.text) <= 200  # chars: the default unit
        assert meta["title"] == by_id[meta["source_id"]]["title"]  # the document's metadata comes along
    for hit in col.search(text="indexing", k=5):
        assert hit.span is not None
        start, end = hit.span
        assert by_id[hit.source_id]["text"][start:end] == hit.text
    whole = rk.Collection(dim=0)
    whole.add(["w"], ["a record added whole"])
    (hit,) = whole.search(text="record")
    assert hit.source_id == "w" and hit.span is None


def test_adding_a_document_again_replaces_its_chunks() -> None:
    col = rk.Collection(dim=DIM, index="flat")
    emb = Counting().embedder
    chunker = rk.Chunker(chunk_size=40, overlap=0)
    long_text = "One sentence about flow. " * 12
    col.add_documents(
        [{"id": "doc", "text": long_text}, {"id": "other", "text": "kept as it is"}], embedder=emb, chunker=chunker
    )
    before = len(col)
    report = col.add_documents([{"id": "doc", "text": "Now short."}], embedder=emb, chunker=chunker)
    assert report.chunks == 1 and report.replaced_chunks == before - 2
    assert sorted(col.ids()) == ["doc#0", "other#0"]
    assert col.get(["doc#0"])[0].text == "Now short."


def test_changing_the_chunker_replaces_the_other_form() -> None:
    col = rk.Collection(dim=0)
    text = "One sentence about flow. " * 12
    col.add_documents([{"id": "doc", "text": text}], chunker=None)  # whole
    report = col.add_documents([{"id": "doc", "text": text}], chunker=rk.Chunker(chunk_size=40, overlap=0))
    assert "doc" not in col and report.replaced_chunks == 1  # the whole record left with the write
    assert set(col.ids()) == {f"doc#{i}" for i in range(report.chunks)}
    report = col.add_documents([{"id": "doc", "text": text}], chunker=None)  # and back
    assert col.ids() == ["doc"] and report.replaced_chunks > 1


def test_a_context_needs_hit_texts() -> None:
    col = rk.Collection(dim=0)
    col.add_documents([{"id": "a", "text": "flow over a plate"}], chunker=None)
    with pytest.raises(ValueError, match="has no text"):
        col.search(text="flow", include=("metadata",)).to_context(max_tokens=50)


def test_whole_documents_and_text_only_collections() -> None:
    col = rk.Collection(dim=0)
    report = col.add_documents(["alpha beta", {"id": "x", "text": "gamma delta"}], chunker=None)
    assert report.embedded == 0
    assert "x" in col and col.search(text="gamma").ids == ["x"]
    assert col.get(["x"])[0].metadata == {
        "source_id": "x", "chunk": 0, "start": 0, "end": 11, "byte_start": 0, "byte_end": 11, "token_count": 11,
    }  # fmt: skip


def test_the_embedding_cache_embeds_each_text_once(tmp_path: pathlib.Path, adi: list[dict[str, str]]) -> None:
    counting = Counting()
    with rk.EmbeddingCache(str(tmp_path / "emb")) as cache:
        first = rk.Collection(dim=DIM, index="flat")
        r1 = first.add_documents(adi[:10], embedder=counting.embedder, embedding_cache=cache)
        second = rk.Collection(dim=DIM, index="flat")
        r2 = second.add_documents(adi[:12], embedder=counting.embedder, embedding_cache=cache)
    assert r1.embedded == r1.chunks and r2.embedded == r2.chunks - r1.chunks
    assert len(counting.texts) == len(set(counting.texts))
    v1 = first.get(["1#0"])[0].vector
    v2 = second.get(["1#0"])[0].vector
    assert v1 is not None and v2 is not None and np.array_equal(v1, v2)


@pytest.mark.parametrize(
    ("docs", "kwargs", "message"),
    [
        ([{"id": "a", "text": "fine"}, {"id": "b", "text": "  \n"}], {}, r"document 'b' \(#1\) has no text"),
        ([{"id": "a", "text": "x"}, {"id": "a", "text": "y"}], {}, "document id 'a' appears twice"),
        (["text"], {"embedder": None}, "stores 16-d vectors: pass embedder="),
        (
            ["text"],
            {"embedder": FunctionEmbedder(lambda t: np.ones((len(t), 4)), model_id="m", dim=4)},
            "makes 4-d vectors",
        ),
        (["text"], {"batch_size": 0}, "batch_size must be positive"),
    ],
)
def test_bad_input_adds_nothing(docs: list[object], kwargs: dict[str, object], message: str) -> None:
    col = rk.Collection(dim=DIM, index="flat")
    col.add_documents(["already here"], embedder=Counting().embedder)
    kwargs.setdefault("embedder", Counting().embedder)
    with pytest.raises(ValueError, match=message):
        col.add_documents(docs, **kwargs)  # type: ignore[arg-type]
    assert len(col) == 1


def test_hits_pack_into_a_context_and_render(adi: list[dict[str, str]]) -> None:
    col = rk.Collection(dim=0)
    col.add_documents(adi, chunker=rk.Chunker(chunk_size=120, overlap=60))
    hits = col.search(text="indexing", k=12)
    context = hits.to_context(max_tokens=150)
    assert context.tokens <= 150 and context.sources
    for passage in context.passages:
        assert passage.text in {d["id"]: d["text"] for d in adi}[passage.source_id]
    assert any(len(p.chunk_ids) > 1 for p in hits.to_context(max_tokens=5000).passages)  # overlaps merged
    run = hits.to_run(by="source_id")
    for source, score in run.items():  # a document scores as its best chunk
        assert score == max(h.score for h in hits if h.metadata["source_id"] == source)
    assert set(run) == {h.metadata["source_id"] for h in hits}
    rows = hits.to_dicts()
    assert rows[0]["rank"] == 1 and rows[0]["sources"]["bm25"]["rank"] == 1
    frame = hits.to_pandas()
    assert list(frame.columns[:8]) == [
        "rank",
        "id",
        "score",
        "bm25_score",
        "bm25_rank",
        "vector_score",
        "vector_rank",
        "text",
    ]
    assert (frame["vector_rank"] == 0).all() and "source_id" in frame.columns
    html = hits._repr_html_()
    assert html.count("<tr>") == len(hits) + 1 and "indexing" in html


def test_html_escapes_text() -> None:
    col = rk.Collection(dim=0)
    col.add(["<b>"], ["<script>alert(1)</script> flow"], metadata=[{"k": "<i>"}])
    html = col.search(text="flow")._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html and "&lt;b&gt;" in html

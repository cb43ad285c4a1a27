"""Property tests: on random Unicode text, every chunker in every unit keeps exact offsets (str
and bytes) and never exceeds the bound."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ragkernel as rk
from chunk_helpers import MINILM_TOKENIZER, check_chunks

PIECES = [
    " ", "  ", "\n", "\n\n", "\r\n", "\t", ". ", "! ", "? ", "...", "。", "\uff01", ", ", "; ",
    "😀", "👍🏽", "🇫🇷", "e\u0301", "中文", "한국어", "Ünï", "Dr. ", "3.14", '"', "# Title\n", "## Sub\n",
    "```\ncode\n```\n", "| a | b |\n|---|---|\n| 1 | 2 |\n", "\u00a0", "\u2028", "ß", "İ", "[CLS]",
]  # fmt: skip
WORD = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12)
TEXT = st.lists(st.one_of(WORD, st.sampled_from(PIECES)), max_size=60).map("".join)
METHODS = ["token", "sentence", "recursive", "markdown", "semantic"]
SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def hashed_embedder(texts: list[str]) -> np.ndarray:
    """Deterministic stand-in for a model: a vector from each text's hash."""
    rows = [np.frombuffer(hashlib.sha256(t.encode("utf-8", "surrogatepass")).digest(), dtype=np.uint8) for t in texts]
    return np.asarray(rows, dtype=np.float32) - 127.5


def run(text: str, method: str, size: int, overlap: int, **kwargs: object) -> list[rk.Chunk]:
    if method == "semantic":
        return rk.chunk(text, method="semantic", chunk_size=size, embedder=hashed_embedder, **kwargs)  # type: ignore[arg-type]
    return rk.chunk(text, method=method, chunk_size=size, overlap=overlap, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("method", METHODS)
@SETTINGS
@given(text=TEXT, size=st.integers(1, 60), overlap_share=st.floats(0, 0.9))
def test_chars(method: str, text: str, size: int, overlap_share: float) -> None:
    overlap = min(int(size * overlap_share), size - 1)
    check_chunks(text, run(text, method, size, overlap, unit="chars"), size, len)


@pytest.mark.parametrize("method", METHODS)
@SETTINGS
@given(text=TEXT, size=st.integers(1, 12), overlap_share=st.floats(0, 0.9))
def test_words(method: str, text: str, size: int, overlap_share: float) -> None:
    overlap = min(int(size * overlap_share), size - 1)
    check_chunks(text, run(text, method, size, overlap, unit="words"), size, lambda t: len(t.split()))


def tokenizers_under_test() -> list[rk.Tokenizer]:
    found = []
    if MINILM_TOKENIZER is not None:
        found.append(rk.Tokenizer.from_file(MINILM_TOKENIZER))
    try:
        from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    except ImportError:
        return found
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    trainer = trainers.BpeTrainer(
        vocab_size=400, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False
    )
    bpe.train_from_iterator(["the quick brown fox jumps over the lazy dog " * 20, json.dumps(PIECES)], trainer)
    found.append(rk.Tokenizer.from_str(bpe.to_str()))
    return found


TOKENIZERS = tokenizers_under_test()


@pytest.mark.parametrize("tokenizer", TOKENIZERS, ids=[t.model_type for t in TOKENIZERS])
@pytest.mark.parametrize("method", METHODS)
@SETTINGS
@given(text=TEXT, size=st.integers(4, 40), overlap_share=st.floats(0, 0.9))
def test_tokens(tokenizer: rk.Tokenizer, method: str, text: str, size: int, overlap_share: float) -> None:
    overlap = min(int(size * overlap_share), size - 1)
    chunks = run(text, method, size, overlap, tokenizer=tokenizer)
    check_chunks(text, chunks, size, tokenizer.count)


@SETTINGS
@given(text=TEXT)
def test_code_point_and_byte_offsets_agree_in_streaming(text: str) -> None:
    import tempfile

    with tempfile.NamedTemporaryFile("wb", suffix=".txt") as f:
        f.write(text.encode("utf-8"))
        f.flush()
        chunks = list(rk.chunk_file(f.name, chunk_size=20, window_bytes=64))
    encoded = text.encode("utf-8")
    for c in chunks:
        assert text[c.start : c.end] == c.text
        assert encoded[c.byte_start : c.byte_end].decode("utf-8") == c.text
        assert len(c.text) <= 20

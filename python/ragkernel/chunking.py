"""Chunking with exact offsets and a hard size bound, in C++.

Every chunk is a contiguous span of its source: ``source[chunk.start:chunk.end] == chunk.text``
(``str`` indices), and ``source.encode()[chunk.byte_start:chunk.byte_end]`` is its UTF-8. No
chunk measures more than ``chunk_size`` in its unit (``"chars"``, ``"words"`` as ``str.split()``
counts them, or ``"tokens"`` of a tokenizer), whatever the method.

>>> import ragkernel as rk
>>> text = "First sentence here. Second one follows. A third closes the paragraph."
>>> [c.text for c in rk.chunk(text, method="sentence", chunk_size=45)]
['First sentence here. Second one follows.', 'A third closes the paragraph.']
>>> c = rk.chunk(text, method="sentence", chunk_size=45)[1]
>>> (c.start, c.end, text[c.start:c.end] == c.text, c.token_count)
(41, 70, True, 29)
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt

from ragkernel import _core
from ragkernel._core import Tokenizer

__all__ = ["Chunk", "Tokenizer", "chunk", "chunk_file", "chunk_many", "recursive_presets"]

Method = Literal["token", "sentence", "recursive", "markdown", "semantic"]
Unit = Literal["chars", "words", "tokens"]
Embedder = Callable[[list[str]], Any]


class _HuggingFaceTokenizer(Protocol):
    def to_str(self) -> str: ...


TokenizerLike = Tokenizer | str | os.PathLike[str] | _HuggingFaceTokenizer


@dataclass(slots=True)
class Chunk:
    """One chunk: its text and where it sits in the source (treat it as read-only).

    ``start``/``end`` are ``str`` indices (code points), ``byte_start``/``byte_end`` UTF-8 byte
    offsets; ``index`` is the chunk's position in its document's list; ``token_count`` is its
    size in the chunker's unit (chars, words or tokens); ``metadata`` holds ``heading_path``
    (markdown: the enclosing headings, outermost first) and ``source_id`` when one was given.
    """

    text: str
    start: int
    end: int
    byte_start: int
    byte_end: int
    index: int
    token_count: int
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def source_id(self) -> str | None:
        value = self.metadata.get("source_id")
        return None if value is None else str(value)


def recursive_presets() -> dict[str, list[str]]:
    """The separator presets of the recursive chunker (``preset=``)."""
    return _core.recursive_presets()


def _positive_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or int(value) <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _resolve_overlap(overlap: float, chunk_size: int) -> int:
    """An overlap given as a count, or as a fraction of chunk_size in [0, 1)."""
    if isinstance(overlap, bool):
        raise ValueError(f"overlap must be an int count or a float fraction in [0, 1), got {overlap!r}")
    if isinstance(overlap, int | np.integer):
        if overlap < 0:
            raise ValueError(f"overlap must be >= 0, got {overlap}")
        return int(overlap)
    if isinstance(overlap, float):
        if not (0.0 <= overlap < 1.0) or math.isnan(overlap):
            raise ValueError(f"overlap as a fraction must be in [0, 1), got {overlap}")
        return int(overlap * chunk_size)
    raise ValueError(f"overlap must be an int count or a float fraction in [0, 1), got {type(overlap).__name__}")


def _resolve_tokenizer(tokenizer: TokenizerLike | None) -> Tokenizer | None:
    if tokenizer is None or isinstance(tokenizer, Tokenizer):
        return tokenizer
    if isinstance(tokenizer, str | os.PathLike):
        return Tokenizer.from_file(os.fspath(tokenizer))
    if hasattr(tokenizer, "to_str"):  # a HuggingFace `tokenizers.Tokenizer`
        return Tokenizer.from_str(tokenizer.to_str())
    raise ValueError(
        "tokenizer must be a ragkernel.Tokenizer, a path to a tokenizer.json or a tokenizers.Tokenizer, "
        f"got {type(tokenizer).__name__}"
    )


def _checked_counter(counter: Callable[[str], int]) -> Callable[[str], int]:
    def count(text: str) -> int:
        n = counter(text)
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0:
            raise ValueError(f"the counter must return a count >= 0, got {n!r} for {text[:40]!r}")
        return int(n)

    return count


def _checked_embedder(embedder: Embedder) -> Callable[[list[str]], npt.NDArray[np.float32]]:
    def embed(texts: list[str]) -> npt.NDArray[np.float32]:
        vectors = np.ascontiguousarray(np.asarray(embedder(texts), dtype=np.float32))
        if vectors.ndim != 2 or vectors.shape[0] != len(texts):
            raise ValueError(
                f"the embedder must return an array of shape ({len(texts)}, dim) for {len(texts)} texts, "
                f"got shape {vectors.shape}"
            )
        return vectors

    return embed


def _replace_surrogates(text: str) -> str:
    # Each lone surrogate becomes one U+FFFD, so str indices stay those of the input.
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _options(
    method: Method,
    chunk_size: int,
    overlap: float,
    unit: Unit | None,
    tokenizer: TokenizerLike | None,
    counter: Callable[[str], int] | None,
    add_special_tokens: bool,
    separators: Sequence[str] | None,
    preset: str,
    embedder: Embedder | None,
    window: int,
    breakpoint_percentile: float,
) -> dict[str, Any]:
    size = _positive_int("chunk_size", chunk_size)
    resolved = _resolve_tokenizer(tokenizer)
    if tokenizer is not None and counter is not None:
        raise ValueError("pass either tokenizer or counter, not both")
    if unit is None:
        unit = "tokens" if resolved is not None or counter is not None else "chars"
    if isinstance(window, bool) or not isinstance(window, int) or window < 0:
        raise ValueError(f"window must be an integer >= 0, got {window!r}")
    return {
        "method": method,
        "chunk_size": size,
        "overlap": _resolve_overlap(overlap, size),
        "unit": unit,
        "tokenizer": resolved,
        "counter": None if counter is None else _checked_counter(counter),
        "add_special_tokens": bool(add_special_tokens),
        "separators": None if separators is None else list(separators),
        "preset": preset,
        "embedder": None if embedder is None else _checked_embedder(embedder),
        "window": window,
        "breakpoint_percentile": float(breakpoint_percentile),
    }


def _chunks(
    text: str, arrays: tuple[Any, ...], source_id: str | None, offset: int = 0, first_index: int = 0
) -> list[Chunk]:
    starts, ends, byte_starts, byte_ends, sizes, paths = arrays
    rows = zip(starts.tolist(), ends.tolist(), byte_starts.tolist(), byte_ends.tolist(), sizes.tolist(), strict=True)
    if paths is None and source_id is None:
        return [
            Chunk(text[s - offset : e - offset], s, e, bs, be, first_index + i, n, {})
            for i, (s, e, bs, be, n) in enumerate(rows)
        ]
    out = []
    for i, (s, e, bs, be, n) in enumerate(rows):
        metadata: dict[str, Any] = {}
        if paths is not None:
            metadata["heading_path"] = paths[i]
        if source_id is not None:
            metadata["source_id"] = source_id
        out.append(Chunk(text[s - offset : e - offset], s, e, bs, be, first_index + i, n, metadata))
    return out


def chunk(
    text: str,
    *,
    method: Method = "recursive",
    chunk_size: int = 512,
    overlap: float = 0,
    unit: Unit | None = None,
    tokenizer: TokenizerLike | None = None,
    counter: Callable[[str], int] | None = None,
    add_special_tokens: bool = False,
    separators: Sequence[str] | None = None,
    preset: str = "text",
    embedder: Embedder | None = None,
    window: int = 1,
    breakpoint_percentile: float = 95.0,
    errors: Literal["strict", "replace"] = "strict",
    source_id: str | None = None,
) -> list[Chunk]:
    """Split one document into chunks of at most ``chunk_size`` units.

    Parameters
    ----------
    text
        The document. Lone surrogates are an error (``errors="strict"``) or become U+FFFD.
    method
        ``"token"`` fixed windows; ``"sentence"`` whole sentences; ``"recursive"`` a separator
        hierarchy (``preset`` or ``separators``); ``"markdown"`` sections under headings, code
        fences and tables kept whole; ``"semantic"`` sentence groups cut where the
        ``window + 1`` sentences before a boundary and the ``window + 1`` after it embed
        further apart than the ``breakpoint_percentile`` of all boundaries (needs
        ``embedder``: ``list[str] -> array``).
    chunk_size
        The hard bound, in ``unit``.
    overlap
        Units shared by consecutive chunks: a count, or a fraction of ``chunk_size`` in [0, 1).
    unit
        ``"chars"`` (code points), ``"words"`` or ``"tokens"``; default ``"tokens"`` when a
        tokenizer or counter is given, else ``"chars"``.
    tokenizer
        A :class:`Tokenizer`, a path to a ``tokenizer.json`` or a ``tokenizers.Tokenizer``.
    counter
        Any ``str -> int`` token counter, called from C++ (memoised per span).
    add_special_tokens
        Count the tokens the tokenizer's post-processor adds (e.g. [CLS] and [SEP]) in each chunk.
    source_id
        Stored in every chunk's metadata, to follow the chunk into a collection.
    """
    if errors not in ("strict", "replace"):
        raise ValueError(f'errors must be "strict" or "replace", got {errors!r}')
    if not isinstance(text, str):
        raise ValueError(f"text must be a str, got {type(text).__name__}")
    options = _options(
        method, chunk_size, overlap, unit, tokenizer, counter, add_special_tokens, separators, preset, embedder,
        window, breakpoint_percentile,
    )  # fmt: skip
    if errors == "replace":
        text = _replace_surrogates(text)
    return _chunks(text, _core.chunk_text(text, **options), source_id)


def chunk_many(
    texts: Sequence[str],
    *,
    method: Method = "recursive",
    chunk_size: int = 512,
    overlap: float = 0,
    unit: Unit | None = None,
    tokenizer: TokenizerLike | None = None,
    counter: Callable[[str], int] | None = None,
    add_special_tokens: bool = False,
    separators: Sequence[str] | None = None,
    preset: str = "text",
    embedder: Embedder | None = None,
    window: int = 1,
    breakpoint_percentile: float = 95.0,
    errors: Literal["strict", "replace"] = "strict",
    source_ids: Sequence[str] | None = None,
) -> list[list[Chunk]]:
    """Chunk many documents in parallel (OpenMP threads, GIL released); options as :func:`chunk`.

    With a Python ``counter`` or ``embedder`` the documents are chunked one after another.
    """
    if errors not in ("strict", "replace"):
        raise ValueError(f'errors must be "strict" or "replace", got {errors!r}')
    texts = list(texts)
    if source_ids is not None and len(source_ids) != len(texts):
        raise ValueError(f"source_ids has {len(source_ids)} ids for {len(texts)} texts; expected one id per text")
    options = _options(
        method, chunk_size, overlap, unit, tokenizer, counter, add_special_tokens, separators, preset, embedder,
        window, breakpoint_percentile,
    )  # fmt: skip
    if errors == "replace":
        texts = [_replace_surrogates(t) if isinstance(t, str) else t for t in texts]
    results = _core.chunk_batch(texts, **options)
    ids: Sequence[str | None] = source_ids if source_ids is not None else [None] * len(texts)
    return [_chunks(t, r, i) for t, r, i in zip(texts, results, ids, strict=True)]


def chunk_file(
    path: str | os.PathLike[str],
    *,
    method: Method = "recursive",
    chunk_size: int = 512,
    overlap: float = 0,
    unit: Unit | None = None,
    tokenizer: TokenizerLike | None = None,
    counter: Callable[[str], int] | None = None,
    add_special_tokens: bool = False,
    separators: Sequence[str] | None = None,
    preset: str = "text",
    embedder: Embedder | None = None,
    window: int = 1,
    breakpoint_percentile: float = 95.0,
    errors: Literal["strict", "replace"] = "strict",
    window_bytes: int = 8 << 20,
    source_id: str | None = None,
) -> Iterator[Chunk]:
    """Stream the chunks of a UTF-8 file of any size, reading ``window_bytes`` at a time.

    Windows end at a blank line (outside code fences), else a line break, else a space; chunks
    never cross a window's end and overlap does not reach across one. Offsets are into the
    whole file's text (after replacement with ``errors="replace"``); ``source_id`` defaults to
    the path.
    """
    options = _options(
        method, chunk_size, overlap, unit, tokenizer, counter, add_special_tokens, separators, preset, embedder,
        window, breakpoint_percentile,
    )  # fmt: skip
    stream = _core.FileChunker(
        os.fspath(path), **options, errors=errors, window_bytes=_positive_int("window_bytes", window_bytes)
    )
    sid = os.fspath(path) if source_id is None else source_id
    produced = 0
    while (window_result := stream.next_window()) is not None:
        window_text, window_start, _byte_start, arrays = window_result
        chunks = _chunks(window_text, arrays, sid, offset=window_start, first_index=produced)
        produced += len(chunks)
        yield from chunks

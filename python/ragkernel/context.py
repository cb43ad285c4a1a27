"""Context packing: the retrieved chunks that fit a prompt's token budget, with citations.

``pack_context(hits, max_tokens=...)`` walks the hits best first and keeps each one whose
addition still fits the budget, counting the tokens of the whole context string as it would be
sent (token counts of concatenations are not sums). Chunks of one document whose spans overlap
or touch are merged into one passage, so shared text is paid for once; chunks are kept or
dropped whole, never cut. Passages are grouped by source, sources ordered by their best hit,
and each source gets a citation number: ``[1] source-id`` above its text.

>>> from ragkernel.context import pack_context
>>> from types import SimpleNamespace as Hit
>>> doc = "alpha beta gamma delta epsilon zeta"
>>> hits = [Hit(id="d#1", text=doc[6:22], score=2.0, metadata={"source_id": "d", "start": 6, "end": 22}),
...         Hit(id="d#0", text=doc[0:16], score=1.0, metadata={"source_id": "d", "start": 0, "end": 16})]
>>> ctx = pack_context(hits, max_tokens=100, tokenizer=lambda s: len(s.split()))
>>> print(ctx.text)
[1] d
alpha beta gamma delta
>>> ctx.tokens, ctx.sources, ctx.dropped
(6, ['d'], [])
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Context", "Passage", "pack_context", "token_counter"]

Counter = Callable[[str], int]


@dataclass
class Passage:
    """Consecutive text of one source: one chunk, or overlapping chunks merged."""

    source_id: str
    text: str
    start: int | None  # str offsets into the source, when the chunks carry them
    end: int | None
    chunk_ids: list[str] = field(default_factory=list)
    score: float = 0.0  # the best score among its chunks


@dataclass(frozen=True)
class Context:
    """A packed context: ``text`` to put in the prompt, and what went into it."""

    text: str
    passages: list[Passage]
    tokens: int  # the counter's count of ``text``
    max_tokens: int
    dropped: list[str]  # ids of the chunks left out for the budget
    sources: list[str]  # citation order: ``[n]`` in ``text`` is ``sources[n - 1]``

    def __str__(self) -> str:
        return self.text

    def citation(self, n: int) -> str:
        """The source id behind ``[n]``."""
        if not 1 <= n <= len(self.sources):
            raise IndexError(f"citation [{n}] does not exist; the context cites [1]..[{len(self.sources)}]")
        return self.sources[n - 1]


def token_counter(tokenizer: Any = None) -> Counter:
    """A ``str -> int`` counter: a :class:`ragkernel.Tokenizer` (or a path to a
    ``tokenizer.json``), any callable, or ``None`` for an estimate of 4 characters per token."""
    if tokenizer is None:
        return lambda text: math.ceil(len(text) / 4)
    if hasattr(tokenizer, "count"):
        return tokenizer.count  # type: ignore[no-any-return]
    if isinstance(tokenizer, str) or hasattr(tokenizer, "__fspath__"):
        from ragkernel.chunking import Tokenizer

        return Tokenizer.from_file(str(tokenizer)).count
    if callable(tokenizer):
        return tokenizer  # type: ignore[no-any-return]
    raise TypeError(
        f"tokenizer must be a ragkernel.Tokenizer, a tokenizer.json path or a str -> int callable, got {tokenizer!r}"
    )


def _span(hit: Any) -> tuple[str, int | None, int | None]:
    meta = getattr(hit, "metadata", None) or {}
    source = meta.get("source_id")
    start, end = meta.get("start"), meta.get("end")
    if source is None:
        return str(hit.id), None, None
    if isinstance(start, int) and isinstance(end, int) and end - start == len(hit.text):
        return str(source), start, end
    return str(source), None, None


def _add(passages: list[Passage], hit: Any) -> list[Passage]:
    """The source's passages with ``hit`` added, merged where spans overlap or touch."""
    source, start, end = _span(hit)
    new = Passage(source, hit.text, start, end, [str(hit.id)], float(hit.score))
    if start is None:
        return [*passages, new]
    merged: list[Passage] = []
    for p in passages:
        spans = (p.start, p.end, new.start, new.end)
        if all(x is not None for x in spans) and p.start <= new.end and new.start <= p.end:  # type: ignore[operator]
            # overlapping or touching spans
            first, second = (p, new) if p.start <= new.start else (new, p)  # type: ignore[operator]
            assert first.end is not None and second.start is not None and second.end is not None
            tail = second.text[first.end - second.start :] if second.end > first.end else ""
            new = Passage(
                source,
                first.text + tail,
                first.start,
                max(first.end, second.end),
                p.chunk_ids + new.chunk_ids,
                max(p.score, new.score),
            )
            continue
        merged.append(p)
    merged.append(new)
    return sorted(merged, key=lambda p: (p.start is None, p.start or 0))


def _render(groups: dict[str, list[Passage]], order: list[str], separator: str) -> str:
    blocks = []
    for n, source in enumerate(order, start=1):
        body = "\n...\n".join(p.text for p in groups[source])
        blocks.append(f"[{n}] {source}\n{body}")
    return separator.join(blocks)


def pack_context(hits: Sequence[Any], *, max_tokens: int, tokenizer: Any = None, separator: str = "\n\n") -> Context:
    """Packs ``hits`` (best first; each with ``id``, ``text``, ``score`` and ``metadata``
    holding ``source_id``, ``start`` and ``end`` when it is a chunk) under ``max_tokens``."""
    if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens <= 0:
        raise ValueError(f"max_tokens must be a positive int, got {max_tokens!r}")
    for hit in hits:
        if not isinstance(getattr(hit, "text", None), str):
            raise ValueError(
                f"hit {getattr(hit, 'id', '?')!r} has no text: search with the text included to pack a context"
            )
    count = token_counter(tokenizer)
    groups: dict[str, list[Passage]] = {}
    order: list[str] = []
    dropped: list[str] = []
    text, tokens = "", 0
    for hit in hits:
        source = _span(hit)[0]
        trial_groups = {**groups, source: _add(groups.get(source, []), hit)}
        trial_order = order if source in order else [*order, source]
        trial = _render(trial_groups, trial_order, separator)
        trial_tokens = count(trial)
        if trial_tokens > max_tokens:
            dropped.append(str(hit.id))
            continue
        groups, order, text, tokens = trial_groups, trial_order, trial, trial_tokens
    passages = [p for source in order for p in groups[source]]
    return Context(text, passages, tokens, max_tokens, dropped, order)

"""Search results: :class:`Hits`, a sequence of :class:`Hit`.

A hit carries its id, its score (the fused score of a hybrid search, else the one source's
score), its text and metadata, and per source the score and 1-based rank that source gave it
(``hit.sources["bm25"]``, ``hit.sources["vector"]``; a source that did not return the document
is absent). ``hit.explain()`` shows how BM25 scored it.
"""

from __future__ import annotations

import reprlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, overload

if TYPE_CHECKING:
    from ragkernel.collection import Collection

__all__ = ["Hit", "Hits"]

_short = reprlib.Repr()
_short.maxstring = 60
_short.maxother = 60


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result."""

    id: str
    score: float
    text: str | None
    metadata: dict[str, Any] | None
    sources: dict[str, tuple[float, int]]  # source -> (its score, its 1-based rank)
    _collection: Collection | None = field(default=None, repr=False, compare=False)
    _query: str | None = field(default=None, repr=False, compare=False)

    @property
    def source_id(self) -> str:
        """The document a chunk came from (``add_documents`` records it); a record added
        whole is its own source."""
        return str((self.metadata or {}).get("source_id", self.id))

    @property
    def span(self) -> tuple[int, int] | None:
        """``(start, end)``: where the chunk's text sits in its source's text (``str``
        indices), or None for a record that is not a chunk."""
        meta = self.metadata or {}
        start, end = meta.get("start"), meta.get("end")
        return (int(start), int(end)) if isinstance(start, int) and isinstance(end, int) else None

    def explain(self) -> dict[str, Any]:
        """The BM25 term contributions to this document's score for the query's text:
        per term its tf, df, idf and score; ``score`` equals the BM25 score of the document."""
        if self._collection is None or self._query is None:
            raise ValueError("this hit came from a search without text; explain() needs the query's text")
        return self._collection.explain(self._query, self.id)

    def __repr__(self) -> str:
        parts = [f"id={self.id!r}", f"score={self.score:.4g}"]
        for name, (score, rank) in self.sources.items():
            parts.append(f"{name}=({score:.4g}, #{rank})")
        if self.text is not None:
            parts.append(f"text={_short.repr(self.text)}")
        if self.metadata:
            parts.append(f"metadata={_short.repr(self.metadata)}")
        return f"Hit({', '.join(parts)})"


class Hits(Sequence[Hit]):
    """The hits of one query, best first."""

    __slots__ = ("_hits", "query")

    def __init__(self, hits: list[Hit], query: str | None = None) -> None:
        self._hits = hits
        self.query = query

    @overload
    def __getitem__(self, i: int) -> Hit: ...
    @overload
    def __getitem__(self, i: slice) -> Hits: ...
    def __getitem__(self, i: int | slice) -> Hit | Hits:
        if isinstance(i, slice):
            return Hits(self._hits[i], self.query)
        return self._hits[i]

    def __len__(self) -> int:
        return len(self._hits)

    def __iter__(self) -> Iterator[Hit]:
        return iter(self._hits)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Hits):
            return self._hits == other._hits
        if isinstance(other, Sequence):
            return self._hits == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    @property
    def ids(self) -> list[str]:
        return [h.id for h in self._hits]

    @property
    def scores(self) -> list[float]:
        return [h.score for h in self._hits]

    @property
    def texts(self) -> list[str | None]:
        return [h.text for h in self._hits]

    def to_run(self, by: str | None = None) -> dict[str, float]:
        """``{id: score}``, the form ``rk.evaluate`` takes per query. ``by="source_id"``
        scores documents instead of chunks: each document gets the score of its best chunk."""
        if by is None:
            return {h.id: h.score for h in self._hits}
        run: dict[str, float] = {}
        for h in self._hits:  # best first: a document's first hit is its best
            run.setdefault(str((h.metadata or {}).get(by, h.id)), h.score)
        return run

    def to_dicts(self) -> list[dict[str, Any]]:
        """One dict per hit: rank, id, score, text, metadata, per-source score and rank."""
        from ragkernel.hits_view import to_dicts

        return to_dicts(self._hits)

    def to_pandas(self) -> Any:
        """A pandas DataFrame, one row per hit, metadata fields as columns."""
        from ragkernel.hits_view import to_pandas

        return to_pandas(self._hits)

    def to_context(self, max_tokens: int, tokenizer: Any = None, *, separator: str = "\n\n") -> Any:
        """The context for a prompt under ``max_tokens`` (see :func:`ragkernel.context.pack_context`):
        overlapping chunks of one document merged, whole chunks dropped rather than cut, sources
        numbered for citations; the result reports the tokens used."""
        from ragkernel.context import pack_context

        return pack_context(self._hits, max_tokens=max_tokens, tokenizer=tokenizer, separator=separator)

    def _repr_html_(self) -> str:
        from ragkernel.hits_view import to_html

        return to_html(self._hits, self.query)

    def __repr__(self) -> str:
        head = f"Hits({len(self._hits)} for {self.query!r})" if self.query is not None else f"Hits({len(self._hits)})"
        if not self._hits:
            return head
        rows = [f"  {i + 1:>2}. {h!r}" for i, h in enumerate(self._hits[:10])]
        if len(self._hits) > 10:
            rows.append(f"  ... {len(self._hits) - 10} more")
        return head + "\n" + "\n".join(rows)


def _from_rows(rows: Sequence[tuple[Any, ...]], collection: Collection, query: str | None) -> Hits:
    hits = []
    for doc_id, score, bs, br, vs, vr, text, metadata in rows:
        sources: dict[str, tuple[float, int]] = {}
        if br is not None:
            sources["bm25"] = (bs, br)
        if vr is not None:
            sources["vector"] = (vs, vr)
        hits.append(Hit(doc_id, score, text, metadata, sources, collection, query))
    return Hits(hits, query)

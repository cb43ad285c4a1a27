"""From documents to a searchable collection: chunk, embed (through the cache), index.

:func:`add_documents` is what ``Collection.add_documents`` runs. Each document becomes chunks
(``Chunker``: ``rk.chunk_many`` options, in C++ and in parallel), each chunk a record with id
``"<document id>#<n>"``, the chunk's text, the document's metadata plus where the chunk came
from (``source_id``, ``chunk``, ``start``/``end`` in ``str`` indices, ``byte_start``/
``byte_end``, ``token_count``, ``heading_path`` for Markdown), and a vector from the embedder
(through ``embedding_cache``, when given, for the texts it does not already hold). Adding a document whose id is
already present replaces all of its chunks.

Every document is checked before anything is written (empty text, missing ids, ids given
twice); the records are then written batch by batch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from ragkernel._progress import batched, progress_bar
from ragkernel.chunking import Chunk, Method, TokenizerLike, Unit, chunk_many
from ragkernel.documents import Document, as_documents
from ragkernel.embedding_cache import EmbeddingCache

__all__ = ["DEFAULT_CHUNKER", "ChunkFn", "Chunker", "IngestReport", "add_documents", "check_documents", "chunk_id"]

Vectors = npt.NDArray[np.float32]


class _Writable(Protocol):
    """What ingestion needs of a collection."""

    @property
    def dim(self) -> int: ...

    def upsert(
        self,
        ids: Sequence[str],
        texts: Sequence[str],
        vectors: Vectors | None = None,
        metadata: Sequence[dict[str, Any] | None] | None = None,
        *,
        delete: Sequence[str] = (),
    ) -> Any: ...

    def __contains__(self, id: object) -> bool: ...


def chunk_id(source_id: str, n: int) -> str:
    """The id of a document's ``n``-th chunk."""
    return f"{source_id}#{n}"


@dataclass(frozen=True)
class Chunker:
    """Chunking options for :func:`ragkernel.chunk_many` (see :func:`ragkernel.chunk`).

    The default cuts recursively at paragraph, line, sentence and word boundaries into chunks
    of at most 1,000 characters with 100 shared between neighbours. Pass ``tokenizer`` (and
    ``unit="tokens"``) to bound chunks by the embedding model's tokens instead.
    """

    method: Method = "recursive"
    chunk_size: int = 1000
    overlap: float = 100
    unit: Unit | None = None
    tokenizer: TokenizerLike | None = None
    preset: str = "text"
    options: dict[str, Any] = field(default_factory=dict)

    def __call__(self, texts: Sequence[str], source_ids: Sequence[str]) -> list[list[Chunk]]:
        return chunk_many(
            list(texts),
            method=self.method,
            chunk_size=self.chunk_size,
            overlap=self.overlap,
            unit=self.unit,
            tokenizer=self.tokenizer,
            preset=self.preset,
            source_ids=list(source_ids),
            **self.options,
        )


ChunkFn = Callable[[Sequence[str], Sequence[str]], list[list[Chunk]]]
DEFAULT_CHUNKER = Chunker()


@dataclass
class IngestReport:
    """What :func:`add_documents` did."""

    documents: int = 0
    chunks: int = 0
    replaced_chunks: int = 0  # chunks of earlier versions of these documents, removed
    embedded: int = 0  # texts the embedder was asked for (the rest came from the cache)
    ids: list[str] = field(default_factory=list)  # ids of the records written, in order

    def __repr__(self) -> str:
        return (
            f"IngestReport(documents={self.documents}, chunks={self.chunks}, "
            f"replaced_chunks={self.replaced_chunks}, embedded={self.embedded})"
        )


def _whole(doc: Document) -> list[Chunk]:
    """A document as one chunk (``chunker=None``)."""
    size = len(doc.text.encode("utf-8"))
    return [Chunk(doc.text, 0, len(doc.text), 0, size, 0, len(doc.text), {"source_id": doc.id})]


def _records(doc: Document, chunks: list[Chunk], chunked: bool) -> list[tuple[str, str, dict[str, Any]]]:
    out = []
    for c in chunks:
        meta = dict(doc.metadata)
        meta.update(
            source_id=doc.id,
            chunk=c.index,
            start=c.start,
            end=c.end,
            byte_start=c.byte_start,
            byte_end=c.byte_end,
            token_count=c.token_count,
        )
        if c.metadata.get("heading_path"):
            meta["heading_path"] = [str(h) for h in c.metadata["heading_path"]]
        out.append((chunk_id(doc.id, c.index) if chunked else doc.id, c.text, meta))
    return out


def _existing_chunks(col: _Writable, source_id: str) -> list[str]:
    ids: list[str] = []
    while chunk_id(source_id, len(ids)) in col:
        ids.append(chunk_id(source_id, len(ids)))
    return ids


class _Counting:
    """Counts the texts an embedder is really asked to embed (the cache's misses)."""

    def __init__(self, embed: Callable[[list[str]], Any]) -> None:
        self.embed, self.count = embed, 0

    def __call__(self, texts: list[str]) -> Any:
        self.count += len(texts)
        return self.embed(texts)


def _embed_fn(
    embedder: Callable[[list[str]], Any], dim: int, cache: EmbeddingCache | None
) -> tuple[Callable[[list[str]], Any], _Counting]:
    counting = _Counting(embedder)
    if cache is None:
        return counting, counting
    model = getattr(embedder, "model_id", None)
    if not isinstance(model, str):
        raise ValueError("an embedding cache needs the embedder's model_id: wrap functions in FunctionEmbedder")
    normalized = bool(getattr(embedder, "normalized", False))
    return cache.wrap(counting, model=model, dim=dim, normalized=normalized), counting


def check_documents(docs: Iterable[Any], batch_size: int = 256) -> list[Document]:
    """The documents as :class:`Document` objects, checked before anything is written: every
    one has text and a unique id, and ``batch_size`` is positive."""
    if batch_size <= 0:
        raise ValueError(f"batch_size must be positive, got {batch_size}")
    documents = list(as_documents(docs))
    seen: set[str] = set()
    for n, doc in enumerate(documents):
        if not doc.text.strip():
            raise ValueError(f"document {doc.id!r} (#{n}) has no text; remove it or give it text (nothing was added)")
        if doc.id in seen:
            raise ValueError(f"document id {doc.id!r} appears twice (#{n}); ids must be unique (nothing was added)")
        seen.add(doc.id)
    return documents


def add_documents(
    col: _Writable,
    docs: Iterable[Any],
    *,
    embedder: Callable[[list[str]], Any] | None = None,
    chunker: Chunker | ChunkFn | None = DEFAULT_CHUNKER,
    embedding_cache: EmbeddingCache | None = None,
    batch_size: int = 256,
    progress: bool | None = None,
) -> IngestReport:
    """Chunk, embed and index ``docs`` (see the module documentation); returns a report.

    ``progress=None`` shows a progress bar when stderr is a terminal.
    """
    documents = check_documents(docs, batch_size)
    dim = col.dim
    if dim > 0 and embedder is None:
        raise ValueError(
            f"this collection stores {dim}-d vectors: pass embedder=... (e.g. "
            "ragkernel.embedders.default_embedder()), or create it with dim=0 for text only"
        )
    embedder_dim = getattr(embedder, "dim", None)
    if dim > 0 and isinstance(embedder_dim, int) and embedder_dim != dim:
        raise ValueError(
            f"the embedder makes {embedder_dim}-d vectors but this collection stores {dim}-d ones; "
            f"use the embedder the collection was built with, or a new collection with dim={embedder_dim}"
        )
    embed, counting = _embed_fn(embedder, dim, embedding_cache) if dim > 0 and embedder else (None, None)
    chunked = chunker is not None
    report = IngestReport(documents=len(documents))
    with progress_bar(len(documents), "indexing", enabled=progress) as advance:
        for group in batched(documents, max(1, batch_size // 8)):
            if chunker is not None:
                chunk_lists = chunker([d.text for d in group], [d.id for d in group])
            else:
                chunk_lists = [_whole(d) for d in group]
            records = [
                r for doc, chunks in zip(group, chunk_lists, strict=True) for r in _records(doc, chunks, chunked)
            ]
            # What an earlier add left of these documents and this one does not overwrite: surplus
            # chunks, or the other form (chunks vs the whole record) after a change of chunker.
            stale = []
            for doc, chunks in zip(group, chunk_lists, strict=True):
                fresh = {chunk_id(doc.id, c.index) if chunked else doc.id for c in chunks}
                earlier = _existing_chunks(col, doc.id) + ([doc.id] if doc.id in col else [])
                stale += [i for i in earlier if i not in fresh]
            batches = list(batched(records, batch_size))
            for n, batch in enumerate(batches):
                ids = [r[0] for r in batch]
                texts = [r[1] for r in batch]
                vectors = None if embed is None else np.ascontiguousarray(embed(texts), dtype=np.float32)
                # The last write of a group also removes the stale chunks of its re-chunked
                # documents, in the same atomic write: a reader never sees a document half-replaced
                # within one batch.
                last = n == len(batches) - 1
                col.upsert(ids, texts, vectors, [r[2] for r in batch], delete=stale if last else ())
                report.ids += ids
            report.chunks += len(records)
            report.replaced_chunks += len(stale)
            advance(len(group))
    report.embedded = counting.count if counting is not None else 0
    return report

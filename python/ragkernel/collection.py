"""Collections: documents searchable by BM25, by vector and by both fused, with metadata filters.

>>> import numpy as np, ragkernel as rk
>>> col = rk.Collection(dim=3, index="flat")
>>> col.add(ids=["a", "b", "c"],
...         texts=["The boundary layer of a flat plate.", "Supersonic flow past a cone.", "Heat transfer in flow."],
...         vectors=np.eye(3, dtype=np.float32),
...         metadata=[{"year": 2019}, {"year": 2023}, {"year": 2024}])
>>> col.search(text="flow", filter={"year": {"$gte": 2024}}).ids
['c']
>>> hits = col.search(text="flat plate flow", vector=np.array([0, 1, 0], dtype=np.float32), k=2)
>>> [(h.id, sorted(h.sources)) for h in hits]
[('a', ['bm25', 'vector']), ('b', ['bm25', 'vector'])]

In memory (``Collection(...)``) or durable on RocksDB (``Collection.create(path, ...)``,
``Collection.open(path)``): then every add, upsert and delete is one atomic write through the
write-ahead log, and a collection closed and opened again answers every query exactly as before.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from ragkernel import _core
from ragkernel._handle import StoreHandle
from ragkernel.embedding_cache import EmbeddingCache
from ragkernel.fusion import Fusion
from ragkernel.hits import Hit, Hits, _from_rows
from ragkernel.ingest import DEFAULT_CHUNKER, Chunker, ChunkFn, IngestReport, add_documents
from ragkernel.store import Access, BlockCache
from ragkernel.text import Analyzer

__all__ = ["Collection", "Hit", "Hits", "Record"]

Metric = Literal["cosine", "ip", "l2"]
IndexKind = Literal["flat", "hnsw"]
Quantization = Literal["int8", "int4", "binary"] | None
Include = Sequence[Literal["text", "metadata", "vector"]]
FilterLike = Mapping[str, Any]

_FIELDS = {"text": 1, "metadata": 2, "vector": 4}
_MB = 1 << 20
_BM25_KEYS = ("variant", "k1", "b", "delta")


@dataclass(frozen=True)
class Record:
    """A stored document as :meth:`Collection.get` returns it."""

    id: str
    text: str | None
    metadata: dict[str, Any] | None
    vector: npt.NDArray[np.float32] | None


def _ids(ids: Iterable[str], name: str = "ids") -> list[str]:
    if isinstance(ids, (str, bytes)):
        raise TypeError(f"{name} must be a list of str, got a single {type(ids).__name__}; wrap it in a list")
    out = list(ids.tolist() if isinstance(ids, np.ndarray) else ids)
    for i, value in enumerate(out):
        if not isinstance(value, str):
            raise TypeError(f"{name}[{i}] must be str, got {type(value).__name__}")
    return out


def _floats(vectors: npt.ArrayLike | None) -> Any:
    # float16 is widened explicitly; any other dtype is left for the core to reject by name.
    if isinstance(vectors, np.ndarray) and vectors.dtype == np.float16:
        return np.ascontiguousarray(vectors, dtype=np.float32)
    return vectors


def _fields(include: Include) -> int:
    bits = 0
    for name in include:
        if name not in _FIELDS:
            raise ValueError(f"include has {name!r}; expected 'text', 'metadata' or 'vector'")
        bits |= _FIELDS[name]
    return bits


def _analyzer(analyzer: str | Analyzer) -> str:
    return (analyzer if isinstance(analyzer, Analyzer) else Analyzer(analyzer)).serialize()


def _bm25(bm25: Mapping[str, Any] | None) -> tuple[str, float, float, float]:
    params: dict[str, Any] = {"variant": "lucene", "k1": 1.5, "b": 0.75, "delta": 0.5}
    for key, value in (bm25 or {}).items():
        if key not in params:
            raise ValueError(f"bm25 has {key!r}; expected keys among {', '.join(_BM25_KEYS)}")
        params[key] = value
    return str(params["variant"]), float(params["k1"]), float(params["b"]), float(params["delta"])


def _fusion(fusion: str | Fusion, weights: Mapping[str, float] | Sequence[float] | None) -> Fusion:
    spec = fusion if isinstance(fusion, Fusion) else Fusion(fusion)
    if weights is None:
        return spec
    if isinstance(weights, Mapping):
        unknown = set(weights) - {"bm25", "vector"}
        if unknown:
            raise ValueError(f"weights has {sorted(unknown)}; expected the keys 'bm25' and 'vector'")
        pair = (float(weights.get("bm25", 1.0)), float(weights.get("vector", 1.0)))
    else:
        pair = (float(weights[0]), float(weights[1])) if len(weights) == 2 else (float("nan"),) * 2
        if len(weights) != 2:
            raise ValueError(f"weights must be (bm25, vector) or a dict, got {weights!r}")
    return Fusion(spec.method, spec.rrf_k, spec.normalizer, pair)


class Collection(StoreHandle[_core.Collection]):
    """Documents (id, text, metadata, vector) searchable by BM25, by vector and by both fused.

    Parameters
    ----------
    dim:
        Vector dimension; 0 (the default) makes a text-only collection.
    metric:
        ``"cosine"``, ``"ip"`` or ``"l2"`` (squared distance: lower is better).
    index:
        ``"hnsw"`` (graph search) or ``"flat"`` (exact scan).
    quantization:
        ``None`` (float32), ``"int8"``, ``"int4"`` or ``"binary"`` (rescored with float32
        unless ``keep_float=False``).
    analyzer:
        ``"lucene"``, ``"bm25s"`` or an :class:`ragkernel.Analyzer`; stored with the collection,
        so queries are analysed exactly as documents were.
    bm25:
        ``{"variant": "lucene"|"robertson"|"atire"|"bm25l"|"bm25+", "k1": 1.5, "b": 0.75, "delta": 0.5}``.
    M, ef_construction, ef_search, seed:
        HNSW settings (``ef`` per search overrides ``ef_search``).
    """

    def __init__(
        self,
        dim: int = 0,
        *,
        metric: Metric = "cosine",
        index: IndexKind = "hnsw",
        quantization: Quantization = None,
        keep_float: bool = True,
        analyzer: str | Analyzer = "lucene",
        bm25: Mapping[str, Any] | None = None,
        M: int = 16,
        ef_construction: int = 200,
        ef_search: int = 64,
        seed: int = 42,
    ) -> None:
        _check_dim(dim)
        self._core = _core.Collection(
            dim,
            metric,
            index,
            quantization or "none",
            keep_float,
            M,
            ef_construction,
            ef_search,
            seed,
            _analyzer(analyzer),
            *_bm25(bm25),
        )

    @classmethod
    def _wrap(cls, core: _core.Collection) -> Collection:
        self = cls.__new__(cls)
        self._core = core
        return self

    @classmethod
    def create(
        cls,
        path: str | os.PathLike[str],
        dim: int = 0,
        *,
        metric: Metric = "cosine",
        index: IndexKind = "hnsw",
        quantization: Quantization = None,
        keep_float: bool = True,
        analyzer: str | Analyzer = "lucene",
        bm25: Mapping[str, Any] | None = None,
        M: int = 16,
        ef_construction: int = 200,
        ef_search: int = 64,
        seed: int = 42,
        block_cache: BlockCache | None = None,
        block_cache_mb: int = 64,
        sync: bool = False,
    ) -> Collection:
        """A new durable collection in ``path`` (a new or empty directory); settings as for
        ``Collection(...)``, kept in the collection's manifest. ``sync=True`` fsyncs every write
        (survives power loss, not only a killed process)."""
        _check_dim(dim)
        return cls._wrap(
            _core.Collection.create(
                os.fspath(path),
                dim,
                metric,
                index,
                quantization or "none",
                keep_float,
                M,
                ef_construction,
                ef_search,
                seed,
                _analyzer(analyzer),
                *_bm25(bm25),
                block_cache,
                block_cache_mb * _MB,
                sync,
            )
        )

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        access: Access = "read_write",
        dim: int | None = None,
        restore: Literal["snapshot", "rebuild", "rebuild_text"] = "snapshot",
        mmap: bool = False,
        block_cache: BlockCache | None = None,
        block_cache_mb: int = 64,
        sync: bool = False,
        checkpoint_min_changes: int = 10_000,
    ) -> Collection:
        """Opens a durable collection with the settings it was created with.

        ``access``: ``"read_write"`` (one writer process per directory), ``"read_only"`` (a
        frozen view, once the writer has closed) or ``"secondary"`` (follows a live writer on
        each :meth:`catch_up`). ``dim``: when given, the stored dimension must equal it.
        ``restore="rebuild"`` re-indexes the stored vectors and texts instead of loading the
        snapshot files (the way out of a damaged one); ``"rebuild_text"`` loads the vector
        snapshot and re-analyses the texts only (a damaged lexical snapshot; a lexical snapshot
        written by a build whose analyzer behaves differently is re-analysed automatically);
        ``mmap=True`` maps the snapshot instead of
        reading it (fast open; pages load on use). ``checkpoint_min_changes``: a snapshot is
        written once this many documents changed and at least as many as it holds (0: only at
        close, :meth:`checkpoint` and :meth:`compact`).
        """
        if dim is not None:
            _check_dim(dim)
        return cls._wrap(
            _core.Collection.open(
                os.fspath(path),
                access,
                dim,
                restore,
                mmap,
                block_cache,
                block_cache_mb * _MB,
                sync,
                checkpoint_min_changes,
            )
        )

    # ------------------------------------------------------------------ settings

    @property
    def dim(self) -> int:
        return self._core.dim

    @property
    def metric(self) -> str:
        return str(self._core.options()["metric"])

    @property
    def index(self) -> str:
        return str(self._core.options()["index"])

    @property
    def quantization(self) -> str | None:
        q = str(self._core.options()["quantization"])
        return None if q == "none" else q

    @property
    def analyzer(self) -> Analyzer:
        return Analyzer.from_serialized(str(self._core.options()["analyzer"]))

    @property
    def bm25(self) -> dict[str, Any]:
        return dict(self._core.options()["bm25"])

    @property
    def durable(self) -> bool:
        return self._core.durable

    @property
    def path(self) -> str | None:
        return self._core.path if self._core.durable else None

    @property
    def access(self) -> str:
        return self._core.access

    def __repr__(self) -> str:
        where = f"path={self.path!r}, " if self.durable else ""
        if self.closed:
            return f"Collection({where}closed)"
        vectors = f"dim={self.dim}, metric={self.metric!r}, index={self.index!r}, " if self.dim else "text only, "
        q = f"quantization={self.quantization!r}, " if self.quantization else ""
        return f"Collection({where}{vectors}{q}documents={len(self)})"

    # ------------------------------------------------------------------ writes

    def add(
        self,
        ids: Sequence[str],
        texts: Sequence[str],
        vectors: npt.ArrayLike | None = None,
        metadata: Sequence[Mapping[str, Any] | None] | None = None,
    ) -> None:
        """Adds new documents. ``vectors``: float32 (or float16) ``[n, dim]``, required when
        ``dim > 0``; ``metadata``: one dict (or None) per id, values str, int, float, bool or
        list of str. All-or-nothing: an existing or repeated id, an empty text, a wrong
        dimension, a NaN or a metadata type clash raises ``ValueError`` and adds nothing."""
        self._write(False, ids, texts, vectors, metadata, ())

    def upsert(
        self,
        ids: Sequence[str],
        texts: Sequence[str],
        vectors: npt.ArrayLike | None = None,
        metadata: Sequence[Mapping[str, Any] | None] | None = None,
        *,
        delete: Sequence[str] = (),
    ) -> list[bool]:
        """Adds new documents and replaces present ones whole (text, metadata and vector);
        returns, per id, whether it replaced one. ``delete``: ids removed in the same atomic
        write (a re-chunked source: new chunks in, stale ones out). All-or-nothing, like
        :meth:`add`; a ``delete`` id that is absent raises ``KeyError``."""
        return self._write(True, ids, texts, vectors, metadata, delete)

    def _write(
        self,
        upsert: bool,
        ids: Sequence[str],
        texts: Sequence[str],
        vectors: npt.ArrayLike | None,
        metadata: Sequence[Mapping[str, Any] | None] | None,
        delete: Sequence[str],
    ) -> list[bool]:
        id_list = _ids(ids)
        if isinstance(texts, str):
            raise TypeError("texts must be a list of str, got a single str; wrap it in a list")
        if vectors is None and self.dim > 0 and id_list:
            raise ValueError(
                f"vectors are missing: this collection keeps a {self.dim}-dimensional vector per document; "
                f"pass vectors=array of shape [{len(id_list)}, {self.dim}]"
            )
        meta = None if metadata is None else [None if m is None else dict(m) for m in metadata]
        return self._core.write(upsert, id_list, list(texts), _floats(vectors), meta, _ids(delete, "delete"))

    def add_documents(
        self,
        docs: Iterable[Any],
        *,
        embedder: Callable[[list[str]], Any] | None = None,
        chunker: Chunker | ChunkFn | None = DEFAULT_CHUNKER,
        embedding_cache: EmbeddingCache | None = None,
        batch_size: int = 256,
        progress: bool | None = None,
    ) -> IngestReport:
        """Chunks, embeds and indexes documents (strings, dicts with ``text``, LangChain or
        LlamaIndex documents): see :func:`ragkernel.ingest.add_documents`. Each chunk becomes a
        record ``"<doc id>#<n>"`` whose metadata holds ``source_id`` and its offsets; a document
        added again replaces its chunks. ``chunker=None`` keeps documents whole."""
        return add_documents(
            self,
            docs,
            embedder=embedder,
            chunker=chunker,
            embedding_cache=embedding_cache,
            batch_size=batch_size,
            progress=progress,
        )

    def as_retriever(self, embedder: Any = None, **options: Any) -> Any:
        """A LangChain retriever over this collection (needs ``langchain-core``): hybrid by
        default (``mode="bm25"``/``"dense"``), with ``k``, ``filter``, ``fusion``, ``weights``;
        ``embedder`` (a ragkernel embedder or LangChain ``Embeddings``) embeds the queries."""
        from ragkernel.integrations.langchain import RagkernelRetriever

        return RagkernelRetriever(collection=self, embeddings=embedder, **options)

    def delete(self, ids: Sequence[str]) -> None:
        """Deletes documents; an unknown id raises ``KeyError`` and deletes nothing."""
        self._core.delete(_ids(ids))

    # ------------------------------------------------------------------ reads

    def get(self, ids: Sequence[str], *, include: Include = ("text", "metadata", "vector")) -> list[Record | None]:
        """The stored documents, ``None`` for absent ids."""
        id_list = _ids(ids)
        out: list[Record | None] = []
        for doc_id, got in zip(id_list, self._core.get(id_list, _fields(include)), strict=True):
            out.append(None if got is None else Record(doc_id, *got))
        return out

    def ids(self) -> list[str]:
        """Every id, in the order of their internal ids (insertion order until ids are reused)."""
        return self._core.ids()

    def __len__(self) -> int:
        return len(self._core)

    def __contains__(self, doc_id: object) -> bool:
        return isinstance(doc_id, str) and self._core.contains(doc_id)

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids())

    # ------------------------------------------------------------------ search

    def search(
        self,
        text: str | None = None,
        vector: npt.ArrayLike | None = None,
        *,
        k: int = 10,
        filter: FilterLike | None = None,
        fusion: str | Fusion = "rrf",
        weights: Mapping[str, float] | Sequence[float] | None = None,
        candidates: int | None = None,
        ef: int | None = None,
        include: Include = ("text", "metadata"),
    ) -> Hits:
        """The best ``k`` documents for ``text`` (BM25), ``vector`` (nearest neighbours) or both
        (each source returns ``candidates`` documents, default ``max(k, 100)``, fused by
        ``fusion``: ``"rrf"``, ``"convex"``, ``"dbsf"`` or a :class:`ragkernel.fusion.Fusion`;
        ``weights`` as ``{"bm25": w, "vector": w}``). ``filter`` (Chroma/Pinecone syntax) is
        compiled once into an allow-set that both searches use while searching. ``ef``: HNSW
        beam width for this call. The GIL is released."""
        if vector is not None:
            vector = _floats(vector)
        rows = self._search(
            [text] if text is not None else None, vector, k, filter, fusion, weights, candidates, ef, include, 0
        )
        return _from_rows(rows[0], self, text)

    def search_batch(
        self,
        texts: Sequence[str | None] | None = None,
        vectors: npt.ArrayLike | None = None,
        *,
        k: int = 10,
        filter: FilterLike | Sequence[FilterLike | None] | None = None,
        fusion: str | Fusion = "rrf",
        weights: Mapping[str, float] | Sequence[float] | None = None,
        candidates: int | None = None,
        ef: int | None = None,
        include: Include = ("text", "metadata"),
        threads: int | None = None,
    ) -> list[Hits]:
        """Many queries at once (texts and/or vectors ``[nq, dim]``; one filter for all, or one
        per query), searched in parallel with the GIL released; result i belongs to query i."""
        if isinstance(texts, str):
            raise TypeError("texts must be a list of str; for one query use search(text=...)")
        text_list = None if texts is None else list(texts)
        rows = self._search(
            text_list, _floats(vectors), k, filter, fusion, weights, candidates, ef, include, threads or 0
        )
        queries: list[str | None] = text_list if text_list is not None else [None] * len(rows)
        return [_from_rows(r, self, q) for r, q in zip(rows, queries, strict=True)]

    def _search(
        self,
        texts: list[str | None] | None,
        vectors: Any,
        k: int,
        filter: Any,
        fusion: str | Fusion,
        weights: Mapping[str, float] | Sequence[float] | None,
        candidates: int | None,
        ef: int | None,
        include: Include,
        threads: int,
    ) -> list[list[tuple[Any, ...]]]:
        if texts is None and vectors is None:
            raise ValueError("a search needs text=..., vector=... or both")
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        spec = _fusion(fusion, weights)
        filt = filter
        if filter is not None and not isinstance(filter, Mapping):
            filt = [None if f is None else dict(f) for f in filter]
        elif filter is not None:
            filt = dict(filter)
        return self._core.search(
            texts,
            vectors,
            k,
            filt,
            spec.method,
            spec.rrf_k,
            spec.normalizer,
            spec.source_weights,
            candidates or 0,
            ef or 0,
            _fields([f for f in include if f != "vector"]),
            threads,
        )

    def explain(self, query: str, id: str) -> dict[str, Any]:
        """How BM25 scores document ``id`` for ``query``: per query term its tf, df, idf and
        contribution; ``score`` equals the BM25 score a search gives the document."""
        return self._core.explain(query, id)

    # ------------------------------------------------------------------ maintenance

    def stats(self) -> dict[str, Any]:
        """Documents, vocabulary, memory of the indexes; for a durable collection also RocksDB's
        keys and bytes per column family, disk bytes, block-cache hit rate, and the snapshot."""
        return self._core.stats()

    def checkpoint(self) -> None:
        """Durable writers: write a vector snapshot now (open replays only what came after)."""
        self._core.checkpoint()

    def compact(self) -> None:
        """Durable writers: checkpoint, then compact every column family."""
        self._core.compact()

    def close(self) -> None:
        """Durable writers write a snapshot if anything changed, then release the directory.
        Later calls raise ``ValueError``. Closing twice is fine."""
        self._core.close()


def _check_dim(dim: int) -> None:
    if not isinstance(dim, int) or dim < 0:
        raise ValueError(f"dim must be a non-negative int (0: text only), got {dim!r}")

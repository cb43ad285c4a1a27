"""Vector search with string ids: exact (flat) or HNSW, over float32, int8, int4 or binary codes.

>>> import numpy as np, ragkernel as rk
>>> vecs = np.eye(4, dtype=np.float32)
>>> index = rk.VectorIndex(dim=4, metric="cosine")
>>> index.add(["a", "b", "c", "d"], vecs)
>>> ids, scores = index.search(vecs[:1], k=2)
>>> ids[0, 0], float(scores[0, 0])
('a', 1.0)

Scores: for ``cosine`` and ``ip`` the similarity (higher is better); for ``l2`` the squared
Euclidean distance (lower is better). Rows are best first; when fewer than ``k`` results
exist the row is padded with ``""`` and ``NaN``.

Concurrency: searches from many threads are safe while one thread adds, upserts or removes;
every call releases the GIL. ``ef`` and the other search parameters belong to the call, never
to the index.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable
from typing import Literal

import numpy as np
import numpy.typing as npt

from ragkernel import _core

__all__ = ["AllowSet", "VectorIndex"]

AllowSet = _core.AllowSet

Metric = Literal["cosine", "ip", "l2"]
Kind = Literal["flat", "hnsw"]
Quantization = Literal["int8", "int4", "binary"] | None


def _ids(ids: Iterable[str], name: str = "ids") -> list[str]:
    if isinstance(ids, (str, bytes)):
        raise TypeError(f"{name} must be a sequence of str, got a single {type(ids).__name__}; wrap it in a list")
    if isinstance(ids, np.ndarray):
        ids = ids.tolist()
    out = list(ids)
    for i, value in enumerate(out):
        if not isinstance(value, str):
            raise TypeError(f"{name}[{i}] must be str, got {type(value).__name__}")
    return out


def _floats(vectors: npt.ArrayLike, name: str) -> object:
    # float16 is widened explicitly; any other dtype is left for the core to reject by name.
    if isinstance(vectors, np.ndarray) and vectors.dtype.char == "e":  # float16, either byte order
        return np.ascontiguousarray(vectors, dtype=np.float32)
    return vectors


class VectorIndex:
    """A vector index with string ids.

    Parameters
    ----------
    dim:
        Vector dimension.
    metric:
        ``"cosine"`` (vectors are normalised on insert; ``get`` returns them as given), ``"ip"``
        (inner product) or ``"l2"`` (squared Euclidean distance).
    kind:
        ``"flat"``: exact scan (also the oracle for the others). ``"hnsw"``: graph search.
    quantization:
        ``None`` (float32), ``"int8"`` (per-dimension trained ranges, 4x smaller), ``"int4"``
        (4 bits per dimension, 8x smaller: the fastest graph traversal) or ``"binary"`` (1 bit
        per dimension, 32x smaller); quantized scans and traversals rescore an oversampled
        candidate set with float32. With ``keep_float=False`` they rescore with the codes:
        int8 ones, kept beside binary codes; for int4, a 3-bit refinement of each 4-bit code
        (7 bits per dimension in all, less than int8 alone).
    keep_float:
        Keep float32 vectors next to the codes for rescoring and ``get``.
    M, ef_construction, ef_search:
        HNSW links per node (2*M on the base level), build beam width and the default search
        beam width (override per call with ``ef=``).
    seed:
        Seed of the HNSW level assignment.
    """

    def __init__(
        self,
        dim: int,
        *,
        metric: Metric = "cosine",
        kind: Kind = "flat",
        quantization: Quantization = None,
        keep_float: bool = True,
        M: int = 16,
        ef_construction: int = 200,
        ef_search: int = 64,
        seed: int = 42,
    ) -> None:
        if dim <= 0:
            raise ValueError(f"dim must be at least 1, got {dim}")
        self._index = _core.VectorIndex(
            dim, metric, kind, quantization or "none", keep_float, M, ef_construction, ef_search, seed
        )

    @classmethod
    def _wrap(cls, core: _core.VectorIndex) -> VectorIndex:
        self = cls.__new__(cls)
        self._index = core
        return self

    @property
    def dim(self) -> int:
        return self._index.dim

    @property
    def metric(self) -> str:
        return self._index.metric

    @property
    def kind(self) -> str:
        return self._index.kind

    @property
    def quantization(self) -> str | None:
        q = self._index.quantization
        return None if q == "none" else q

    def __repr__(self) -> str:
        return (
            f"VectorIndex(dim={self.dim}, metric={self.metric!r}, kind={self.kind!r}, "
            f"quantization={self.quantization!r}, size={len(self)})"
        )

    def add(self, ids: Iterable[str], vectors: npt.ArrayLike) -> None:
        """Adds vectors [n, dim] under new ids; ValueError (and no change) if an id exists."""
        self._index.add(_ids(ids), _floats(vectors, "vectors"))

    def upsert(self, ids: Iterable[str], vectors: npt.ArrayLike) -> None:
        """Adds new ids and replaces the vectors of existing ones."""
        self._index.upsert(_ids(ids), _floats(vectors, "vectors"))

    def remove(self, ids: Iterable[str]) -> None:
        """Removes ids; KeyError (and no change) if one is absent."""
        self._index.remove(_ids(ids))

    def get(self, ids: Iterable[str]) -> npt.NDArray[np.float32]:
        """The stored vectors [n, dim], as they were given."""
        return self._index.get(_ids(ids))

    def contains(self, id: str) -> bool:
        return self._index.contains(id)

    def __contains__(self, id: object) -> bool:
        return isinstance(id, str) and self._index.contains(id)

    def __len__(self) -> int:
        return len(self._index)

    def memory_usage(self) -> int:
        """Bytes held by the vectors, codes, graph and ids."""
        return self._index.memory_usage()

    def optimize(self) -> None:
        """Lays an HNSW index out in memory for faster searches (a no-op for flat indexes).

        Rows that a search reads together are moved next to each other (a breadth-first order
        of the graph); on 1M rows this made single queries about 10% faster. ``add`` and
        ``upsert`` do it themselves after a batch that is at least half the index (from 16,384
        rows on), so a bulk load needs no call; after building in many smaller batches, call it
        once. Ids, results and saved files are unchanged; allow-sets made before it are refused
        (make them again). Searches wait while it runs, about a second per million rows.
        """
        self._index.optimize()

    def train(self, vectors: npt.ArrayLike) -> None:
        """Fits the quantizer on sample vectors (otherwise the first add does)."""
        self._index.train(_floats(vectors, "vectors"))

    def allow_set(self, ids: Iterable[str]) -> AllowSet:
        """A reusable filter: these ids' internal ids, for many ``search(filter=...)`` calls.

        Turning a long id list into an allow-set costs about as much as a batch search at high
        selectivity, so make it once. Ids not in the index are ignored; ``len()`` counts the
        rest. Adds and upserts keep it valid (new ids are simply not in it); after any
        ``remove`` it is refused with ValueError, since a removed id's slot may go to another
        id, so make it again. The same holds after ``optimize()``, and after an add or upsert
        that optimizes on its own (a batch of at least half the index).
        """
        return self._index.allow_set(_ids(ids))

    def search(
        self,
        queries: npt.ArrayLike,
        k: int = 10,
        *,
        filter: Collection[str] | AllowSet | None = None,
        ef: int | None = None,
        rescore: int | None = None,
        exact_threshold: int | None = None,
        threads: int | None = None,
    ) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.float32]]:
        """The k best ids and scores for each query row (a 1-D query is one row).

        filter: only these ids may be returned (ids not in the index are ignored), as a
        collection of ids or an ``allow_set()`` made once for many calls. Small allow-sets are
        scanned exactly; larger ones are searched inside the graph.
        ef: HNSW beam width for this call (default: the index's ef_search, at least k).
        rescore: candidates rescored per result for quantized codes (default 4 int8 and int4,
        16 binary).
        exact_threshold: largest allow-set scanned exactly (default: chosen from ef, M and the
        selectivity). threads: OpenMP threads for this call (default: all).
        """
        if filter is None and ef is None and rescore is None and exact_threshold is None and threads is None:
            return self._index.search(_floats(queries, "queries"), k)  # the common call, parsed fastest
        prepared, allow = None, None
        if isinstance(filter, AllowSet):
            prepared = filter
        elif filter is not None:
            allow = _ids(filter, "filter")
        return self._index.search(
            _floats(queries, "queries"),
            k,
            allow,
            ef or 0,
            rescore or 0,
            exact_threshold or 0,
            threads or 0,
            prepared,
        )

    def save(self, path: str | os.PathLike[str]) -> None:
        """Writes one versioned, checksummed file (written beside and renamed into place)."""
        self._index.save(os.fspath(path))

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, mmap: bool = False) -> VectorIndex:
        """Opens a saved index. ``mmap=True`` maps the file copy-on-write: opening reads only
        the header and graph, vectors page in on first use (the payload checksum is skipped)."""
        return cls._wrap(_core.VectorIndex.load(os.fspath(path), mmap))

    def to_bytes(self) -> bytes:
        """The file format as bytes (for stores that keep indexes as values)."""
        return self._index.to_bytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> VectorIndex:
        return cls._wrap(_core.VectorIndex.from_bytes(data))

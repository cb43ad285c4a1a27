"""Durable storage on RocksDB: a document store, a shared block cache, repair.

Every store is one directory with one writer process at a time. Other processes read it with
``access="secondary"`` (follows the writer after each ``catch_up()``) or, once the writer has
closed, ``access="read_only"``. A store from a newer ragkernel, or a damaged one, raises
:class:`ragkernel.CorruptionError`; :func:`repair` rebuilds what RocksDB can recover.

>>> import tempfile, numpy as np, ragkernel as rk
>>> path = tempfile.mkdtemp() + "/docs"
>>> with rk.store.DocStore(path, dim=2) as docs:
...     docs.add(["a", "b"], ["first", "second"], np.eye(2, dtype=np.float32), [{"year": 2020}, None])
...     docs.get(["a"])[0].metadata
{'year': 2020}
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from ragkernel import _core
from ragkernel._core import BlockCache
from ragkernel._handle import StoreHandle

__all__ = ["SCHEMA_VERSION", "Access", "BlockCache", "DocStore", "Document", "repair"]

Access = Literal["read_write", "read_only", "secondary"]
SCHEMA_VERSION: int = _core.STORE_SCHEMA_VERSION

_MB = 1 << 20


def repair(path: str) -> None:
    """Rebuild a store that fails to open with ``CorruptionError`` from its surviving files.

    RocksDB's RepairDB: tables and logs that still parse are kept, damaged ones are dropped.
    The store must not be open anywhere.
    """
    _core.store_repair(str(path))


def _metadata_json(metadata: Mapping[str, Any] | None) -> str | None:
    if metadata is None:
        return None
    return json.dumps(metadata, sort_keys=True, separators=(",", ":"), allow_nan=False)


@dataclass(frozen=True)
class Document:
    id: str
    text: str
    metadata: dict[str, Any] | None
    vector: npt.NDArray[np.float32] | None


class DocStore(StoreHandle[_core.DocStore]):
    """Documents on RocksDB: id -> text, JSON metadata and a float32 vector.

    Each call that writes is one atomic batch: all of its documents and deletions land, or
    (after an error, or a crash before it returns) none do. Reads of several ids go through one
    snapshot. ``dim`` is fixed at creation (0 for a store without vectors); reopening with
    another raises ``ValueError``; ``dim=None`` takes the stored one.
    """

    def __init__(
        self,
        path: str,
        *,
        dim: int | None = None,
        access: Access = "read_write",
        block_cache: BlockCache | None = None,
        block_cache_mb: int = 64,
        sync: bool = False,
    ) -> None:
        self._core = _core.DocStore(str(path), dim, access, block_cache, block_cache_mb * _MB, sync)

    @property
    def dim(self) -> int:
        return self._core.dim

    def add(
        self,
        ids: Sequence[str],
        texts: Sequence[str],
        vectors: npt.NDArray[np.float32] | None = None,
        metadata: Sequence[Mapping[str, Any] | None] | None = None,
    ) -> None:
        """Add new documents; an id that exists already raises ``ValueError`` and nothing is written."""
        self._write(True, ids, texts, vectors, metadata, ())

    def upsert(
        self,
        ids: Sequence[str],
        texts: Sequence[str],
        vectors: npt.NDArray[np.float32] | None = None,
        metadata: Sequence[Mapping[str, Any] | None] | None = None,
    ) -> list[bool]:
        """Add or replace documents whole; returns, per id, whether it replaced one."""
        return self._write(False, ids, texts, vectors, metadata, ())[0]

    def delete(self, ids: Sequence[str]) -> list[bool]:
        """Delete documents; returns, per id, whether it existed."""
        return self._write(False, (), (), None, None, ids)[1]

    def _write(
        self,
        add: bool,
        ids: Sequence[str],
        texts: Sequence[str],
        vectors: npt.NDArray[np.float32] | None,
        metadata: Sequence[Mapping[str, Any] | None] | None,
        erase: Sequence[str],
    ) -> tuple[list[bool], list[bool]]:
        encoded = None if metadata is None else [_metadata_json(m) for m in metadata]
        if vectors is None and self.dim > 0 and len(ids) > 0:
            raise ValueError(f"vectors is None; this store keeps a {self.dim}-dimensional vector per document")
        if vectors is None and self.dim > 0:
            vectors = np.zeros((0, self.dim), dtype=np.float32)
        replaced, erased = self._core.write(add, list(ids), list(texts), vectors, encoded, list(erase))
        return replaced, erased

    def get(self, ids: Sequence[str]) -> list[Document | None]:
        """The documents, ``None`` for absent ids, all read through one snapshot."""
        out: list[Document | None] = []
        for doc_id, got in zip(ids, self._core.get(list(ids)), strict=True):
            if got is None:
                out.append(None)
                continue
            text, metadata, vector = got
            out.append(Document(doc_id, text, None if metadata is None else json.loads(metadata), vector))
        return out

    def ids(self) -> list[str]:
        return self._core.ids()

    def __len__(self) -> int:
        return len(self._core)

    def __contains__(self, doc_id: object) -> bool:
        return isinstance(doc_id, str) and self._core.contains(doc_id)

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids())

    def stats(self) -> dict[str, Any]:
        """Documents, plus RocksDB's view: keys and bytes per family, disk bytes, cache hit rate."""
        return {"documents": len(self), **self._core.store_stats()}

    def verify(self) -> None:
        """Read every file and check its checksums (raises ``CorruptionError``)."""
        self._core.verify()

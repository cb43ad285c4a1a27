"""A persistent embedding cache: no text is embedded twice by the same model.

Keys are SHA-256 over the length-prefixed model id, dimension, normalisation and text, so
entries of different models, dimensions or normalisations never mix. Values are float32 (or
float16 with ``dtype="float16"``, half the bytes). Entries may carry a time-to-live: checked on
every read, and expired entries are dropped by RocksDB compactions.

>>> import tempfile, numpy as np, ragkernel as rk
>>> cache = rk.EmbeddingCache(tempfile.mkdtemp() + "/emb")
>>> calls = []
>>> def embed(texts):
...     calls.append(list(texts))
...     return np.ones((len(texts), 3), dtype=np.float32)
>>> cached = cache.wrap(embed, model="toy", dim=3)
>>> cached(["a", "b"]).shape, cached(["b", "c"]).shape
((2, 3), (2, 3))
>>> calls  # "b" was embedded once
[['a', 'b'], ['c']]
>>> cache.close()
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from ragkernel import _core
from ragkernel._handle import StoreHandle
from ragkernel.store import Access, BlockCache

__all__ = ["CachedEmbedder", "EmbeddingCache"]

_MB = 1 << 20

Embedder = Callable[[list[str]], Any]


def _ttl_ms(ttl: float | None) -> int | None:
    if ttl is None:
        return None
    if not ttl > 0:
        raise ValueError(f"ttl is {ttl!r} seconds; expected a positive number (or None for no expiry)")
    return max(1, round(ttl * 1000))


def _normalization(normalized: bool) -> str:
    return "l2" if normalized else "none"


class EmbeddingCache(StoreHandle[_core.EmbeddingCache]):
    """Embeddings by (model, dimension, normalisation, text), on RocksDB.

    ``ttl`` (seconds) is the default lifetime of new entries; ``None`` keeps them until
    cleared. Counters (hits, misses, expired, puts) cover this handle's lifetime.
    """

    def __init__(
        self,
        path: str,
        *,
        dtype: Literal["float32", "float16"] = "float32",
        ttl: float | None = None,
        access: Access = "read_write",
        block_cache: BlockCache | None = None,
        block_cache_mb: int = 64,
        sync: bool = False,
    ) -> None:
        self._core = _core.EmbeddingCache(
            str(path), dtype, _ttl_ms(ttl), access, block_cache, block_cache_mb * _MB, sync
        )

    def get_many(
        self, model: str, texts: Sequence[str], *, dim: int, normalized: bool = False
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.bool_]]:
        """``(vectors [n, dim], hit [n])``: cached rows where ``hit`` is True, zeros elsewhere."""
        return self._core.get_many(model, list(texts), dim, _normalization(normalized))

    def put_many(
        self,
        model: str,
        texts: Sequence[str],
        vectors: npt.NDArray[np.float32],
        *,
        normalized: bool = False,
        ttl: float | None = None,
    ) -> None:
        """Cache one float32 row per text (the dimension is ``vectors.shape[1]``)."""
        self._core.put_many(model, list(texts), vectors, _normalization(normalized), _ttl_ms(ttl))

    def wrap(
        self, embed: Embedder, *, model: str, dim: int, normalized: bool = False, ttl: float | None = None
    ) -> CachedEmbedder:
        """An embedder that asks ``embed`` only for the texts this cache does not hold."""
        return CachedEmbedder(self, embed, model=model, dim=dim, normalized=normalized, ttl=ttl)

    def clear(self, model: str | None = None) -> None:
        """Forget every entry, or only those of one model (all its dimensions)."""
        if model is None:
            self._core.clear()
        else:
            self._core.erase_model(model)

    def stats(self) -> dict[str, Any]:
        """Hits, misses, expired, puts and hit rate of this handle, plus RocksDB's view."""
        counters = self._core.counters()
        lookups = counters["hits"] + counters["misses"]
        counters["hit_rate"] = counters["hits"] / lookups if lookups else 0.0
        return {**counters, "store": self._core.store_stats()}


class CachedEmbedder:
    """Calls the wrapped embedder once per batch, for the distinct texts the cache misses."""

    def __init__(
        self,
        cache: EmbeddingCache,
        embed: Embedder,
        *,
        model: str,
        dim: int,
        normalized: bool = False,
        ttl: float | None = None,
    ) -> None:
        self.cache, self.embed, self.model, self.dim = cache, embed, model, dim
        self.normalized, self.ttl = normalized, ttl

    def __call__(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        texts = list(texts)
        vectors, hit = self.cache.get_many(self.model, texts, dim=self.dim, normalized=self.normalized)
        if hit.all():
            return vectors
        missing = list(dict.fromkeys(t for t, h in zip(texts, hit, strict=True) if not h))  # distinct, in order
        fresh = np.ascontiguousarray(np.asarray(self.embed(missing), dtype=np.float32))
        if fresh.shape != (len(missing), self.dim):
            want = (len(missing), self.dim)
            raise ValueError(f"the embedder returned shape {fresh.shape} for {len(missing)} texts; expected {want}")
        self.cache.put_many(self.model, missing, fresh, normalized=self.normalized, ttl=self.ttl)
        row = {t: i for i, t in enumerate(missing)}
        for i in np.flatnonzero(~hit):
            vectors[i] = fresh[row[texts[i]]]
        return vectors

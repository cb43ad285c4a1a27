"""LlamaIndex's ``BasePydanticVectorStore`` on a :class:`ragkernel.Collection`.

    from llama_index.core import StorageContext, VectorStoreIndex
    from ragkernel.integrations.llama_index import RagkernelVectorStore

    store = RagkernelVectorStore()                       # in memory; or path="kb/" (durable)
    index = VectorStoreIndex.from_documents(docs, storage_context=StorageContext.from_defaults(vector_store=store))

``stores_text=True``: the collection keeps each node's text (indexed by BM25 too), its metadata
(filterable) and the node itself as JSON, so queries return whole nodes without a docstore.

Queries honour ``VectorStoreQuery``: ``similarity_top_k``; ``filters`` (every operator, nested
``and``/``or``/``not``, LlamaIndex's semantics: see :mod:`.filters`) and ``doc_ids``/``node_ids``,
all compiled into the allow-set the searches use; modes ``default`` (vectors), ``sparse`` and
``text_search`` (BM25 on ``query_str``), ``hybrid`` (both; ``alpha`` weighs them with convex
fusion, 0 = BM25 only, 1 = vectors only; without ``alpha``, reciprocal rank fusion) and ``mmr``
(``mmr_threshold``, LlamaIndex's own selection over the nearest candidates).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np
from llama_index.core.bridge.pydantic import PrivateAttr
from llama_index.core.indices.query.embedding_utils import get_top_k_mmr_embeddings
from llama_index.core.schema import BaseNode, MetadataMode
from llama_index.core.vector_stores.types import (
    BasePydanticVectorStore,
    MetadataFilters,
    VectorStoreQuery,
    VectorStoreQueryMode,
    VectorStoreQueryResult,
)
from llama_index.core.vector_stores.utils import metadata_dict_to_node, node_to_metadata_dict

from ragkernel.collection import Collection
from ragkernel.integrations.llama_index.filters import FieldIndex, translate
from ragkernel.metadata import MetadataStore, is_indexable

__all__ = ["RagkernelVectorStore"]

NODE_ID = "_node_id"  # the node id as a filterable field (for VectorStoreQuery.node_ids)
_BOOKKEEPING = ("_node_content", "_node_type")
_BM25_MODES = (VectorStoreQueryMode.SPARSE, VectorStoreQueryMode.TEXT_SEARCH)


class RagkernelVectorStore(BasePydanticVectorStore):
    """A LlamaIndex vector store on a ragkernel collection.

    Parameters
    ----------
    collection
        An existing collection. Otherwise one is made at the first ``add`` (its dimension
        from the nodes' embeddings) with ``collection_options`` (``metric``, ``index``,
        ``quantization``, ``analyzer``, ...), in memory or at ``path`` (reopened if it holds
        one).
    """

    stores_text: bool = True
    flat_metadata: bool = False

    _collection: Collection | None = PrivateAttr(default=None)
    _path: str | None = PrivateAttr(default=None)
    _options: dict[str, Any] = PrivateAttr(default_factory=dict)
    # Filterable metadata of every node, mirrored so that filters can list matching ids
    # (get_nodes, delete_nodes) with the collection's own semantics; built from the collection
    # the first time a filter or delete(ref_doc_id) needs it, then kept up to date by writes.
    _mirror: MetadataStore | None = PrivateAttr(default=None)
    _fields: FieldIndex | None = PrivateAttr(default=None)

    def __init__(
        self,
        collection: Collection | None = None,
        *,
        path: str | os.PathLike[str] | None = None,
        **collection_options: Any,
    ) -> None:
        super().__init__(stores_text=True)
        if collection is not None and path is not None:
            raise ValueError("pass collection=... or path=..., not both")
        self._options = {"index": "hnsw", **collection_options}
        self._path = None if path is None else os.fspath(path)
        if collection is None and self._path is not None and os.path.isdir(self._path) and os.listdir(self._path):
            collection = Collection.open(self._path)
        self._collection = collection

    @classmethod
    def class_name(cls) -> str:
        return "RagkernelVectorStore"

    @property
    def client(self) -> Collection | None:
        """The underlying :class:`ragkernel.Collection` (None before the first add)."""
        return self._collection

    # ---- bookkeeping ----

    def _catalog(self) -> tuple[MetadataStore, FieldIndex]:
        if self._mirror is None or self._fields is None:
            mirror, fields = MetadataStore(), FieldIndex()
            col = self._collection
            if col is not None and len(col):
                ids = col.ids()
                metas = [_filterable(r.metadata if r else None) for r in col.get(ids, include=("metadata",))]
                mirror.set(ids, metas)
                fields.update(metas)
            self._mirror, self._fields = mirror, fields
        return self._mirror, self._fields

    def _record(self, node: BaseNode) -> tuple[str, str, np.ndarray[Any, Any], dict[str, Any]]:
        text = node.get_content(metadata_mode=MetadataMode.NONE)
        if not text.strip():
            raise ValueError(f"node {node.node_id!r} has no text; this store indexes text (stores_text=True)")
        embedding = node.embedding
        if embedding is None:
            raise ValueError(f"node {node.node_id!r} has no embedding; embed nodes before adding them")
        meta = node_to_metadata_dict(node, remove_text=True, flat_metadata=self.flat_metadata)
        stored = {k: v for k, v in meta.items() if is_indexable(v)}
        stored[NODE_ID] = node.node_id
        return node.node_id, text, np.asarray(embedding, dtype=np.float32), stored

    # ---- writes ----

    def add(self, nodes: Sequence[BaseNode], **add_kwargs: Any) -> list[str]:
        if not nodes:
            return []
        records = [self._record(n) for n in nodes]
        ids = [r[0] for r in records]
        if len(set(ids)) != len(ids):
            raise ValueError("two nodes share an id; node ids must be unique within one add")
        vectors = np.stack([r[2] for r in records])
        col = self._collection
        if col is None:
            dim = int(vectors.shape[1])
            col = (
                Collection.create(self._path, dim, **self._options) if self._path else Collection(dim, **self._options)
            )
            self._collection = col
        metas = [r[3] for r in records]
        col.upsert(ids, [r[1] for r in records], vectors, metas)
        if self._mirror is not None and self._fields is not None:  # else built from the collection when needed
            filterable = [_filterable(m) for m in metas]
            self._mirror.remove([i for i in ids if i in self._mirror])
            self._mirror.set(ids, filterable)
            self._fields.update(filterable)
        return ids

    def _remove(self, ids: list[str]) -> None:
        col = self._collection
        present = [i for i in dict.fromkeys(ids) if col is not None and i in col]
        if col is None or not present:
            return
        col.delete(present)
        if self._mirror is not None:
            self._mirror.remove([i for i in present if i in self._mirror])

    def delete(self, ref_doc_id: str, **delete_kwargs: Any) -> None:
        """Deletes every node of the source document ``ref_doc_id``."""
        mirror, _ = self._catalog()
        self._remove(mirror.match({"ref_doc_id": ref_doc_id}) if len(mirror) else [])

    def delete_nodes(
        self, node_ids: list[str] | None = None, filters: MetadataFilters | None = None, **delete_kwargs: Any
    ) -> None:
        """Deletes the nodes among ``node_ids`` (all when None) that match ``filters``."""
        self._remove(self._select(node_ids, filters))

    def clear(self) -> None:
        if self._collection is not None and len(self._collection):
            self._collection.delete(self._collection.ids())
        self._mirror, self._fields = MetadataStore(), FieldIndex()

    # ---- reads ----

    def _select(self, node_ids: list[str] | None, filters: MetadataFilters | None) -> list[str]:
        col = self._collection
        if col is None:
            return []
        if filters is None or not filters.filters:
            return [i for i in dict.fromkeys(node_ids) if i in col] if node_ids is not None else col.ids()
        mirror, fields = self._catalog()
        where = translate(filters, fields)
        matching = mirror.match(where) if len(mirror) and where is not None else []
        if node_ids is None:
            return matching
        allowed = set(matching)
        return [i for i in dict.fromkeys(node_ids) if i in allowed]

    def get_nodes(self, node_ids: list[str] | None = None, filters: MetadataFilters | None = None) -> list[BaseNode]:
        ids = self._select(node_ids, filters)
        if not ids:
            return []
        assert self._collection is not None
        records = self._collection.get(ids, include=("text", "metadata", "vector"))
        return [_node(r.text, r.metadata, r.vector) for r in records if r is not None]

    def query(self, query: VectorStoreQuery, **kwargs: Any) -> VectorStoreQueryResult:
        col = self._collection
        if col is None or len(col) == 0:
            return VectorStoreQueryResult(nodes=[], similarities=[], ids=[])
        # The metadata mirror is read (and built, the first time) only when filters need it.
        fields = self._catalog()[1] if query.filters is not None and query.filters.filters else FieldIndex()
        where = _restrict(translate(query.filters, fields), query.doc_ids, query.node_ids)
        k = query.similarity_top_k
        mode = VectorStoreQueryMode(query.mode)  # callers may pass the plain string
        if mode in _BM25_MODES or (mode == VectorStoreQueryMode.HYBRID and query.alpha == 0.0):
            hits = col.search(text=_text(query), k=query.sparse_top_k or k, filter=where)
        elif mode == VectorStoreQueryMode.HYBRID:
            alpha = query.alpha
            fusion = ("rrf", None) if alpha is None else ("convex", {"bm25": 1.0 - alpha, "vector": alpha})
            hits = col.search(
                text=_text(query),
                vector=_vector(query),
                k=query.hybrid_top_k or k,
                filter=where,
                fusion=fusion[0],
                weights=fusion[1],
                candidates=max(k, query.sparse_top_k or 0, 100),
            )
        elif mode == VectorStoreQueryMode.MMR:
            return self._mmr(col, query, where, kwargs.get("mmr_threshold", query.mmr_threshold))
        elif mode == VectorStoreQueryMode.DEFAULT:
            hits = col.search(vector=_vector(query), k=k, filter=where)
        else:
            raise ValueError(
                f"query mode {mode.value!r} is not supported; use default, sparse, text_search, hybrid or mmr"
            )
        return VectorStoreQueryResult(
            nodes=[_node(h.text, h.metadata) for h in hits],
            similarities=[float(h.score) for h in hits],
            ids=list(hits.ids),
        )

    def _mmr(
        self, col: Collection, query: VectorStoreQuery, where: dict[str, Any] | None, threshold: float | None
    ) -> VectorStoreQueryResult:
        q = _vector(query)
        hits = col.search(vector=q, k=max(query.similarity_top_k * 4, 20), filter=where)
        if not len(hits):
            return VectorStoreQueryResult(nodes=[], similarities=[], ids=[])
        records = col.get(hits.ids, include=("vector",))
        # Pairs, so that a hit deleted since the search cannot shift the vectors onto other ids.
        pairs = [(h.id, r.vector.tolist()) for h, r in zip(hits, records, strict=True) if r and r.vector is not None]
        similarities, ids = get_top_k_mmr_embeddings(
            q.tolist(),
            [v for _, v in pairs],
            similarity_top_k=query.similarity_top_k,
            embedding_ids=[i for i, _ in pairs],
            mmr_threshold=threshold,
        )
        by_id = {h.id: h for h in hits}
        return VectorStoreQueryResult(
            nodes=[_node(by_id[i].text, by_id[i].metadata) for i in ids], similarities=list(similarities), ids=list(ids)
        )


def _filterable(meta: dict[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in (meta or {}).items() if k not in _BOOKKEEPING}


def _restrict(
    where: dict[str, Any] | None, doc_ids: list[str] | None, node_ids: list[str] | None
) -> dict[str, Any] | None:
    # An empty list means "no restriction": LlamaIndex's retriever passes node_ids=[] when the
    # store keeps the nodes itself (its own SimpleVectorStore reads it the same way).
    parts = [p for p in (where,) if p]
    if doc_ids:
        parts.append({"ref_doc_id": {"$in": list(doc_ids)}})
    if node_ids:
        parts.append({NODE_ID: {"$in": list(node_ids)}})
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else {"$and": parts}


def _text(query: VectorStoreQuery) -> str:
    if not query.query_str:
        raise ValueError(
            f"query mode {VectorStoreQueryMode(query.mode).value!r} searches text: set VectorStoreQuery.query_str"
        )
    return query.query_str


def _vector(query: VectorStoreQuery) -> np.ndarray[Any, np.dtype[np.float32]]:
    if query.query_embedding is None:
        mode = VectorStoreQueryMode(query.mode).value
        raise ValueError(f"query mode {mode!r} searches vectors: set VectorStoreQuery.query_embedding")
    return np.asarray(query.query_embedding, dtype=np.float32)


def _node(text: str | None, metadata: dict[str, Any] | None, vector: Any = None) -> BaseNode:
    node = metadata_dict_to_node(dict(metadata or {}), text=text)
    if vector is not None:
        node.embedding = [float(x) for x in vector]
    return node

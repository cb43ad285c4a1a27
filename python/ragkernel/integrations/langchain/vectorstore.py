"""LangChain's ``VectorStore`` on a :class:`ragkernel.Collection`.

    from ragkernel.integrations.langchain import RagkernelVectorStore

    store = RagkernelVectorStore(embeddings)                    # in memory
    store = RagkernelVectorStore(embeddings, path="kb/")        # durable (created or reopened)
    store.add_documents(docs)
    store.similarity_search("query", k=4, filter={"year": {"$gte": 2020}})

The whole contract: ``add_texts``/``add_documents`` (an id given again replaces the document),
``delete`` (unknown ids are ignored; no ids deletes everything), ``get_by_ids``,
``similarity_search`` with and without scores and by vector, ``max_marginal_relevance_search``,
``from_texts`` and the async variants; ``as_retriever`` gives LangChain's retriever and
:meth:`RagkernelVectorStore.as_hybrid_retriever` the BM25 + vector one.

Filters use the Chroma/Pinecone syntax (``$eq $ne $gt $gte $lt $lte $in $nin $exists $and $or
$not``) and are compiled into an allow-set that the vector search consults while it searches:
``k`` results come back whenever ``k`` documents match, however selective the filter.

Scores: ``similarity_search_with_score`` returns the collection's score (cosine similarity for
``metric="cosine"``, the inner product for ``"ip"``, the squared distance for ``"l2"``).
Relevance scores (``similarity_search_with_relevance_scores``, the ``similarity_score_threshold``
retriever) map them onto [0, 1], higher is better: ``(1 + cos) / 2``, ``1 / (1 + d²)`` and the
logistic function of the inner product.

Metadata values the collection indexes (str, int, float, bool, non-empty lists of str) are
filterable; documents whose metadata holds anything else (None, nested objects, other lists)
keep it whole in a JSON field, so every document comes back exactly as it was added.
"""

from __future__ import annotations

import json
import math
import os
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.vectorstores import VectorStore
from langchain_core.vectorstores.utils import maximal_marginal_relevance

from ragkernel.collection import Collection
from ragkernel.embedders import LangChainEmbedder
from ragkernel.embedding_cache import CachedEmbedder, EmbeddingCache
from ragkernel.metadata import is_indexable

__all__ = ["RagkernelVectorStore"]

RAW_METADATA = "_lc_metadata"  # metadata that the collection cannot index, kept as JSON


def encode_metadata(metadata: dict[str, Any] | None) -> dict[str, Any]:
    """What the collection stores for a document's metadata (see the module documentation)."""
    metadata = dict(metadata or {})
    if RAW_METADATA in metadata:
        raise ValueError(f"metadata key {RAW_METADATA!r} is reserved by the ragkernel store; rename it")
    stored = {k: v for k, v in metadata.items() if is_indexable(v)}
    if len(stored) != len(metadata):
        try:
            stored[RAW_METADATA] = json.dumps(metadata, ensure_ascii=False, sort_keys=True)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"metadata must be JSON-serialisable: {exc}") from None
    return stored


def decode_metadata(stored: dict[str, Any] | None) -> dict[str, Any]:
    stored = stored or {}
    if RAW_METADATA in stored:
        return dict(json.loads(stored[RAW_METADATA]))
    return dict(stored)


def _logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


class RagkernelVectorStore(VectorStore):
    """A LangChain vector store on a ragkernel collection (in memory or durable).

    Parameters
    ----------
    embedding
        The LangChain ``Embeddings`` for documents and queries.
    collection
        An existing :class:`ragkernel.Collection` to use (its dimension must match the
        embeddings'). Otherwise one is made at the first write, with ``collection_options``
        (``metric``, ``index``, ``quantization``, ``analyzer``, ...), in memory, or at ``path``
        (created if missing, reopened if it holds a collection).
    embedding_cache
        A :class:`ragkernel.EmbeddingCache`: document embeddings are looked up there first and
        only the texts it misses reach ``embedding`` (keyed by ``model_id``, default the
        embeddings' ``model`` attribute or class name). Queries are embedded directly.
    """

    def __init__(
        self,
        embedding: Embeddings,
        *,
        collection: Collection | None = None,
        path: str | os.PathLike[str] | None = None,
        embedding_cache: EmbeddingCache | None = None,
        model_id: str | None = None,
        **collection_options: Any,
    ) -> None:
        if collection is not None and path is not None:
            raise ValueError("pass collection=... or path=..., not both")
        self.embedding = embedding
        self._lock = threading.Lock()
        self._embed_documents: Callable[[list[str]], Any] = embedding.embed_documents
        if embedding_cache is not None:
            embedder = LangChainEmbedder(embedding, model_id=model_id)
            self._embed_documents = CachedEmbedder(embedding_cache, embedder, model=embedder.model_id, dim=embedder.dim)
        self._options = {"index": "flat", **collection_options}
        self._path = None if path is None else os.fspath(path)
        self._collection = collection
        if collection is None and self._path is not None and os.path.isdir(self._path) and os.listdir(self._path):
            self._collection = Collection.open(self._path)

    # ---- the collection ----

    @property
    def embeddings(self) -> Embeddings:
        return self.embedding

    @property
    def collection(self) -> Collection | None:
        """The underlying collection (``None`` until the first write of a new store)."""
        return self._collection

    def _writable(self, dim: int) -> Collection:
        with self._lock:  # the first writes may come from several threads (async variants)
            if self._collection is None:
                if self._path is not None:
                    self._collection = Collection.create(self._path, dim, **self._options)
                else:
                    self._collection = Collection(dim, **self._options)
        if self._collection.dim != dim:
            raise ValueError(
                f"the embeddings make {dim}-d vectors but the collection stores {self._collection.dim}-d ones; "
                "use the embeddings the collection was built with"
            )
        return self._collection

    # ---- writes ----

    def add_texts(
        self,
        texts: Iterable[str],
        metadatas: list[dict[str, Any]] | None = None,
        *,
        ids: list[str] | None = None,
        **kwargs: Any,
    ) -> list[str]:
        text_list = list(texts)
        if metadatas is not None and len(metadatas) != len(text_list):
            raise ValueError(f"got {len(metadatas)} metadatas for {len(text_list)} texts; give one per text")
        if ids is not None and len(ids) != len(text_list):
            raise ValueError(f"got {len(ids)} ids for {len(text_list)} texts; give one per text")
        id_list = [i if i else str(uuid.uuid4()) for i in (ids or [None] * len(text_list))]  # type: ignore[list-item]
        if not text_list:
            return []
        stored = [encode_metadata(m) for m in (metadatas or [{}] * len(text_list))]
        vectors = np.asarray(self._embed_documents(text_list), dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[0] != len(text_list):
            raise ValueError(f"the embeddings returned shape {vectors.shape} for {len(text_list)} texts")
        self._writable(int(vectors.shape[1])).upsert(id_list, text_list, vectors, stored)
        return id_list

    def delete(self, ids: list[str] | None = None, **kwargs: Any) -> bool | None:
        """Deletes ``ids`` (unknown ones are ignored), or every document when ``ids`` is None."""
        col = self._collection
        if col is None:
            return True
        with self._lock:  # the membership test and the delete as one step (async deletes run in threads)
            doomed = col.ids() if ids is None else [i for i in dict.fromkeys(ids) if i in col]
            if doomed:
                col.delete(doomed)
        return True

    # ---- reads ----

    def get_by_ids(self, ids: Sequence[str], /) -> list[Document]:
        col = self._collection
        if col is None:
            return []
        found = col.get(list(dict.fromkeys(ids)), include=("text", "metadata"))
        return [Document(id=r.id, page_content=r.text or "", metadata=decode_metadata(r.metadata)) for r in found if r]

    def similarity_search(
        self, query: str, k: int = 4, filter: dict[str, Any] | None = None, **kwargs: Any
    ) -> list[Document]:
        return [doc for doc, _ in self.similarity_search_with_score(query, k, filter=filter, **kwargs)]

    def similarity_search_with_score(
        self, query: str, k: int = 4, filter: dict[str, Any] | None = None, **kwargs: Any
    ) -> list[tuple[Document, float]]:
        return self.similarity_search_with_score_by_vector(
            self.embedding.embed_query(query), k, filter=filter, **kwargs
        )

    def similarity_search_by_vector(
        self, embedding: list[float], k: int = 4, filter: dict[str, Any] | None = None, **kwargs: Any
    ) -> list[Document]:
        return [doc for doc, _ in self.similarity_search_with_score_by_vector(embedding, k, filter=filter, **kwargs)]

    def similarity_search_with_score_by_vector(
        self, embedding: list[float], k: int = 4, filter: dict[str, Any] | None = None, **kwargs: Any
    ) -> list[tuple[Document, float]]:
        """``(document, score)`` for the ``k`` nearest documents; ``kwargs`` go to
        :meth:`ragkernel.Collection.search` (``ef``, ``candidates``)."""
        col = self._collection
        if col is None or len(col) == 0:
            return []
        if filter is not None and not isinstance(filter, dict):
            raise TypeError(
                "filter must be a metadata filter dict such as {'year': {'$gte': 2020}}, "
                f"got {type(filter).__name__}"
            )
        hits = col.search(vector=np.asarray(embedding, dtype=np.float32), k=k, filter=filter, **kwargs)
        return [
            (Document(id=h.id, page_content=h.text or "", metadata=decode_metadata(h.metadata)), float(h.score))
            for h in hits
        ]

    def _select_relevance_score_fn(self) -> Callable[[float], float]:
        metric = self._collection.metric if self._collection is not None else self._options.get("metric", "cosine")
        if metric == "cosine":
            return lambda s: min(1.0, max(0.0, (1.0 + s) / 2.0))
        if metric == "l2":
            return lambda d: 1.0 / (1.0 + max(0.0, d))
        return _logistic

    def max_marginal_relevance_search(
        self,
        query: str,
        k: int = 4,
        fetch_k: int = 20,
        lambda_mult: float = 0.5,
        filter: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> list[Document]:
        return self.max_marginal_relevance_search_by_vector(
            self.embedding.embed_query(query), k, fetch_k, lambda_mult, filter=filter, **kwargs
        )

    def max_marginal_relevance_search_by_vector(
        self,
        embedding: list[float],
        k: int = 4,
        fetch_k: int = 20,
        lambda_mult: float = 0.5,
        filter: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> list[Document]:
        """``k`` documents among the ``fetch_k`` nearest (filtered while searching) that
        balance relevance and diversity (``lambda_mult``: 1 relevance only, 0 diversity only)."""
        col = self._collection
        if col is None or len(col) == 0:
            return []
        if not 0.0 <= lambda_mult <= 1.0:
            raise ValueError(f"lambda_mult must be in [0, 1], got {lambda_mult}")
        query = np.asarray(embedding, dtype=np.float32)
        hits = col.search(vector=query, k=max(fetch_k, k), filter=filter, **kwargs)
        if not len(hits):
            return []
        records = col.get(hits.ids, include=("vector",))
        # Pairs, so that a hit deleted since the search cannot shift the vectors onto other hits.
        pairs = [(h, r.vector) for h, r in zip(hits, records, strict=True) if r is not None and r.vector is not None]
        if not pairs:
            return []
        chosen = maximal_marginal_relevance(query, list(np.stack([v for _, v in pairs])), lambda_mult=lambda_mult, k=k)
        return [
            Document(
                id=pairs[i][0].id, page_content=pairs[i][0].text or "", metadata=decode_metadata(pairs[i][0].metadata)
            )
            for i in chosen
        ]

    # ---- construction and retrievers ----

    @classmethod
    def from_texts(
        cls,
        texts: list[str],
        embedding: Embeddings,
        metadatas: list[dict[str, Any]] | None = None,
        *,
        ids: list[str] | None = None,
        **kwargs: Any,
    ) -> RagkernelVectorStore:
        store = cls(embedding, **kwargs)
        store.add_texts(texts, metadatas, ids=ids)
        return store

    def as_hybrid_retriever(self, **kwargs: Any) -> Any:
        """A :class:`RagkernelRetriever` (BM25 + vectors, fused) over this store's collection."""
        from ragkernel.integrations.langchain.retriever import RagkernelRetriever

        if self._collection is None:
            raise ValueError("the store is empty: add documents before making a retriever")
        return RagkernelRetriever(collection=self._collection, embeddings=self.embedding, **kwargs)

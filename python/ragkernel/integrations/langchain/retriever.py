"""A LangChain retriever that searches a :class:`ragkernel.Collection` by BM25, by vector or
both fused (hybrid, the default).

    retriever = RagkernelRetriever(collection=col, embeddings=embedder, k=5)
    docs = retriever.invoke("boundary layer transition", k=3, filter={"year": {"$gte": 1960}})

``embeddings`` is a LangChain ``Embeddings`` or a ragkernel embedder (``list[str] -> array``);
it must be the model that made the collection's vectors. Each document carries the hit's id,
text and metadata; ``retriever.search(query)`` gives the :class:`ragkernel.Hits` themselves
(scores per source, context packing).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from ragkernel.hits import Hits
from ragkernel.integrations.langchain.vectorstore import decode_metadata

__all__ = ["RagkernelRetriever"]

Mode = Literal["hybrid", "bm25", "dense"]


class RagkernelRetriever(BaseRetriever):
    """BM25, dense or hybrid retrieval from a ragkernel collection."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    collection: Any
    embeddings: Any = None
    k: int = 4
    mode: Mode = "hybrid"
    filter: dict[str, Any] | None = None
    fusion: str = "rrf"
    weights: dict[str, float] | None = None
    candidates: int | None = None

    def _embed(self, query: str) -> np.ndarray[Any, np.dtype[np.float32]]:
        if self.embeddings is None:
            raise ValueError(f"mode={self.mode!r} needs embeddings=... (the model that made the collection's vectors)")
        if hasattr(self.embeddings, "embed_query"):
            vector: np.ndarray[Any, np.dtype[np.float32]] = np.asarray(
                self.embeddings.embed_query(query), dtype=np.float32
            )
            return vector
        return np.asarray(np.asarray(self.embeddings([query]))[0], dtype=np.float32)

    def search(self, query: str, **overrides: Any) -> Hits:
        """The hits for ``query``; ``overrides`` replace ``k``, ``mode``, ``filter``, ``fusion``,
        ``weights`` or ``candidates`` for this call."""
        unknown = set(overrides) - {"k", "mode", "filter", "fusion", "weights", "candidates"}
        if unknown:
            raise TypeError(
                f"unknown search options {sorted(unknown)}; use k, mode, filter, fusion, weights, candidates"
            )
        k = overrides.get("k", self.k)
        mode = overrides.get("mode", self.mode)
        if mode not in ("hybrid", "bm25", "dense"):
            raise ValueError(f"mode must be 'hybrid', 'bm25' or 'dense', got {mode!r}")
        if mode != "bm25" and self.collection.dim == 0:
            raise ValueError("the collection has no vectors (dim=0); use mode='bm25'")
        return self.collection.search(  # type: ignore[no-any-return]
            text=query if mode != "dense" else None,
            vector=self._embed(query) if mode != "bm25" else None,
            k=k,
            filter=overrides.get("filter", self.filter),
            fusion=overrides.get("fusion", self.fusion),
            weights=overrides.get("weights", self.weights),
            candidates=overrides.get("candidates", self.candidates),
        )

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        if len(self.collection) == 0:
            return []
        return [
            Document(id=h.id, page_content=h.text or "", metadata=decode_metadata(h.metadata))
            for h in self.search(query, **kwargs)
        ]

"""ragkernel behind LangChain's interfaces (needs ``langchain-core``).

- :class:`RagkernelVectorStore`: the ``VectorStore`` contract on :class:`ragkernel.Collection`.
- :class:`RagkernelRetriever`: a hybrid (BM25 + vectors), lexical or dense ``BaseRetriever``.
- :class:`RagkernelCache`: a ``BaseCache`` (LLM response cache) on :class:`ragkernel.LLMCache`.
"""

from __future__ import annotations

from ragkernel.integrations.langchain.cache import RagkernelCache
from ragkernel.integrations.langchain.retriever import RagkernelRetriever
from ragkernel.integrations.langchain.vectorstore import RagkernelVectorStore

__all__ = ["RagkernelCache", "RagkernelRetriever", "RagkernelVectorStore"]

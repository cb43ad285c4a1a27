"""ragkernel behind LlamaIndex's interfaces (needs ``llama-index-core``).

- :class:`RagkernelVectorStore`: a ``BasePydanticVectorStore`` on :class:`ragkernel.Collection`.
"""

from __future__ import annotations

from ragkernel.integrations.llama_index.vector_store import RagkernelVectorStore

__all__ = ["RagkernelVectorStore"]

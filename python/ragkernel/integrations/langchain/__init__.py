"""ragkernel behind LangChain's interfaces (needs ``langchain-core``).

- :class:`RagkernelCache`: a ``BaseCache`` (LLM response cache) on :class:`ragkernel.LLMCache`.
"""

from __future__ import annotations

from ragkernel.integrations.langchain.cache import RagkernelCache

__all__ = ["RagkernelCache"]

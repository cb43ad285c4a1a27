"""ragkernel: a retrieval and evaluation engine for RAG pipelines.

The hot paths (SIMD distance kernels, indexes, ranking, chunking, metrics, storage) are C++;
this package is the Python face over them.
"""

from __future__ import annotations

from ragkernel import datasets, eval, kernels, llm
from ragkernel._core import CorruptionError, __version__, build_info, self_check, simd_levels
from ragkernel.eval import evaluate
from ragkernel.llm import LLMClient

__all__ = [
    "CorruptionError",
    "LLMClient",
    "__version__",
    "build_info",
    "datasets",
    "eval",
    "evaluate",
    "kernels",
    "llm",
    "self_check",
    "simd_levels",
]

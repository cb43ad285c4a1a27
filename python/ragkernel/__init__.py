"""ragkernel: a retrieval and evaluation engine for RAG pipelines.

The hot paths (SIMD distance kernels, indexes, ranking, chunking, metrics, storage) are C++;
this package is the Python face over them.
"""

from __future__ import annotations

from ragkernel import datasets, eval, kernels
from ragkernel._core import CorruptionError, __version__, build_info, self_check, simd_levels
from ragkernel.eval import evaluate

__all__ = [
    "CorruptionError",
    "__version__",
    "build_info",
    "datasets",
    "eval",
    "evaluate",
    "kernels",
    "self_check",
    "simd_levels",
]

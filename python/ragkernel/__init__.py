"""ragkernel: a retrieval and evaluation engine for RAG pipelines.

The hot paths (SIMD distance kernels, indexes, ranking, chunking, metrics, storage) are C++;
this package is the Python face over them.
"""

from __future__ import annotations

from ragkernel import (
    chunking,
    collection,
    context,
    datasets,
    documents,
    embedders,
    eval,
    fusion,
    hits,
    ingest,
    kernels,
    llm,
    metadata,
    store,
    text,
)
from ragkernel._core import CorruptionError, __version__, build_info, self_check, simd_levels
from ragkernel.chunking import Chunk, Tokenizer, chunk, chunk_file, chunk_many
from ragkernel.collection import Collection, Record
from ragkernel.context import Context, pack_context
from ragkernel.documents import Document
from ragkernel.embedding_cache import CachedEmbedder, EmbeddingCache
from ragkernel.eval import evaluate
from ragkernel.hits import Hit, Hits
from ragkernel.ingest import Chunker, IngestReport
from ragkernel.llm import LLMClient
from ragkernel.llm_cache import LLMCache, near_miss_guard
from ragkernel.metadata import MetadataStore
from ragkernel.store import BlockCache, DocStore
from ragkernel.text import Analyzer, BM25Index
from ragkernel.vector import AllowSet, VectorIndex

__all__ = [
    "AllowSet",
    "Analyzer",
    "BM25Index",
    "BlockCache",
    "CachedEmbedder",
    "Chunk",
    "Chunker",
    "Collection",
    "Context",
    "CorruptionError",
    "DocStore",
    "Document",
    "EmbeddingCache",
    "Hit",
    "Hits",
    "IngestReport",
    "LLMCache",
    "LLMClient",
    "MetadataStore",
    "Record",
    "Tokenizer",
    "VectorIndex",
    "__version__",
    "build_info",
    "chunk",
    "chunk_file",
    "chunk_many",
    "chunking",
    "collection",
    "context",
    "datasets",
    "documents",
    "embedders",
    "eval",
    "evaluate",
    "fusion",
    "hits",
    "ingest",
    "kernels",
    "llm",
    "metadata",
    "near_miss_guard",
    "pack_context",
    "self_check",
    "simd_levels",
    "store",
    "text",
]

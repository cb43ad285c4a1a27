"""
ragkernel's compiled core. Import `ragkernel`, not this module.
"""

from __future__ import annotations
import collections.abc
import numpy
import numpy.typing
import typing

__all__: list[str] = [
    "AllowSet",
    "Analyzer",
    "BM25Index",
    "BlockCache",
    "COLLECTION_FORMAT_VERSION",
    "Collection",
    "CorruptionError",
    "DocStore",
    "EmbeddingCache",
    "EvalQrels",
    "EvalRun",
    "FileChunker",
    "LLMCache",
    "MetadataStore",
    "STORE_SCHEMA_VERSION",
    "Tokenizer",
    "VectorIndex",
    "build_info",
    "check_filter",
    "chunk_batch",
    "chunk_text",
    "english_stopwords",
    "eval_bootstrap_ci",
    "eval_evaluate",
    "eval_holm",
    "eval_metric_name",
    "eval_paired_t_test",
    "eval_randomization_tests",
    "eval_student_t_sf",
    "fuse",
    "kernel_cosine",
    "kernel_dot",
    "kernel_dot_i8",
    "kernel_hamming",
    "kernel_l2sq",
    "measure_read_bandwidth",
    "recursive_presets",
    "self_check",
    "simd_levels",
    "stemmer_algorithms",
    "store_repair",
]

class CorruptionError(OSError):
    """
    Stored data failed an integrity check (checksum, magic, version or truncated file).
    """

class EvalQrels:
    """
    Relevance judgments: for each query, documents with an integer grade.
    """
    @staticmethod
    def from_dict(qrels: dict[str, dict[str, int]]) -> EvalQrels:
        """
        From {query_id: {doc_id: grade}}.
        """
    @staticmethod
    def read_beir(path: str) -> EvalQrels:
        """
        Read a BEIR qrels TSV (header, then query-id, corpus-id, score).
        """
    @staticmethod
    def read_trec(path: str) -> EvalQrels:
        """
        Read a TREC qrels file (query iteration doc grade).
        """
    def __init__(self) -> None: ...
    def __len__(self) -> int:
        """
        Number of judgments over all queries.
        """
    def add(self, query: str, doc: str, relevance: typing.SupportsInt | typing.SupportsIndex) -> None: ...
    def query_ids(self) -> list[str]:
        """
        Query ids in the order they were first added.
        """
    def to_dict(self) -> dict[str, dict[str, int]]:
        """
        As {query_id: {doc_id: grade}}.
        """
    @property
    def num_queries(self) -> int: ...

class EvalRun:
    """
    Retrieved documents with scores, per query.
    """
    @staticmethod
    def from_dict(run: dict[str, dict[str, float]]) -> EvalRun:
        """
        From {query_id: {doc_id: score}}.
        """
    @staticmethod
    def read_trec(path: str) -> EvalRun:
        """
        Read a TREC run file (query Q0 doc rank score tag).
        """
    def __init__(self) -> None: ...
    def __len__(self) -> int:
        """
        Number of retrieved entries over all queries.
        """
    def add(self, query: str, doc: str, score: typing.SupportsFloat | typing.SupportsIndex) -> None: ...
    def query_ids(self) -> list[str]:
        """
        Query ids in the order they were first added.
        """
    def to_dict(self) -> dict[str, dict[str, float]]:
        """
        As {query_id: {doc_id: score}}.
        """
    @property
    def num_queries(self) -> int: ...

class BlockCache:
    """
    A RocksDB block cache that several stores can share.
    """
    def __init__(self, capacity_bytes: typing.SupportsInt | typing.SupportsIndex) -> None: ...
    @property
    def capacity(self) -> int: ...
    @property
    def usage(self) -> int: ...

class DocStore:
    """
    Documents (text, metadata bytes, float32 vector) on RocksDB.
    """
    def __init__(
        self,
        path: str,
        dim: typing.SupportsInt | typing.SupportsIndex | None = None,
        access: str = "read_write",
        block_cache: BlockCache | None = None,
        block_cache_bytes: typing.SupportsInt | typing.SupportsIndex = 67108864,
        sync: bool = False,
    ) -> None: ...
    def __len__(self) -> int: ...
    def catch_up(self) -> None:
        """
        Secondary only: apply what the writer has written since the last call.
        """
    def close(self) -> None:
        """
        Close the store; later calls raise ValueError.
        """
    def compact(self) -> None:
        """
        Flush and fully compact every family (expired entries are dropped).
        """
    def contains(self, id: str) -> bool: ...
    def get(self, ids: collections.abc.Sequence[str]) -> list[typing.Any]:
        """
        (text, metadata bytes or None, vector or None) per id, None when absent; one snapshot.
        """
    def ids(self) -> list[str]:
        """
        Every id, in key order.
        """
    def store_stats(self) -> dict[str, typing.Any]:
        """
        RocksDB statistics: per-family keys and bytes, disk bytes, block-cache hits and misses.
        """
    def verify(self) -> None:
        """
        Read every file and check its checksums; raises CorruptionError.
        """
    def write(
        self,
        add: bool,
        ids: collections.abc.Sequence[str],
        texts: collections.abc.Sequence[str],
        vectors: typing.Any,
        metadata: collections.abc.Sequence[str | None] | None,
        erase_ids: collections.abc.Sequence[str],
    ) -> tuple[list[bool], list[bool]]:
        """
        One atomic write: documents (add or upsert) and deletions. Returns (replaced, erased) flags.
        """
    @property
    def access(self) -> str: ...
    @property
    def closed(self) -> bool: ...
    @property
    def dim(self) -> int: ...
    @property
    def path(self) -> str: ...

class EmbeddingCache:
    """
    Persistent embedding cache on RocksDB.
    """
    @staticmethod
    def key(
        model: str, text: str, dim: typing.SupportsInt | typing.SupportsIndex, normalization: str = "none"
    ) -> bytes: ...
    def __init__(
        self,
        path: str,
        dtype: str = "float32",
        ttl_ms: typing.SupportsInt | typing.SupportsIndex | None = None,
        access: str = "read_write",
        block_cache: BlockCache | None = None,
        block_cache_bytes: typing.SupportsInt | typing.SupportsIndex = 67108864,
        sync: bool = False,
    ) -> None: ...
    def catch_up(self) -> None: ...
    def clear(self) -> None: ...
    def close(self) -> None:
        """
        Close the store; later calls raise ValueError.
        """
    def compact(self) -> None:
        """
        Flush and fully compact every family (expired entries are dropped).
        """
    def counters(self) -> dict[str, typing.Any]:
        """
        Hits, misses (expired included), expired and puts since this handle opened.
        """
    def erase_model(self, model: str) -> None: ...
    def get_many(
        self,
        model: str,
        texts: collections.abc.Sequence[str],
        dim: typing.SupportsInt | typing.SupportsIndex,
        normalization: str = "none",
    ) -> tuple[numpy.typing.NDArray[numpy.float32], numpy.typing.NDArray[numpy.bool]]:
        """
        (vectors float32 [n, dim] with zero rows for misses, hit mask bool [n]).
        """
    def put_many(
        self,
        model: str,
        texts: collections.abc.Sequence[str],
        vectors: typing.Any,
        normalization: str = "none",
        ttl_ms: typing.SupportsInt | typing.SupportsIndex | None = None,
    ) -> None:
        """
        Store one float32 row per text; ttl_ms None takes the cache's default.
        """
    def reset_counters(self) -> None: ...
    def store_stats(self) -> dict[str, typing.Any]:
        """
        RocksDB statistics: per-family keys and bytes, disk bytes, block-cache hits and misses.
        """
    def verify(self) -> None:
        """
        Read every file and check its checksums; raises CorruptionError.
        """
    @property
    def access(self) -> str: ...
    @property
    def closed(self) -> bool: ...
    @property
    def path(self) -> str: ...

class LLMCache:
    """
    Persistent exact and semantic LLM response cache on RocksDB.
    """
    def __init__(
        self,
        path: str,
        max_bytes: typing.SupportsInt | typing.SupportsIndex = 0,
        ttl_ms: typing.SupportsInt | typing.SupportsIndex | None = None,
        volatile_fields: collections.abc.Sequence[str] = [],
        embedding_model: str = "default",
        access: str = "read_write",
        block_cache: BlockCache | None = None,
        block_cache_bytes: typing.SupportsInt | typing.SupportsIndex = 67108864,
        sync: bool = False,
    ) -> None: ...
    def catch_up(self) -> None: ...
    def check_integrity(self) -> None: ...
    def clear(self) -> None: ...
    def close(self) -> None:
        """
        Close the store; later calls raise ValueError.
        """
    def compact(self) -> None:
        """
        Flush and fully compact every family (expired entries are dropped).
        """
    def erase(self, request: typing.Any) -> bool: ...
    def flush_recency(self) -> None: ...
    def key(self, request: typing.Any) -> str:
        """
        The request's cache key: 64 hex digits of SHA-256 over its canonical encoding.
        """
    def lookup(self, request: typing.Any) -> typing.Any:
        """
        The cached response bytes, or None.
        """
    def lookup_semantic(
        self,
        request: typing.Any,
        embed: typing.Any,
        threshold: typing.SupportsFloat | typing.SupportsIndex,
        verifier: typing.Any = None,
        candidates: typing.SupportsInt | typing.SupportsIndex = 4,
    ) -> typing.Any:
        """
        (response bytes, cosine, matched text, exact) or None.
        """
    def purge_expired(self) -> int: ...
    def reset_stats(self) -> None: ...
    def stats(self) -> dict[str, typing.Any]: ...
    def store_stats(self) -> dict[str, typing.Any]:
        """
        RocksDB statistics: per-family keys and bytes, disk bytes, block-cache hits and misses.
        """
    def update(
        self,
        request: typing.Any,
        response: str,
        prompt_tokens: typing.SupportsInt | typing.SupportsIndex = 0,
        completion_tokens: typing.SupportsInt | typing.SupportsIndex = 0,
        cost: typing.SupportsFloat | typing.SupportsIndex = 0.0,
        ttl_ms: typing.SupportsInt | typing.SupportsIndex | None = None,
    ) -> bool:
        """
        Store a response; False when it is larger than max_bytes (not stored).
        """
    def update_semantic(
        self,
        request: typing.Any,
        response: str,
        embed: typing.Any,
        prompt_tokens: typing.SupportsInt | typing.SupportsIndex = 0,
        completion_tokens: typing.SupportsInt | typing.SupportsIndex = 0,
        cost: typing.SupportsFloat | typing.SupportsIndex = 0.0,
        ttl_ms: typing.SupportsInt | typing.SupportsIndex | None = None,
    ) -> bool: ...
    def verify(self) -> None:
        """
        Read every file and check its checksums; raises CorruptionError.
        """
    @property
    def access(self) -> str: ...
    @property
    def closed(self) -> bool: ...
    @property
    def path(self) -> str: ...

class Tokenizer:
    """
    A HuggingFace tokenizer.json (WordPiece with the BERT normaliser, or byte-level BPE), counted in C++.
    """
    @staticmethod
    def from_file(path: typing.Any) -> Tokenizer:
        """
        Reads a tokenizer.json file.
        """
    @staticmethod
    def from_str(json: typing.Any) -> Tokenizer:
        """
        Parses the JSON text of a tokenizer.json.
        """
    def clear_cache(self) -> None:
        """
        Forgets the memoised per-word counts.
        """
    def count(self, text: typing.Any, add_special_tokens: bool = False) -> int:
        """
        Number of tokens encode() returns (memoised per word).
        """
    def encode(self, text: typing.Any, add_special_tokens: bool = False) -> list[int]:
        """
        Token ids, as HuggingFace's encode(text, add_special_tokens=...) without truncation or padding.
        """
    @property
    def model_type(self) -> str: ...
    @property
    def special_tokens_added(self) -> int:
        """
        Tokens the post-processor adds around one sequence (2 for BERT's [CLS] ... [SEP]).
        """
    @property
    def vocab_size(self) -> int: ...

class FileChunker:
    """
    Chunks a file window by window (see ragkernel.chunk_file).
    """
    def __init__(
        self,
        path: typing.Any,
        method: str,
        chunk_size: typing.SupportsInt | typing.SupportsIndex,
        overlap: typing.SupportsInt | typing.SupportsIndex,
        unit: str,
        tokenizer: Tokenizer,
        counter: collections.abc.Callable[[str], int] | None,
        add_special_tokens: bool,
        separators: collections.abc.Sequence[str] | None,
        preset: str,
        embedder: collections.abc.Callable[[list[str]], typing.Any] | None,
        window: typing.SupportsInt | typing.SupportsIndex,
        breakpoint_percentile: typing.SupportsFloat | typing.SupportsIndex,
        errors: str,
        window_bytes: typing.SupportsInt | typing.SupportsIndex,
    ) -> None: ...
    def next_window(
        self,
    ) -> (
        tuple[
            str,
            int,
            int,
            tuple[
                numpy.typing.NDArray[numpy.int64],
                numpy.typing.NDArray[numpy.int64],
                numpy.typing.NDArray[numpy.int64],
                numpy.typing.NDArray[numpy.int64],
                numpy.typing.NDArray[numpy.int64],
                list[list[str]] | None,
            ],
        ]
        | None
    ):
        """
        (window_text, window_start, window_byte_start, chunk arrays) of the next window, or None at the end.
        """

class Analyzer:
    """
    Text analysis: UTF-8 text in, index terms out.
    """
    @staticmethod
    def from_serialized(serialized: str) -> Analyzer:
        """
        The analyzer a serialize() string describes.
        """
    def __init__(
        self,
        preset: str | None = None,
        tokenizer: str | None = None,
        lowercase: bool | None = None,
        remove_possessive: bool | None = None,
        min_token_length: typing.SupportsInt | typing.SupportsIndex | None = None,
        max_token_length: typing.SupportsInt | typing.SupportsIndex | None = None,
        stopwords: collections.abc.Sequence[str] | None = None,
        stemmer: str | None = None,
    ) -> None: ...
    def analyze(self, text: str) -> list[str]:
        """
        The terms of one text.
        """
    def analyze_batch(
        self, texts: collections.abc.Sequence[str], threads: typing.SupportsInt | typing.SupportsIndex = 0
    ) -> list[list[str]]:
        """
        The terms of many texts, analysed in parallel.
        """
    def config(self) -> dict[str, typing.Any]:
        """
        The configuration as a dict.
        """
    def serialize(self) -> str:
        """
        The configuration in its stable text form.
        """

class BM25Index:
    """
    BM25 over texts with string ids (the core index plus an id map).
    """
    def __init__(
        self,
        analyzer: str | None = None,
        analyzer_config: str | None = None,
        variant: str = "lucene",
        k1: typing.SupportsFloat | typing.SupportsIndex = 1.5,
        b: typing.SupportsFloat | typing.SupportsIndex = 0.75,
        delta: typing.SupportsFloat | typing.SupportsIndex = 0.5,
    ) -> None: ...
    def __len__(self) -> int: ...
    def add(
        self,
        ids: collections.abc.Sequence[str],
        texts: list[str | bytes],
        threads: typing.SupportsInt | typing.SupportsIndex = 0,
    ) -> None: ...
    def add_terms(
        self, ids: collections.abc.Sequence[str], terms: collections.abc.Sequence[collections.abc.Sequence[str]]
    ) -> None:
        """
        Adds pre-analysed documents.
        """
    def analyze(self, text: str) -> list[str]: ...
    def analyzer_config(self) -> str: ...
    def contains(self, id: str) -> bool: ...
    def doc_frequency(self, term: str) -> int: ...
    def explain(self, query: str, id: str) -> dict[str, typing.Any]:
        """
        Per-term contributions to one document's score.
        """
    def params(self) -> dict[str, typing.Any]: ...
    def remove(self, ids: collections.abc.Sequence[str]) -> None: ...
    def search(
        self,
        queries: list[str | bytes],
        k: typing.SupportsInt | typing.SupportsIndex = 10,
        allow: collections.abc.Sequence[str] | None = None,
        threads: typing.SupportsInt | typing.SupportsIndex = 0,
        mode: str = "auto",
    ) -> list[list[tuple[str, float]]]:
        """
        Per query, a list of (id, score), best first.
        """
    def search_arrays(
        self,
        queries: list[typing.Any],
        k: typing.SupportsInt | typing.SupportsIndex = 10,
        allow: collections.abc.Sequence[str] | None = None,
        threads: typing.SupportsInt | typing.SupportsIndex = 0,
        mode: str = "auto",
    ) -> tuple[numpy.ndarray[typing.Any, numpy.dtype[typing.Any]], numpy.typing.NDArray[numpy.float32]]:
        """
        Hits of many queries (strings or term lists) as [queries, k] arrays: ids (object, None past the last hit) and float32 scores (NaN there).
        """
    def search_terms(
        self,
        queries: collections.abc.Sequence[collections.abc.Sequence[str]],
        k: typing.SupportsInt | typing.SupportsIndex = 10,
        allow: collections.abc.Sequence[str] | None = None,
        threads: typing.SupportsInt | typing.SupportsIndex = 0,
        mode: str = "auto",
    ) -> list[list[tuple[str, float]]]:
        """
        Like search, for pre-analysed queries.
        """
    def set_params(
        self,
        variant: str,
        k1: typing.SupportsFloat | typing.SupportsIndex,
        b: typing.SupportsFloat | typing.SupportsIndex,
        delta: typing.SupportsFloat | typing.SupportsIndex,
    ) -> None: ...
    def stats(self) -> dict[str, typing.Any]: ...

class MetadataStore:
    """
    Typed metadata per string id, queried with filters.
    """
    def __init__(self) -> None: ...
    def __len__(self) -> int: ...
    def contains(self, id: str) -> bool: ...
    def field_types(self) -> dict[str, str]: ...
    def get(self, id: str) -> dict[str, typing.Any]: ...
    def match(self, filter: dict[str, typing.Any]) -> list[str]:
        """
        Ids whose metadata satisfies the filter, in internal-id order.
        """
    def remove(self, ids: collections.abc.Sequence[str]) -> None: ...
    def set(self, ids: collections.abc.Sequence[str], metadata: list[dict[str, typing.Any]]) -> None:
        """
        Replaces the metadata of each id (all-or-nothing).
        """

class AllowSet:
    """
    The internal ids of some keys of one VectorIndex, made once by allow_set() and reused by many searches; refused after a removal from that index.
    """
    def __len__(self) -> int:
        """
        Keys that were in the index when the set was made.
        """

class VectorIndex:
    """
    Vector index with string ids (flat or HNSW; float32, int8, int4 or binary).
    """
    @staticmethod
    def from_bytes(data: bytes) -> VectorIndex: ...
    @staticmethod
    def load(path: str, mmap: bool = False) -> VectorIndex: ...
    def __init__(
        self,
        dim: typing.SupportsInt | typing.SupportsIndex,
        metric: str = "cosine",
        kind: str = "flat",
        quantization: str = "none",
        keep_float: bool = True,
        M: typing.SupportsInt | typing.SupportsIndex = 16,
        ef_construction: typing.SupportsInt | typing.SupportsIndex = 200,
        ef_search: typing.SupportsInt | typing.SupportsIndex = 64,
        seed: typing.SupportsInt | typing.SupportsIndex = 42,
    ) -> None: ...
    def __len__(self) -> int: ...
    def add(self, ids: collections.abc.Sequence[str], vectors: typing.Any) -> None:
        """
        Adds new ids; raises ValueError if one is present.
        """
    def allow_set(self, ids: collections.abc.Sequence[str]) -> AllowSet:
        """
        A reusable allow-set of these ids (ids not in the index are ignored).
        """
    def contains(self, id: str) -> bool: ...
    def get(self, ids: collections.abc.Sequence[str]) -> numpy.typing.NDArray[numpy.float32]:
        """
        Stored vectors [n, dim] (cosine: as given, not normalised).
        """
    def memory_usage(self) -> int:
        """
        Bytes held by vectors, codes, graph and ids.
        """
    def optimize(self) -> None:
        """
        Lays a graph index out for faster searches (add does it after a bulk load).
        """
    def remove(self, ids: collections.abc.Sequence[str]) -> None:
        """
        Removes ids; raises KeyError naming the first unknown id.
        """
    def save(self, path: str) -> None: ...
    def search(
        self,
        queries: typing.Any,
        k: typing.SupportsInt | typing.SupportsIndex = 10,
        allow: collections.abc.Sequence[str] | None = None,
        ef: typing.SupportsInt | typing.SupportsIndex = 0,
        rescore: typing.SupportsInt | typing.SupportsIndex = 0,
        exact_threshold: typing.SupportsInt | typing.SupportsIndex = 0,
        threads: typing.SupportsInt | typing.SupportsIndex = 0,
        allow_set: AllowSet | None = None,
    ) -> tuple[numpy.ndarray[typing.Any, numpy.dtype[typing.Any]], numpy.typing.NDArray[numpy.float32]]:
        """
        (ids [nq, k] object, scores [nq, k] float32); missing results are '' / NaN.
        """
    def to_bytes(self) -> bytes: ...
    def train(self, vectors: typing.Any) -> None:
        """
        Fits the quantizer before the first add.
        """
    def upsert(self, ids: collections.abc.Sequence[str], vectors: typing.Any) -> None:
        """
        Adds or replaces.
        """
    @property
    def M(self) -> int: ...
    @property
    def dim(self) -> int: ...
    @property
    def ef_construction(self) -> int: ...
    @property
    def ef_search(self) -> int: ...
    @property
    def keep_float(self) -> bool: ...
    @property
    def kind(self) -> str: ...
    @property
    def metric(self) -> str: ...
    @property
    def quantization(self) -> str: ...

class Collection:
    """
    Documents searchable by BM25, vectors and both fused; in memory or durable.
    """
    @staticmethod
    def create(
        path: str,
        dim: typing.SupportsInt | typing.SupportsIndex,
        metric: str,
        index: str,
        quantization: str,
        keep_float: bool,
        M: typing.SupportsInt | typing.SupportsIndex,
        ef_construction: typing.SupportsInt | typing.SupportsIndex,
        ef_search: typing.SupportsInt | typing.SupportsIndex,
        seed: typing.SupportsInt | typing.SupportsIndex,
        analyzer: str,
        variant: str,
        k1: typing.SupportsFloat | typing.SupportsIndex,
        b: typing.SupportsFloat | typing.SupportsIndex,
        delta: typing.SupportsFloat | typing.SupportsIndex,
        block_cache: BlockCache | None,
        block_cache_bytes: typing.SupportsInt | typing.SupportsIndex,
        sync: bool,
    ) -> Collection: ...
    @staticmethod
    def open(
        path: str,
        access: str,
        dim: typing.SupportsInt | typing.SupportsIndex | None,
        restore: str,
        mmap: bool,
        block_cache: BlockCache | None,
        block_cache_bytes: typing.SupportsInt | typing.SupportsIndex,
        sync: bool,
        checkpoint_min_changes: typing.SupportsInt | typing.SupportsIndex,
    ) -> Collection: ...
    def __init__(
        self,
        dim: typing.SupportsInt | typing.SupportsIndex,
        metric: str,
        index: str,
        quantization: str,
        keep_float: bool,
        M: typing.SupportsInt | typing.SupportsIndex,
        ef_construction: typing.SupportsInt | typing.SupportsIndex,
        ef_search: typing.SupportsInt | typing.SupportsIndex,
        seed: typing.SupportsInt | typing.SupportsIndex,
        analyzer: str,
        variant: str,
        k1: typing.SupportsFloat | typing.SupportsIndex,
        b: typing.SupportsFloat | typing.SupportsIndex,
        delta: typing.SupportsFloat | typing.SupportsIndex,
    ) -> None: ...
    def __len__(self) -> int: ...
    def catch_up(self) -> None: ...
    def checkpoint(self) -> None: ...
    def close(self) -> None: ...
    def compact(self) -> None: ...
    def contains(self, id: str) -> bool: ...
    def delete(self, ids: collections.abc.Sequence[str]) -> None: ...
    def explain(self, query: str, id: str) -> dict[str, typing.Any]: ...
    def get(
        self, ids: collections.abc.Sequence[str], fields: typing.SupportsInt | typing.SupportsIndex
    ) -> list[typing.Any]:
        """
        (text, metadata, vector) per id, None when absent.
        """
    def ids(self) -> list[str]: ...
    def options(self) -> dict[str, typing.Any]:
        """
        The settings, as the manifest of a durable collection keeps them.
        """
    def search(
        self,
        texts: typing.Any,
        vectors: typing.Any,
        k: typing.SupportsInt | typing.SupportsIndex,
        filter: typing.Any,
        method: str,
        rrf_k: typing.SupportsFloat | typing.SupportsIndex,
        normalizer: str,
        weights: tuple[typing.SupportsFloat | typing.SupportsIndex, typing.SupportsFloat | typing.SupportsIndex],
        candidates: typing.SupportsInt | typing.SupportsIndex,
        ef: typing.SupportsInt | typing.SupportsIndex,
        fields: typing.SupportsInt | typing.SupportsIndex,
        threads: typing.SupportsInt | typing.SupportsIndex,
    ) -> list[list[tuple[str, float, typing.Any, typing.Any, typing.Any, typing.Any, typing.Any, typing.Any]]]:
        """
        Per query a list of (id, score, bm25 score, bm25 rank, vector score, vector rank, text, metadata).
        """
    def stats(self) -> dict[str, typing.Any]: ...
    def write(
        self,
        upsert: bool,
        ids: collections.abc.Sequence[str],
        texts: list[str | bytes],
        vectors: typing.Any,
        metadata: typing.Any,
        erase: collections.abc.Sequence[str],
    ) -> list[bool]:
        """
        One all-or-nothing write (erase: ids deleted in the same write); returns per id whether it replaced a document.
        """
    @property
    def access(self) -> str: ...
    @property
    def closed(self) -> bool: ...
    @property
    def dim(self) -> int: ...
    @property
    def durable(self) -> bool: ...
    @property
    def path(self) -> str: ...

def build_info() -> dict[str, typing.Any]:
    """
    Version, compiler, compiled/supported/active SIMD levels and OpenMP threads.
    """

def check_filter(filter: dict[str, typing.Any]) -> None:
    """
    Raises ValueError if the filter is not valid syntax.
    """

def chunk_batch(
    texts: list[str],
    method: str,
    chunk_size: typing.SupportsInt | typing.SupportsIndex,
    overlap: typing.SupportsInt | typing.SupportsIndex,
    unit: str,
    tokenizer: Tokenizer,
    counter: collections.abc.Callable[[str], int] | None,
    add_special_tokens: bool,
    separators: collections.abc.Sequence[str] | None,
    preset: str,
    embedder: collections.abc.Callable[[list[str]], typing.Any] | None,
    window: typing.SupportsInt | typing.SupportsIndex,
    breakpoint_percentile: typing.SupportsFloat | typing.SupportsIndex,
) -> list[
    tuple[
        numpy.typing.NDArray[numpy.int64],
        numpy.typing.NDArray[numpy.int64],
        numpy.typing.NDArray[numpy.int64],
        numpy.typing.NDArray[numpy.int64],
        numpy.typing.NDArray[numpy.int64],
        list[list[str]] | None,
    ]
]:
    """
    Chunks many documents in parallel (OpenMP, GIL released). method: token | sentence | recursive | markdown | semantic; unit: chars | words | tokens. Returns (start, end, byte_start, byte_end, size) int64 arrays and the heading paths (or None).
    """

def chunk_text(
    text: typing.Any,
    method: str,
    chunk_size: typing.SupportsInt | typing.SupportsIndex,
    overlap: typing.SupportsInt | typing.SupportsIndex,
    unit: str,
    tokenizer: Tokenizer,
    counter: collections.abc.Callable[[str], int] | None,
    add_special_tokens: bool,
    separators: collections.abc.Sequence[str] | None,
    preset: str,
    embedder: collections.abc.Callable[[list[str]], typing.Any] | None,
    window: typing.SupportsInt | typing.SupportsIndex,
    breakpoint_percentile: typing.SupportsFloat | typing.SupportsIndex,
) -> tuple[
    numpy.typing.NDArray[numpy.int64],
    numpy.typing.NDArray[numpy.int64],
    numpy.typing.NDArray[numpy.int64],
    numpy.typing.NDArray[numpy.int64],
    numpy.typing.NDArray[numpy.int64],
    list[list[str]] | None,
]:
    """
    Chunks one document. method: token | sentence | recursive | markdown | semantic; unit: chars | words | tokens. Returns (start, end, byte_start, byte_end, size) int64 arrays and the heading paths (or None).
    """

def english_stopwords() -> list[str]:
    """
    Lucene's 33 English stopwords.
    """

def eval_bootstrap_ci(
    values: typing.Any,
    confidence: typing.SupportsFloat | typing.SupportsIndex,
    resamples: typing.SupportsInt | typing.SupportsIndex,
    seed: typing.SupportsInt | typing.SupportsIndex,
) -> tuple[float, float]:
    """
    Percentile bootstrap interval of the mean: (low, high).
    """

def eval_evaluate(
    qrels: EvalQrels,
    run: EvalRun,
    metrics: collections.abc.Sequence[str],
    relevance_level: typing.SupportsInt | typing.SupportsIndex = 1,
    complete: bool = False,
    judged_docs_only: bool = False,
    remove_query_id: bool = False,
) -> tuple[list[str], numpy.typing.NDArray[numpy.float64]]:
    """
    Per-query metric values: (query_ids, float64 array [queries, metrics]).
    """

def eval_holm(p_values: collections.abc.Sequence[typing.SupportsFloat | typing.SupportsIndex]) -> list[float]:
    """
    Holm-Bonferroni adjusted p-values, in input order.
    """

def eval_metric_name(name: str) -> str:
    """
    The canonical (pytrec_eval) name of a metric; raises ValueError for an unknown one.
    """

def eval_paired_t_test(a: typing.Any, b: typing.Any) -> tuple[float, float]:
    """
    Paired t-test of a - b (float64 arrays): (t, two-sided p).
    """

def eval_randomization_tests(
    systems: typing.Any,
    baseline: typing.Any,
    permutations: typing.SupportsInt | typing.SupportsIndex,
    seed: typing.SupportsInt | typing.SupportsIndex,
) -> numpy.typing.NDArray[numpy.float64]:
    """
    Fisher randomization test of each row of systems [s, n] against baseline [n]: array [s, 2] of (mean difference, two-sided p).
    """

def eval_student_t_sf(
    t: typing.SupportsFloat | typing.SupportsIndex, df: typing.SupportsFloat | typing.SupportsIndex
) -> float:
    """
    P(T > t) for Student's t distribution with df degrees of freedom.
    """

def fuse(
    ids: list[typing.Annotated[numpy.typing.ArrayLike, numpy.uint32]],
    scores: list[typing.Annotated[numpy.typing.ArrayLike, numpy.float32]],
    weights: collections.abc.Sequence[typing.SupportsFloat | typing.SupportsIndex] | None = None,
    method: str = "rrf",
    rrf_k: typing.SupportsFloat | typing.SupportsIndex = 60.0,
    normalizer: str = "minmax",
    lower: collections.abc.Sequence[typing.SupportsFloat | typing.SupportsIndex] | None = None,
    upper: collections.abc.Sequence[typing.SupportsFloat | typing.SupportsIndex] | None = None,
    k: typing.SupportsInt | typing.SupportsIndex = 0,
) -> tuple[
    numpy.typing.NDArray[numpy.uint32],
    numpy.typing.NDArray[numpy.float64],
    numpy.typing.NDArray[numpy.float32],
    numpy.typing.NDArray[numpy.uint32],
]:
    """
    Fuses ranked lists (uint32 ids, float32 scores per source, best first). Returns (ids, fused scores, per-source scores [n, sources] with NaN where absent, 1-based ranks with 0 where absent).
    """

def kernel_cosine(query: typing.Any, rows: typing.Any, level: str | None = None) -> numpy.typing.NDArray[numpy.float32]:
    """
    Cosine similarity of a float32 query [d] with each row (0 for zero vectors). level: a SIMD level name to force (default: the active level).
    """

def kernel_dot(query: typing.Any, rows: typing.Any, level: str | None = None) -> numpy.typing.NDArray[numpy.float32]:
    """
    Inner product of a float32 query [d] with each row of rows [n, d]. level: a SIMD level name to force (default: the active level).
    """

def kernel_dot_i8(query: typing.Any, rows: typing.Any, level: str | None = None) -> numpy.typing.NDArray[numpy.int32]:
    """
    Exact int32 inner product of an int8 query [d] with each int8 row. level: a SIMD level name to force (default: the active level).
    """

def kernel_hamming(query: typing.Any, rows: typing.Any, level: str | None = None) -> numpy.typing.NDArray[numpy.uint32]:
    """
    Hamming distance between packed bit vectors: uint8 query [b] and rows [n, b]. level: a SIMD level name to force (default: the active level).
    """

def kernel_l2sq(query: typing.Any, rows: typing.Any, level: str | None = None) -> numpy.typing.NDArray[numpy.float32]:
    """
    Squared L2 distance of a float32 query [d] to each row of rows [n, d]. level: a SIMD level name to force (default: the active level).
    """

def measure_read_bandwidth(
    bytes: typing.SupportsInt | typing.SupportsIndex = 1073741824,
    threads: typing.SupportsInt | typing.SupportsIndex = 1,
    repeats: typing.SupportsInt | typing.SupportsIndex = 5,
) -> float:
    """
    Sustained memory-read bandwidth in bytes/s (best of `repeats` passes over a `bytes` buffer).
    """

def recursive_presets() -> dict[str, list[str]]:
    """
    The separator presets of the recursive chunker.
    """

def self_check() -> list[dict[str, typing.Any]]:
    """
    Run every supported SIMD level's kernels against the scalar reference.
    """

def simd_levels() -> dict[str, typing.Any]:
    """
    Compiled, supported and active SIMD levels.
    """

def stemmer_algorithms() -> list[str]:
    """
    Stemmer names libstemmer provides.
    """

def store_repair(path: str) -> None:
    """
    Rebuild a damaged store's metadata from its surviving files (RocksDB RepairDB).
    """

COLLECTION_FORMAT_VERSION: int = 1
STORE_SCHEMA_VERSION: int = 1
__version__: str = "0.1.0"

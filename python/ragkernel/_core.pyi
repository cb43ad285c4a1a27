"""
ragkernel's compiled core. Import `ragkernel`, not this module.
"""

from __future__ import annotations
import collections.abc
import numpy
import numpy.typing
import typing

__all__: list[str] = [
    "CorruptionError",
    "EvalQrels",
    "EvalRun",
    "VectorIndex",
    "build_info",
    "eval_bootstrap_ci",
    "eval_evaluate",
    "eval_holm",
    "eval_metric_name",
    "eval_paired_t_test",
    "eval_randomization_tests",
    "eval_student_t_sf",
    "kernel_cosine",
    "kernel_dot",
    "kernel_dot_i8",
    "kernel_hamming",
    "kernel_l2sq",
    "measure_read_bandwidth",
    "self_check",
    "simd_levels",
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

class VectorIndex:
    """
    Vector index with string ids (flat or HNSW; float32, int8 or binary).
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
    def contains(self, id: str) -> bool: ...
    def get(self, ids: collections.abc.Sequence[str]) -> numpy.typing.NDArray[numpy.float32]:
        """
        Stored vectors [n, dim] (cosine: as given, not normalised).
        """
    def memory_usage(self) -> int:
        """
        Bytes held by vectors, codes, graph and ids.
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
    ) -> tuple[numpy.ndarray[typing.Any, numpy.dtype[typing.Any]], numpy.typing.NDArray[numpy.float32]]:
        """
        (ids [nq, k] object, scores [nq, k] float32); missing results are '' / NaN.
        """
    def to_bytes(self) -> bytes: ...
    def train(self, vectors: typing.Any) -> None:
        """
        Fits the int8/binary quantizer before the first add.
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

def build_info() -> dict[str, typing.Any]:
    """
    Version, compiler, compiled/supported/active SIMD levels and OpenMP threads.
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

def self_check() -> list[dict[str, typing.Any]]:
    """
    Run every supported SIMD level's kernels against the scalar reference.
    """

def simd_levels() -> dict[str, typing.Any]:
    """
    Compiled, supported and active SIMD levels.
    """

__version__: str = "0.1.0"

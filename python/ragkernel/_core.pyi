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
    "VectorIndex",
    "build_info",
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

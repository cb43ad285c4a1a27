"""
ragkernel's compiled core. Import `ragkernel`, not this module.
"""

from __future__ import annotations
import numpy
import numpy.typing
import typing

__all__: list[str] = [
    "CorruptionError",
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

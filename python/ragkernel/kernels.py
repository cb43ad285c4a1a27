"""Distance kernels: one query against every row of a matrix, SIMD-dispatched at run time.

These are the building blocks of the indexes, exposed for tests, benchmarks and users who
want a fast scan without an index. Inputs must already have the right dtype and be
C-contiguous; nothing is converted silently. NaN in the inputs propagates to the output.

>>> import numpy as np, ragkernel as rk
>>> q = np.ones(4, dtype=np.float32)
>>> rows = np.arange(8, dtype=np.float32).reshape(2, 4)
>>> rk.kernels.dot(q, rows)
array([ 6., 22.], dtype=float32)
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ragkernel import _core

__all__ = ["cosine", "dot", "dot_i8", "hamming", "l2sq"]


def dot(
    query: npt.NDArray[np.float32], rows: npt.NDArray[np.float32], *, level: str | None = None
) -> npt.NDArray[np.float32]:
    """Inner product of ``query`` [d] with each row of ``rows`` [n, d] (float32)."""
    return _core.kernel_dot(query, rows, level)


def l2sq(
    query: npt.NDArray[np.float32], rows: npt.NDArray[np.float32], *, level: str | None = None
) -> npt.NDArray[np.float32]:
    """Squared Euclidean distance from ``query`` [d] to each row of ``rows`` [n, d] (float32)."""
    return _core.kernel_l2sq(query, rows, level)


def cosine(
    query: npt.NDArray[np.float32], rows: npt.NDArray[np.float32], *, level: str | None = None
) -> npt.NDArray[np.float32]:
    """Cosine similarity of ``query`` with each row; 0 where either vector is all zeros."""
    return _core.kernel_cosine(query, rows, level)


def dot_i8(
    query: npt.NDArray[np.int8], rows: npt.NDArray[np.int8], *, level: str | None = None
) -> npt.NDArray[np.int32]:
    """Exact int32 inner product of an int8 ``query`` [d] with each int8 row [n, d]."""
    return _core.kernel_dot_i8(query, rows, level)


def hamming(
    query: npt.NDArray[np.uint8], rows: npt.NDArray[np.uint8], *, level: str | None = None
) -> npt.NDArray[np.uint32]:
    """Hamming distance between bit vectors packed in uint8 (``numpy.packbits`` layout)."""
    return _core.kernel_hamming(query, rows, level)

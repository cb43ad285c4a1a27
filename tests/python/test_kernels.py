"""Kernels from Python: every supported SIMD level against the scalar level and numpy, and
every kind of bad input rejected with a ValueError that names the argument and the fix."""

from __future__ import annotations

import numpy as np
import pytest

import ragkernel as rk

LEVELS = rk.simd_levels()["supported"]
DIMS = [1, 3, 8, 15, 16, 17, 33, 128, 384, 385, 768, 1536]


def _rows(rng: np.random.Generator, n: int, d: int) -> tuple[np.ndarray, np.ndarray]:
    return rng.standard_normal(d, dtype=np.float32), rng.standard_normal((n, d), dtype=np.float32)


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("d", DIMS)
def test_float_kernels_match_numpy_and_scalar(level: str, d: int) -> None:
    rng = np.random.default_rng(d)
    q, x = _rows(rng, 13, d)
    scale = np.abs(x * q).sum(axis=1) * 1e-5 + 1e-12
    want = x.astype(np.float64) @ q.astype(np.float64)
    got = rk.kernels.dot(q, x, level=level)
    assert got.dtype == np.float32 and got.shape == (13,)
    assert np.all(np.abs(got - want) <= scale)
    assert np.all(np.abs(got - rk.kernels.dot(q, x, level="scalar")) <= scale)

    want_l2 = ((x.astype(np.float64) - q) ** 2).sum(axis=1)
    got_l2 = rk.kernels.l2sq(q, x, level=level)
    assert np.allclose(got_l2, want_l2, rtol=1e-5, atol=1e-6)

    norms = np.linalg.norm(x.astype(np.float64), axis=1) * np.linalg.norm(q.astype(np.float64))
    assert np.allclose(rk.kernels.cosine(q, x, level=level), want / norms, atol=1e-5)


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("d", DIMS)
def test_integer_kernels_are_exact(level: str, d: int) -> None:
    rng = np.random.default_rng(1000 + d)
    q = rng.integers(-128, 128, d, dtype=np.int8)
    x = rng.integers(-128, 128, (9, d), dtype=np.int8)
    assert np.array_equal(rk.kernels.dot_i8(q, x, level=level), x.astype(np.int32) @ q.astype(np.int32))

    qb = rng.integers(0, 256, d, dtype=np.uint8)
    xb = rng.integers(0, 256, (9, d), dtype=np.uint8)
    want = np.unpackbits(qb ^ xb, axis=1).sum(axis=1)
    assert np.array_equal(rk.kernels.hamming(qb, xb, level=level), want)


def test_unaligned_views_are_accepted() -> None:
    rng = np.random.default_rng(5)
    buf = rng.standard_normal(1 + 7 * 33, dtype=np.float32)
    x = buf[1:].reshape(7, 33)  # starts 4 bytes past an aligned address, still C-contiguous
    q = x[0].copy()
    assert np.allclose(rk.kernels.dot(q, x), x @ q, rtol=1e-5)


def test_nan_propagates() -> None:
    q = np.ones(8, dtype=np.float32)
    x = np.ones((2, 8), dtype=np.float32)
    x[1, 3] = np.nan
    got = rk.kernels.dot(q, x)
    assert got[0] == 8 and np.isnan(got[1])


def test_empty_rows_give_empty_result() -> None:
    out = rk.kernels.dot(np.ones(4, np.float32), np.empty((0, 4), np.float32))
    assert out.shape == (0,)


@pytest.mark.parametrize(
    ("query", "rows", "message"),
    [
        (np.ones(4), np.ones((2, 4), np.float32), "query must have dtype float32, got float64"),
        (np.ones(4, np.float32), np.ones((2, 4), np.float16), "rows must have dtype float32, got float16"),
        ([1.0, 2.0], np.ones((2, 2), np.float32), "query must be a numpy.ndarray of float32, got list"),
        (np.ones((1, 4), np.float32), np.ones((2, 4), np.float32), "query must be a 1-D array, got 2-D"),
        (np.ones(4, np.float32), np.ones(4, np.float32), "rows must be a 2-D array, got 1-D"),
        (np.ones(3, np.float32), np.ones((2, 4), np.float32), "query has dimension 3, expected 4"),
        (np.ones(4, np.float32), np.ones((4, 8), np.float32)[:, ::2], "rows must be C-contiguous"),
    ],
)
def test_bad_input_raises_value_error(query: object, rows: object, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        rk.kernels.dot(query, rows)  # type: ignore[arg-type]


def test_unknown_or_unsupported_level() -> None:
    q, x = np.ones(4, np.float32), np.ones((1, 4), np.float32)
    with pytest.raises(ValueError, match="unknown SIMD level 'avx9'"):
        rk.kernels.dot(q, x, level="avx9")
    missing = [lv for lv in ("sse4_2", "avx2", "avx512", "neon") if lv not in LEVELS]
    for level in missing:
        with pytest.raises(ValueError, match=f"SIMD level {level} is not"):
            rk.kernels.dot(q, x, level=level)


def test_integer_kernels_reject_wrong_dtypes() -> None:
    with pytest.raises(ValueError, match="query must have dtype int8, got uint8"):
        rk.kernels.dot_i8(np.ones(4, np.uint8), np.ones((1, 4), np.int8))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="rows must have dtype uint8, got int8"):
        rk.kernels.hamming(np.ones(4, np.uint8), np.ones((1, 4), np.int8))  # type: ignore[arg-type]

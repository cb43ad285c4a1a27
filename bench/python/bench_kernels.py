"""One query against 100k x 384 float32 rows: ragkernel's dot kernel vs numpy (X @ q).

Both run on one thread (BLAS threads pinned to 1 before numpy loads). The scan reads 154 MB,
far more than the caches, so the physical limit is memory-read bandwidth, measured in the
same run and printed beside the kernel's bytes/s.

    python bench/python/bench_kernels.py [--rows 100000] [--dim 384] [--repeats 30]
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

import ragkernel as rk  # noqa: E402


def best_seconds(fn, repeats: int) -> float:  # type: ignore[no-untyped-def]
    fn()  # warm
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    x = rng.standard_normal((args.rows, args.dim), dtype=np.float32)
    q = rng.standard_normal(args.dim, dtype=np.float32)
    assert np.allclose(rk.kernels.dot(q, x), x @ q, rtol=1e-4, atol=1e-3)

    nbytes = x.nbytes
    bandwidth = rk._core.measure_read_bandwidth(1 << 30, 1)
    t_rk = best_seconds(lambda: rk.kernels.dot(q, x), args.repeats)
    t_np = best_seconds(lambda: x @ q, args.repeats)

    simd = rk.simd_levels()["active"]
    print(f"rows={args.rows} dim={args.dim} bytes={nbytes / 1e6:.1f} MB, 1 thread, SIMD {simd}")
    print(f"memory read bandwidth (measured): {bandwidth / 1e9:6.2f} GB/s")
    for name, seconds in (("ragkernel dot", t_rk), ("numpy X @ q", t_np)):
        rate = nbytes / seconds
        print(f"{name:<14}: {seconds * 1e3:7.3f} ms  {rate / 1e9:6.2f} GB/s  {rate / bandwidth:6.1%} of read bandwidth")
    print(f"ratio numpy/ragkernel time: {t_np / t_rk:.2f}x")


if __name__ == "__main__":
    main()

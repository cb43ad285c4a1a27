"""Fusion of two 1000-candidate lists (half the ids shared), from Python on numpy arrays and
through the (id, score) list API: best of N per method.

    python bench/python/bench_fusion.py [--n 1000] [--repeats 2000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import ragkernel as rk


def best(fn, repeats: int) -> float:  # type: ignore[no-untyped-def]
    fn()
    out = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        out = min(out, time.perf_counter() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=2000)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    n = args.n
    bm25_ids = rng.permutation(2 * n)[:n].astype(np.uint32)
    dense_ids = np.concatenate([bm25_ids[: n // 2], np.arange(2 * n, 2 * n + n - n // 2)]).astype(np.uint32)
    rng.shuffle(dense_ids)
    bm25_scores = np.sort(rng.gamma(2.0, 3.0, n).astype(np.float32))[::-1].copy()
    dense_scores = np.sort(rng.uniform(0.2, 0.9, n).astype(np.float32))[::-1].copy()
    ids, scores = [bm25_ids, dense_ids], [bm25_scores, dense_scores]
    print(f"two lists of {n} candidates, {n // 2} ids in both; best of {args.repeats}")
    for method, kw in (
        ("rrf", {}),
        ("convex", {"weights": [0.5, 0.5]}),
        ("convex", {"weights": [0.5, 0.5], "normalizer": "zscore"}),
        ("dbsf", {}),
    ):
        t = best(lambda m=method, kw=kw: rk.fusion.fuse_arrays(ids, scores, method=m, **kw), args.repeats)  # type: ignore[misc]
        label = method + (f" ({kw['normalizer']})" if "normalizer" in kw else "")
        print(f"fuse_arrays {label:<16}: {t * 1e3:.3f} ms")
    lists = [
        list(zip(map(str, bm25_ids), bm25_scores.tolist(), strict=True)),
        list(zip(map(str, dense_ids), dense_scores.tolist(), strict=True)),
    ]
    t = best(lambda: rk.fusion.rrf(lists), max(args.repeats // 10, 10))
    print(f"fusion.rrf on (str id, score) lists, hits as FusedHit objects: {t * 1e3:.3f} ms")


if __name__ == "__main__":
    main()

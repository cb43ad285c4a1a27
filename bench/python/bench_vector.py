"""Vector search side by side: ragkernel vs FAISS, hnswlib and USearch, same data, same run.

    python bench/python/bench_vector.py --data synthetic --n 100000      # clustered, anisotropic
    python bench/python/bench_vector.py --data synthetic --n 1000000     # the issue's full scale
    python bench/python/bench_vector.py --data real                      # all-MiniLM-L6-v2 passages

Real data: the embeddings cached by bench/python/vector_corpus.py (bundled collections plus
Python documentation passages) under $RAGKERNEL_BENCH_CACHE (default bench/.cache); queries
are held-out passages. Every library gets the same vectors, thread count and k = 10; timings
are best of --repeats, libraries interleaved per setting. Prints ratios; writes a JSON and a PNG
of the recall/QPS curves to bench/results/.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import os
import pathlib
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import faiss
import hnswlib
import usearch.index

import ragkernel as rk

RESULTS = pathlib.Path(__file__).resolve().parents[1] / "results"
K = 10
D = 384
M = 16
EF_CONSTRUCTION = 200
EFS = [10, 16, 24, 32, 48, 64, 80, 96, 112, 128, 192, 256]
FILTER_EFS = [10, 16, 32, 64, 128]  # from ef = k, as the unfiltered sweep


# ---------------------------------------------------------------------------------------- data


def synthetic(n: int, seed: int, d: int = D, clusters: int = 1000) -> np.ndarray:
    """Clustered, anisotropic, normalised: a shared set of centres plus noise with a decaying
    spectrum in a shared random rotation (noise norm equal to the centre norm)."""
    rng = np.random.default_rng(seed)
    shared = np.random.default_rng(12345)
    centres = shared.standard_normal((clusters, d)).astype(np.float32)
    spectrum = (np.arange(1, d + 1) ** -0.5).astype(np.float32)
    spectrum *= np.sqrt(d / np.sum(spectrum**2))
    rotation = np.linalg.qr(shared.standard_normal((d, d)))[0].astype(np.float32)
    out = np.empty((n, d), dtype=np.float32)
    for start in range(0, n, 100_000):
        m = min(100_000, n - start)
        labels = rng.integers(0, clusters, m)
        noise = (rng.standard_normal((m, d), dtype=np.float32) * spectrum) @ rotation
        x = 0.6 * centres[labels] + 0.6 * noise
        out[start : start + m] = x / np.linalg.norm(x, axis=1, keepdims=True)
    return out


def real(queries: int) -> tuple[np.ndarray, np.ndarray, str]:
    from vector_corpus import load_real_corpus

    vecs = load_real_corpus()
    rng = np.random.default_rng(0)
    order = rng.permutation(len(vecs))
    q, base = vecs[order[:queries]], vecs[order[queries:]]
    return np.ascontiguousarray(base), np.ascontiguousarray(q), f"MiniLM passages ({len(vecs)} embedded)"


def exact_topk(base: np.ndarray, queries: np.ndarray, k: int = K, allow: np.ndarray | None = None) -> np.ndarray:
    """Ground truth by float64-free exact search in FAISS (inner product = cosine here)."""
    if allow is not None:
        sub = np.flatnonzero(allow)
        index = faiss.IndexFlatIP(base.shape[1])
        index.add(base[sub])
        _, found = index.search(queries, k)
        return np.where(found >= 0, sub[np.maximum(found, 0)], -1)
    index = faiss.IndexFlatIP(base.shape[1])
    index.add(base)
    return index.search(queries, k)[1]


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    hits = 0
    total = 0
    for got, want in zip(found.tolist(), truth.tolist(), strict=True):
        want_set = {w for w in want if w >= 0}
        hits += len(want_set & set(got))
        total += len(want_set)
    return hits / max(total, 1)


def best(fn: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def rss() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


# ------------------------------------------------------------------------------ the libraries


class Lib:
    """One index behind a common interface: build, set threads, search (batch or one)."""

    name = ""

    # Python that loads the file at `path` into `index` and runs a batch search of `q` (the
    # resident-memory measurement runs it in a fresh process).
    load_and_search = ""

    def build(self, base: np.ndarray, threads: int) -> None: ...
    def search(self, q: np.ndarray, ef: int, threads: int) -> np.ndarray: ...
    def search_one(self, q: np.ndarray, ef: int) -> np.ndarray: ...
    def save(self, path: str) -> None: ...


class Ragkernel(Lib):
    load_and_search = "index = rk.VectorIndex.load(path); index.search(q, 10, ef=96)"

    def __init__(self, quantization: str | None = None, keep_float: bool = True) -> None:
        # Without float32 rows a quantized index rescores with its codes (int4: 4 + 3 bits per
        # dimension): "-nofloat" in the name.
        self.name = "ragkernel" + (f"-{quantization}" if quantization else "") + ("" if keep_float else "-nofloat")
        self.quantization = quantization
        self.keep_float = keep_float

    def build(self, base: np.ndarray, threads: int) -> None:
        os.environ["OMP_NUM_THREADS"] = str(threads)
        self.index = rk.VectorIndex(
            dim=base.shape[1], metric="ip", kind="hnsw", quantization=self.quantization, M=M,
            ef_construction=EF_CONSTRUCTION, keep_float=self.keep_float,
        )  # fmt: skip
        self.ids = np.array([str(i) for i in range(len(base))], dtype=object)
        self.index.add(self.ids.tolist(), base)

    def to_int(self, found: np.ndarray) -> np.ndarray:
        return np.vectorize(lambda s: int(s) if s else -1, otypes=[np.int64])(found)

    def search(self, q: np.ndarray, ef: int, threads: int) -> np.ndarray:
        return self.index.search(q, K, ef=ef, threads=threads)[0]

    def search_one(self, q: np.ndarray, ef: int) -> np.ndarray:
        return self.index.search(q, K, ef=ef, threads=1)[0]

    def save(self, path: str) -> None:
        self.index.save(path)


class Hnswlib(Lib):
    name = "hnswlib"
    load_and_search = (
        "index = hnswlib.Index(space='ip', dim=q.shape[1]); index.load_index(path, max_elements=n); "
        "index.set_ef(96); index.knn_query(q, 10)"
    )

    def build(self, base: np.ndarray, threads: int) -> None:
        self.index = hnswlib.Index(space="ip", dim=base.shape[1])
        self.index.init_index(max_elements=len(base), M=M, ef_construction=EF_CONSTRUCTION, allow_replace_deleted=True)
        self.index.set_num_threads(threads)
        self.index.add_items(base, np.arange(len(base)))

    def search(self, q: np.ndarray, ef: int, threads: int) -> np.ndarray:
        self.index.set_ef(ef)  # index state in hnswlib
        self.index.set_num_threads(threads)
        return self.index.knn_query(q, K)[0]

    def search_one(self, q: np.ndarray, ef: int) -> np.ndarray:
        self.index.set_ef(ef)
        return self.index.knn_query(q, K, num_threads=1)[0]

    def save(self, path: str) -> None:
        self.index.save_index(path)


class FaissHnsw(Lib):
    name = "faiss-hnsw"
    load_and_search = "index = faiss.read_index(path); index.search(q, 10)"

    def build(self, base: np.ndarray, threads: int) -> None:
        faiss.omp_set_num_threads(threads)
        self.index = faiss.IndexHNSWFlat(base.shape[1], M, faiss.METRIC_INNER_PRODUCT)
        self.index.hnsw.efConstruction = EF_CONSTRUCTION
        self.index.add(base)

    def search(self, q: np.ndarray, ef: int, threads: int) -> np.ndarray:
        faiss.omp_set_num_threads(threads)
        return self.index.search(q, K, params=faiss.SearchParametersHNSW(efSearch=ef))[1]

    def search_one(self, q: np.ndarray, ef: int) -> np.ndarray:
        return self.index.search(q, K, params=faiss.SearchParametersHNSW(efSearch=ef))[1]

    def save(self, path: str) -> None:
        faiss.write_index(self.index, path)


class USearch(Lib):
    name = "usearch"
    load_and_search = "index = usearch.index.Index.restore(path); index.search(q, 10)"

    def build(self, base: np.ndarray, threads: int) -> None:
        self.index = usearch.index.Index(
            ndim=base.shape[1], metric="ip", dtype="f32", connectivity=M, expansion_add=EF_CONSTRUCTION
        )
        self.index.add(np.arange(len(base)), base, threads=threads)

    def search(self, q: np.ndarray, ef: int, threads: int) -> np.ndarray:
        self.index.expansion_search = ef  # index state in USearch
        found = self.index.search(q, K, threads=threads)
        return np.asarray(found.keys).astype(np.int64).reshape(len(q), -1)

    def search_one(self, q: np.ndarray, ef: int) -> np.ndarray:
        self.index.expansion_search = ef
        return np.asarray(self.index.search(q[0], K, threads=1).keys).astype(np.int64).reshape(1, -1)

    def save(self, path: str) -> None:
        self.index.save(path)


LIBS: dict[str, Callable[[], Lib]] = {
    "ragkernel": Ragkernel,
    "ragkernel-int8": lambda: Ragkernel("int8"),
    "ragkernel-int4": lambda: Ragkernel("int4"),
    "ragkernel-int4-nofloat": lambda: Ragkernel("int4", keep_float=False),
    "hnswlib": Hnswlib,
    "faiss-hnsw": FaissHnsw,
    "usearch": USearch,
}


# ------------------------------------------------------------------------------------ sections


def bench_exact(base: np.ndarray, queries: np.ndarray, repeats: int, out: dict[str, Any]) -> None:
    print("\n## Exact (flat) search, inner product, k=10")
    ids = [str(i) for i in range(len(base))]
    flat = rk.VectorIndex(dim=base.shape[1], metric="ip")
    flat.add(ids, base)
    ref = faiss.IndexFlatIP(base.shape[1])
    ref.add(base)
    got = flat.search(queries[:50], K)[0]
    assert recall(np.vectorize(int)(got), ref.search(queries[:50], K)[1]) > 0.999
    rows = []
    for threads in (1, 2):
        bandwidth = rk._core.measure_read_bandwidth(1 << 30, threads)
        faiss.omp_set_num_threads(threads)
        t_rk = best(lambda: flat.search(queries[:1], K, threads=threads), repeats * 3)  # noqa: B023
        t_fa = best(lambda: ref.search(queries[:1], K), repeats * 3)
        rate = base.nbytes / t_rk
        print(
            f"threads={threads} single query: ragkernel {t_rk * 1e3:.2f} ms ({rate / 1e9:.1f} GB/s, "
            f"{rate / bandwidth:.0%} of measured read bandwidth {bandwidth / 1e9:.1f} GB/s), "
            f"faiss {t_fa * 1e3:.2f} ms, faiss/ragkernel {t_fa / t_rk:.2f}x"
        )
        out.setdefault("exact_single", []).append(
            {"threads": threads, "rk_ms": t_rk * 1e3, "faiss_ms": t_fa * 1e3, "bandwidth_gbs": bandwidth / 1e9,
             "rk_fraction_of_bandwidth": rate / bandwidth}
        )  # fmt: skip
        for nq in (1, 4, 16, 64, 256, 1024, 4096):
            q = np.ascontiguousarray(np.resize(queries, (nq, base.shape[1])))
            reps = max(2, repeats if nq <= 256 else 2)
            t_rk = best(lambda: flat.search(q, K, threads=threads), reps)  # noqa: B023
            t_fa = best(lambda: ref.search(q, K), reps)  # noqa: B023
            rows.append((threads, nq, nq / t_rk, nq / t_fa))
            print(f"  nq={nq:5d}: ragkernel {nq / t_rk:9.1f} q/s  faiss {nq / t_fa:9.1f} q/s  ratio {t_fa / t_rk:.2f}x")
    out["exact_batch"] = [{"threads": t, "nq": n, "rk_qps": a, "faiss_qps": b} for t, n, a, b in rows]
    print("\n## Flat codes: bytes per vector, recall@10 against float32, 100-query batch, 2 threads")
    truth = ref.search(queries[:100], K)[1]
    for quantization in (None, "int8", "binary", "int4"):
        for keep_float in (True, False) if quantization else (True,):
            index = rk.VectorIndex(dim=base.shape[1], metric="ip", quantization=quantization, keep_float=keep_float)
            index.add(ids, base)
            t = best(lambda: index.search(queries[:100], K, threads=2), repeats)  # noqa: B023
            found = np.vectorize(int)(index.search(queries[:100], K)[0])
            row = {"quantization": quantization or "float32", "keep_float": keep_float,
                   "bytes_per_vector": index.memory_usage() / len(base), "recall": recall(found, truth),
                   "qps": 100 / t}  # fmt: skip
            out.setdefault("flat_codes", []).append(row)
            print(
                f"{row['quantization']:8s} keep_float={keep_float!s:5s}: {row['bytes_per_vector']:6.0f} B/vector, "
                f"recall {row['recall']:.3f}, {row['qps']:7.0f} q/s"
            )


def build_all(libs: list[Lib], base: np.ndarray, threads: int, out: dict[str, Any]) -> None:
    print(f"\n## HNSW build (M={M}, ef_construction={EF_CONSTRUCTION}, {threads} threads, n={len(base)})")
    times: dict[str, float] = {}
    for lib in libs:
        gc.collect()
        before = rss()
        start = time.perf_counter()
        lib.build(base, threads)
        times[lib.name] = time.perf_counter() - start
        grew = rss() - before
        mem = lib.index.memory_usage() if isinstance(lib, Ragkernel) else grew
        out.setdefault("build", {})[lib.name] = {"seconds": times[lib.name], "bytes_per_vector": mem / len(base),
                                                 "rss_bytes_per_vector": grew / len(base)}  # fmt: skip
        print(
            f"{lib.name:16s} {times[lib.name]:7.1f} s   {mem / len(base):7.0f} B/vector "
            f"(RSS growth {grew / len(base):.0f})"
        )
    for lib in libs:
        if isinstance(lib, Ragkernel) and "hnswlib" in times:
            print(f"{lib.name} build time / hnswlib: {times[lib.name] / times['hnswlib']:.2f}x")


RESIDENT_PROBE = """
import sys
import numpy as np
import faiss, hnswlib, usearch.index
import ragkernel as rk
def resident():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * {page}
path, n = sys.argv[1], int(sys.argv[2])
q = np.load(sys.argv[3])
before = resident()
{load}
print(resident() - before)
"""


def resident_after_load(libs: list[Lib], n: int, queries: np.ndarray, out: dict[str, Any]) -> None:
    """Memory on one footing for every library: each saved index is loaded in a fresh process,
    which then runs one batch search; what its resident set grew by is the index's memory.
    (RSS growth during the build depends on what the heap had freed before, and counts build
    scratch; memory_usage() exists only for ragkernel.)"""
    import subprocess
    import tempfile

    print("\n## Resident memory of the loaded index (fresh process, after one batch search)")
    page = os.sysconf("SC_PAGE_SIZE")
    sizes: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        np.save(f"{tmp}/q.npy", queries)
        for lib in libs:
            path = f"{tmp}/{lib.name}.index"
            lib.save(path)
            probe = RESIDENT_PROBE.format(page=page, load=lib.load_and_search)
            done = subprocess.run(
                [sys.executable, "-c", probe, path, str(n), f"{tmp}/q.npy"], capture_output=True, text=True, check=True
            )
            sizes[lib.name] = int(done.stdout.split()[-1]) / n
            os.remove(path)
            print(f"{lib.name:24s} {sizes[lib.name]:7.0f} B/vector", flush=True)
    for name, size in sizes.items():
        if name != "hnswlib" and "hnswlib" in sizes:
            print(f"{name} / hnswlib: {size / sizes['hnswlib']:.1%}")
    out["resident_bytes_per_vector"] = sizes


def curves(libs: list[Lib], queries: np.ndarray, truth: np.ndarray, repeats: int, out: dict[str, Any]) -> None:
    print("\n## Recall@10 vs QPS (ef sweep; libraries interleaved per ef)")
    single_q = queries[: min(len(queries), 500)]
    table: dict[str, dict[str, list[tuple[float, float]]]] = {}
    for ef in EFS:
        line = [f"ef={ef:4d}"]
        recalls = {}
        for lib in libs:
            found = lib.search(queries, ef, 2)
            recalls[lib.name] = recall(lib.to_int(found) if isinstance(lib, Ragkernel) else found, truth)
        # Round-robin repeats (every library once per round, best round kept), so a burst of
        # load from other processes hits all of them alike.
        runs: dict[str, Callable[[Lib], Any]] = {
            "one/1t": lambda lib: [lib.search_one(single_q[i : i + 1], ef) for i in range(len(single_q))],  # noqa: B023
            "batch/1t": lambda lib: lib.search(queries, ef, 1),  # noqa: B023
            "batch/2t": lambda lib: lib.search(queries, ef, 2),  # noqa: B023
        }
        for mode, run in runs.items():
            fastest = {lib.name: float("inf") for lib in libs}
            for _ in range(repeats):
                for lib in libs:
                    fastest[lib.name] = min(fastest[lib.name], best(lambda: run(lib), 1))  # noqa: B023
            count = len(single_q) if mode == "one/1t" else len(queries)
            for lib in libs:
                modes = table.setdefault(lib.name, {"one/1t": [], "batch/1t": [], "batch/2t": []})
                modes[mode].append((recalls[lib.name], count / fastest[lib.name]))
        for lib in libs:
            qps = "/".join(f"{table[lib.name][m][-1][1]:.0f}" for m in runs)
            line.append(f"{lib.name} r={recalls[lib.name]:.3f} {qps}")
        print("  ".join(line), flush=True)
    out["curves"] = table
    print(
        "\n## QPS at recall@10 targets (interpolated on the ef sweep; "
        "one query per call, 1 thread | batch 1t | batch 2t)"
    )
    for target in (0.90, 0.95, 0.99):
        parts = []
        for name, modes in table.items():
            vals = [qps_at(modes[m], target) for m in ("one/1t", "batch/1t", "batch/2t")]
            parts.append(f"{name}: " + "/".join("-" if v is None else f"{v:.0f}" for v in vals))
            out.setdefault("qps_at", {}).setdefault(str(target), {})[name] = vals
        print(f"recall {target:.2f}: " + " | ".join(parts))
        at = out["qps_at"][str(target)]
        for name in at:
            if name.startswith("ragkernel"):
                for other in ("hnswlib", "faiss-hnsw", "usearch"):
                    if other in at:
                        ratios = [a / b if a and b else None for a, b in zip(at[name], at[other], strict=True)]
                        print(f"    {name} / {other}: " + "/".join("-" if x is None else f"{x:.2f}x" for x in ratios))


def qps_at(points: list[tuple[float, float]], target: float) -> float | None:
    """QPS where the recall curve crosses target (linear between the two ef settings around it)."""
    for (r0, q0), (r1, q1) in itertools.pairwise(points):
        if r0 >= target:
            return q0
        if r0 < target <= r1:
            return q0 + (q1 - q0) * (target - r0) / (r1 - r0)
    return None


def filtered(
    base: np.ndarray, queries: np.ndarray, ours: list[Ragkernel], others: dict[str, Lib], out: dict[str, Any]
) -> None:
    """Every ragkernel index built (float32, int4, ...) against FAISS (and hnswlib below 200k rows)."""
    print("\n## Filtered search (k=10, ef=128, batch, 1 thread)")
    rng = np.random.default_rng(3)
    n = len(base)
    q = queries[:200]
    fa = others["faiss-hnsw"]
    for selectivity in (0.5, 0.1, 0.01, 0.001):
        allow = rng.random(n) < selectivity
        allow[0] = True
        truth = exact_topk(base, q, allow=allow)
        allowed_ids = [str(i) for i in np.flatnonzero(allow)]
        row: dict[str, Any] = {"selectivity": selectivity}
        # Every filter is made before the timer (FAISS's selector, our allow-sets) and timed apart.
        allow_sets = {}
        for lib in ours:
            start = time.perf_counter()
            allow_sets[lib.name] = lib.index.allow_set(allowed_ids)
            row[f"{lib.name}_allow_set_ms"] = 1e3 * (time.perf_counter() - start)
            start = time.perf_counter()
            found = lib.to_int(lib.index.search(q, K, filter=allow_sets[lib.name], ef=128, threads=1)[0])
            t_lib = time.perf_counter() - start
            row |= {f"{lib.name}_recall": recall(found, truth), f"{lib.name}_qps": len(q) / t_lib}
        sel = faiss.IDSelectorBatch(np.flatnonzero(allow).astype(np.int64))
        faiss.omp_set_num_threads(1)
        start = time.perf_counter()
        f_found = fa.index.search(q, K, params=faiss.SearchParametersHNSW(efSearch=128, sel=sel))[1]
        t_fa = time.perf_counter() - start
        row |= {"faiss_recall": recall(f_found, truth), "faiss_qps": len(q) / t_fa}
        row |= {"hnswlib_recall": float("nan"), "hnswlib_qps": float("nan")}
        if "hnswlib" in others and n <= 200_000:  # its Python filter takes minutes at 1M rows
            hl = others["hnswlib"]
            hl.index.set_ef(128)
            allowed_set = set(np.flatnonzero(allow).tolist())
            start = time.perf_counter()
            try:
                h_found = hl.index.knn_query(q, K, num_threads=1, filter=lambda i: i in allowed_set)[0]  # noqa: B023
                t_hl = time.perf_counter() - start
                row |= {"hnswlib_recall": recall(h_found, truth), "hnswlib_qps": len(q) / t_hl}
            except RuntimeError:  # hnswlib raises when it finds fewer than k allowed results
                pass
        # Recall against speed for each, per ef, and the best QPS each reaches at recall >= 0.95.
        sweep = []
        for ef in FILTER_EFS:
            point: dict[str, Any] = {"ef": ef}
            for lib in ours:
                start = time.perf_counter()
                got = lib.to_int(lib.index.search(q, K, filter=allow_sets[lib.name], ef=ef, threads=1)[0])
                point[lib.name] = (recall(got, truth), len(q) / (time.perf_counter() - start))
            start = time.perf_counter()
            f_got = fa.index.search(q, K, params=faiss.SearchParametersHNSW(efSearch=ef, sel=sel))[1]
            point["faiss"] = (recall(f_got, truth), len(q) / (time.perf_counter() - start))
            sweep.append(point)
        row["sweep"] = sweep
        names = [lib.name for lib in ours] + ["faiss"]
        at_95 = {name: qps_at([point[name] for point in sweep], 0.95) for name in names}
        row["qps_at_recall_0.95"] = at_95
        out.setdefault("filtered", []).append(row)
        print(
            f"  per ef, {' | '.join(names)} (recall, q/s): "
            + "; ".join(
                f"ef {pt['ef']}: " + " | ".join(f"{pt[name][0]:.3f} {pt[name][1]:.0f}" for name in names)
                for pt in sweep
            )
            + "; q/s at recall 0.95: "
            + ", ".join(f"{name} {'not reached' if v is None else f'{v:.0f}'}" for name, v in at_95.items())
        )
        print(
            f"selectivity {selectivity:6.1%}: "
            + " | ".join(
                f"{lib.name} recall {row[f'{lib.name}_recall']:.3f} {row[f'{lib.name}_qps']:8.0f} q/s "
                f"({row[f'{lib.name}_qps'] / row['faiss_qps']:.2f}x faiss)"
                for lib in ours
            )
            + f" | faiss recall {row['faiss_recall']:.3f} {row['faiss_qps']:8.0f} q/s | hnswlib recall "
            f"{row['hnswlib_recall']:.3f} {row['hnswlib_qps']:8.0f} q/s"
        )


def python_threads(base: np.ndarray, queries: np.ndarray, out: dict[str, Any]) -> None:
    import threading

    print("\n## Python: per-call overhead and two Python threads (HNSW, ef=64, one query per call)")
    q1 = queries[:1]
    calls = 20_000
    tiny = rk.VectorIndex(dim=base.shape[1])
    tiny.add(["a"], base[:1])
    tiny_faiss = faiss.IndexFlatIP(base.shape[1])
    tiny_faiss.add(base[:1])
    tiny_hnswlib = hnswlib.Index(space="ip", dim=base.shape[1])
    tiny_hnswlib.init_index(max_elements=1)
    tiny_hnswlib.add_items(base[:1], np.arange(1))

    def per_call(search: Callable[[], Any]) -> float:
        def loop() -> None:  # results dropped at once, as a service does
            for _ in range(calls):
                search()

        return best(loop, 3) / calls * 1e6

    overhead = {
        "ragkernel": per_call(lambda: tiny.search(q1, 1)),
        "faiss": per_call(lambda: tiny_faiss.search(q1, 1)),
        "hnswlib": per_call(lambda: tiny_hnswlib.knn_query(q1, 1)),
    }
    print(
        "search() on a one-row index, us per call: "
        + ", ".join(f"{name} {us:.1f}" for name, us in overhead.items())
        + " (argument checks, locks, result arrays)"
    )
    t = overhead["ragkernel"] * calls / 1e6
    index = rk.VectorIndex(dim=base.shape[1], kind="hnsw", quantization="int8", M=M, ef_construction=EF_CONSTRUCTION)
    index.add([str(i) for i in range(min(len(base), 50_000))], base[:50_000])
    per_thread = 2000

    def work() -> None:
        for i in range(per_thread):
            index.search(queries[i % len(queries)], K, ef=64, threads=1)

    rates = {}
    for n_threads in (1, 2):
        threads = [threading.Thread(target=work) for _ in range(n_threads)]
        start = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        rates[n_threads] = n_threads * per_thread / (time.perf_counter() - start)
    print(
        f"1 Python thread {rates[1]:.0f} q/s, 2 Python threads {rates[2]:.0f} q/s: scaling {rates[2] / rates[1]:.2f}x"
    )
    out["python"] = {
        "overhead_us": t / calls * 1e6,
        "overhead_us_faiss": overhead["faiss"],
        "overhead_us_hnswlib": overhead["hnswlib"],
        "qps_1_thread": rates[1],
        "qps_2_threads": rates[2],
    }


def churn(base: np.ndarray, queries: np.ndarray, threads: int, out: dict[str, Any]) -> None:
    print("\n## Churn: 3 rounds of 10% delete + reinsert (new vectors into the freed ids), ef=64")
    n = len(base)
    # Every replacement vector is new (never reused across rounds): a duplicate vector would make
    # the exact answer ambiguous between two ids and count as a miss for either index.
    per_round = n // 10
    fresh = synthetic(3 * per_round, seed=99, d=base.shape[1])
    current = base.copy()
    rng = np.random.default_rng(4)
    ours = Ragkernel()
    ours.build(base, threads)
    hl = Hnswlib()
    hl.build(base, threads)
    rows = []
    labels = np.arange(n)
    for round_ in range(4):
        truth = exact_topk(current, queries)
        r_rk = recall(ours.to_int(ours.search(queries, 64, threads)), truth)
        r_hl = recall(hl.search(queries, 64, threads) % n, truth)
        rows.append({"round": round_, "ragkernel_recall": r_rk, "hnswlib_recall": r_hl,
                     "ragkernel_bytes": ours.index.memory_usage()})  # fmt: skip
        print(
            f"after round {round_}: ragkernel recall {r_rk:.3f} "
            f"(memory {ours.index.memory_usage() / 1e6:.1f} MB) | hnswlib {r_hl:.3f}"
        )
        if round_ == 3:
            break
        victims = rng.choice(n, per_round, replace=False)
        new = fresh[round_ * per_round : (round_ + 1) * per_round]
        names = [str(v) for v in victims]
        ours.index.remove(names)
        ours.index.add(names, new)
        # hnswlib: delete, then add under fresh labels that reuse the deleted slots
        # (replace_deleted); label % n is the row. Re-adding the same label is refused when
        # slot replacement is enabled.
        for v in victims:
            hl.index.mark_deleted(int(labels[v]))
        labels[victims] = victims + n * (round_ + 1)
        hl.index.add_items(new, labels[victims], replace_deleted=True)
        current[victims] = new
    out["churn"] = rows


def plot(out: dict[str, Any], path: pathlib.Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    modes = ("one/1t", "batch/1t", "batch/2t")
    labels = ("one query per call, 1 thread", "batch, 1 thread", "batch, 2 threads")
    fig, axes = plt.subplots(1, 3, figsize=(16, 5))
    for ax, mode, label in zip(axes, modes, labels, strict=True):
        for name, curvesets in out["curves"].items():
            pts = curvesets[mode]
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=name)
        ax.set_xlabel("recall@10")
        ax.set_ylabel("queries per second")
        ax.set_yscale("log")
        ax.set_title(label)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    print(f"\nwrote {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", choices=["synthetic", "real"], default="synthetic")
    parser.add_argument("--n", type=int, default=100_000, help="synthetic rows")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=2, help="build threads")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--sections", default="exact,hnsw,filtered,python,churn")
    parser.add_argument(
        "--libs",
        default=",".join(LIBS),
        help="HNSW libraries to build (filtered needs faiss-hnsw and a ragkernel index; hnswlib optional)",
    )
    parser.add_argument("--tag", default="", help="suffix for the result files (keeps an earlier run's)")
    args = parser.parse_args()
    sections = set(args.sections.split(","))

    if args.data == "synthetic":
        base, queries = synthetic(args.n, seed=0), synthetic(args.queries, seed=1)
        desc = f"synthetic clustered anisotropic {args.n} x {D}"
    else:
        base, queries, desc = real(args.queries)
    print(f"# {desc}: base {base.shape}, queries {queries.shape}, SIMD {rk.simd_levels()['active']}")
    out: dict[str, Any] = {"data": desc, "n": len(base), "queries": len(queries), "command": " ".join(sys.argv)}
    if "exact" in sections:
        bench_exact(base, queries, args.repeats, out)
    if sections & {"hnsw", "filtered"}:
        truth = exact_topk(base, queries)
        wanted = args.libs.split(",")
        unknown = set(wanted) - set(LIBS)
        if unknown:
            parser.error(f"unknown --libs {sorted(unknown)}; choose from {list(LIBS)}")
        libs: list[Lib] = [LIBS[name]() for name in wanted]
        build_all(libs, base, args.threads, out)
        if "hnsw" in sections:
            resident_after_load(libs, len(base), queries, out)
            curves(libs, queries, truth, args.repeats, out)
        by_name = {lib.name: lib for lib in libs}
        ours = [lib for lib in libs if isinstance(lib, Ragkernel)]
        if "filtered" in sections and ours and "faiss-hnsw" in by_name:
            filtered(base, queries, ours, by_name, out)
        del libs
        gc.collect()
    if "python" in sections:
        python_threads(base, queries, out)
    if "churn" in sections:
        churn(base, queries[:300], args.threads, out)
    RESULTS.mkdir(exist_ok=True)
    stem = f"vector_{args.data}_{len(base)}{'_' + args.tag if args.tag else ''}"
    (RESULTS / f"{stem}.json").write_text(json.dumps(out, indent=1))
    if "curves" in out:
        plot(out, RESULTS / f"{stem}.png", desc)


if __name__ == "__main__":
    main()

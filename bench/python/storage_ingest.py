"""Ingest into a durable rk.Collection vs Chroma and LanceDB (embedded), same chunks, same run.

Each library gets the same N chunks (seeded Zipfian text of ~60 words, a 384-d clustered
unit vector, metadata {source, year, lang}) in batches of 1,000, into a fresh directory, and
builds what it needs to answer both a vector and a keyword query:
  - ragkernel: Collection.create(dim=384, cosine, HNSW M=16 ef_construction=100) + add(); BM25
    and the graph are built during add; close() writes the vector snapshot.
  - Chroma: PersistentClient + add() (HNSW space=cosine, max_neighbors=16, ef_construction=100,
    Chroma's defaults; documents go to its SQLite full-text index).
  - LanceDB: create_table/add() (Arrow files), then create_index(IVF_HNSW_SQ, cosine) and
    create_fts_index("text"): LanceDB builds no index while adding, so both are timed apart
    and included in its total.
Then, per library: reopen time (open + first query, timed inside a new Python process once the
library is imported, since Chroma's client caches an open collection per path within a process;
the files are warm in the page cache for every library; Chroma and LanceDB load lazily), QPS of
500 single-thread vector queries (k=10), recall@10 against exact search, and the bytes on disk.

Imported by bench_storage.py (``--ingest N``).
"""

from __future__ import annotations

import gc
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

import ragkernel as rk

DIM = 384
BATCH = 1000
QUERIES = 500
M, EF_CONSTRUCTION, EF_SEARCH = 16, 100, 100


@dataclass
class Chunks:
    ids: list[str]
    texts: list[str]
    vectors: npt.NDArray[np.float32]
    metadata: list[dict[str, Any]]
    queries: npt.NDArray[np.float32]


def make_chunks(n: int, seed: int = 7) -> Chunks:
    rng = np.random.default_rng(seed)
    vocab = np.array([f"w{i}" for i in range(30_000)])
    ranks = np.arange(1, len(vocab) + 1)
    p = 1.0 / ranks**1.07
    p /= p.sum()
    lengths = rng.integers(30, 90, size=n)
    words = vocab[rng.choice(len(vocab), size=int(lengths.sum()), p=p)]
    texts, at = [], 0
    for length in lengths:
        texts.append(" ".join(words[at : at + length]))
        at += length
    centres = rng.standard_normal((1000, DIM), dtype=np.float32)
    vectors = centres[rng.integers(0, 1000, size=n)] + 0.6 * rng.standard_normal((n, DIM), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    queries = centres[rng.integers(0, 1000, size=QUERIES)] + 0.6 * rng.standard_normal((QUERIES, DIM), dtype=np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    metadata = [{"source": f"doc{i // 10}", "year": 2000 + i % 25, "lang": ("en", "de", "fr")[i % 3]} for i in range(n)]
    return Chunks([f"c{i}" for i in range(n)], texts, vectors, metadata, queries.astype(np.float32))


def batches(n: int) -> Iterator[slice]:
    for start in range(0, n, BATCH):
        yield slice(start, min(n, start + BATCH))


def disk_bytes(path: pathlib.Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


@dataclass
class Result:
    name: str
    ingest_s: float
    index_s: float  # separate index builds (LanceDB); included in the total
    disk: int
    reopen_s: float
    qps: float
    recall: float


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


# Open + first vector query, run in a new process: (imports, open and query) per library.
_REOPEN_CHILD = {
    "ragkernel": (
        "import ragkernel as rk",
        "col = rk.Collection.open(path)\ncol.search(vector=q, k=10, include=())",
    ),
    "Chroma": (
        "import chromadb",
        "col = chromadb.PersistentClient(path=path).get_collection('chunks', embedding_function=None)\n"
        "col.query(query_embeddings=q[None, :], n_results=10, include=[])",
    ),
    "LanceDB": (
        "import lancedb",
        "table = lancedb.connect(path).open_table('chunks')\ntable.search(q).limit(10).select(['id']).to_arrow()",
    ),
}


def reopen_in_new_process(name: str, path: pathlib.Path, q: npt.NDArray[np.float32]) -> float:
    """Seconds from open to the first answer, in a new Python process (imports not timed)."""
    imports, body = _REOPEN_CHILD[name]
    script = "\n".join(
        [
            "import sys, time",
            "import numpy as np",
            imports,
            "path, q = sys.argv[1], np.load(sys.argv[2])",
            "start = time.perf_counter()",
            body,
            "print(time.perf_counter() - start)",
        ]
    )
    with tempfile.TemporaryDirectory() as tmp:
        query = pathlib.Path(tmp) / "q.npy"
        np.save(query, q)
        out = subprocess.run([sys.executable, "-c", script, str(path), str(query)], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"reopening {name} in a new process failed:\n{out.stderr}")
    return float(out.stdout.strip().splitlines()[-1])


def recall_at_10(found: list[list[str]], truth: npt.NDArray[np.int64]) -> float:
    hits = sum(len({f"c{j}" for j in row} & set(f)) for f, row in zip(found, truth, strict=True))
    return hits / (10 * len(found))


def query_loop(
    search: Callable[[npt.NDArray[np.float32]], list[str]], queries: npt.NDArray[np.float32]
) -> tuple[float, list[list[str]]]:
    start = time.perf_counter()
    found = [search(q) for q in queries]
    return len(queries) / (time.perf_counter() - start), found


# ---------------------------------------------------------------- the three libraries


def run_ragkernel(data: Chunks, path: pathlib.Path, truth: npt.NDArray[np.int64]) -> Result:
    n = len(data.ids)

    def ingest() -> None:
        col = rk.Collection.create(path, DIM, metric="cosine", index="hnsw", M=M, ef_construction=EF_CONSTRUCTION)
        for s in batches(n):
            col.add(data.ids[s], data.texts[s], data.vectors[s], data.metadata[s])
        col.close()

    ingest_s, _ = timed(ingest)
    gc.collect()
    reopen_s = reopen_in_new_process("ragkernel", path, data.queries[0])
    col = _rk_open_and_query(path, data.queries[0])
    qps, found = query_loop(lambda q: col.search(vector=q, k=10, ef=EF_SEARCH, include=()).ids, data.queries)
    col.close()
    return Result("ragkernel", ingest_s, 0.0, disk_bytes(path), reopen_s, qps, recall_at_10(found, truth))


def _rk_open_and_query(path: pathlib.Path, q: npt.NDArray[np.float32]) -> rk.Collection:
    col = rk.Collection.open(path)
    col.search(vector=q, k=10, include=())
    return col


def run_chroma(data: Chunks, path: pathlib.Path, truth: npt.NDArray[np.int64]) -> Result:
    import chromadb

    n = len(data.ids)
    config = {
        "hnsw": {"space": "cosine", "max_neighbors": M, "ef_construction": EF_CONSTRUCTION, "ef_search": EF_SEARCH}
    }

    def ingest() -> None:
        client = chromadb.PersistentClient(path=str(path))
        col = client.create_collection("chunks", configuration=config, embedding_function=None)  # type: ignore[arg-type]
        for s in batches(n):
            col.add(ids=data.ids[s], documents=data.texts[s], embeddings=data.vectors[s], metadatas=data.metadata[s])
        del col, client
        gc.collect()

    ingest_s, _ = timed(ingest)

    def reopen() -> Any:
        col = chromadb.PersistentClient(path=str(path)).get_collection("chunks", embedding_function=None)  # type: ignore[arg-type]
        col.query(query_embeddings=data.queries[:1], n_results=10, include=[])
        return col

    reopen_s = reopen_in_new_process("Chroma", path, data.queries[0])
    col = reopen()
    qps, found = query_loop(
        lambda q: col.query(query_embeddings=q[None, :], n_results=10, include=[])["ids"][0], data.queries
    )
    return Result("Chroma", ingest_s, 0.0, disk_bytes(path), reopen_s, qps, recall_at_10(found, truth))


def run_lancedb(data: Chunks, path: pathlib.Path, truth: npt.NDArray[np.int64]) -> Result:
    import lancedb
    import pyarrow as pa

    n = len(data.ids)

    def arrow(s: slice) -> pa.Table:
        vectors = pa.FixedSizeListArray.from_arrays(pa.array(data.vectors[s].ravel(), pa.float32()), DIM)
        meta = data.metadata[s]
        return pa.table(
            {
                "id": data.ids[s],
                "text": data.texts[s],
                "vector": vectors,
                "source": [m["source"] for m in meta],
                "year": [m["year"] for m in meta],
                "lang": [m["lang"] for m in meta],
            }
        )

    def ingest() -> None:
        db = lancedb.connect(str(path))
        table = db.create_table("chunks", data=arrow(slice(0, min(n, BATCH))))
        for s in batches(n):
            if s.start > 0:
                table.add(arrow(s))

    def index() -> None:
        table = lancedb.connect(str(path)).open_table("chunks")
        table.create_index(metric="cosine", index_type="IVF_HNSW_SQ", m=M, ef_construction=EF_CONSTRUCTION)
        table.create_fts_index("text")

    ingest_s, _ = timed(ingest)
    index_s, _ = timed(index)
    gc.collect()

    def reopen() -> Any:
        table = lancedb.connect(str(path)).open_table("chunks")
        table.search(data.queries[0]).limit(10).select(["id"]).to_arrow()
        return table

    reopen_s = reopen_in_new_process("LanceDB", path, data.queries[0])
    table = reopen()
    qps, found = query_loop(
        lambda q: table.search(q).limit(10).select(["id"]).to_arrow().column("id").to_pylist(), data.queries
    )
    return Result("LanceDB", ingest_s + index_s, index_s, disk_bytes(path), reopen_s, qps, recall_at_10(found, truth))


def reopen_modes(path: pathlib.Path, q: npt.NDArray[np.float32] | None, rounds: int = 3) -> dict[str, float]:
    """ragkernel's open (to the first answer) with the vector snapshot read, mapped, or the
    vectors re-indexed from the store: best of ``rounds``."""
    out = {}
    for mode, kwargs in (
        ("snapshot", {}),
        ("snapshot, mmap", {"mmap": True}),
        ("rebuild", {"restore": "rebuild"}),
    ):
        best = float("inf")
        for _ in range(rounds if mode != "rebuild" else 1):
            start = time.perf_counter()
            col = rk.Collection.open(path, access="read_only", **kwargs)  # type: ignore[arg-type]
            col.search(*((None, q) if q is not None else ("w1",)), k=10, include=())
            best = min(best, time.perf_counter() - start)
            col.close()
        out[mode] = best
    return out


def small_collection_modes(tmp: pathlib.Path, n: int = 1400) -> dict[str, float]:
    """Open modes at Cranfield's size (1,400 chunks)."""
    data = make_chunks(n, seed=11)
    path = tmp / "reopen-small"
    with rk.Collection.create(path, DIM, metric="cosine", index="hnsw", M=M, ef_construction=EF_CONSTRUCTION) as col:
        col.add(data.ids, data.texts, data.vectors, data.metadata)
    modes = reopen_modes(path, data.queries[0])
    text_only = tmp / "reopen-small-text"
    with rk.Collection.create(text_only) as col:
        col.add(data.ids, data.texts, None, data.metadata)
    modes["text and metadata only"] = reopen_modes(text_only, None)["snapshot"]
    shutil.rmtree(path)
    shutil.rmtree(text_only)
    return modes


def bench_ingest(n: int, tmp: pathlib.Path, libraries: list[str]) -> None:
    small = small_collection_modes(tmp)
    print(
        "\nragkernel open to the first answer, 1,400 chunks: " + ", ".join(f"{k} {v:.3f} s" for k, v in small.items())
    )
    data = make_chunks(n)
    truth = np.argsort(-(data.queries @ data.vectors.T), axis=1, kind="stable")[:, :10]
    print(f"\n## Collection ingest: {n:,} chunks x {DIM}-d + text + metadata (batches of {BATCH:,})\n")
    runners = {"ragkernel": run_ragkernel, "chroma": run_chroma, "lancedb": run_lancedb}
    results: list[Result] = []
    for name in libraries:
        path = tmp / f"ingest-{name}"
        results.append(runners[name](data, path, truth))
        r = results[-1]
        print(
            f"  {r.name}: {n / r.ingest_s:,.0f} docs/s, {r.disk / 1e6:,.1f} MB, "
            f"reopen {r.reopen_s:.2f} s, {r.qps:,.0f} QPS",
            flush=True,
        )
        if name == "ragkernel":
            modes = reopen_modes(path, data.queries[0])
        else:
            shutil.rmtree(path)
    print(
        "\n| library | ingest docs/s | of which index build | disk MB | reopen + first query s "
        "| QPS (k=10, 1 thread) | recall@10 |"
    )
    print("|---|---|---|---|---|---|---|")
    for r in results:
        build = f"{r.index_s:.1f} s" if r.index_s else "during add"
        print(
            f"| {r.name} | {n / r.ingest_s:,.0f} | {build} | {r.disk / 1e6:,.1f} | {r.reopen_s:.3f} "
            f"| {r.qps:,.0f} | {r.recall:.3f} |"
        )
    base = next((r for r in results if r.name == "ragkernel"), None)
    if base is not None:
        for r in results:
            if r is not base:
                print(
                    f"\nragkernel vs {r.name} (> 1: ragkernel better): ingest {r.ingest_s / base.ingest_s:.2f}x, "
                    f"disk {r.disk / base.disk:.2f}x, reopen {r.reopen_s / base.reopen_s:.2f}x, "
                    f"QPS {base.qps / r.qps:.2f}x"
                )
        print(
            f"\nragkernel open to the first answer, {n:,} chunks: "
            + ", ".join(f"{k} {v:.3f} s" for k, v in modes.items())
        )

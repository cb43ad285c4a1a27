"""Open time of a durable rk.Collection: lexical snapshot vs re-analysing every text.

Same directory, same process, interleaved, best of N (``--rounds``): ``rk.Collection.open``
plus the first hybrid query, read-only (so no open writes a new snapshot), with
  - ``restore="snapshot"``: vector and lexical indexes from their snapshot files;
  - ``restore="rebuild_text"``: vector index from its snapshot, BM25 rebuilt by analysing
    every stored text again (what every open did before lexical snapshots).
Collections: N synthetic chunks of bench_storage's ingest (Zipfian text of 30-90 words, 384-d
vectors, metadata; HNSW M=16) and the bundled Cranfield abstracts (1,398, random 384-d
vectors: the open cost of the vectors is their snapshot's, whatever their values).

    python bench/python/bench_reopen.py [--ingest 20000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import pathlib
import tempfile
import time
from typing import Any, Literal

import numpy as np

import ragkernel as rk
from storage_ingest import BATCH, DIM, EF_CONSTRUCTION, M, make_chunks

Restore = Literal["snapshot", "rebuild_text"]


def build(
    path: pathlib.Path, ids: list[str], texts: list[str], vectors: np.ndarray, metadata: list[dict[str, Any]]
) -> None:
    with rk.Collection.create(path, DIM, metric="cosine", index="hnsw", M=M, ef_construction=EF_CONSTRUCTION) as col:
        for start in range(0, len(ids), BATCH):
            s = slice(start, start + BATCH)
            col.add(ids[s], texts[s], vectors[s], metadata[s])


def open_seconds(path: pathlib.Path, restore: Restore, query: str, vector: np.ndarray) -> float:
    start = time.perf_counter()
    col = rk.Collection.open(path, access="read_only", restore=restore)
    col.search(query, vector, k=10, include=())
    elapsed = time.perf_counter() - start
    col.close()
    return elapsed


def measure(name: str, path: pathlib.Path, query: str, vector: np.ndarray, rounds: int) -> None:
    times: dict[Restore, list[float]] = {"snapshot": [], "rebuild_text": []}
    for _ in range(rounds):
        for restore in times:
            times[restore].append(open_seconds(path, restore, query, vector))
    snap, rebuild = min(times["snapshot"]), min(times["rebuild_text"])
    lexical = sum(p.stat().st_size for p in path.glob("lexical-*.rkl"))
    print(f"| {name} | {snap:.3f} s | {rebuild:.3f} s | {rebuild / snap:.1f}x | {lexical / 1e6:.1f} MB |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ingest", type=int, default=20_000, help="synthetic chunks")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(3)
    with tempfile.TemporaryDirectory() as d:
        tmp = pathlib.Path(d)
        chunks = make_chunks(args.ingest)
        build(tmp / "synthetic", chunks.ids, chunks.texts, chunks.vectors, chunks.metadata)
        lines = (rk.datasets.path("cranfield") / "corpus.jsonl").read_text(encoding="utf-8").splitlines()
        docs = [json.loads(line) for line in lines]
        ids = [doc["_id"] for doc in docs]
        texts = [((doc.get("title") or "") + " " + doc["text"]).strip() for doc in docs]
        vectors = rng.standard_normal((len(ids), DIM), dtype=np.float32)
        build(tmp / "cranfield", ids, texts, vectors, [{"n": i} for i in range(len(ids))])

        print(f"\n## Collection open + first hybrid query, read-only, best of {args.rounds}\n")
        print("| collection | lexical snapshot | re-analyse texts | speed-up | lexical snapshot size |")
        print("|---|---|---|---|---|")
        measure(
            f"{args.ingest:,} synthetic chunks", tmp / "synthetic", chunks.texts[0][:60], chunks.queries[0], args.rounds
        )
        measure(f"Cranfield ({len(ids):,} abstracts)", tmp / "cranfield", texts[0][:60], vectors[0], args.rounds)


if __name__ == "__main__":
    main()

"""Durable collections from Python: reopen answers exactly as before close (every index kind and
quantization, and text only), other processes read (read_only, secondary), damaged or foreign
directories raise precise exceptions, readers on threads never see half a write, and
compact/stats report the store."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys
import threading
from typing import Any

import numpy as np
import pytest

import ragkernel as rk
from collection_helpers import DIM, Corpus, load

N = 400  # documents: enough for every path, small enough to index in a blink


@pytest.fixture(scope="module")
def cranfield() -> Corpus:
    return load("cranfield")


def answers(col: rk.Collection, data: Corpus) -> list[list[tuple[str, float, dict[str, tuple[float, int]]]]]:
    """Text, vector and hybrid queries (three fusions), filtered and not: every hit's id, score
    and per-source scores and ranks."""
    texts = data.queries[:8]
    vectors = data.query_vectors[:8] if col.dim else None
    batches = [col.search_batch(texts, k=10), col.search_batch(texts, k=10, filter={"year": {"$gte": 1965}})]
    if vectors is not None:
        batches.append(col.search_batch(vectors=vectors, k=10))
        for fusion in ("rrf", "convex", "dbsf"):
            batches.append(col.search_batch(texts, vectors, k=10, fusion=fusion))
        batches.append(col.search_batch(texts, vectors, k=10, filter={"lang": {"$in": ["en", "fr"]}}))
    return [[(h.id, h.score, h.sources) for h in hits] for batch in batches for hits in batch]


def fill(col: rk.Collection, data: Corpus) -> None:
    """Adds, replacements, deletions and re-adds (which reuse internal ids)."""
    col.add(data.ids[:N], data.texts[:N], data.vectors[:N] if col.dim else None, data.metadata[:N])
    col.upsert(data.ids[:40], [t + " revised" for t in data.texts[:40]], data.vectors[40:80] if col.dim else None)
    col.delete(data.ids[100:130])
    col.add(data.ids[N : N + 20], data.texts[N : N + 20], data.vectors[N : N + 20] if col.dim else None)


def same_records(a: list[rk.collection.Record | None], b: list[rk.collection.Record | None]) -> bool:
    return len(a) == len(b) and all(
        x is not None
        and y is not None
        and (x.id, x.text, x.metadata) == (y.id, y.text, y.metadata)
        and np.array_equal(x.vector, y.vector)  # type: ignore[arg-type]
        for x, y in zip(a, b, strict=True)
    )


@pytest.mark.parametrize("quantization", [None, "int8", "binary", "int4"])
@pytest.mark.parametrize("index", ["flat", "hnsw"])
def test_reopen_answers_exactly_as_before(
    tmp_path: pathlib.Path, cranfield: Corpus, index: str, quantization: str | None
) -> None:
    path = tmp_path / "kb"
    with rk.Collection.create(path, DIM, metric="cosine", index=index, quantization=quantization) as col:  # type: ignore[arg-type]
        fill(col, cranfield)
        before = answers(col, cranfield)
        records = col.get(col.ids())
    for restore in ("snapshot", "rebuild"):
        with rk.Collection.open(path, restore=restore) as col:  # type: ignore[arg-type]
            assert (col.index, col.quantization, col.dim, col.metric) == (index, quantization, DIM, "cosine")
            now = answers(col, cranfield)
            # The lexical index is exact either way (snapshot or re-analysis); a vector index
            # re-indexed from the stored vectors is exact for the float32 scan only (a new graph, and quantizers
            # trained on today's vectors rather than the first batch's).
            exact = restore == "snapshot" or (index == "flat" and quantization is None)
            assert (now if exact else now[:16]) == (before if exact else before[:16])
            assert same_records(col.get(col.ids()), records)


def test_text_only_reopens_exactly_with_its_analyzer_and_bm25(tmp_path: pathlib.Path, cranfield: Corpus) -> None:
    bm25 = {"variant": "bm25+", "k1": 1.2, "b": 0.6, "delta": 0.8}
    with rk.Collection.create(tmp_path, analyzer="bm25s", bm25=bm25) as col:
        fill(col, cranfield)
        before = answers(col, cranfield)
    with rk.Collection.open(tmp_path, access="read_only") as col:
        assert col.bm25 == bm25
        assert col.analyzer.config() == rk.Analyzer("bm25s").config()
        assert answers(col, cranfield) == before


READER = r"""
import json, sys
import ragkernel as rk
path, access, query = sys.argv[1], sys.argv[2], sys.argv[3]
try:
    col = rk.Collection.open(path, access=access)
except Exception as e:
    print(json.dumps({"error": type(e).__name__, "message": str(e)}), flush=True)
    sys.exit(0)
for line in sys.stdin:
    if line.strip() == "catch_up":
        col.catch_up()
    hits = col.search(query, k=10)
    print(json.dumps({"len": len(col), "hits": [[h.id, h.score] for h in hits]}), flush=True)
"""


class Reader:
    """A Python process that opens the collection and answers on request."""

    def __init__(self, path: pathlib.Path, access: str, query: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", READER, str(path), access, query],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def ask(self, command: str = "") -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        if self.proc.poll() is None:
            self.proc.stdin.write(command + "\n")
            self.proc.stdin.flush()
        answer: dict[str, Any] = json.loads(self.proc.stdout.readline())
        return answer

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        assert self.proc.wait(timeout=60) == 0


def hits_of(col: rk.Collection, query: str) -> list[list[Any]]:
    return [[h.id, h.score] for h in col.search(query, k=10)]


def test_other_processes_read_beside_and_after_the_writer(tmp_path: pathlib.Path, cranfield: Corpus) -> None:
    query = cranfield.queries[0]
    writer = rk.Collection.create(tmp_path, DIM, index="flat")
    writer.add(cranfield.ids[:200], cranfield.texts[:200], cranfield.vectors[:200], cranfield.metadata[:200])
    # One writer per directory: a second writer, and a read_only view of a live writer, are refused.
    with pytest.raises(OSError, match="one writer per directory"):
        rk.Collection.open(tmp_path)
    for access in ("read_write", "read_only"):
        refused = Reader(tmp_path, access, query).ask()
        assert refused["error"] == "OSError", refused

    secondary = Reader(tmp_path, "secondary", query)
    assert secondary.ask() == {"len": 200, "hits": hits_of(writer, query)}
    before = hits_of(writer, query)
    writer.add(cranfield.ids[200:N], cranfield.texts[200:N], cranfield.vectors[200:N], cranfield.metadata[200:N])
    writer.delete(cranfield.ids[:5])
    assert hits_of(writer, query) != before
    assert secondary.ask() == {"len": 200, "hits": before}  # nothing moves until catch_up
    assert secondary.ask("catch_up") == {"len": N - 5, "hits": hits_of(writer, query)}
    writer.checkpoint()  # the log the secondary would replay is gone: it reloads the snapshot
    writer.upsert(cranfield.ids[5:10], ["boundary layer " * 3] * 5, cranfield.vectors[:5])
    assert secondary.ask("catch_up") == {"len": N - 5, "hits": hits_of(writer, query)}
    final = hits_of(writer, query)
    writer.close()
    secondary.close()

    frozen = Reader(tmp_path, "read_only", query)
    assert frozen.ask() == {"len": N - 5, "hits": final}
    frozen.close()
    with rk.Collection.open(tmp_path, access="read_only") as col, pytest.raises(ValueError, match="read"):
        col.add(["x"], ["text"], np.ones((1, DIM), dtype=np.float32))


def test_precise_errors_for_missing_foreign_damaged_and_mismatched_stores(
    tmp_path: pathlib.Path, cranfield: Corpus
) -> None:
    with pytest.raises(KeyError, match="create"):
        rk.Collection.open(tmp_path / "missing")
    rk.DocStore(str(tmp_path / "docs"), dim=4).close()
    with pytest.raises(ValueError, match="collection"):
        rk.Collection.open(tmp_path / "docs")

    path = tmp_path / "kb"
    with rk.Collection.create(path, DIM, index="hnsw") as col:
        col.add(cranfield.ids[:200], cranfield.texts[:200], cranfield.vectors[:200])
        before = hits_of(col, cranfield.queries[1])
    with pytest.raises(ValueError, match="already exists"):
        rk.Collection.create(path, DIM)
    with pytest.raises(ValueError, match=f"dim {DIM}"):
        rk.Collection.open(path, dim=DIM + 1)
    with pytest.raises(ValueError, match="dim"):
        rk.Collection.open(path, dim=-1)

    snapshots = sorted(path.glob("vectors-*.rkv"))
    assert snapshots, list(path.iterdir())
    data = snapshots[-1].read_bytes()
    snapshots[-1].write_bytes(data[: len(data) // 2])  # truncated
    with pytest.raises(rk.CorruptionError, match="restore='rebuild'"):
        rk.Collection.open(path)
    with rk.Collection.open(path, restore="rebuild") as col:  # the way out; close writes a good snapshot
        assert len(col) == 200
    with rk.Collection.open(path) as col:
        assert len(col) == 200
        assert [h for h, _ in hits_of(col, cranfield.queries[1])] == [h for h, _ in before]

    snapshots = sorted(path.glob("vectors-*.rkv"))
    flipped = bytearray(snapshots[-1].read_bytes())
    for i in range(len(flipped) // 3, len(flipped) // 3 + 64):
        flipped[i] ^= 0xFF
    snapshots[-1].write_bytes(bytes(flipped))
    with pytest.raises(rk.CorruptionError):
        rk.Collection.open(path)


def test_a_damaged_lexical_snapshot_raises_and_rebuild_text_recovers(tmp_path: pathlib.Path, cranfield: Corpus) -> None:
    # HNSW: rebuild_text keeps the vector snapshot, so even the graph answers stay identical.
    with rk.Collection.create(tmp_path, DIM, index="hnsw", analyzer="bm25s") as col:
        fill(col, cranfield)
        before = answers(col, cranfield)
    (lexical,) = tmp_path.glob("lexical-*.rkl")
    data = bytearray(lexical.read_bytes())
    data[len(data) // 2] ^= 0x10
    lexical.write_bytes(bytes(data))
    with pytest.raises(rk.CorruptionError, match=r"lexical-1\.rkl.*checksum.*restore='rebuild_text'"):
        rk.Collection.open(tmp_path)
    with rk.Collection.open(tmp_path, restore="rebuild_text") as col:
        assert answers(col, cranfield) == before
    with rk.Collection.open(tmp_path) as col:  # the rebuild's close wrote a good snapshot
        assert answers(col, cranfield) == before


def test_damaged_table_files_raise_corruption(tmp_path: pathlib.Path, cranfield: Corpus) -> None:
    with rk.Collection.create(tmp_path, DIM, index="flat") as col:
        col.add(cranfield.ids[:N], cranfield.texts[:N], cranfield.vectors[:N], cranfield.metadata[:N])
        col.compact()  # everything in table files
    tables = [p for p in tmp_path.glob("*.sst") if p.stat().st_size > 4096]
    assert tables
    for table in tables:
        data = bytearray(table.read_bytes())
        for i in range(100, len(data) // 2, 97):
            data[i] ^= 0x5A
        table.write_bytes(bytes(data))
    with pytest.raises(rk.CorruptionError):
        rk.Collection.open(tmp_path)


def test_readers_on_threads_never_see_half_a_durable_write(tmp_path: pathlib.Path, cranfield: Corpus) -> None:
    """A writer flips 100 documents between two versions (text, metadata, vector) in one upsert
    each time and deletes and re-adds others; searches and gets on three threads see every
    write whole: all 100 documents of one version, never a mix."""
    ids = cranfield.ids[:100]

    def version(v: int) -> tuple[list[str], np.ndarray, list[dict[str, Any]]]:
        return [f"marker v{v} {t}" for t in cranfield.texts[:100]], cranfield.vectors[:100] * v, [{"v": v}] * 100

    col = rk.Collection.create(tmp_path, DIM, index="flat", metric="l2")
    col.add(ids, *version(1))
    col.add(cranfield.ids[100:150], cranfield.texts[100:150], cranfield.vectors[100:150])
    stop = threading.Event()
    errors: list[BaseException] = []
    seen: set[int] = set()

    def reader() -> None:
        try:
            while not stop.is_set():
                hits = col.search("marker", k=200)
                versions = {h.metadata["v"] for h in hits if h.metadata}
                assert len(hits) == 100 and len(versions) == 1, (len(hits), versions)
                v = versions.pop()
                assert all(h.text is not None and h.text.startswith(f"marker v{v} ") for h in hits)
                records = col.get(ids)
                got = {r.metadata["v"] for r in records if r is not None and r.metadata}
                assert len(got) == 1, got
                seen.add(v)
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    for round_ in range(20):
        col.upsert(ids, *version(2 - round_ % 2))
        col.delete(cranfield.ids[100:110])
        col.add(cranfield.ids[100:110], cranfield.texts[100:110], cranfield.vectors[100:110])
    stop.set()
    for t in threads:
        t.join()
    col.close()
    assert not errors, errors[0]
    assert seen


def test_compact_and_stats(tmp_path: pathlib.Path, cranfield: Corpus) -> None:
    col = rk.Collection.create(tmp_path, DIM, index="hnsw", block_cache_mb=8)
    col.add(cranfield.ids[:N], cranfield.texts[:N], cranfield.vectors[:N], cranfield.metadata[:N])
    col.delete(cranfield.ids[:50])
    s = col.stats()
    assert (s["documents"], s["snapshot_generation"], s["pending_changes"]) == (N - 50, 0, N + 50)
    col.compact()
    s = col.stats()
    assert (s["documents"], s["snapshot_generation"], s["pending_changes"]) == (N - 50, 1, 0)
    assert s["vocabulary"] > 1000 and s["metadata_fields"] == 4
    assert s["vector_bytes"] >= (N - 50) * DIM * 4 and s["snapshot_bytes"] >= (N - 50) * DIM * 4
    families = s["store"]["families"]
    assert families["documents"]["estimated_keys"] == N - 50
    assert families["documents"]["sst_bytes"] > 0 and families["changes"]["estimated_keys"] == 0
    assert s["store"]["disk_bytes"] >= families["documents"]["sst_bytes"]
    assert s["store"]["block_cache"]["capacity"] == 8 << 20
    col.search_batch(cranfield.queries[:20], k=10)  # texts and metadata read through the block cache
    cache = col.stats()["store"]["block_cache"]
    assert cache["hits"] + cache["misses"] > 0 and 0.0 <= cache["hit_rate"] <= 1.0
    col.close()
    with pytest.raises(ValueError, match="closed"):
        col.stats()
    assert "closed" in repr(col)
    memory = rk.Collection(DIM)
    assert "store" not in memory.stats()

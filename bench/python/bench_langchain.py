"""Adapter overhead: LangChain similarity_search k=4 on 100k documents with a fake embedder,
ragkernel's store against langchain-community's FAISS store, in the same run, interleaved,
best of N.

    python bench/python/bench_langchain.py [--n 100000] [--dim 384] [--queries 200] [--rounds 5]

Reported per query (median over the queries of the best of the rounds):
- raw FAISS: ``IndexFlatL2.search`` on one vector (the engine alone);
- ragkernel raw: ``Collection.search(vector=...)`` on the exact (flat) index;
- FAISS store / ragkernel store, by vector: ``similarity_search_by_vector`` (engine + adapter);
- FAISS store / ragkernel store, end to end: ``similarity_search`` (query embedding included);
- ragkernel store on HNSW, end to end (approximate, for scale).
The target: the ragkernel store by vector within 1.2x of raw FAISS, and faster end to end than
the FAISS store.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np


class FakeEmbeddings:
    """Deterministic vectors from a hash of the text: a cheap, equal cost for both stores."""

    def __init__(self, dim: int) -> None:
        self.dim = dim

    def _one(self, text: str) -> list[float]:
        rng = np.random.default_rng(abs(hash(text)) % (1 << 32))
        v = rng.standard_normal(self.dim).astype(np.float32)
        return (v / np.linalg.norm(v)).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._one(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._one(text)


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    import faiss
    from langchain_community.docstore.in_memory import InMemoryDocstore
    from langchain_community.vectorstores import FAISS
    from langchain_core.embeddings import Embeddings

    import ragkernel as rk
    from ragkernel.integrations.langchain import RagkernelVectorStore

    class Emb(FakeEmbeddings, Embeddings):
        pass

    emb = Emb(args.dim)
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((args.n, args.dim), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = [f"doc-{i}" for i in range(args.n)]
    texts = [f"document number {i}" for i in range(args.n)]
    metas = [{"i": i} for i in range(args.n)]
    queries = [f"query {i}" for i in range(args.queries)]
    qvecs = [emb.embed_query(q) for q in queries]

    # Both stores get the same precomputed vectors (building them is not what is measured).
    faiss_index = faiss.IndexFlatL2(args.dim)
    faiss_index.add(vectors)
    from langchain_core.documents import Document

    docstore = InMemoryDocstore(
        {i: Document(page_content=t, metadata=m, id=i) for i, t, m in zip(ids, texts, metas, strict=True)}
    )
    faiss_store = FAISS(emb, faiss_index, docstore, dict(enumerate(ids)))
    flat = rk.Collection(args.dim, index="flat")
    flat.add(ids, texts, vectors, metas)
    hnsw = rk.Collection(args.dim, index="hnsw")
    hnsw.add(ids, texts, vectors, metas)
    rk_flat = RagkernelVectorStore(emb, collection=flat)
    rk_hnsw = RagkernelVectorStore(emb, collection=hnsw)

    cases: dict[str, Callable[[int], Any]] = {
        "raw FAISS IndexFlatL2.search": lambda i: faiss_index.search(np.asarray([qvecs[i]], dtype=np.float32), 4),
        "ragkernel Collection.search (flat)": lambda i: flat.search(vector=np.asarray(qvecs[i], np.float32), k=4),
        "FAISS store, by vector": lambda i: faiss_store.similarity_search_by_vector(qvecs[i], k=4),
        "ragkernel store (flat), by vector": lambda i: rk_flat.similarity_search_by_vector(qvecs[i], k=4),
        "FAISS store, end to end": lambda i: faiss_store.similarity_search(queries[i], k=4),
        "ragkernel store (flat), end to end": lambda i: rk_flat.similarity_search(queries[i], k=4),
        "ragkernel store (hnsw), end to end": lambda i: rk_hnsw.similarity_search(queries[i], k=4),
    }
    for fn in cases.values():  # warm-up, and the same answers from both exact stores
        fn(0)
    same = sum(
        [d.id for d in faiss_store.similarity_search_by_vector(q, k=4)]
        == [d.id for d in rk_flat.similarity_search_by_vector(q, k=4)]
        for q in qvecs
    )
    best: dict[str, list[float]] = {name: [float("inf")] * args.queries for name in cases}
    for _ in range(args.rounds):  # interleaved: every case sees the same machine load
        for i in range(args.queries):
            for name, fn in cases.items():
                best[name][i] = min(best[name][i], timed(lambda fn=fn, i=i: fn(i)))
    median = {name: statistics.median(times) for name, times in best.items()}
    print(f"{args.n} documents, dim {args.dim}, k=4, {args.queries} queries, best of {args.rounds} rounds per query")
    print(f"exact stores return the same top 4 for {same}/{args.queries} queries")
    raw = median["raw FAISS IndexFlatL2.search"]
    for name, t in median.items():
        print(f"{name:<40} {t * 1e3:8.3f} ms   {t / raw:5.2f}x raw FAISS")
    ours, theirs = median["ragkernel store (flat), end to end"], median["FAISS store, end to end"]
    print(
        "ragkernel store by vector / raw FAISS: "
        f"{median['ragkernel store (flat), by vector'] / raw:.2f}x (target <= 1.2x)"
    )
    print(f"end to end, FAISS store / ragkernel store (flat): {theirs / ours:.2f}x")


if __name__ == "__main__":
    main()

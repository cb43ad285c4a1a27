"""``ragkernel demo``: a bundled collection from raw text to an evaluation report.

1. ingest: chunk every document (tokens of the embedding model), embed the chunks with
   all-MiniLM-L6-v2 through the on-disk embedding cache (a second run embeds nothing), index
   them in a durable collection (BM25 + HNSW + metadata);
2. search: hybrid queries with the matched words highlighted;
3. evaluate BM25, dense and hybrid retrieval on the golden set's judged queries, with
   significance marks against BM25, and write the HTML report;
4. answer one question through an LLM with the packed context and its sources, when
   ``OPENAI_BASE_URL`` is set (otherwise say how).
"""

from __future__ import annotations

import argparse
import os
import pathlib
import shutil
import time
from typing import Any

from rich.rule import Rule
from rich.table import Table

from ragkernel.commands.collections import cache_dir, make_embedder, write_settings
from ragkernel.commands.output import Output
from ragkernel.commands.search import render_hits

__all__ = ["register"]

SHOWCASE = {
    "cranfield": [
        "what similarity laws must be obeyed when constructing aeroelastic models of heated high speed aircraft",
        "heat transfer in laminar boundary layers at hypersonic speeds",
        "buckling of thin cylindrical shells under axial compression",
    ],
    "cisi": ["computer-based information retrieval systems evaluation", "citation analysis of scientific journals"],
    "adi": ["automatic indexing and abstracting of documents", "information retrieval system evaluation"],
}
QUESTION = {
    "cranfield": "How does heat transfer behave in laminar boundary layers at hypersonic speeds?",
    "cisi": "How are information retrieval systems evaluated?",
    "adi": "How can documents be indexed automatically?",
}
METRICS = ["ndcg@10", "map", "recall@100", "mrr"]


def register(sub: Any) -> None:
    p = sub.add_parser("demo", help="ingest, search and evaluate a bundled collection (the tour)")
    p.add_argument("--dataset", choices=sorted(SHOWCASE), default="cranfield", help="bundled collection")
    p.add_argument("--out", default="ragkernel-demo", metavar="DIR", help="where the collection and report go")
    p.add_argument("--embedder", default="minilm", help="minilm (default), openai:MODEL, st:NAME_OR_PATH")
    p.add_argument("--cache-dir", metavar="DIR", help="embedding cache (default: ~/.cache/ragkernel)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(run=cmd_demo)


def cmd_demo(args: argparse.Namespace) -> int:
    import ragkernel as rk
    from ragkernel.ingest import Chunker, add_documents

    out = Output(args.json)
    golden = rk.eval.GoldenSet.load(rk.datasets.path(args.dataset))
    corpus = golden.corpus()
    out_dir = pathlib.Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    where = out_dir / f"{args.dataset}.collection"
    if where.exists():
        shutil.rmtree(where)  # rebuilt on every run: the embedding cache makes it quick
    summary: dict[str, Any] = {"dataset": args.dataset, "documents": len(corpus), "queries": len(golden.qrels)}

    out.print(
        Rule(f"[bold]ragkernel demo[/]: {args.dataset} ({len(corpus)} documents, {len(golden.qrels)} judged queries)")
    )
    started = time.perf_counter()
    _quiet_model_loading()
    embedder = make_embedder(args.embedder)
    if embedder is None:
        raise ValueError("the demo compares dense and hybrid retrieval: choose an embedder other than none")
    tokenizer = None
    if args.embedder == "minilm":
        from ragkernel.embedders import _minilm_path

        tokenizer = str(pathlib.Path(_minilm_path()) / "tokenizer.json")
    # Chunks as long as MiniLM reads (256 word pieces with its two special tokens): most
    # abstracts stay whole, long ones split with an overlap, and nothing is silently truncated.
    chunker = (
        Chunker(method="recursive", chunk_size=240, overlap=24, unit="tokens", tokenizer=tokenizer)
        if tokenizer
        else Chunker()
    )
    folder = pathlib.Path(args.cache_dir) if args.cache_dir else cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    # One with: the collection closes (and releases its lock) on errors too.
    with (
        rk.EmbeddingCache(str(folder / "embeddings")) as cache,
        rk.Collection.create(str(where), dim=embedder.dim, index="hnsw") as col,
    ):
        write_settings(where, {"embedder": args.embedder, "model_id": embedder.model_id, "dim": embedder.dim})
        docs = [{"id": d.id, "text": d.text, "title": d.title} for d in corpus.values()]
        report = add_documents(
            col, docs, embedder=embedder, chunker=chunker, embedding_cache=cache,
            progress=False if args.no_progress or args.json else None,
        )  # fmt: skip
        ingest_seconds = time.perf_counter() - started
        summary["ingest"] = {
            "chunks": report.chunks,
            "embedded": report.embedded,
            "seconds": round(ingest_seconds, 2),
        }
        out.print(
            f"[green]1. ingested[/] {report.documents} documents as {report.chunks} chunks in {ingest_seconds:.1f} s "
            f"({report.embedded} embedded, {report.chunks - report.embedded} from the embedding cache in {folder})"
        )

        out.print(Rule("[bold]2. hybrid search[/] (BM25 + MiniLM, fused by reciprocal rank)"))
        for query in SHOWCASE[args.dataset]:
            hits = col.search(text=query, vector=embedder([query])[0], k=3)
            out.print(f"[bold cyan]{query}[/]")
            out.print(render_hits(hits, query, col.analyzer))

        out.print(
            Rule("[bold]3. evaluation[/]: BM25 vs dense vs hybrid (▲/▼: significant against BM25, Holm-corrected)")
        )
        comparison, eval_seconds = _evaluate(rk, col, golden, embedder)
        table = Table("system", *METRICS)
        for system in comparison.systems:
            cells = [comparison.cell(system, m) for m in METRICS]
            table.add_row(system, *(f"{c.mean:.4f} {c.mark}".strip() for c in cells))
        out.print(table)
        report_path = rk.eval.Report(comparison, title=f"ragkernel demo: {args.dataset}").save(
            (out_dir / "report.html").resolve()
        )
        summary["evaluation"] = {s: {m: comparison.cell(s, m).mean for m in METRICS} for s in comparison.systems}
        summary["report"] = str(report_path)
        out.print(
            f"evaluated {len(golden.qrels)} queries x 3 systems in {eval_seconds:.1f} s; report: [bold]{report_path}[/]"
        )

        out.print(Rule("[bold]4. an answer with sources[/]"))
        summary["answer"] = _answer(rk, col, embedder, QUESTION[args.dataset], out, folder / "llm")
    if out.as_json:
        out.json(summary)
    return 0


def _quiet_model_loading() -> None:
    """No "Loading weights" bar from transformers between the demo's own lines."""
    try:
        from transformers.utils import logging as hf_logging
    except ImportError:  # the embeddings extra is not installed: nothing to quiet
        return
    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]


def _document_run(hits_per_query: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Chunk hits to a document run: a document scores as its best chunk."""
    run: dict[str, dict[str, float]] = {}
    for query, hits in hits_per_query.items():
        docs: dict[str, float] = {}
        for hit in hits:
            source = str(hit.metadata.get("source_id", hit.id))
            docs[source] = max(docs.get(source, float("-inf")), float(hit.score))
        run[query] = docs
    return run


def _evaluate(rk: Any, col: Any, golden: Any, embedder: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    queries = golden.judged_queries()
    ids, texts = list(queries), list(queries.values())
    vectors = embedder(texts)
    runs = {}
    for name, kwargs in (
        ("bm25", {"texts": texts}),
        ("dense", {"vectors": vectors}),
        ("hybrid", {"texts": texts, "vectors": vectors}),
    ):
        results = col.search_batch(k=100, **kwargs)
        runs[name] = _document_run(dict(zip(ids, results, strict=True)))
    comparison = rk.eval.compare(runs, golden, metrics=METRICS, baseline="bm25")
    return comparison, time.perf_counter() - started


def _answer(
    rk: Any, col: Any, embedder: Any, question: str, out: Output, cache_path: pathlib.Path
) -> dict[str, Any] | None:
    if not os.environ.get("OPENAI_BASE_URL"):
        out.print(
            "Set OPENAI_BASE_URL (and OPENAI_MODEL, and OPENAI_API_KEY if the endpoint needs one) to see the RAG "
            "chain answer a question with its sources, e.g. with a local Ollama:\n"
            "  OPENAI_BASE_URL=http://localhost:11434/v1 OPENAI_MODEL=llama3.2 make demo"
        )
        return None
    hits = col.search(text=question, vector=embedder([question])[0], k=8)
    context = hits.to_context(max_tokens=600)
    prompt = [
        {"role": "system", "content": "Answer from the numbered sources only and cite them like [1]."},
        {"role": "user", "content": f"Sources:\n{context.text}\n\nQuestion: {question}"},
    ]
    with rk.LLMCache(str(cache_path)) as cache:  # the same question again is answered from disk
        result = rk.LLMClient(cache=cache).chat(prompt)
    out.print(f"[bold cyan]{question}[/]" + (" [dim](from the LLM cache)[/]" if result.cached else ""))
    out.print(result.text)
    out.print(
        "sources: "
        + ", ".join(f"[{n}] {s}" for n, s in enumerate(context.sources, start=1))
        + f"  ({context.tokens} context tokens of {context.max_tokens}; {len(context.dropped)} chunks left out)"
    )
    return {
        "question": question,
        "answer": result.text,
        "cached": result.cached,
        "sources": context.sources,
        "context_tokens": context.tokens,
    }

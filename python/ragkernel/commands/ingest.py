"""``ragkernel ingest PATH... --into DIR``: chunk, embed and index files, folders and JSONL."""

from __future__ import annotations

import argparse
import contextlib
import pathlib
import time
from typing import Any

from ragkernel.commands.collections import (
    EMBEDDERS_HELP,
    SETTINGS_FILE,
    cache_dir,
    check_embedder,
    make_embedder,
    read_settings,
    write_settings,
)
from ragkernel.commands.output import Output
from ragkernel.documents import TEXT_SUFFIXES

__all__ = ["register"]

CHUNKERS = ("recursive", "markdown", "sentence", "token", "none")


def register(sub: Any) -> None:
    p = sub.add_parser(
        "ingest",
        help="chunk, embed and index files, folders and JSONL into a collection",
        description=(
            "Reads PATHs (files, folders searched recursively for "
            f"{', '.join(sorted(TEXT_SUFFIXES))} and .jsonl; a .jsonl file holds one JSON object per line "
            "with 'id' or '_id', 'text' and any metadata), chunks each document, embeds the chunks through "
            "the embedding cache and writes them into the collection at DIR (created if missing). A document "
            "ingested again replaces its earlier chunks."
        ),
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="files, folders or .jsonl files")
    p.add_argument("--into", required=True, metavar="DIR", help="the collection directory")
    p.add_argument("--embedder", help=f"{EMBEDDERS_HELP} (default: minilm for a new collection)")
    p.add_argument("--chunker", choices=CHUNKERS, default="recursive", help="how to split documents")
    p.add_argument("--chunk-size", type=int, default=1000, help="largest chunk, in --unit (default: 1000)")
    p.add_argument("--overlap", type=float, default=100, help="units shared by neighbours, or a fraction <1")
    p.add_argument("--unit", choices=("chars", "words", "tokens"), default="chars", help="default: chars")
    p.add_argument("--tokenizer", metavar="JSON", help="tokenizer.json for --unit tokens (default: MiniLM's)")
    p.add_argument("--text-field", default="text", help="JSONL field holding the text (default: text)")
    p.add_argument("--id-field", help="JSONL field holding the id (default: id, _id or doc_id)")
    p.add_argument("--index", choices=("hnsw", "flat"), default="hnsw", help="vector index of a new collection")
    p.add_argument("--quantization", choices=("none", "int8", "int4", "binary"), default="none")
    p.add_argument("--analyzer", choices=("lucene", "bm25s"), default="lucene", help="BM25 text analysis")
    p.add_argument("--batch-size", type=int, default=256, help="chunks embedded and written per batch")
    p.add_argument("--no-cache", action="store_true", help="do not use the embedding cache")
    p.add_argument("--cache-dir", metavar="DIR", help="embedding cache (default: ~/.cache/ragkernel)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(run=cmd_ingest)


def _tokenizer(args: argparse.Namespace) -> Any:
    if args.unit != "tokens":
        if args.tokenizer:
            raise ValueError("--tokenizer only applies with --unit tokens")
        return None
    if args.tokenizer:
        return args.tokenizer
    from ragkernel.embedders import _minilm_path

    return str(pathlib.Path(_minilm_path()) / "tokenizer.json")


def _chunker(args: argparse.Namespace) -> Any:
    from ragkernel.ingest import Chunker

    if args.chunker == "none":
        return None
    if args.chunk_size <= 0:
        raise ValueError(f"--chunk-size must be positive, got {args.chunk_size}")
    overlap = int(args.overlap) if args.overlap >= 1 else args.overlap
    return Chunker(
        method=args.chunker, chunk_size=args.chunk_size, overlap=overlap, unit=args.unit, tokenizer=_tokenizer(args)
    )


def cmd_ingest(args: argparse.Namespace) -> int:
    import ragkernel as rk
    from ragkernel.documents import load_documents
    from ragkernel.ingest import add_documents, check_documents

    out = Output(args.json)
    target = pathlib.Path(args.into)
    exists = (target / SETTINGS_FILE).exists()
    if target.exists() and not exists and any(target.iterdir()):
        raise ValueError(f"{target} exists and is not a ragkernel collection; choose a new or empty directory")
    settings = read_settings(target) if exists else None
    spec = check_embedder(args.embedder or (settings["embedder"] if settings else "minilm"))
    if settings and spec != settings["embedder"]:
        raise ValueError(
            f"{target} was built with --embedder {settings['embedder']}; ingest with that embedder "
            "(or leave --embedder out), or into a new directory"
        )
    chunker = _chunker(args)
    docs = check_documents(
        load_documents(args.paths, text_field=args.text_field, id_field=args.id_field), args.batch_size
    )  # before anything is created: bad input leaves no directory behind
    if not docs:
        raise ValueError(f"no documents found in {', '.join(args.paths)}")
    started = time.perf_counter()
    embedder = make_embedder(spec)
    dim = embedder.dim if embedder is not None else 0
    with _cache(args, needed=embedder is not None) as cache:
        if settings:
            col = rk.Collection.open(str(target), access="read_write")
        else:
            quantization = None if args.quantization == "none" else args.quantization
            col = rk.Collection.create(
                str(target), dim=dim, index=args.index, quantization=quantization, analyzer=args.analyzer
            )
            write_settings(
                target,
                {"embedder": spec, "model_id": getattr(embedder, "model_id", None), "dim": dim},
            )
        try:
            report = add_documents(
                col,
                docs,
                embedder=embedder,
                chunker=chunker,
                embedding_cache=cache,
                batch_size=args.batch_size,
                progress=False if args.no_progress or args.json else None,
            )
            total = len(col)
        finally:
            col.close()
    seconds = time.perf_counter() - started
    summary = {
        "collection": str(target),
        "documents": report.documents,
        "chunks": report.chunks,
        "replaced_chunks": report.replaced_chunks,
        "embedded": report.embedded,
        "from_cache": report.chunks - report.embedded if dim else 0,
        "records_in_collection": total,
        "embedder": spec,
        "seconds": round(seconds, 3),
    }
    if out.as_json:
        out.json(summary)
    else:
        cached = f", {summary['from_cache']} embeddings from the cache" if dim else ""
        out.print(
            f"[green]ingested[/] {report.documents} documents as {report.chunks} chunks into [bold]{target}[/] "
            f"in {seconds:.1f} s ({report.embedded} embedded{cached}); the collection holds {total} records"
        )
    return 0


def _cache(args: argparse.Namespace, *, needed: bool) -> Any:
    import ragkernel as rk

    if args.no_cache or not needed:  # nothing to embed: do not hold the shared cache open
        return contextlib.nullcontext()
    folder = pathlib.Path(args.cache_dir) if args.cache_dir else cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return rk.EmbeddingCache(str(folder / "embeddings"))

"""``ragkernel search DIR "query"``: hybrid, lexical or dense search of a collection."""

from __future__ import annotations

import argparse
import json
from typing import Any

from rich.table import Table

from ragkernel.commands.collections import make_embedder, open_collection
from ragkernel.commands.output import Output, highlight
from ragkernel.text import Analyzer

__all__ = ["register", "render_hits"]

MODES = ("hybrid", "bm25", "dense")


def register(sub: Any) -> None:
    p = sub.add_parser("search", help="search a collection (hybrid by default)")
    p.add_argument("collection", metavar="DIR", help="a collection directory (made by ragkernel ingest)")
    p.add_argument("query", help="the query text")
    p.add_argument("-k", type=int, default=5, help="number of hits (default: 5)")
    p.add_argument("--mode", choices=MODES, default="hybrid", help="hybrid (default), bm25 or dense")
    p.add_argument("--filter", metavar="JSON", help='metadata filter, e.g. \'{"year": {"$gte": 2020}}\'')
    p.add_argument("--fusion", choices=("rrf", "convex", "dbsf"), default="rrf", help="how hybrid scores fuse")
    p.set_defaults(run=cmd_search)


def _filter(raw: str | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise ValueError(f'--filter is not valid JSON ({exc}); e.g. --filter \'{{"lang": "en"}}\'') from None
    if not isinstance(value, dict):
        raise ValueError(f"--filter must be a JSON object, got {type(value).__name__}")
    return value


def cmd_search(args: argparse.Namespace) -> int:
    if args.k < 1:
        raise ValueError(f"-k must be at least 1, got {args.k}")
    where = _filter(args.filter)
    out = Output(args.json)
    with open_collection(args.collection, access="read_only") as (col, settings):
        vector = None
        if args.mode in ("hybrid", "dense"):
            embedder = make_embedder(settings["embedder"])
            if embedder is None:
                if args.mode == "dense":
                    raise ValueError(
                        f"{args.collection} has no vectors (ingested with --embedder none); use --mode bm25"
                    )
            else:
                vector = embedder([args.query])[0]
        text = args.query if args.mode in ("hybrid", "bm25") else None
        hits = col.search(text=text, vector=vector, k=args.k, filter=where, fusion=args.fusion)
        rows = [_row(h) for h in hits]
        if out.as_json:
            out.json({"query": args.query, "mode": args.mode, "hits": rows})
        else:
            out.print(render_hits(hits, args.query, col.analyzer))
    return 0


def _row(hit: Any) -> dict[str, Any]:
    return {
        "id": hit.id,
        "score": hit.score,
        "text": hit.text,
        "metadata": hit.metadata,
        "sources": {name: {"score": s, "rank": r} for name, (s, r) in hit.sources.items()},
    }


def render_hits(hits: Any, query: str, analyzer: Analyzer) -> Table:
    """A table of hits with the query's matched words in bold."""
    terms = set(analyzer.analyze(query))
    # One call per hit analyses all of its words (not one call per word).
    batch = lambda words: analyzer.analyze_batch(words, threads=1)  # noqa: E731
    table = Table("#", "score", "id", "text", "bm25 / dense rank", show_lines=True, expand=False)
    for n, hit in enumerate(hits, start=1):
        ranks = " / ".join(str(hit.sources.get(s, (None, 0))[1] or "-") for s in ("bm25", "vector"))
        table.add_row(str(n), f"{hit.score:.4f}", hit.id, highlight(hit.text, terms, batch, width=240), ranks)
    return table

"""``ragkernel info``, ``ragkernel self-check`` and ``ragkernel stats DIR``."""

from __future__ import annotations

import argparse
from typing import Any

from rich.table import Table

import ragkernel
from ragkernel.commands.output import Output

__all__ = ["register"]


def register(sub: Any) -> None:
    sub.add_parser("info", help="version, compiler, SIMD levels, threads").set_defaults(run=cmd_info)
    sub.add_parser("self-check", help="check every SIMD level against the scalar reference").set_defaults(
        run=cmd_self_check
    )
    p = sub.add_parser("stats", help="what a collection holds: counts, configuration, bytes on disk")
    p.add_argument("collection", metavar="DIR", help="a collection directory (made by ragkernel ingest)")
    p.set_defaults(run=cmd_stats)


def cmd_info(args: argparse.Namespace) -> int:
    info = ragkernel.build_info()
    out = Output(args.json)
    if out.as_json:
        out.json(info)
        return 0
    table = Table(show_header=False, box=None, pad_edge=False)
    for key, value in info.items():
        table.add_row(f"[bold]{key}[/]", ", ".join(value) if isinstance(value, list) else str(value))
    out.print(table)
    return 0


def cmd_self_check(args: argparse.Namespace) -> int:
    results = ragkernel.self_check()
    out = Output(args.json)
    failed = [r for r in results if not r["ok"]]
    if out.as_json:
        out.json(results)
        return 1 if failed else 0
    table = Table("level", "kernel", "max error / tolerance", "", box=None)
    for r in results:
        status = "[green]ok[/]" if r["ok"] else "[red]FAIL[/]"
        table.add_row(r["level"], r["kernel"], f"{r['max_error']:.3g}", status)
    out.print(table)
    if failed:
        out.note(f"{len(failed)} kernel(s) disagree with the scalar reference")
    return 1 if failed else 0


def cmd_stats(args: argparse.Namespace) -> int:
    from ragkernel.commands.collections import open_collection

    with open_collection(args.collection, access="read_only") as (col, settings):
        stats = {"collection": str(args.collection), "settings": settings, **col.stats()}
    out = Output(args.json)
    if out.as_json:
        out.json(stats)
        return 0
    table = Table(show_header=False, box=None, pad_edge=False)
    for key, value in _flatten(stats):
        table.add_row(f"[bold]{key}[/]", str(value))
    out.print(table)
    return 0


def _flatten(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Nested dicts as ``("a.b.c", value)`` rows."""
    if isinstance(value, dict):
        return [row for key, inner in value.items() for row in _flatten(inner, f"{prefix}{key}.")]
    return [(prefix.rstrip("."), value)]

"""The ``ragkernel`` command line."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

import ragkernel
from ragkernel.eval.cli import register as register_eval


def _cmd_info(args: argparse.Namespace) -> int:
    info = ragkernel.build_info()
    if args.json:
        print(json.dumps(info, indent=2))
        return 0
    width = max(len(k) for k in info)
    for key, value in info.items():
        shown = ", ".join(value) if isinstance(value, list) else value
        print(f"{key:<{width}}  {shown}")
    return 0


def _cmd_self_check(args: argparse.Namespace) -> int:
    results = ragkernel.self_check()
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for r in results:
            status = "ok  " if r["ok"] else "FAIL"
            print(f"{status} {r['level']:<8} {r['kernel']:<11} max error {r['max_error']:.3g} of tolerance")
    failed = [r for r in results if not r["ok"]]
    if failed and not args.json:
        print(f"{len(failed)} kernel(s) disagree with the scalar reference", file=sys.stderr)
    return 1 if failed else 0


def _cmd_demo(args: argparse.Namespace) -> int:
    print("ragkernel build:")
    _cmd_info(args)
    print("\nkernel self-check (every SIMD level against the scalar reference):")
    return _cmd_self_check(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ragkernel", description=__doc__)
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("info", help="version, compiler, SIMD levels, threads").set_defaults(run=_cmd_info)
    sub.add_parser("self-check", help="check every SIMD level against the scalar reference").set_defaults(
        run=_cmd_self_check
    )
    sub.add_parser("demo", help="run the demo").set_defaults(run=_cmd_demo)
    register_eval(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except (ValueError, KeyError, OSError) as exc:
        print(f"ragkernel: error: {exc}", file=sys.stderr)
        return 2

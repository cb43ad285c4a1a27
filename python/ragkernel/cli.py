"""The ``ragkernel`` command line.

    ragkernel ingest PATH... --into DIR      chunk, embed and index files, folders, JSONL
    ragkernel search DIR "query"             hybrid, lexical or dense search
    ragkernel stats DIR                      what a collection holds
    ragkernel eval --golden DIR --run RUN    score a run; gate CI on floors and regressions
    ragkernel demo                           the tour: Cranfield, hybrid search, evaluation
    ragkernel info | self-check              the build, and the SIMD kernels against scalar

Every command takes ``--json`` for machine-readable output. Exit codes: 0 success, 1 a check
failed (``eval``, ``self-check``), 2 a usage or input error (one line on stderr that says what
to do, never a traceback), 130 interrupted.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from collections.abc import Sequence
from typing import NoReturn

from ragkernel.commands import demo, info, ingest, search
from ragkernel.commands.output import USER_ERRORS, describe_error
from ragkernel.eval.cli import register as register_eval

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors that suggest the option or command meant."""

    def error(self, message: str) -> NoReturn:
        hint = self._suggestion(message)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}{hint}; see {self.prog} --help\n")

    def _suggestion(self, message: str) -> str:
        if message.startswith("unrecognized arguments:"):
            words = message.split(":", 1)[1].split()
            options = [o for a in self._every_action() for o in a.option_strings]
            for word in words:
                close = difflib.get_close_matches(word.split("=")[0], options, n=1, cutoff=0.6)
                if close:
                    return f" (did you mean {close[0]}?)"
        if "invalid choice:" in message:
            wrong = message.split("invalid choice:", 1)[1].split("'")[1] if "'" in message else ""
            choices = [c for a in self._actions if a.choices for c in a.choices]
            close = difflib.get_close_matches(wrong, [str(c) for c in choices], n=1, cutoff=0.6)
            if close:
                return f" (did you mean {close[0]}?)"
        return ""

    def _every_action(self) -> list[argparse.Action]:
        """This parser's options and those of its subcommands (unknown options of a
        subcommand are reported by the top-level parser)."""
        actions = list(self._actions)
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub in action.choices.values():
                    actions += sub._actions
        return actions


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="ragkernel", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=Parser)
    ingest.register(sub)
    search.register(sub)
    info.register(sub)
    register_eval(sub)
    demo.register(sub)
    for command in sub.choices.values():  # --json after the command too: ragkernel search DIR q --json
        if "--json" not in command._option_string_actions:
            command.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print JSON")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        print("ragkernel: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except USER_ERRORS as exc:
        print(f"ragkernel {args.command}: error: {describe_error(exc)}", file=sys.stderr)
        return EXIT_USAGE

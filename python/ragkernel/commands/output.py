"""What the commands share: rich output for people, JSON for machines, one-line errors."""

from __future__ import annotations

import json
import re
import sys
from typing import Any

from rich.console import Console
from rich.text import Text

from ragkernel.llm import LLMError

__all__ = ["USER_ERRORS", "Output", "describe_error", "highlight"]

# Exceptions that mean the input or the environment is wrong, not ragkernel: reported in one
# line with exit code 2. Anything else is a bug and keeps its traceback.
USER_ERRORS: tuple[type[BaseException], ...] = (ValueError, KeyError, OSError, ImportError, LLMError)

_WORD = re.compile(r"\w+", re.UNICODE)


def describe_error(exc: BaseException) -> str:
    """The exception's message on one line (KeyError's repr quotes are dropped)."""
    if isinstance(exc, KeyError) and len(exc.args) == 1 and isinstance(exc.args[0], str):
        text = exc.args[0]
    else:
        text = str(exc) or type(exc).__name__
    return " ".join(text.split())


class Output:
    """Where a command's results go: a rich console, or JSON on stdout with ``--json``."""

    def __init__(self, as_json: bool, *, file: Any = None) -> None:
        self.as_json = as_json
        self.console = Console(file=file or sys.stdout, highlight=False, soft_wrap=True)

    def json(self, value: Any) -> None:
        self.console.file.write(json.dumps(value, indent=2, ensure_ascii=False, default=str) + "\n")

    def print(self, *objects: Any, **kwargs: Any) -> None:
        """Human output; silent with ``--json`` so stdout stays one JSON document."""
        if not self.as_json:
            self.console.print(*objects, **kwargs)

    def note(self, message: str) -> None:
        """A remark for people on stderr (shown even with ``--json``)."""
        Console(file=sys.stderr, highlight=False, soft_wrap=True).print(message)


def highlight(text: str, query_terms: set[str], analyze: Any, *, width: int = 320) -> Text:
    """``text`` (or a window of ``width`` characters around its first match) with the words
    whose analysed terms are among ``query_terms`` in bold: the words BM25 matched."""
    words = list(_WORD.finditer(text))
    analyzed = analyze([w.group() for w in words]) if words else []
    hits = [w for w, terms in zip(words, analyzed, strict=True) if query_terms.intersection(terms)]
    start = 0
    if len(text) > width and hits:
        start = max(0, min(hits[0].start() - width // 4, len(text) - width))
    end = min(len(text), start + width)
    out = Text(("…" if start else "") + text[start:end] + ("…" if end < len(text) else ""))
    offset = 1 if start else 0
    for w in hits:
        if w.start() >= start and w.end() <= end:
            out.stylize("bold yellow", w.start() - start + offset, w.end() - start + offset)
    return out

"""TREC qrels and run files (and BEIR qrels TSV files).

Readers are C++ (a run file of millions of lines loads in a second) and return the compiled
:class:`~ragkernel.eval.Qrels` / :class:`~ragkernel.eval.Run`; call ``.to_dict()`` for dicts.
Malformed lines raise ``ValueError`` naming the file and line.
"""

from __future__ import annotations

import pathlib
from collections.abc import Mapping

from ragkernel import _core

__all__ = ["load_qrels", "load_run", "write_run"]


def load_qrels(path: str | pathlib.Path) -> _core.EvalQrels:
    """Read judgments: a TREC qrels file (``query iteration doc grade``) or a BEIR ``.tsv``."""
    path = pathlib.Path(path)
    if path.suffix == ".tsv":
        return _core.EvalQrels.read_beir(str(path))
    return _core.EvalQrels.read_trec(str(path))


def load_run(path: str | pathlib.Path) -> _core.EvalRun:
    """Read a TREC run file (``query Q0 doc rank score tag``)."""
    return _core.EvalRun.read_trec(str(path))


def write_run(run: Mapping[str, Mapping[str, float]], path: str | pathlib.Path, *, tag: str = "ragkernel") -> None:
    """Write ``{query_id: {doc_id: score}}`` as a TREC run, ranked as the evaluator ranks it."""
    if not tag or any(c.isspace() for c in tag):
        raise ValueError(f"tag {tag!r} must be a non-empty word without spaces")
    lines: list[str] = []
    for query, docs in run.items():
        ranked = sorted(docs.items(), key=lambda item: (-item[1], _descending(item[0])))
        for rank, (doc, value) in enumerate(ranked, start=1):
            if any(c.isspace() for c in query + doc):
                raise ValueError(f"ids must not contain whitespace in a TREC file: query {query!r}, doc {doc!r}")
            lines.append(f"{query} Q0 {doc} {rank} {float(value)!r} {tag}\n")
    pathlib.Path(path).write_text("".join(lines), encoding="utf-8")


def _descending(doc: str) -> tuple[int, ...]:
    # Byte order, reversed: ties rank by document id descending, as trec_eval does.
    return (*tuple(-b for b in doc.encode("utf-8")), 1)

"""Golden sets: queries, judgments and optional reference answers, in BEIR's folder layout.

A golden set folder holds ``queries.jsonl`` (``{"_id", "text"}``), ``qrels/<split>.tsv`` (a
header, then ``query-id, corpus-id, score``), optionally ``corpus.jsonl`` (``{"_id", "title",
"text"}``) and ``answers.jsonl``: one ``{"query_id", "answers": [...], "context_ids": [...]}``
per query, the reference answers and the ids of the passages that support them. Malformed
input raises ``ValueError`` naming the file and line.

>>> import ragkernel as rk
>>> golden = rk.eval.GoldenSet.load(rk.datasets.path("adi"))
>>> len(golden.queries), len(golden.qrels), len(golden.corpus())
(35, 35, 82)
"""

from __future__ import annotations

import json
import pathlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ragkernel import _core

__all__ = ["Document", "GoldenSet", "Reference", "read_jsonl"]


@dataclass(frozen=True)
class Document:
    id: str
    text: str
    title: str = ""


@dataclass(frozen=True)
class Reference:
    """What a good answer to one query looks like."""

    answers: tuple[str, ...] = ()
    context_ids: tuple[str, ...] = ()


def read_jsonl(path: pathlib.Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line_number, object)`` for each non-blank line; ``ValueError`` names file and line."""
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{number}: invalid JSON: {exc.msg} (column {exc.colno})") from None
            if not isinstance(obj, dict):
                raise ValueError(f"{path}:{number}: expected a JSON object, got {type(obj).__name__}")
            yield number, obj


def _string_field(obj: dict[str, Any], key: str, path: pathlib.Path, number: int, *, required: bool = True) -> str:
    if key not in obj:
        if required:
            raise ValueError(f"{path}:{number}: missing field {key!r}")
        return ""
    value = obj[key]
    if isinstance(value, int) and not isinstance(value, bool) and key.endswith("id"):
        return str(value)  # numeric ids are common in hand-written files
    if not isinstance(value, str):
        raise ValueError(f"{path}:{number}: field {key!r} must be a string, got {type(value).__name__}")
    return value


def _string_list(obj: dict[str, Any], key: str, path: pathlib.Path, number: int) -> tuple[str, ...]:
    value = obj.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in value):
        raise ValueError(f"{path}:{number}: field {key!r} must be a list of strings")
    return tuple(str(v) for v in value)


@dataclass
class GoldenSet:
    """Queries, judgments and references of one split of a golden set."""

    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]
    references: dict[str, Reference] = field(default_factory=dict)
    path: pathlib.Path | None = None
    name: str = "golden"

    @classmethod
    def load(cls, path: str | pathlib.Path, split: str = "test") -> GoldenSet:
        folder = pathlib.Path(path)
        if not folder.is_dir():
            raise FileNotFoundError(f"golden set folder {folder} does not exist")
        qrels_path = folder / "qrels" / f"{split}.tsv"
        if not qrels_path.exists():
            found = sorted(p.stem for p in (folder / "qrels").glob("*.tsv")) if (folder / "qrels").is_dir() else []
            raise FileNotFoundError(f"{qrels_path} does not exist; splits found: {', '.join(found) or 'none'}")
        qrels = _core.EvalQrels.read_beir(str(qrels_path)).to_dict()
        queries: dict[str, str] = {}
        queries_path = folder / "queries.jsonl"
        for number, obj in read_jsonl(queries_path):
            queries[_string_field(obj, "_id", queries_path, number)] = _string_field(obj, "text", queries_path, number)
        missing = [q for q in qrels if q not in queries]
        if missing:
            raise ValueError(f"{qrels_path}: queries {missing[:5]} are judged but absent from {queries_path.name}")
        references: dict[str, Reference] = {}
        answers_path = folder / "answers.jsonl"
        if answers_path.exists():
            for number, obj in read_jsonl(answers_path):
                query = _string_field(obj, "query_id", answers_path, number)
                if query not in queries:
                    raise ValueError(f"{answers_path}:{number}: query_id {query!r} is not in {queries_path.name}")
                if query in references:
                    raise ValueError(f"{answers_path}:{number}: query_id {query!r} appears twice")
                references[query] = Reference(
                    _string_list(obj, "answers", answers_path, number),
                    _string_list(obj, "context_ids", answers_path, number),
                )
        return cls(queries=queries, qrels=qrels, references=references, path=folder, name=folder.name)

    def corpus(self) -> dict[str, Document]:
        """The documents of ``corpus.jsonl`` (read on each call: corpora can be large)."""
        if self.path is None or not (self.path / "corpus.jsonl").exists():
            raise FileNotFoundError(f"golden set {self.name!r} has no corpus.jsonl")
        corpus_path = self.path / "corpus.jsonl"
        docs: dict[str, Document] = {}
        for number, obj in read_jsonl(corpus_path):
            doc_id = _string_field(obj, "_id", corpus_path, number)
            docs[doc_id] = Document(
                doc_id,
                _string_field(obj, "text", corpus_path, number),
                _string_field(obj, "title", corpus_path, number, required=False),
            )
        return docs

    def judged_queries(self) -> dict[str, str]:
        """The queries that have judgments, in judgment order."""
        return {q: self.queries[q] for q in self.qrels}

"""Documents before chunking: what ``Collection.add_documents`` and ``ragkernel ingest`` take.

A :class:`Document` is an id, a text and JSON-like metadata. :func:`as_documents` accepts what
users already have (strings, dicts, ``Document``s, LangChain ``Document``s, LlamaIndex nodes);
:func:`load_documents` reads files, folders and JSONL files.

>>> from ragkernel.documents import as_documents
>>> [d.id for d in as_documents([{"id": "a", "text": "alpha"}, "beta"])]
['a', 'sha1:a295e0bdde1938d1']
"""

from __future__ import annotations

import hashlib
import pathlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ragkernel.eval.golden import read_jsonl

__all__ = ["TEXT_SUFFIXES", "Document", "as_documents", "content_id", "load_documents"]

# Files read as one document each when a folder is ingested (JSONL files hold many).
TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".rst", ".text", ".html", ".htm", ".csv", ".tex", ".org"})

_ID_FIELDS = ("id", "_id", "doc_id")


@dataclass(frozen=True)
class Document:
    """One source document: chunks made from it carry ``source_id = id``."""

    id: str
    text: str
    metadata: dict[str, Any] = field(default_factory=dict)


def content_id(text: str) -> str:
    """A stable id for a text without one: re-adding the same text replaces, never duplicates."""
    return "sha1:" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def _from_mapping(item: Mapping[str, Any], where: str, text_field: str, id_field: str | None) -> Document:
    if text_field not in item:
        raise ValueError(f"{where}: no {text_field!r} field; fields are {sorted(item)} (choose one with text_field=)")
    text = item[text_field]
    if not isinstance(text, str):
        raise ValueError(f"{where}: field {text_field!r} must be a string, got {type(text).__name__}")
    keys = [id_field] if id_field else [k for k in _ID_FIELDS if k in item][:1]
    if id_field and id_field not in item:
        raise ValueError(f"{where}: no {id_field!r} field; fields are {sorted(item)}")
    raw_id = item[keys[0]] if keys else None
    if raw_id is not None and (isinstance(raw_id, bool) or not isinstance(raw_id, (str, int))):
        raise ValueError(f"{where}: the id must be a string or an integer, got {type(raw_id).__name__}")
    given = item.get("metadata") or {}
    if not isinstance(given, Mapping):
        raise ValueError(f"{where}: field 'metadata' must be an object, got {type(given).__name__}")
    metadata = dict(given)
    for key, value in item.items():
        if key not in (text_field, "metadata", *keys) and value is not None:
            metadata.setdefault(key, value)
    return Document(str(raw_id) if raw_id is not None else content_id(text), text, metadata)


def as_documents(items: Iterable[Any], *, text_field: str = "text", id_field: str | None = None) -> Iterator[Document]:
    """Turns each item into a :class:`Document`.

    Accepted: ``str`` (the id is :func:`content_id` of the text), a mapping with a text field
    (``text`` unless ``text_field`` says otherwise), an id (``id``, ``_id`` or ``doc_id``, or
    ``id_field``) and metadata (a ``metadata`` object and/or any other fields), a
    :class:`Document`, a LangChain ``Document`` (``page_content``, ``metadata``, ``id``) or a
    LlamaIndex node (``get_content()``, ``metadata``, ``node_id``/``id_``).
    """
    if isinstance(items, (str, bytes, Mapping)):
        raise TypeError("documents must be a list (or other iterable) of documents, not a single one")
    for n, item in enumerate(items):
        where = f"document {n}"
        if isinstance(item, Document):
            yield item
        elif isinstance(item, str):
            yield Document(content_id(item), item)
        elif isinstance(item, Mapping):
            yield _from_mapping(item, where, text_field, id_field)
        elif hasattr(item, "page_content"):  # LangChain Document
            text = item.page_content
            yield Document(getattr(item, "id", None) or content_id(text), text, dict(item.metadata or {}))
        elif hasattr(item, "get_content") and hasattr(item, "node_id"):  # LlamaIndex node or document
            text = item.get_content()
            yield Document(str(item.node_id), text, dict(item.metadata or {}))
        else:
            raise TypeError(
                f"{where} is a {type(item).__name__}; expected a str, a dict with 'text', a ragkernel Document, "
                "a LangChain Document or a LlamaIndex node"
            )


def load_documents(
    paths: Iterable[str | pathlib.Path],
    *,
    text_field: str = "text",
    id_field: str | None = None,
    suffixes: Iterable[str] = TEXT_SUFFIXES,
) -> Iterator[Document]:
    """Documents from files, folders (recursively, sorted) and JSONL files.

    A JSONL file (``.jsonl``) holds one JSON object per line (see :func:`as_documents`; BEIR
    ``corpus.jsonl`` files work as they are). Any other file is one document whose id is its
    path relative to the folder it was found in (or its name, when given directly) and whose
    metadata holds ``path``. Folders yield the files with one of ``suffixes`` and JSONL files.
    """
    wanted = {s.lower() for s in suffixes}
    for given in paths:
        root = pathlib.Path(given)
        if root.is_dir():
            files = sorted(
                p for p in root.rglob("*") if p.is_file() and (p.suffix.lower() in wanted or p.suffix == ".jsonl")
            )
            if not files:
                raise ValueError(f"{root} holds no .jsonl or text files ({', '.join(sorted(wanted))})")
            for path in files:
                yield from _read_file(path, path.relative_to(root).as_posix(), text_field, id_field)
        elif root.is_file():
            yield from _read_file(root, root.name, text_field, id_field)
        else:
            raise FileNotFoundError(f"{root} does not exist")


def _read_file(path: pathlib.Path, doc_id: str, text_field: str, id_field: str | None) -> Iterator[Document]:
    if path.suffix == ".jsonl":
        for number, obj in read_jsonl(path):
            yield _from_mapping(obj, f"{path}:{number}", text_field, id_field)
        return
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path} is not UTF-8 text (byte {exc.start}); convert it or leave it out") from None
    yield Document(doc_id, text, {"path": str(path)})

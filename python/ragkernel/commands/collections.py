"""Collections made by ``ragkernel ingest``: their settings file, embedders and caches.

A collection directory holds the durable collection and ``ragkernel.json``: which embedder
built it (so ``search`` embeds queries with the same model) and how documents were chunked.
"""

from __future__ import annotations

import json
import os
import pathlib
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any, Literal

from ragkernel.embedders import Embedder

__all__ = [
    "SETTINGS_FILE",
    "cache_dir",
    "check_embedder",
    "make_embedder",
    "open_collection",
    "read_settings",
    "write_settings",
]

SETTINGS_FILE = "ragkernel.json"
EMBEDDERS_HELP = "minilm (all-MiniLM-L6-v2, offline), none (BM25 only), openai:MODEL, st:NAME_OR_PATH"


def cache_dir() -> pathlib.Path:
    """Where embeddings are cached: ``RAGKERNEL_CACHE_DIR``, else ``$XDG_CACHE_HOME/ragkernel``,
    else ``~/.cache/ragkernel``."""
    if os.environ.get("RAGKERNEL_CACHE_DIR"):
        return pathlib.Path(os.environ["RAGKERNEL_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(pathlib.Path.home() / ".cache")
    return pathlib.Path(base) / "ragkernel"


def check_embedder(spec: str) -> str:
    """``spec`` if it names an embedder (see ``EMBEDDERS_HELP``), else a ``ValueError``."""
    kind, _, arg = spec.partition(":")
    if spec in ("none", "minilm") or (kind in ("openai", "st") and arg):
        return spec
    raise ValueError(f"unknown embedder {spec!r}; expected one of: {EMBEDDERS_HELP}")


def make_embedder(spec: str) -> Embedder | None:
    """An embedder from its command-line name; ``None`` for ``none``."""
    from ragkernel import embedders

    kind, _, arg = check_embedder(spec).partition(":")
    if spec == "none":
        return None
    if spec == "minilm":
        return embedders.default_embedder()
    if kind == "openai":
        return embedders.OpenAIEmbedder(arg)
    return embedders.SentenceTransformerEmbedder(arg)


def read_settings(path: str | os.PathLike[str]) -> dict[str, Any]:
    folder = pathlib.Path(path)
    settings = folder / SETTINGS_FILE
    if not folder.exists():
        raise FileNotFoundError(f"{folder} does not exist; create it with: ragkernel ingest FILES --into {folder}")
    if not settings.exists():
        raise FileNotFoundError(
            f"{folder} is not a collection made by ragkernel ingest (no {SETTINGS_FILE}); "
            f"create one with: ragkernel ingest FILES --into {folder}"
        )
    try:
        value = json.loads(settings.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ValueError(f"{settings} is not valid JSON ({exc}); restore it or ingest again") from None
    if not isinstance(value, dict) or "embedder" not in value:
        raise ValueError(f"{settings} has no 'embedder' setting; restore it or ingest again")
    return value


def write_settings(path: str | os.PathLike[str], settings: dict[str, Any]) -> None:
    target = pathlib.Path(path) / SETTINGS_FILE
    temporary = target.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(settings, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    temporary.replace(target)


@contextmanager
def open_collection(
    path: str | os.PathLike[str], *, access: Literal["read_write", "read_only", "secondary"] = "read_write"
) -> Iterator[tuple[Any, dict[str, Any]]]:
    """``(collection, settings)`` of a collection directory, closed on exit."""
    settings = read_settings(path)
    from ragkernel import Collection

    with ExitStack() as stack:
        col = Collection.open(str(path), access=access)
        stack.callback(col.close)
        yield col, settings

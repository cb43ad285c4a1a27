"""The relevance-judged collections bundled with ragkernel (BEIR layout), found offline.

>>> from ragkernel import datasets
>>> sorted(datasets.names())
['adi', 'cisi', 'cranfield']
>>> (datasets.path("adi") / "corpus.jsonl").exists()
True
"""

from __future__ import annotations

import pathlib

_DATA = pathlib.Path(__file__).resolve().parent / "data"

__all__ = ["names", "path"]


def names() -> list[str]:
    """Names of the bundled collections."""
    return sorted(p.name for p in _DATA.iterdir() if (p / "corpus.jsonl").exists())


def path(name: str) -> pathlib.Path:
    """Directory of a bundled collection: ``corpus.jsonl``, ``queries.jsonl``, ``qrels/test.tsv``."""
    folder = _DATA / name
    if not (folder / "corpus.jsonl").exists():
        raise KeyError(f"no bundled collection named {name!r}; available: {', '.join(names())}")
    return folder

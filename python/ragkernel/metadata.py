"""Typed metadata per id and the filter language of Chroma, Pinecone and LangChain.

Values are str, int, float, bool or lists of str; each field keeps the type its first value
gave it (int and float are both numbers). Filters::

    {"year": {"$gte": 2020}, "lang": "en", "$or": [{"tag": {"$in": ["a", "b"]}}, {"draft": False}]}

Operators: ``$eq $ne $gt $gte $lt $lte $in $nin $exists`` on fields, ``$and $or $not`` to
combine; a bare value means ``$eq`` and several keys are combined with ``$and``. On a list
field ``$eq`` tests membership and ``$in`` tests overlap. Comparisons match only documents
that have the field (``$ne`` and ``$nin`` too); ``{"f": {"$exists": False}}`` finds the rest.
Unknown operators and type mismatches raise ``ValueError`` naming the field, the operator and
the expected type.

>>> import ragkernel as rk
>>> store = rk.MetadataStore()
>>> store.set(["a", "b"], [{"year": 2019, "lang": "en"}, {"year": 2023, "lang": "de"}])
>>> store.match({"year": {"$gte": 2020}})
['b']
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from ragkernel import _core

__all__ = ["MetadataStore", "check_filter", "is_indexable"]

MetadataValue = str | int | float | bool | list[str]


def is_indexable(value: Any) -> bool:
    """Whether a metadata value has a type the store indexes and filters on: bool, str, int, a
    finite float, or a non-empty list of str. Adapters keep other values aside, whole."""
    if isinstance(value, bool | str | int):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, list) and bool(value) and all(isinstance(v, str) for v in value)


def check_filter(filter: Mapping[str, Any]) -> None:
    """Raises ``ValueError`` when ``filter`` is not valid filter syntax."""
    _core.check_filter(dict(filter))


class MetadataStore:
    """Metadata records keyed by string id, compiled filters evaluated in C++."""

    def __init__(self) -> None:
        self._core = _core.MetadataStore()

    def set(self, ids: Sequence[str], metadata: Sequence[Mapping[str, MetadataValue]]) -> None:
        """Replaces the metadata of each id; all-or-nothing on a type error."""
        self._core.set(list(ids), [dict(m) for m in metadata])

    def get(self, id: str) -> dict[str, MetadataValue]:
        """The metadata of ``id`` (``KeyError`` if it has none)."""
        return self._core.get(id)

    def remove(self, ids: Sequence[str]) -> None:
        """Forgets the metadata of the ids (``KeyError`` for an unknown id, nothing removed)."""
        self._core.remove(list(ids))

    def match(self, filter: Mapping[str, Any]) -> list[str]:
        """The ids whose metadata satisfies ``filter`` (``{}`` matches every id)."""
        return self._core.match(dict(filter))

    def field_types(self) -> dict[str, str]:
        """Each field's type: "string", "number", "bool" or "list of strings"."""
        return self._core.field_types()

    def __contains__(self, id: object) -> bool:
        return isinstance(id, str) and self._core.contains(id)

    def __len__(self) -> int:
        return len(self._core)

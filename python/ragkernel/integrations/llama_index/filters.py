"""LlamaIndex ``MetadataFilters`` as ragkernel filters, with LlamaIndex's own semantics.

The reference is LlamaIndex's ``build_metadata_filter_fn`` (what ``SimpleVectorStore`` does),
extended to nested filters: a missing field matches only ``!=``, ``nin`` and ``is_empty``;
``contains`` is substring search on a string field and membership on a list field;
``text_match`` is substring search (``text_match_insensitive`` ignoring case); ``any``/``all``
test a list field's elements and a string field's substrings (a field holding lists in some
nodes is treated as a list field); conditions ``and``, ``or`` and ``not`` (none of them) nest.

Substring operators become ``$in`` over the field's stored values that contain the text, so
every filter runs inside the native search. That needs to know each field's type and values:
:class:`FieldIndex` keeps them (filled from the collection once, then updated on writes).
Comparing a list field with ``==``, ``!=``, ``in``, ``nin`` or an order operator raises
``ValueError`` (LlamaIndex compares the whole list and never matches; ``any``, ``all`` and
``contains`` are what was meant).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from llama_index.core.vector_stores.types import (
    FilterCondition,
    FilterOperator,
    MetadataFilter,
    MetadataFilters,
)

__all__ = ["NOTHING", "FieldIndex", "translate"]

NOTHING: dict[str, Any] = {"$and": [{"_node_type": {"$exists": True}}, {"_node_type": {"$exists": False}}]}


class FieldIndex:
    """Per metadata field: whether it holds lists, and the distinct strings stored in it."""

    def __init__(self) -> None:
        self.lists: set[str] = set()
        self.strings: dict[str, set[str]] = {}

    def update(self, records: Iterable[Mapping[str, Any] | None]) -> None:
        for meta in records:
            for key, value in (meta or {}).items():
                if key.startswith("_"):
                    continue  # the node's own JSON and bookkeeping: never filtered by substring
                if isinstance(value, list):
                    self.lists.add(key)
                    self.strings.setdefault(key, set()).update(value)
                elif isinstance(value, str):
                    self.strings.setdefault(key, set()).add(value)

    def containing(self, key: str, text: str, *, ignore_case: bool = False) -> list[str]:
        values = self.strings.get(key, set())
        if ignore_case:
            low = text.lower()
            return sorted(v for v in values if low in v.lower())
        return sorted(v for v in values if text in v)


def _values(f: MetadataFilter) -> list[Any]:
    if not isinstance(f.value, list):
        raise ValueError(f"operator {f.operator.value!r} on {f.key!r} needs a list value, got {f.value!r}")
    return list(f.value)


def _missing(key: str) -> dict[str, Any]:
    return {key: {"$exists": False}}


def _substrings(key: str, op: FilterOperator, wanted: list[Any], fields: FieldIndex) -> dict[str, Any]:
    """``any``/``all`` on a string field: LlamaIndex tests ``value in field`` (a substring)."""
    if not all(isinstance(v, str) for v in wanted):
        raise ValueError(f"{op.value!r} on the string field {key!r} tests substrings; got {wanted!r}")
    test = any if op == FilterOperator.ANY else all
    found = sorted(s for s in fields.strings[key] if test(v in s for v in wanted))
    return {key: {"$in": found}} if found else NOTHING


def _leaf(f: MetadataFilter, fields: FieldIndex) -> dict[str, Any]:
    key, op, value = f.key, f.operator, f.value
    is_list = key in fields.lists
    if is_list and op in (
        FilterOperator.EQ, FilterOperator.NE, FilterOperator.IN, FilterOperator.NIN,
        FilterOperator.GT, FilterOperator.GTE, FilterOperator.LT, FilterOperator.LTE,
    ):  # fmt: skip
        raise ValueError(f"{key!r} holds lists: filter it with 'any', 'all' or 'contains', not {op.value!r}")
    simple = {
        FilterOperator.EQ: "$eq", FilterOperator.GT: "$gt", FilterOperator.GTE: "$gte",
        FilterOperator.LT: "$lt", FilterOperator.LTE: "$lte",
    }  # fmt: skip
    if op in simple:
        return {key: {simple[op]: value}}
    if op == FilterOperator.NE:
        return {"$or": [{key: {"$ne": value}}, _missing(key)]}
    if op in (FilterOperator.ANY, FilterOperator.ALL) and not is_list and key in fields.strings:
        return _substrings(key, op, _values(f), fields)
    if op in (FilterOperator.IN, FilterOperator.ANY):
        return {key: {"$in": _values(f)}} if _values(f) else NOTHING
    if op == FilterOperator.NIN:
        return {"$or": [{key: {"$nin": _values(f)}}, _missing(key)]} if _values(f) else {}
    if op == FilterOperator.ALL:
        wanted = _values(f)
        return {"$and": [{key: {"$eq": v}} for v in wanted]} if wanted else {key: {"$exists": True}}
    if op == FilterOperator.CONTAINS:
        if is_list:
            return {key: {"$eq": value}}
        if not isinstance(value, str):
            raise ValueError(f"'contains' on the string field {key!r} needs a string value, got {value!r}")
        found = fields.containing(key, value)
        return {key: {"$in": found}} if found else NOTHING
    if op in (FilterOperator.TEXT_MATCH, FilterOperator.TEXT_MATCH_INSENSITIVE):
        if not isinstance(value, str) or is_list:
            raise ValueError(f"{op.value!r} compares strings: {key!r} must hold strings and the value be one")
        found = fields.containing(key, value, ignore_case=op == FilterOperator.TEXT_MATCH_INSENSITIVE)
        return {key: {"$in": found}} if found else NOTHING
    if op == FilterOperator.IS_EMPTY:
        # None and [] are never stored (see the store), so a missing field is an empty one.
        if key in fields.strings and key not in fields.lists:
            return {"$or": [_missing(key), {key: {"$eq": ""}}]}
        return _missing(key)
    raise ValueError(f"unsupported filter operator {op!r}")


def translate(filters: MetadataFilters | None, fields: FieldIndex) -> dict[str, Any] | None:
    """The ragkernel filter equivalent to ``filters`` (None for no filter)."""
    if filters is None or not filters.filters:
        return None
    parts: list[dict[str, Any]] = []
    for f in filters.filters:
        if isinstance(f, MetadataFilters):
            parts.append(translate(f, fields) or {})
        elif isinstance(f, MetadataFilter):
            parts.append(_leaf(f, fields))
        else:  # ExactMatchFilter: equality
            parts.append(_leaf(MetadataFilter(key=f.key, value=f.value), fields))
    condition = filters.condition or FilterCondition.AND
    if condition == FilterCondition.AND:
        return {"$and": parts}
    if condition == FilterCondition.OR:
        return {"$or": parts}
    if condition == FilterCondition.NOT:
        return {"$not": {"$or": parts}}
    raise ValueError(f"unsupported filter condition {condition!r}")

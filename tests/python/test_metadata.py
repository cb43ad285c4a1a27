from __future__ import annotations

import numpy as np
import pytest

import ragkernel as rk


@pytest.fixture
def store() -> rk.MetadataStore:
    s = rk.MetadataStore()
    s.set(
        ["a", "b", "c", "d"],
        [
            {"year": 2019, "lang": "en", "tags": ["x", "y"], "score": 0.5},
            {"year": 2023, "lang": "de", "draft": True},
            {"year": 2021.5, "tags": ["z"]},
            {},
        ],
    )
    return s


@pytest.mark.parametrize(
    ("filter", "expected"),
    [
        ({"lang": "en"}, ["a"]),
        ({"year": {"$gte": 2020}}, ["b", "c"]),
        ({"year": {"$gt": 2019, "$lt": 2023}}, ["c"]),
        ({"year": {"$in": [2019, 2023]}}, ["a", "b"]),
        ({"year": {"$nin": [2019]}}, ["b", "c"]),
        ({"lang": {"$ne": "en"}}, ["b"]),
        ({"tags": "y"}, ["a"]),
        ({"tags": {"$in": ["z", "q"]}}, ["c"]),
        ({"lang": {"$exists": False}}, ["c", "d"]),
        ({"draft": True, "year": 2023}, ["b"]),
        ({"$or": [{"lang": "de"}, {"tags": {"$in": ["x"]}}]}, ["a", "b"]),
        ({"$and": [{"year": {"$lte": 2021.5}}, {"$not": {"lang": "en"}}]}, ["c"]),
        ({"score": {"$gte": np.float32(0.25)}}, ["a"]),
        ({}, ["a", "b", "c", "d"]),
        ({"unknown_field": 1}, []),
    ],
)
def test_filters(store: rk.MetadataStore, filter: dict[str, object], expected: list[str]) -> None:
    assert store.match(filter) == expected


@pytest.mark.parametrize(
    ("filter", "message"),
    [
        ({"year": {"$gte": "x"}}, "field 'year', operator \\$gte: the field holds number values, got string 'x'"),
        ({"year": {"$regex": "x"}}, "unknown operator '\\$regex'"),
        ({"$nor": [{"year": 1}]}, "unknown filter operator '\\$nor'"),
        ({"lang": {"$gt": "a"}}, "needs a number field"),
        ({"draft": 1}, "holds bool values, got int 1"),
        ({"year": True}, "holds number values, got bool True"),
        ({"$or": {"a": 1}}, "\\$or expects a list of filters"),
        ({"tags": {"$in": "x"}}, "expected a list of values"),
        ({"lang": {"$exists": 1}}, "expected True or False"),
        ({"lang": None}, "got null"),
        ({"$eq": 1}, "must be applied to a field"),
    ],
)
def test_filter_errors(store: rk.MetadataStore, filter: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        store.match(filter)


def test_set_get_remove_and_all_or_nothing(store: rk.MetadataStore) -> None:
    assert store.get("a") == {"lang": "en", "score": 0.5, "tags": ["x", "y"], "year": 2019}
    assert store.field_types()["year"] == "number"
    with pytest.raises(ValueError, match="'year' holds number values; record 1"):
        store.set(["e", "f"], [{"year": 1}, {"year": "1999"}])
    with pytest.raises(ValueError, match="lists may hold only strings"):
        store.set(["e"], [{"tags": [1, 2]}])
    with pytest.raises(ValueError, match="reserved"):
        store.set(["e"], [{"$x": 1}])
    assert "e" not in store and len(store) == 4
    store.set(["a"], [{"lang": "fr"}])
    assert store.get("a") == {"lang": "fr"}
    store.remove(["a"])
    with pytest.raises(KeyError):
        store.get("a")
    with pytest.raises(KeyError):
        store.remove(["nope"])
    assert store.match({"lang": "fr"}) == []
    rk.metadata.check_filter({"year": {"$gte": 1}})
    with pytest.raises(ValueError):
        rk.metadata.check_filter({"year": {"$bad": 1}})


def test_filter_feeds_bm25_allow() -> None:
    store = rk.MetadataStore()
    idx = rk.BM25Index("lucene")
    texts = {"a": "flat plate", "b": "plate flow", "c": "plate heat"}
    idx.add(list(texts), list(texts.values()))
    store.set(list(texts), [{"year": 2019}, {"year": 2021}, {"year": 2023}])
    allowed = store.match({"year": {"$gte": 2021}})
    assert {d for d, _ in idx.search("plate", allow=allowed)} == {"b", "c"}

from __future__ import annotations

import json

import pytest

from ragkernel import datasets


@pytest.mark.parametrize(("name", "docs", "queries"), [("adi", 82, 35), ("cranfield", 1398, 225), ("cisi", 1460, 112)])
def test_bundled_collections_are_complete(name: str, docs: int, queries: int) -> None:
    folder = datasets.path(name)
    corpus = [json.loads(line) for line in (folder / "corpus.jsonl").open()]
    assert len(corpus) == docs
    assert len({d["_id"] for d in corpus}) == docs
    assert sum(1 for _ in (folder / "queries.jsonl").open()) == queries
    header = (folder / "qrels" / "test.tsv").open().readline().split()
    assert header == ["query-id", "corpus-id", "score"]


def test_unknown_collection_names_the_available_ones() -> None:
    with pytest.raises(KeyError, match="available: adi, cisi, cranfield"):
        datasets.path("msmarco")

"""A bundled collection as collection tests use it: ids, texts, typed metadata and hashed
bag-of-words vectors (a real lexical signal, no model needed), plus the queries likewise."""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass

import numpy as np

from ragkernel import datasets

DIM = 64


def hashed_vectors(texts: list[str], dim: int = DIM) -> np.ndarray:
    """Log term counts hashed into ``dim`` signed buckets: similar wording, similar vectors."""
    rows = np.zeros((len(texts), dim), dtype=np.float32)
    for i, text in enumerate(texts):
        for word in text.lower().split():
            h = zlib.crc32(word.strip(".,;:()").encode())
            rows[i, h % dim] += 1.0 if (h >> 16) & 1 else -1.0
    rows = np.sign(rows) * np.log1p(np.abs(rows))
    rows[~rows.any(axis=1), 0] = 1.0
    return np.ascontiguousarray(rows, dtype=np.float32)


@dataclass
class Corpus:
    ids: list[str]
    texts: list[str]
    metadata: list[dict[str, object]]
    vectors: np.ndarray
    query_ids: list[str]
    queries: list[str]
    query_vectors: np.ndarray


def load(name: str, dim: int = DIM) -> Corpus:
    folder = datasets.path(name)
    ids, texts, metadata = [], [], []
    with open(folder / "corpus.jsonl", encoding="utf-8") as f:
        for i, line in enumerate(f):
            doc = json.loads(line)
            ids.append(doc["_id"])
            texts.append(((doc.get("title") or "") + " " + doc["text"]).strip())
            record: dict[str, object] = {"year": 1950 + i % 30, "lang": ["en", "de", "fr"][i % 3], "weight": i / 7}
            if i % 4 == 0:
                record["tags"] = [f"t{i % 5}", "all"]
            metadata.append(record)
    query_ids, queries = [], []
    with open(folder / "queries.jsonl", encoding="utf-8") as f:
        for line in f:
            q = json.loads(line)
            query_ids.append(q["_id"])
            queries.append(q["text"])
    return Corpus(ids, texts, metadata, hashed_vectors(texts, dim), query_ids, queries, hashed_vectors(queries, dim))


def matches(record: dict[str, object], year_min: int, lang: str) -> bool:
    """The filter {"year": {"$gte": year_min}, "lang": lang}, evaluated in Python."""
    year = record["year"]
    assert isinstance(year, int)
    return year >= year_min and record["lang"] == lang

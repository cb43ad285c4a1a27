"""The LangChain cache on ragkernel's LLM cache: langchain-tests' standard suites, unmodified,
plus what they do not cover (persistence across reopen, chat generations, a real LangChain
model call answered from the cache, the semantic mode)."""

from __future__ import annotations

import pathlib
from collections.abc import AsyncIterator, Iterator

import numpy as np
import pytest

pytest.importorskip("langchain_tests")

from langchain_core.caches import BaseCache
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, Generation
from langchain_tests.integration_tests.cache import AsyncCacheTestSuite, SyncCacheTestSuite

import ragkernel as rk
from ragkernel.integrations.langchain import RagkernelCache


@pytest.fixture
def llm_cache(tmp_path: pathlib.Path) -> Iterator[rk.LLMCache]:
    with rk.LLMCache(str(tmp_path / "llm")) as cache:
        yield cache


class TestRagkernelCacheSync(SyncCacheTestSuite):
    @pytest.fixture
    def cache(self, llm_cache: rk.LLMCache) -> BaseCache:
        return RagkernelCache(llm_cache)


class TestRagkernelCacheAsync(AsyncCacheTestSuite):
    @pytest.fixture
    async def cache(self, llm_cache: rk.LLMCache) -> AsyncIterator[BaseCache]:
        yield RagkernelCache(llm_cache)


def test_entries_survive_a_reopen_and_keep_their_types(tmp_path: pathlib.Path) -> None:
    usage = {"input_tokens": 11, "output_tokens": 4, "total_tokens": 15}
    chat = ChatGeneration(
        message=AIMessage(content="Paris.", id="run-1", usage_metadata=usage), generation_info={"a": 1}
    )
    plain = Generation(text="plain", generation_info=None)
    cache = RagkernelCache(tmp_path / "llm")
    cache.update("capital of France?", '{"model_name": "gpt-4o-mini"}', [chat, plain])
    cache.close()
    again = RagkernelCache(str(tmp_path / "llm"))
    found = again.lookup("capital of France?", '{"model_name": "gpt-4o-mini"}')
    assert found == [chat, plain]
    assert isinstance(found[0], ChatGeneration) and found[0].message.usage_metadata == usage
    assert again.lookup("capital of France?", '{"model_name": "gpt-4o"}') is None
    stats = again.stats()
    assert stats["exact_hits"] == 1 and stats["misses"] == 1
    assert stats["tokens_saved"] == 15  # from the message's usage metadata
    again.close()


def test_a_langchain_chat_model_is_answered_from_the_cache(llm_cache: rk.LLMCache) -> None:
    cache = RagkernelCache(llm_cache)
    model = GenericFakeChatModel(messages=iter([AIMessage(content="first"), AIMessage(content="second")]), cache=cache)
    assert model.invoke("hello").content == "first"
    assert model.invoke("hello").content == "first"  # the cache answered; the model was not asked
    assert model.invoke("another question").content == "second"
    assert llm_cache.stats()["exact_hits"] == 1


def test_wrong_argument_is_refused() -> None:
    with pytest.raises(TypeError, match=r"ragkernel\.LLMCache or a directory path"):
        RagkernelCache(42)  # type: ignore[arg-type]


def _bag_of_words(texts: list[str]) -> np.ndarray:
    vocab = ["capital", "france", "french", "what", "is", "the", "of", "city", "main", "germany"]
    rows = np.array([[t.lower().count(w) for w in vocab] for t in texts], dtype=np.float32) + 1e-3
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_semantic_mode_matches_paraphrases_of_the_last_message_only(tmp_path: pathlib.Path) -> None:
    with rk.LLMCache(str(tmp_path / "llm"), embed=_bag_of_words, threshold=0.8) as llm:
        cache = RagkernelCache(llm, semantic=True)
        model = GenericFakeChatModel(
            messages=iter([AIMessage(content="Paris"), AIMessage(content="Berlin")]), cache=cache
        )
        assert model.invoke("What is the capital of France?").content == "Paris"
        assert model.invoke("what is the capital of france").content == "Paris"  # a paraphrase: from the cache
        assert model.invoke("What is the capital of Germany?").content == "Berlin"
        assert llm.stats()["semantic_hits"] == 1

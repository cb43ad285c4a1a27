"""LangChain's LLM cache (``BaseCache``) on :class:`ragkernel.LLMCache`.

    from langchain_core.globals import set_llm_cache
    from ragkernel.integrations.langchain import RagkernelCache

    set_llm_cache(RagkernelCache("llm-cache/"))          # every LangChain model call is cached

LangChain identifies a call by ``(prompt, llm_string)``: the prompt (for chat models, the
serialised message list) and the model's serialised configuration. Both go into the request
that :class:`ragkernel.LLMCache` keys canonically, so entries survive restarts, expire after
``ttl``, are evicted least-recently-used past ``max_bytes`` and report hits, tokens and cost
saved in ``stats()``. Generations are stored as plain JSON (messages through LangChain's
``message_to_dict``), never pickled or loaded as arbitrary objects.

With ``semantic=True`` (and an ``LLMCache`` built with ``embed=...``), a miss falls back to a
cached request whose last message means the same thing, for the same model configuration and
earlier messages, accepted only by the cache's verifier (``near_miss_guard`` by default).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from typing import Any

from langchain_core.caches import RETURN_VAL_TYPE, BaseCache
from langchain_core.messages import message_to_dict, messages_from_dict
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, Generation, GenerationChunk

from ragkernel.llm_cache import LLMCache

__all__ = ["RagkernelCache"]

_GENERATION_TYPES: dict[str, type[Generation]] = {
    "Generation": Generation,
    "GenerationChunk": GenerationChunk,
    "ChatGeneration": ChatGeneration,
    "ChatGenerationChunk": ChatGenerationChunk,
}
_MODEL_IN_LLM_STRING = re.compile(r'"(?:model_name|model|model_id)"\s*:\s*"([^"]+)"')
_ROLES = {"human": "user", "ai": "assistant", "system": "system", "tool": "tool", "function": "function"}


class RagkernelCache(BaseCache):
    """A persistent LangChain LLM cache.

    Parameters
    ----------
    cache
        An open :class:`ragkernel.LLMCache`, or a directory to open one in (the cache is then
        owned, and closed by :meth:`close`).
    semantic
        Also answer misses from semantically equal requests (needs ``LLMCache(embed=...)``).
    ttl
        Lifetime of new entries in seconds (``None``: the cache's default).
    """

    def __init__(self, cache: LLMCache | str | os.PathLike[str], *, semantic: bool = False, ttl: float | None = None):
        if isinstance(cache, LLMCache):
            self.cache, self._owned = cache, False
        elif isinstance(cache, (str, os.PathLike)):
            self.cache, self._owned = LLMCache(os.fspath(cache)), True
        else:
            raise TypeError(f"cache must be a ragkernel.LLMCache or a directory path, got {type(cache).__name__}")
        self.semantic, self.ttl = semantic, ttl

    # ---- keys and values ----

    def request(self, prompt: str, llm_string: str) -> dict[str, Any]:
        """The request dict that keys ``(prompt, llm_string)`` in the LLM cache.

        The model name (when the configuration names one) is pulled out so the cache can
        price the tokens it saves. In semantic mode a chat prompt is unpacked into its
        messages, so that only the last message is compared by meaning.
        """
        found = _MODEL_IN_LLM_STRING.search(llm_string)
        messages = _chat_messages(prompt) if self.semantic else None
        return {
            "model": found.group(1) if found else "langchain",
            "messages": messages or [{"role": "user", "content": prompt}],
            "llm_string": llm_string,
        }

    # ---- BaseCache ----

    def lookup(self, prompt: str, llm_string: str) -> RETURN_VAL_TYPE | None:
        request = self.request(prompt, llm_string)
        response = self.cache.lookup_semantic(request) if self.semantic else self.cache.lookup(request)
        if response is None or "langchain_generations" not in response:
            return None
        return [_generation_from_dict(g) for g in response["langchain_generations"]]

    def update(self, prompt: str, llm_string: str, return_val: RETURN_VAL_TYPE) -> None:
        request = self.request(prompt, llm_string)
        response = _response(return_val)
        if self.semantic:
            self.cache.update_semantic(request, response, ttl=self.ttl)
        else:
            self.cache.update(request, response, ttl=self.ttl)

    def clear(self, **kwargs: Any) -> None:
        """Forget every entry of the underlying cache."""
        self.cache.clear()

    # A lookup or write is a few microseconds of RocksDB work: running it inline is cheaper
    # than the thread hop of LangChain's default executor-based async methods.
    async def alookup(self, prompt: str, llm_string: str) -> RETURN_VAL_TYPE | None:
        return self.lookup(prompt, llm_string)

    async def aupdate(self, prompt: str, llm_string: str, return_val: RETURN_VAL_TYPE) -> None:
        self.update(prompt, llm_string, return_val)

    async def aclear(self, **kwargs: Any) -> None:
        self.clear(**kwargs)

    def stats(self) -> dict[str, Any]:
        """The LLM cache's hits, misses, tokens and cost saved."""
        return self.cache.stats()

    def close(self) -> None:
        """Close the cache if this object opened it."""
        if self._owned:
            self.cache.close()


def _generation_to_dict(generation: Generation) -> dict[str, Any]:
    kind = type(generation).__name__
    if kind not in _GENERATION_TYPES:
        raise TypeError(f"cannot cache a {kind}; expected one of {', '.join(_GENERATION_TYPES)}")
    out: dict[str, Any] = {"type": kind, "generation_info": generation.generation_info}
    if isinstance(generation, ChatGeneration):
        out["message"] = message_to_dict(generation.message)
    else:
        out["text"] = generation.text
    return out


def _generation_from_dict(data: dict[str, Any]) -> Generation:
    cls = _GENERATION_TYPES[data["type"]]
    info = data.get("generation_info")
    if issubclass(cls, ChatGeneration):
        (message,) = messages_from_dict([data["message"]])
        return cls(message=message, generation_info=info)
    return cls(text=data["text"], generation_info=info)


def _response(generations: Sequence[Generation]) -> dict[str, Any]:
    """An OpenAI-style response holding the generations (and their usage, when known)."""
    prompt_tokens = completion_tokens = 0
    for g in generations:
        usage = getattr(getattr(g, "message", None), "usage_metadata", None) or {}
        prompt_tokens += int(usage.get("input_tokens", 0))
        completion_tokens += int(usage.get("output_tokens", 0))
    return {
        "choices": [
            {"index": i, "message": {"role": "assistant", "content": g.text}} for i, g in enumerate(generations)
        ],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens},
        "langchain_generations": [_generation_to_dict(g) for g in generations],
    }


def _chat_messages(prompt: str) -> list[dict[str, Any]] | None:
    """A chat model's serialised message list as ``[{"role", "content"}]``, or None."""
    if not prompt.startswith("["):
        return None
    try:
        items = json.loads(prompt)
    except ValueError:
        return None
    messages: list[dict[str, Any]] = []
    for item in items:
        kwargs = item.get("kwargs") if isinstance(item, dict) else None
        if not isinstance(kwargs, dict) or "content" not in kwargs:
            return None
        kind = str(item.get("id", ["", "Message"])[-1]).removesuffix("Message").removesuffix("Chunk").lower()
        content = kwargs["content"]
        messages.append(
            {"role": _ROLES.get(kind, kind), "content": content if isinstance(content, str) else json.dumps(content)}
        )
    return messages or None

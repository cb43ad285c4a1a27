"""An OpenAI-compatible chat client for judges and RAG chains.

It wraps the official ``openai`` package (``pip install ragkernel[llm]``) and adds what an
evaluation needs: a timeout per call; retries with exponential backoff on 429, 5xx, timeouts,
dropped connections and malformed responses, that end in an :class:`LLMError` rather than a
silently missing sample; a token-bucket limiter for requests and tokens per minute; token and
cost accounting; and an optional cache, so a re-run with a warm cache makes no call at all.

Configuration comes from arguments or the environment: ``OPENAI_BASE_URL``, ``OPENAI_API_KEY``
and ``OPENAI_MODEL``. :class:`LangChainChat` puts a LangChain chat model behind the same
interface (cache, accounting, batches).

A cache is any object with two methods (``ragkernel.LLMCache`` on RocksDB is one)::

    lookup(request: Mapping[str, Any]) -> dict | None
    update(request: Mapping[str, Any], response: Mapping[str, Any]) -> None

where ``request`` is the OpenAI-style chat request (model, messages, tools, sampling
parameters) and ``response`` the chat completion as a dict.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

__all__ = [
    "ChatClient",
    "ChatResult",
    "ClientStats",
    "LLMCache",
    "LLMClient",
    "LLMConfigError",
    "LLMError",
    "LangChainChat",
    "Pricing",
    "RateLimiter",
    "Usage",
]

Message = Mapping[str, Any]


class LLMCache(Protocol):
    def lookup(self, request: Mapping[str, Any]) -> dict[str, Any] | None: ...

    def update(self, request: Mapping[str, Any], response: Mapping[str, Any]) -> None: ...


class LLMError(RuntimeError):
    """A chat request failed for good (after its retries, or on a non-retryable error)."""


class LLMConfigError(ValueError):
    """The client is missing a model, an API key or the ``openai`` package."""


@dataclass(frozen=True)
class Pricing:
    """Prices in currency units per million tokens (no built-in table: prices change)."""

    input_per_million: float = 0.0
    output_per_million: float = 0.0

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        return (prompt_tokens * self.input_per_million + completion_tokens * self.output_per_million) / 1e6


@dataclass
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def add(self, other: Usage) -> None:
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        self.cost += other.cost


@dataclass
class ClientStats:
    """What this client did: ``calls`` reached the endpoint (retries included), ``cache_hits``
    were answered from the cache; ``spent`` is the usage of the calls made, ``usage`` that of
    every answer returned (cached or not)."""

    calls: int = 0
    cache_hits: int = 0
    retries: int = 0
    failures: int = 0
    spent: Usage = field(default_factory=Usage)
    usage: Usage = field(default_factory=Usage)


@dataclass(frozen=True)
class ChatResult:
    text: str
    response: dict[str, Any]
    cached: bool
    usage: Usage


class RateLimiter:
    """Token buckets for requests and tokens per minute, shared by the client's threads.

    ``acquire(tokens)`` blocks until one request and ``tokens`` tokens are available; when a
    call reports its real usage, ``settle`` corrects the estimate (the bucket may go negative,
    which delays later calls rather than overrunning the limit).
    """

    def __init__(
        self,
        requests_per_minute: float | None = None,
        tokens_per_minute: float | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        for name, value in (("requests_per_minute", requests_per_minute), ("tokens_per_minute", tokens_per_minute)):
            if value is not None and value <= 0:
                raise ValueError(f"{name} is {value}; expected a positive rate or None for no limit")
        self._rpm, self._tpm = requests_per_minute, tokens_per_minute
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._requests = float(requests_per_minute or 0.0)
        self._tokens = float(tokens_per_minute or 0.0)
        self._last = clock()

    def _refill(self) -> None:
        now = self._clock()
        elapsed, self._last = now - self._last, now
        if self._rpm:
            self._requests = min(self._rpm, self._requests + elapsed * self._rpm / 60.0)
        if self._tpm:
            self._tokens = min(self._tpm, self._tokens + elapsed * self._tpm / 60.0)

    def acquire(self, tokens: int = 0) -> float:
        """Take one request and ``tokens`` tokens; returns the seconds spent waiting."""
        waited = 0.0
        while True:
            with self._lock:
                self._refill()
                need_tokens = min(float(tokens), float(self._tpm)) if self._tpm else 0.0
                wait = 0.0
                if self._rpm and self._requests < 1.0:
                    wait = max(wait, (1.0 - self._requests) * 60.0 / self._rpm)
                if self._tpm and self._tokens < need_tokens:
                    wait = max(wait, (need_tokens - self._tokens) * 60.0 / self._tpm)
                if wait == 0.0:
                    if self._rpm:
                        self._requests -= 1.0
                    if self._tpm:
                        self._tokens -= need_tokens
                    return waited
            self._sleep(wait)
            waited += wait

    def settle(self, estimated: int, actual: int) -> None:
        if self._tpm:
            with self._lock:
                self._tokens -= actual - estimated


def _estimate_tokens(request: Mapping[str, Any]) -> int:
    # About 4 characters per token, plus the completion budget.
    chars = sum(len(str(m.get("content", ""))) for m in request.get("messages", []))
    return chars // 4 + int(request.get("max_tokens") or 256)


def _status_of(exc: BaseException) -> int | None:
    status = getattr(exc, "status_code", None)
    return status if isinstance(status, int) else None


class ChatClient:
    """What :class:`LLMClient` and :class:`LangChainChat` share: request dicts, the cache,
    accounting and concurrent batches. Subclasses implement ``_call(request) -> response``."""

    model: str
    cache: LLMCache | None
    pricing: Pricing
    seed: int | None
    max_concurrency: int

    def _init_common(
        self, model: str, cache: LLMCache | None, pricing: Pricing | None, seed: int | None, max_concurrency: int
    ) -> None:
        if max_concurrency < 1:
            raise ValueError(f"max_concurrency is {max_concurrency}; expected >= 1")
        self.model, self.cache, self.pricing, self.seed = model, cache, pricing or Pricing(), seed
        self.max_concurrency = max_concurrency
        self.stats = ClientStats()
        self._stats_lock = threading.Lock()

    def _call(self, request: Mapping[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def request(self, messages: Sequence[Message], **params: Any) -> dict[str, Any]:
        """The request dict sent to the endpoint and used as the cache key."""
        if not messages:
            raise ValueError("messages is empty; expected at least one {'role': ..., 'content': ...}")
        request: dict[str, Any] = {"model": self.model, "messages": [dict(m) for m in messages]}
        params.setdefault("temperature", 0.0)
        if self.seed is not None:
            params.setdefault("seed", self.seed)
        request.update({k: v for k, v in params.items() if v is not None})
        return request

    def chat(self, messages: Sequence[Message], **params: Any) -> ChatResult:
        """One chat completion: from the cache if it has it, else from the endpoint."""
        return self.complete(self.request(messages, **params))

    def chat_many(self, batch: Sequence[Sequence[Message]], **params: Any) -> list[ChatResult]:
        """Completions for many conversations, ``max_concurrency`` at a time, in input order.

        Every request is attempted; if any failed for good, :class:`LLMError` names them all
        after the others finished (their answers are cached, so a re-run resumes).
        """
        results = self.complete_each([self.request(messages, **params) for messages in batch])
        errors = [(i, r) for i, r in enumerate(results) if isinstance(r, LLMError)]
        if errors:
            detail = "; ".join(f"request {i}: {exc}" for i, exc in errors[:5])
            raise LLMError(f"{len(errors)} of {len(results)} chat requests failed: {detail}")
        return [r for r in results if isinstance(r, ChatResult)]

    def complete_each(self, requests: Sequence[Mapping[str, Any]]) -> list[ChatResult | LLMError]:
        """Like :meth:`chat_many` for request dicts, returning each failure in its slot."""
        results: list[ChatResult | LLMError] = [LLMError("not attempted")] * len(requests)

        def run(i: int) -> None:
            try:
                results[i] = self.complete(requests[i])
            except LLMError as exc:
                results[i] = exc

        if self.max_concurrency == 1 or len(requests) <= 1:
            for i in range(len(requests)):
                run(i)
        else:
            with ThreadPoolExecutor(max_workers=self.max_concurrency) as pool:
                list(pool.map(run, range(len(requests))))
        return results

    def complete(self, request: Mapping[str, Any]) -> ChatResult:
        """Answer one request dict (see :meth:`request`)."""
        if self.cache is not None:
            cached = self.cache.lookup(request)
            if cached is not None:
                result = self._result(cached, cached=True)
                with self._stats_lock:
                    self.stats.cache_hits += 1
                    self.stats.usage.add(result.usage)
                return result
        response = self._call(request)
        result = self._result(response, cached=False)
        if self.cache is not None:
            self.cache.update(request, response)
        with self._stats_lock:
            self.stats.spent.add(result.usage)
            self.stats.usage.add(result.usage)
        return result

    def _result(self, response: dict[str, Any], *, cached: bool) -> ChatResult:
        try:
            message = response["choices"][0]["message"]
        except (KeyError, IndexError, TypeError):
            raise LLMError(f"the response has no choices[0].message: {str(response)[:200]}") from None
        usage = response.get("usage") or {}
        prompt = int(usage.get("prompt_tokens") or 0)
        completion = int(usage.get("completion_tokens") or 0)
        cost = self.pricing.cost(prompt, completion)
        return ChatResult(message.get("content") or "", response, cached, Usage(prompt, completion, cost))


class LLMClient(ChatClient):
    """A chat client for an OpenAI-compatible endpoint.

    >>> import ragkernel as rk
    >>> llm = rk.LLMClient("my-model", base_url="http://127.0.0.1:8000/v1", api_key="x")
    >>> llm.request([{"role": "user", "content": "hi"}])["temperature"]
    0.0

    Requests default to ``temperature=0`` and ``seed=0`` so judgements repeat where the
    endpoint allows it. ``chat_many`` runs up to ``max_concurrency`` requests at once.
    """

    def __init__(
        self,
        model: str | None = None,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float = 60.0,
        max_retries: int = 6,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        requests_per_minute: float | None = None,
        tokens_per_minute: float | None = None,
        max_concurrency: int = 8,
        cache: LLMCache | None = None,
        pricing: Pricing | None = None,
        seed: int | None = 0,
        client: Any = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.model = model or os.environ.get("OPENAI_MODEL") or ""
        if not self.model:
            raise LLMConfigError("no model given: pass model='...' or set OPENAI_MODEL")
        if timeout <= 0 or max_retries < 0 or max_concurrency < 1:
            raise ValueError(
                f"timeout={timeout}, max_retries={max_retries}, max_concurrency={max_concurrency}: expected "
                "timeout > 0, max_retries >= 0 and max_concurrency >= 1"
            )
        self._init_common(self.model, cache, pricing, seed, max_concurrency)
        self.base_url = base_url or os.environ.get("OPENAI_BASE_URL") or None
        self.timeout, self.max_retries = timeout, max_retries
        self.backoff, self.max_backoff = backoff, max_backoff
        self.limiter = RateLimiter(requests_per_minute, tokens_per_minute, sleep=sleep)
        self._sleep = sleep
        if client is not None:
            self._client = client
            return
        key = api_key or os.environ.get("OPENAI_API_KEY")
        if not key:
            if self.base_url is None:
                raise LLMConfigError(
                    "no API key: pass api_key='...' or set OPENAI_API_KEY (or point base_url / OPENAI_BASE_URL "
                    "at a local server that needs none)"
                )
            key = "unused"  # local OpenAI-compatible servers usually ignore the key
        try:
            import openai
        except ImportError:  # pragma: no cover - the dev extra installs it
            raise LLMConfigError("the LLM client needs the openai package: pip install 'ragkernel[llm]'") from None
        # Retries are ours (they are counted and never drop a sample), so the SDK makes none.
        self._client = openai.OpenAI(base_url=self.base_url, api_key=key, timeout=timeout, max_retries=0)

    def _call(self, request: Mapping[str, Any]) -> dict[str, Any]:
        estimate = _estimate_tokens(request)
        attempt = 0
        while True:
            self.limiter.acquire(estimate)
            with self._stats_lock:
                self.stats.calls += 1
            try:
                completion = self._client.chat.completions.create(**request, timeout=self.timeout)
                response = completion if isinstance(completion, dict) else completion.model_dump(mode="json")
                if not response.get("choices"):
                    raise _MalformedResponse(f"no choices in the response: {str(response)[:200]}")
                usage = response.get("usage") or {}
                self.limiter.settle(estimate, int(usage.get("total_tokens") or estimate))
                return dict(response)
            except Exception as exc:
                retryable, reason = self._classify(exc)
                if not retryable or attempt >= self.max_retries:
                    with self._stats_lock:
                        self.stats.failures += 1
                    tries = f" after {attempt + 1} attempts" if retryable else ""
                    raise LLMError(
                        f"chat request to {self.base_url or 'the OpenAI API'} failed{tries}: {reason}"
                    ) from exc
                with self._stats_lock:
                    self.stats.retries += 1
                self._sleep(self._delay(attempt, exc))
                attempt += 1

    def _classify(self, exc: BaseException) -> tuple[bool, str]:
        """(retryable, description) for an exception raised by a call."""
        import openai

        status = _status_of(exc)
        if isinstance(exc, _MalformedResponse):
            return True, str(exc)
        if isinstance(exc, openai.APITimeoutError):
            return True, f"timed out after {self.timeout:g} s"
        if isinstance(exc, openai.APIConnectionError):
            return True, f"connection failed ({exc})"
        if status is not None:
            if status == 429 or status == 408 or status == 409 or status >= 500:
                return True, f"HTTP {status}"
            hint = " (check OPENAI_API_KEY)" if status in (401, 403) else ""
            hint = hint or (" (check the model name and base_url)" if status == 404 else "")
            return False, f"HTTP {status}{hint}: {str(exc)[:300]}"
        if isinstance(exc, (openai.APIResponseValidationError, ValueError)):
            return True, f"malformed response: {str(exc)[:200]}"
        return False, f"{type(exc).__name__}: {exc}"

    def _delay(self, attempt: int, exc: BaseException) -> float:
        response = getattr(exc, "response", None)
        headers = getattr(response, "headers", None) or {}
        retry_after = headers.get("retry-after") if hasattr(headers, "get") else None
        if retry_after is not None:
            try:
                return float(min(self.max_backoff, max(0.0, float(retry_after))))
            except ValueError:
                pass
        # Full jitter keeps many clients from retrying in lock step.
        return float(min(self.max_backoff, self.backoff * 2.0**attempt) * (0.5 + 0.5 * random.random()))


class _MalformedResponse(ValueError):
    pass


class LangChainChat(ChatClient):
    """Judge through a LangChain chat model (any ``BaseChatModel``), with the same request
    dicts, cache protocol and accounting as :class:`LLMClient`. Retries are the model's own
    (``max_retries`` of most LangChain chat models); a call that still fails raises
    :class:`LLMError`. Sampling parameters are recorded in the request (and so in the cache
    key) but must be set on the chat model itself (``temperature=0``)."""

    def __init__(
        self,
        chat_model: Any,
        *,
        model: str | None = None,
        cache: LLMCache | None = None,
        pricing: Pricing | None = None,
        seed: int | None = 0,
        max_concurrency: int = 4,
    ) -> None:
        if not hasattr(chat_model, "invoke"):
            kind = type(chat_model).__name__
            raise TypeError(f"chat_model must be a LangChain chat model with .invoke(), got {kind}")
        name = model or getattr(chat_model, "model_name", None) or getattr(chat_model, "model", None)
        self._init_common(str(name or type(chat_model).__name__), cache, pricing, seed, max_concurrency)
        self.chat_model = chat_model

    def _call(self, request: Mapping[str, Any]) -> dict[str, Any]:
        roles = {"system": "system", "user": "human", "assistant": "ai"}
        messages = [(roles.get(m["role"], m["role"]), m["content"]) for m in request["messages"]]
        with self._stats_lock:
            self.stats.calls += 1
        try:
            reply = self.chat_model.invoke(messages)
        except Exception as exc:
            with self._stats_lock:
                self.stats.failures += 1
            raise LLMError(f"the LangChain chat model failed: {type(exc).__name__}: {exc}") from exc
        content = reply.content if isinstance(reply.content, str) else str(reply.content)
        usage = getattr(reply, "usage_metadata", None) or {}
        prompt, completion = int(usage.get("input_tokens", 0)), int(usage.get("output_tokens", 0))
        return {
            "model": self.model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
        }

"""The LLM client against a scripted OpenAI-compatible server on 127.0.0.1, through the
official openai package: answers, 429 and 500 with retries, timeouts, malformed responses,
the cache, the rate limiter and configuration errors."""

from __future__ import annotations

import threading

import pytest

import ragkernel as rk
from fake_openai import FakeOpenAI, Reply, completion, error
from ragkernel.llm import LLMConfigError, LLMError, Pricing, RateLimiter

pytest.importorskip("openai")

HELLO = [{"role": "user", "content": "hello"}]


def client(server: FakeOpenAI, **kwargs):
    kwargs.setdefault("sleep", lambda seconds: None)  # no real backoff waits in tests
    return rk.LLMClient("judge", base_url=server.url, api_key="test-key", **kwargs)


def test_scripted_answer_usage_cost_and_request_parameters():
    with FakeOpenAI(lambda req, n: completion("hi there", prompt_tokens=12, completion_tokens=3)) as server:
        llm = client(server, pricing=Pricing(input_per_million=1.0, output_per_million=2.0))
        result = llm.chat(HELLO)
        assert result.text == "hi there"
        assert not result.cached
        assert (result.usage.prompt_tokens, result.usage.completion_tokens) == (12, 3)
        assert result.usage.cost == pytest.approx((12 * 1.0 + 3 * 2.0) / 1e6)
        sent = server.requests[0]
        assert sent["model"] == "judge"
        assert sent["temperature"] == 0.0 and sent["seed"] == 0
        assert llm.stats.calls == 1 and llm.stats.spent.total_tokens == 15


@pytest.mark.parametrize("failure", [error(429, headers={"retry-after": "0"}), error(500), error(503)])
def test_retries_on_rate_limit_and_server_errors(failure):
    def script(req, n):
        return failure if n <= 2 else completion("ok")

    with FakeOpenAI(script) as server:
        llm = client(server)
        assert llm.chat(HELLO).text == "ok"
        assert server.calls == 3
        assert llm.stats.retries == 2


def test_retries_exhausted_raise_instead_of_dropping_the_sample():
    with FakeOpenAI(lambda req, n: error(500)) as server:
        llm = client(server, max_retries=2)
        with pytest.raises(LLMError, match="after 3 attempts: HTTP 500"):
            llm.chat(HELLO)
        assert server.calls == 3
        assert llm.stats.failures == 1


def test_client_errors_are_not_retried_and_say_what_to_check():
    with FakeOpenAI(lambda req, n: error(401, "bad key")) as server:
        with pytest.raises(LLMError, match="HTTP 401 \\(check OPENAI_API_KEY\\)"):
            client(server).chat(HELLO)
        assert server.calls == 1


def test_timeout_is_retried():
    def script(req, n):
        return Reply(200, completion("late").body, delay=4.0) if n == 1 else completion("in time")

    with FakeOpenAI(script) as server:
        llm = client(server, timeout=1.0)
        assert llm.chat(HELLO).text == "in time"
        assert llm.stats.retries >= 1  # a loaded machine may time out the quick reply too


def test_malformed_response_body_is_retried():
    def script(req, n):
        return Reply(200, b'{"id": "x", "choices": [') if n == 1 else completion("fine")

    with FakeOpenAI(script) as server:
        llm = client(server)
        assert llm.chat(HELLO).text == "fine"
        assert server.calls == 2


def test_cache_answers_repeats_without_calls(tmp_path):
    cache = rk.LLMCache(str(tmp_path / "llm-cache"))
    with FakeOpenAI(lambda req, n: completion(f"answer {n}")) as server:
        first = client(server, cache=cache).chat(HELLO)
        again = client(server, cache=cache)
        second = again.chat(HELLO)
        assert server.calls == 1
        assert second.cached and second.text == first.text == "answer 1"
        assert again.stats.calls == 0 and again.stats.cache_hits == 1
        assert again.stats.usage.total_tokens == first.usage.total_tokens  # accounted from the cached response
        assert again.stats.spent.total_tokens == 0
        client(server, cache=cache).chat(HELLO, temperature=0.5)  # another request: another key
        assert server.calls == 2


def test_chat_many_keeps_order_runs_concurrently_and_reports_every_failure():
    def script(req, n):
        content = req["messages"][0]["content"]
        return error(400, "no") if content == "bad" else completion(content.upper())

    with FakeOpenAI(script) as server:
        llm = client(server, max_concurrency=4)
        batch = [[{"role": "user", "content": f"m{i}"}] for i in range(12)]
        assert [r.text for r in llm.chat_many(batch)] == [f"M{i}" for i in range(12)]
        with pytest.raises(LLMError, match="1 of 3 chat requests failed: request 1"):
            llm.chat_many([[{"role": "user", "content": c}] for c in ("a", "bad", "c")])


def test_rate_limiter_waits_for_requests_and_tokens():
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(requests_per_minute=60, tokens_per_minute=600, clock=lambda: now[0], sleep=sleep)
    assert limiter.acquire(100) == 0.0
    waited = sum(limiter.acquire(100) for _ in range(59))  # 60 requests in the bucket, 600 tokens
    assert waited > 0  # tokens ran out first: 6 x 100 per minute
    assert now[0] == pytest.approx(sum(slept))
    # 60 requests of 100 tokens at 600 tokens/minute need about 9 minutes after the first 6.
    assert 500 <= now[0] <= 560
    with pytest.raises(ValueError, match="requests_per_minute"):
        RateLimiter(requests_per_minute=0)


def test_rate_limiter_is_thread_safe():
    limiter = RateLimiter(requests_per_minute=1000)
    threads = [threading.Thread(target=lambda: [limiter.acquire() for _ in range(100)]) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert limiter._requests <= 1000 - 400 + 5  # every request was taken once


def test_configuration_from_environment_and_clear_errors(monkeypatch):
    monkeypatch.delenv("OPENAI_MODEL", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with pytest.raises(LLMConfigError, match="OPENAI_MODEL"):
        rk.LLMClient()
    with pytest.raises(LLMConfigError, match="OPENAI_API_KEY"):
        rk.LLMClient("m")
    with FakeOpenAI(lambda req, n: completion("env")) as server:
        monkeypatch.setenv("OPENAI_MODEL", "from-env")
        monkeypatch.setenv("OPENAI_BASE_URL", server.url)
        llm = rk.LLMClient(sleep=lambda s: None)  # a local server needs no key
        assert llm.chat(HELLO).text == "env"
        assert server.requests[0]["model"] == "from-env"

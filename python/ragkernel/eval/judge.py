"""Judge metrics through the user's LLM: faithfulness, answer relevancy, context precision and
context recall.

Each (sample, metric) is one chat request at temperature 0 with a fixed seed and a versioned
prompt (:mod:`ragkernel.eval.prompts`), sent through :class:`ragkernel.LLMClient` (cached,
rate-limited, retried). A judgement that cannot be parsed, or a sample that lacks what the
metric needs, is recorded as unmeasured with its reason: it never enters a mean as 0 or NaN.

- faithfulness: supported claims of the answer / claims of the answer (given the contexts).
- answer_relevancy: the judge's 1-5 rating of how directly the answer addresses the question,
  mapped to 0-1.
- context_precision: average precision of the contexts the judge finds useful, in rank order.
- context_recall: claims of the reference answer supported by the contexts / its claims.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ragkernel.eval.prompts import PROMPTS, PromptTemplate
from ragkernel.eval.samples import SampleScores
from ragkernel.llm import ChatClient, ChatResult

__all__ = ["JUDGE_METRICS", "JudgeSample", "judge", "parse_json_object"]

JUDGE_METRICS = ("faithfulness", "answer_relevancy", "context_precision", "context_recall")


@dataclass(frozen=True)
class JudgeSample:
    """One generated answer to judge, with the contexts it was given (in rank order)."""

    query_id: str
    question: str
    answer: str
    contexts: Sequence[str] = ()
    reference: str | None = None


_OBJECT = re.compile(r"\{.*\}", re.DOTALL)


def parse_json_object(text: str) -> dict[str, Any] | None:
    """The JSON object in a model reply (also inside a ```json fence), or None."""
    match = _OBJECT.search(text)
    if match is None:
        return None
    try:
        value = json.loads(match.group(0))
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def _numbered(contexts: Sequence[str]) -> str:
    return "\n\n".join(f"[{i}] {c}" for i, c in enumerate(contexts, start=1))


def _request(metric: str, sample: JudgeSample) -> list[dict[str, str]] | str:
    """The messages for one judgement, or the reason it cannot be measured."""
    template: PromptTemplate = PROMPTS[metric]
    context = "\n\n".join(sample.contexts)
    if metric == "faithfulness":
        if not sample.contexts:
            return "no retrieved contexts"
        return template.render(context=context, question=sample.question, answer=sample.answer)
    if metric == "answer_relevancy":
        return template.render(question=sample.question, answer=sample.answer)
    if not sample.reference:
        return "no reference answer"
    if metric == "context_precision":
        if not sample.contexts:
            return "no retrieved contexts"
        return template.render(
            question=sample.question,
            reference=sample.reference,
            numbered_contexts=_numbered(sample.contexts),
            count=str(len(sample.contexts)),
        )
    if not sample.contexts:
        return "no retrieved contexts"
    return template.render(context=context, question=sample.question, reference=sample.reference)


def _claim_ratio(obj: dict[str, Any], flag: str) -> tuple[float | None, str]:
    claims = obj.get("claims")
    if not isinstance(claims, list) or not all(isinstance(c, dict) and isinstance(c.get(flag), bool) for c in claims):
        return None, f"unparseable: expected claims with a boolean {flag!r}"
    if not claims:
        return None, "no claims"
    return sum(c[flag] for c in claims) / len(claims), ""


def _score(metric: str, obj: dict[str, Any] | None, sample: JudgeSample) -> tuple[float | None, str]:
    if obj is None:
        return None, "unparseable: no JSON object in the reply"
    if metric == "faithfulness":
        return _claim_ratio(obj, "supported")
    if metric == "context_recall":
        return _claim_ratio(obj, "attributed")
    if metric == "answer_relevancy":
        rating = obj.get("score")
        if isinstance(rating, bool) or not isinstance(rating, (int, float)) or not 1 <= rating <= 5:
            return None, "unparseable: expected a score from 1 to 5"
        return (float(rating) - 1.0) / 4.0, ""
    verdicts = obj.get("verdicts")
    if (
        not isinstance(verdicts, list)
        or len(verdicts) != len(sample.contexts)
        or not all(v in (0, 1) for v in verdicts)  # True/False compare equal to 1/0
    ):
        return None, f"unparseable: expected {len(sample.contexts)} verdicts of 0 or 1"
    hits, total = 0, 0.0
    for rank, verdict in enumerate(verdicts, start=1):
        if verdict:
            hits += 1
            total += hits / rank
    return (total / hits if hits else 0.0), ""


def judge(
    samples: Sequence[JudgeSample],
    llm: ChatClient,
    metrics: Sequence[str] = JUDGE_METRICS,
    *,
    on_error: Literal["raise", "unmeasured"] = "raise",
    progress: Callable[[int, int], None] | None = None,
) -> SampleScores:
    """Judge every sample on every metric through ``llm``: a :class:`ragkernel.LLMClient`
    (OpenAI-compatible endpoint) or a :class:`ragkernel.llm.LangChainChat` (LangChain model).

    ``on_error="raise"`` (default) raises :class:`ragkernel.llm.LLMError` if a request still
    fails after its retries; ``"unmeasured"`` records those samples as unmeasured instead,
    with the error as the reason. Either way no sample is dropped silently. ``progress(done,
    total)`` is called as each judgement is scored.
    """
    unknown = [m for m in metrics if m not in PROMPTS]
    if unknown:
        raise ValueError(f"unknown judge metrics {unknown}; expected some of {', '.join(JUDGE_METRICS)}")
    ids = [s.query_id for s in samples]
    if len(set(ids)) != len(ids):
        raise ValueError("two samples share a query_id; expected one sample per query")
    ordered = sorted(samples, key=lambda s: s.query_id)
    out = SampleScores()
    jobs: list[tuple[str, JudgeSample]] = []
    batch: list[list[dict[str, str]]] = []
    for sample in ordered:
        for metric in metrics:
            messages = _request(metric, sample)
            if isinstance(messages, str):
                out.set(metric, sample.query_id, None, messages)
            else:
                jobs.append((metric, sample))
                batch.append(messages)
    results = _run(llm, batch, on_error)
    prompt_tokens = completion_tokens = done = 0
    cost = 0.0
    for (metric, sample), result in zip(jobs, results, strict=True):
        done += 1
        if progress is not None:
            progress(done, len(jobs))
        if isinstance(result, str):
            out.set(metric, sample.query_id, None, result)
            continue
        value, reason = _score(metric, parse_json_object(result.text), sample)
        out.set(metric, sample.query_id, value, reason)
        prompt_tokens += result.usage.prompt_tokens
        completion_tokens += result.usage.completion_tokens
        cost += result.usage.cost
    # Sorted per metric so the order of arrival never shows in a report.
    out.values = {m: dict(sorted(out.values[m].items())) for m in metrics if m in out.values}
    out.reasons = {m: dict(sorted(r.items())) for m, r in sorted(out.reasons.items())}
    out.usage = {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens, "cost": round(cost, 10)}
    out.prompts = {m: PROMPTS[m].label for m in metrics}
    out.prompts["model"] = llm.model
    return out


def _run(llm: ChatClient, batch: list[list[dict[str, str]]], on_error: str) -> list[ChatResult | str]:
    if on_error not in ("raise", "unmeasured"):
        raise ValueError(f"on_error is {on_error!r}; expected 'raise' or 'unmeasured'")
    if not batch:
        return []
    if on_error == "raise":
        return list(llm.chat_many(batch))
    requests = [llm.request(messages) for messages in batch]
    return [r if isinstance(r, ChatResult) else f"judge call failed: {r}" for r in llm.complete_each(requests)]

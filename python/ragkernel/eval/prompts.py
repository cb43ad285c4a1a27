"""Versioned prompt templates of the judge metrics.

A template's fingerprint (name, version and text) is recorded in every report, and the text
is part of every cached request, so changing a prompt never reuses old judgements. Bump the
version when changing a template.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

__all__ = ["PROMPTS", "PromptTemplate"]


@dataclass(frozen=True)
class PromptTemplate:
    name: str
    version: str
    system: str
    user: str

    @property
    def fingerprint(self) -> str:
        text = "\x00".join((self.name, self.version, self.system, self.user))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]

    @property
    def label(self) -> str:
        return f"{self.name} v{self.version} ({self.fingerprint})"

    def render(self, **fields: str) -> list[dict[str, str]]:
        return [
            {"role": "system", "content": self.system},
            {"role": "user", "content": self.user.format(**fields)},
        ]


_JSON_ONLY = "Reply with one JSON object and nothing else."

FAITHFULNESS = PromptTemplate(
    name="faithfulness",
    version="1",
    system=(
        "You check whether an answer is supported by retrieved context. Split the answer into short, "
        "self-contained factual claims. For each claim decide whether the context alone supports it. " + _JSON_ONLY
    ),
    user=(
        "Context:\n{context}\n\nQuestion: {question}\n\nAnswer: {answer}\n\n"
        'Return {{"claims": [{{"claim": "...", "supported": true or false}}]}} with one entry per claim of '
        "the answer (an empty list if it makes no factual claim)."
    ),
)

ANSWER_RELEVANCY = PromptTemplate(
    name="answer_relevancy",
    version="1",
    system=(
        "You rate how directly an answer addresses a question, ignoring whether it is true. 5: answers exactly "
        "what was asked; 3: partly relevant or padded; 1: off-topic, evasive or a refusal. " + _JSON_ONLY
    ),
    user='Question: {question}\n\nAnswer: {answer}\n\nReturn {{"score": 1 to 5, "reason": "..."}}.',
)

CONTEXT_PRECISION = PromptTemplate(
    name="context_precision",
    version="1",
    system=(
        "You judge retrieved passages. A passage is useful if it helps to arrive at the reference answer "
        "to the question. " + _JSON_ONLY
    ),
    user=(
        "Question: {question}\n\nReference answer: {reference}\n\nPassages:\n{numbered_contexts}\n\n"
        'Return {{"verdicts": [1 or 0, ...]}} with exactly {count} verdicts, one per passage in order '
        "(1 = useful, 0 = not useful)."
    ),
)

CONTEXT_RECALL = PromptTemplate(
    name="context_recall",
    version="1",
    system=(
        "You check how much of a reference answer the retrieved context covers. Split the reference answer "
        "into short factual claims and decide for each whether the context supports it. " + _JSON_ONLY
    ),
    user=(
        "Context:\n{context}\n\nQuestion: {question}\n\nReference answer: {reference}\n\n"
        'Return {{"claims": [{{"claim": "...", "attributed": true or false}}]}}.'
    ),
)

PROMPTS = {p.name: p for p in (FAITHFULNESS, ANSWER_RELEVANCY, CONTEXT_PRECISION, CONTEXT_RECALL)}

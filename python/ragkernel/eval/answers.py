"""Deterministic answer metrics: no LLM, the same numbers on every run.

- :func:`exact_match` and :func:`token_f1`: SQuAD's normalisation (lower case, punctuation and
  the articles a/an/the removed, whitespace collapsed), best over the references.
- :func:`rouge_l`: LCS F-measure on rouge-score's tokens (lower-cased ``[a-z0-9]+`` runs, no
  stemming), best over the references.
- :func:`sentence_bleu` / :func:`corpus_bleu`: BLEU with sacrebleu's defaults (13a
  tokenisation, exponential smoothing, up to 4-grams), on a 0-1 scale (sacrebleu's / 100).
- :func:`context_precision` / :func:`context_recall`: retrieved ids against the reference
  context ids (ragas' ID-based variants).

>>> import ragkernel as rk
>>> rk.eval.token_f1("The Eiffel tower", ["Eiffel Tower in Paris"])
0.6666666666666666
"""

from __future__ import annotations

import math
import re
import string
from collections import Counter
from collections.abc import Mapping, Sequence

from ragkernel.eval.golden import GoldenSet, Reference
from ragkernel.eval.samples import SampleScores

__all__ = [
    "ANSWER_METRICS",
    "context_precision",
    "context_recall",
    "corpus_bleu",
    "exact_match",
    "normalize_answer",
    "rouge_l",
    "score_answers",
    "sentence_bleu",
    "token_f1",
]

ANSWER_METRICS = ("exact_match", "token_f1", "rouge_l", "bleu", "context_precision", "context_recall")

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCTUATION = frozenset(string.punctuation)


def normalize_answer(text: str) -> str:
    """SQuAD's answer normalisation."""
    text = "".join(ch for ch in text.lower() if ch not in _PUNCTUATION)
    return " ".join(_ARTICLES.sub(" ", text).split())


def _check(prediction: str, references: Sequence[str]) -> None:
    if not isinstance(prediction, str):
        raise TypeError(f"prediction must be str, got {type(prediction).__name__}")
    if isinstance(references, str) or not references:
        raise ValueError("references must be a non-empty list of strings")


def exact_match(prediction: str, references: Sequence[str]) -> float:
    """1.0 if the normalised prediction equals a normalised reference, else 0.0."""
    _check(prediction, references)
    norm = normalize_answer(prediction)
    return float(any(norm == normalize_answer(r) for r in references))


def _f1(pred_tokens: list[str], ref_tokens: list[str]) -> float:
    if not pred_tokens or not ref_tokens:
        return float(pred_tokens == ref_tokens)  # SQuAD 2.0: both empty is a match
    common = sum((Counter(pred_tokens) & Counter(ref_tokens)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(pred_tokens), common / len(ref_tokens)
    return 2 * precision * recall / (precision + recall)


def token_f1(prediction: str, references: Sequence[str]) -> float:
    """SQuAD token F1 of the normalised answers, best over the references."""
    _check(prediction, references)
    pred = normalize_answer(prediction).split()
    return max(_f1(pred, normalize_answer(r).split()) for r in references)


_NON_ALPHANUMERIC = re.compile(r"[^a-z0-9]+")


def _rouge_tokens(text: str) -> list[str]:
    return [t for t in _NON_ALPHANUMERIC.sub(" ", text.lower()).split() if t]


def _lcs_length(a: list[str], b: list[str]) -> int:
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b, start=1):
            current.append(previous[j - 1] + 1 if x == y else max(previous[j], current[j - 1]))
        previous = current
    return previous[-1]


def rouge_l(prediction: str, references: Sequence[str]) -> float:
    """ROUGE-L F-measure, best over the references."""
    _check(prediction, references)
    pred = _rouge_tokens(prediction)
    best = 0.0
    for reference in references:
        ref = _rouge_tokens(reference)
        if not pred or not ref:
            continue
        lcs = _lcs_length(ref, pred)
        precision, recall = lcs / len(pred), lcs / len(ref)
        if precision + recall > 0:
            best = max(best, 2 * precision * recall / (precision + recall))
    return best


# mteval-v13a tokenisation, the rules sacrebleu applies by default.
_BLEU_RULES = (
    (re.compile(r"([\{-\~\[-\` -\&\(-\+\:-\@\/])"), r" \1 "),  # symbols and punctuation
    (re.compile(r"([^0-9])([\.,])"), r"\1 \2 "),  # period and comma unless after a digit
    (re.compile(r"([\.,])([^0-9])"), r" \1 \2"),  # period and comma unless before a digit
    (re.compile(r"([0-9])(-)"), r"\1 \2 "),  # dash after a digit
)


def _bleu_tokens(text: str) -> list[str]:
    text = text.replace("<skipped>", "").replace("-\n", "").replace("\n", " ")
    if "&" in text:
        text = text.replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    text = f" {text} "
    for pattern, replacement in _BLEU_RULES:
        text = pattern.sub(replacement, text)
    return text.split()


def _ngrams(tokens: list[str]) -> Counter[tuple[str, ...]]:
    return Counter(tuple(tokens[i : i + n]) for n in range(1, 5) for i in range(len(tokens) - n + 1))


def _bleu_statistics(prediction: str, references: Sequence[str]) -> list[int]:
    """[hypothesis length, closest reference length, correct 1..4, total 1..4]."""
    hyp = _bleu_tokens(prediction)
    hyp_ngrams = _ngrams(hyp)
    ref_ngrams: Counter[tuple[str, ...]] = Counter()
    ref_lengths = []
    for reference in references:
        tokens = _bleu_tokens(reference)
        ref_lengths.append(len(tokens))
        for gram, count in _ngrams(tokens).items():
            ref_ngrams[gram] = max(ref_ngrams[gram], count)
    closest = min(ref_lengths, key=lambda length: (abs(len(hyp) - length), length))
    correct, total = [0] * 4, [0] * 4
    for gram, count in hyp_ngrams.items():
        total[len(gram) - 1] += count
        correct[len(gram) - 1] += min(count, ref_ngrams.get(gram, 0))
    return [len(hyp), closest, *correct, *total]


def _bleu_from_statistics(stats: list[int], effective_order: bool) -> float:
    sys_len, ref_len, correct, total = stats[0], stats[1], stats[2:6], stats[6:10]
    if not any(correct):
        return 0.0
    brevity = 1.0 if sys_len >= ref_len else (math.exp(1 - ref_len / sys_len) if sys_len > 0 else 0.0)
    log_precisions: list[float] = []
    smooth = 1.0
    for n in range(4):
        if total[n] == 0:
            break
        if correct[n] == 0:
            smooth *= 2
            log_precisions.append(math.log(100.0 / (smooth * total[n])))
        else:
            log_precisions.append(math.log(100.0 * correct[n] / total[n]))
    order = len(log_precisions) if effective_order else 4
    # An order with no n-gram at all counts as precision 0 (sacrebleu's floored log).
    log_precisions += [-9999999999.0] * (order - len(log_precisions))
    return brevity * math.exp(sum(log_precisions[:order]) / order) / 100.0


def sentence_bleu(prediction: str, references: Sequence[str]) -> float:
    """Sentence BLEU as ``sacrebleu.sentence_bleu`` (effective order), on a 0-1 scale."""
    _check(prediction, references)
    return _bleu_from_statistics(_bleu_statistics(prediction, references), effective_order=True)


def corpus_bleu(predictions: Sequence[str], references: Sequence[Sequence[str]]) -> float:
    """Corpus BLEU as ``sacrebleu.corpus_bleu`` (``references[i]`` are the references of
    prediction i), on a 0-1 scale."""
    if len(predictions) != len(references):
        raise ValueError(f"{len(predictions)} predictions but {len(references)} reference lists")
    totals = [0] * 10
    for prediction, refs in zip(predictions, references, strict=True):
        _check(prediction, refs)
        totals = [a + b for a, b in zip(totals, _bleu_statistics(prediction, refs), strict=True)]
    return _bleu_from_statistics(totals, effective_order=False)


def context_precision(retrieved_ids: Sequence[str], reference_ids: Sequence[str]) -> float | None:
    """Share of the retrieved ids that are reference ids (0 if nothing was retrieved);
    ``None`` (unmeasured) when there are no reference ids."""
    if not reference_ids:
        return None
    if not retrieved_ids:
        return 0.0
    wanted = set(reference_ids)
    return sum(r in wanted for r in retrieved_ids) / len(retrieved_ids)


def context_recall(retrieved_ids: Sequence[str], reference_ids: Sequence[str]) -> float | None:
    """Share of the reference ids that were retrieved; ``None`` without reference ids."""
    if not reference_ids:
        return None
    got = set(retrieved_ids)
    wanted = list(dict.fromkeys(reference_ids))
    return sum(r in got for r in wanted) / len(wanted)


def score_answers(
    answers: Mapping[str, str],
    references: Mapping[str, Reference] | GoldenSet,
    *,
    retrieved: Mapping[str, Sequence[str]] | None = None,
    metrics: Sequence[str] = ANSWER_METRICS,
) -> SampleScores:
    """Answer metrics per query. ``answers`` is ``{query_id: generated answer}``; ``retrieved``
    ``{query_id: [context ids in rank order]}`` feeds the context metrics. A query without
    reference answers (or context ids) is unmeasured for the metrics that need them."""
    refs = references.references if isinstance(references, GoldenSet) else references
    unknown = [m for m in metrics if m not in ANSWER_METRICS]
    if unknown:
        raise ValueError(f"unknown answer metrics {unknown}; expected some of {', '.join(ANSWER_METRICS)}")
    text_metrics = {"exact_match": exact_match, "token_f1": token_f1, "rouge_l": rouge_l, "bleu": sentence_bleu}
    out = SampleScores()
    for query_id in sorted(answers):
        answer = answers[query_id]
        reference = refs.get(query_id, Reference())
        for metric in metrics:
            if metric in text_metrics:
                if reference.answers:
                    out.set(metric, query_id, text_metrics[metric](answer, reference.answers))
                else:
                    out.set(metric, query_id, None, "no reference answer")
            elif retrieved is None or query_id not in retrieved:
                out.set(metric, query_id, None, "no retrieved context ids")
            else:
                fn = context_precision if metric == "context_precision" else context_recall
                out.set(metric, query_id, fn(retrieved[query_id], reference.context_ids), "no reference context ids")
    return out

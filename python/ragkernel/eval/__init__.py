"""Golden-set evaluation: trec_eval-exact IR metrics, answer and judge metrics, significance
tests, reports and CI gates.

>>> import ragkernel as rk
>>> rk.evaluate({"q": {"d1": 1}}, {"q": {"d1": 2.0, "d2": 1.0}}, metrics=["P@2", "mrr"])
{'P@2': 0.5, 'mrr': 1.0}
"""

from __future__ import annotations

from ragkernel.eval.answers import (
    ANSWER_METRICS,
    context_precision,
    context_recall,
    corpus_bleu,
    exact_match,
    normalize_answer,
    rouge_l,
    score_answers,
    sentence_bleu,
    token_f1,
)
from ragkernel.eval.compare import Cell, Comparison, compare, compare_scores
from ragkernel.eval.fusion_tuning import FUSION_GRID, tune_fusion
from ragkernel.eval.gate import Check, GateResult, assert_golden, gate
from ragkernel.eval.golden import Document, GoldenSet, Reference
from ragkernel.eval.ir import DEFAULT_METRICS, Qrels, Run, Scores, canonical_metric, evaluate, score
from ragkernel.eval.judge import JUDGE_METRICS, JudgeSample, judge
from ragkernel.eval.prompts import PROMPTS, PromptTemplate
from ragkernel.eval.report import Report
from ragkernel.eval.samples import MetricSummary, SampleScores
from ragkernel.eval.stats import TestResult, bootstrap_ci, holm, paired_t_test, randomization_test, randomization_tests
from ragkernel.eval.trec import load_qrels, load_run, write_run
from ragkernel.eval.tune import TuningResult, expand_grid, split_queries, tune

__all__ = [
    "ANSWER_METRICS",
    "DEFAULT_METRICS",
    "FUSION_GRID",
    "JUDGE_METRICS",
    "PROMPTS",
    "Cell",
    "Check",
    "Comparison",
    "Document",
    "GateResult",
    "GoldenSet",
    "JudgeSample",
    "MetricSummary",
    "PromptTemplate",
    "Qrels",
    "Reference",
    "Report",
    "Run",
    "SampleScores",
    "Scores",
    "TestResult",
    "TuningResult",
    "assert_golden",
    "bootstrap_ci",
    "canonical_metric",
    "compare",
    "compare_scores",
    "context_precision",
    "context_recall",
    "corpus_bleu",
    "evaluate",
    "exact_match",
    "expand_grid",
    "gate",
    "holm",
    "judge",
    "load_qrels",
    "load_run",
    "normalize_answer",
    "paired_t_test",
    "randomization_test",
    "randomization_tests",
    "rouge_l",
    "score",
    "score_answers",
    "sentence_bleu",
    "split_queries",
    "token_f1",
    "tune",
    "tune_fusion",
    "write_run",
]

"""Answer metrics against the reference implementations (rouge-score, sacrebleu, SQuAD)."""

from __future__ import annotations

import pytest

import ragkernel as rk

rouge_scorer = pytest.importorskip("rouge_score.rouge_scorer")
sacrebleu = pytest.importorskip("sacrebleu")

CASES = [
    ("The cat sat on the mat.", ["A cat was sitting on the mat."]),
    ("Paris is the capital of France", ["The capital of France is Paris.", "Paris"]),
    ("It costs $3.50 (tax incl.), i.e. 3-4 euros!", ["The price is $3.50, about 3-4 euros."]),
    ("Éléphant naïve café, déjà vu", ["elephant naive cafe deja vu"]),
    ("", ["something"]),
    ("one two three four five six seven", ["one two three four five six seven"]),
    ("the the the the", ["the cat"]),
    ("Shock waves form at Mach 1.2; the 3rd-order terms vanish.", ["At Mach 1.2 shock waves form and terms vanish"]),
    ("x", ["x y z"]),
    ("&quot;quoted&quot; text &amp; more <b>tags</b>", ['"quoted" text & more tags']),
]


@pytest.mark.parametrize(("prediction", "references"), CASES)
def test_rouge_l_equals_rouge_score(prediction, references):
    scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=False)
    expected = max(scorer.score(r, prediction)["rougeL"].fmeasure for r in references)
    assert rk.eval.rouge_l(prediction, references) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(("prediction", "references"), CASES)
def test_sentence_bleu_equals_sacrebleu(prediction, references):
    expected = sacrebleu.sentence_bleu(prediction, references).score / 100
    assert rk.eval.sentence_bleu(prediction, references) == pytest.approx(expected, abs=1e-12)


def test_corpus_bleu_equals_sacrebleu():
    predictions = [p for p, _ in CASES]
    first = [refs[0] for _, refs in CASES]
    expected = sacrebleu.corpus_bleu(predictions, [first]).score / 100
    assert rk.eval.corpus_bleu(predictions, [[r] for r in first]) == pytest.approx(expected, abs=1e-12)
    two = [refs[-1] for _, refs in CASES]
    expected = sacrebleu.corpus_bleu(predictions, [first, two]).score / 100
    assert rk.eval.corpus_bleu(predictions, [[a, b] for a, b in zip(first, two, strict=True)]) == pytest.approx(
        expected, abs=1e-12
    )


def test_squad_exact_match_and_f1():
    assert rk.eval.normalize_answer("The  Eiffel-Tower!") == "eiffeltower"
    assert rk.eval.exact_match("the Eiffel Tower", ["Eiffel tower."]) == 1.0
    assert rk.eval.exact_match("Eiffel", ["Eiffel tower"]) == 0.0
    # prediction "eiffel tower", reference "eiffel tower in paris": P = 1, R = 1/2.
    assert rk.eval.token_f1("The Eiffel tower", ["Eiffel Tower in Paris"]) == pytest.approx(2 / 3)
    assert rk.eval.token_f1("a", ["the"]) == 1.0  # both normalise to nothing
    assert rk.eval.token_f1("Paris", ["London", "paris"]) == 1.0
    with pytest.raises(ValueError, match="non-empty list"):
        rk.eval.token_f1("x", [])
    with pytest.raises(ValueError, match="non-empty list"):
        rk.eval.exact_match("x", "x")


def test_context_metrics_and_score_answers():
    assert rk.eval.context_precision(["a", "b", "c", "d"], ["b", "d", "z"]) == 0.5
    assert rk.eval.context_recall(["a", "b", "c", "d"], ["b", "d", "z"]) == pytest.approx(2 / 3)
    assert rk.eval.context_precision([], ["a"]) == 0.0
    assert rk.eval.context_recall(["a"], []) is None
    refs = {"q1": rk.eval.Reference(("Paris",), ("d1",)), "q2": rk.eval.Reference((), ("d9",))}
    scores = rk.eval.score_answers({"q1": "paris", "q2": "unknown"}, refs, retrieved={"q1": ["d1", "d2"], "q2": ["d9"]})
    summary = scores.summary()
    assert summary["exact_match"].mean == 1.0 and summary["exact_match"].unmeasured == 1
    assert scores.reasons["exact_match"]["q2"] == "no reference answer"
    assert summary["context_precision"].mean == pytest.approx((0.5 + 1.0) / 2)
    with pytest.raises(ValueError, match="unknown answer metrics"):
        rk.eval.score_answers({"q1": "x"}, refs, metrics=["meteor"])

"""Judge metrics through a scripted OpenAI-compatible server on 127.0.0.1: scores, retries on
429 and 500, unmeasured judgements, and a warm-cache re-run in a fresh process that makes no
call and writes a byte-identical report."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import pytest

import ragkernel as rk
from fake_openai import FakeOpenAI, completion, judge_script

pytest.importorskip("openai")

SAMPLES = [
    rk.eval.JudgeSample("q1", "What is lift?", "Lift is a force.", ("Lift is an aerodynamic force.", "Drag."), "Force"),
    rk.eval.JudgeSample("q2", "Why stall?", "Separation, unparseable.", ("Flow separates.",), "Separation"),
    rk.eval.JudgeSample("q3", "No context?", "Maybe.", (), None),
]


def llm_for(server: FakeOpenAI, cache=None) -> rk.LLMClient:
    return rk.LLMClient("judge-model", base_url=server.url, api_key="k", cache=cache, sleep=lambda s: None)


def test_judge_scores_retries_and_unmeasured():
    with FakeOpenAI(judge_script) as server:
        llm = llm_for(server)
        seen: list[tuple[int, int]] = []
        scores = rk.eval.judge(SAMPLES, llm, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1][0] == seen[-1][1] == 9  # 3 samples x 4 metrics, 3 unmeasurable up front (q3)
    values = scores.values
    assert values["faithfulness"]["q1"] == 0.5
    assert values["answer_relevancy"]["q1"] == 0.75  # rating 4 of 1..5, inside a ```json fence
    assert values["context_precision"]["q1"] == 0.5  # the useful passage is at rank 2
    assert values["context_recall"]["q1"] == pytest.approx(2 / 3)
    # A reply without JSON is unmeasured, never 0 or NaN in the mean.
    assert values["faithfulness"]["q2"] is None
    assert scores.reasons["faithfulness"]["q2"].startswith("unparseable")
    assert scores.reasons["faithfulness"]["q3"] == "no retrieved contexts"
    assert scores.reasons["context_recall"]["q3"] == "no reference answer"
    summary = scores.summary()
    assert summary["faithfulness"].mean == 0.5 and summary["faithfulness"].unmeasured == 2
    assert llm.stats.retries == 2  # the 429 and the 500, and no sample lost
    assert scores.prompts["model"] == "judge-model"
    assert scores.prompts["faithfulness"].startswith("faithfulness v1 (")
    assert scores.usage["prompt_tokens"] > 0


def test_failed_calls_raise_or_are_recorded_as_unmeasured():
    def always_fails(request, number):
        return completion("{}") if "directly an answer" in request["messages"][0]["content"] else judge_500()

    def judge_500():
        from fake_openai import error

        return error(500)

    with FakeOpenAI(always_fails) as server:
        llm = rk.LLMClient("m", base_url=server.url, api_key="k", max_retries=1, sleep=lambda s: None)
        with pytest.raises(rk.llm.LLMError, match="failed"):
            rk.eval.judge(SAMPLES[:1], llm)
        scores = rk.eval.judge(SAMPLES[:1], llm, on_error="unmeasured")
    assert scores.values["faithfulness"]["q1"] is None
    assert "judge call failed" in scores.reasons["faithfulness"]["q1"]
    assert scores.reasons["answer_relevancy"]["q1"].startswith("unparseable")


def test_warm_cache_makes_no_calls_and_gives_the_same_scores(tmp_path):
    cache = rk.LLMCache(str(tmp_path / "llm-cache"))
    with FakeOpenAI(judge_script) as server:
        first = rk.eval.judge(SAMPLES, llm_for(server, cache))
        calls = server.calls
        again = llm_for(server, cache)
        second = rk.eval.judge(SAMPLES, again)
        assert server.calls == calls
        assert again.stats.calls == 0 and again.stats.cache_hits > 0
    assert json.dumps(first.to_dict(), sort_keys=True) == json.dumps(second.to_dict(), sort_keys=True)


RUN_SCRIPT = """
import sys
import ragkernel as rk

samples = [
    rk.eval.JudgeSample("q1", "What is lift?", "Lift is a force.", ("Lift is an aerodynamic force.", "Drag."), "Force"),
    rk.eval.JudgeSample("q2", "Why stall?", "Separation, unparseable.", ("Flow separates.",), "Separation"),
]
llm = rk.LLMClient("judge-model", cache=rk.LLMCache(sys.argv[1]), max_concurrency=4, sleep=lambda s: None)
judged = rk.eval.judge(samples, llm)
references = {"q1": rk.eval.Reference(("force",), ("d1",)), "q2": rk.eval.Reference(("separation",))}
answers = rk.eval.score_answers({"q1": "a force", "q2": "separation"}, references,
                                retrieved={"q1": ["d1", "d2"], "q2": ["d3"]})
table = rk.eval.compare({"bm25": {"q1": {"d2": 2.0, "d1": 1.0}, "q2": {"d3": 1.0}},
                         "hybrid": {"q1": {"d1": 2.0, "d2": 1.0}, "q2": {"d3": 1.0}}},
                        {"q1": {"d1": 1}, "q2": {"d3": 1}}, metrics=["ndcg@10", "mrr"])
report = rk.eval.Report(table, quality={"hybrid": answers.merge(judged)})
report.save(sys.argv[2] + ".html")
report.save(sys.argv[2] + ".json")
print(llm.stats.calls)
"""


def test_rerun_in_a_new_process_makes_zero_calls_and_a_byte_identical_report(tmp_path: pathlib.Path):
    script = tmp_path / "judge_run.py"
    script.write_text(RUN_SCRIPT)
    here = pathlib.Path(__file__).resolve().parent
    with FakeOpenAI(judge_script) as server:
        env = {**os.environ, "OPENAI_BASE_URL": server.url, "OPENAI_API_KEY": "k"}
        env["PYTHONPATH"] = os.pathsep.join([str(here), env.get("PYTHONPATH", "")])

        def run(name: str) -> str:
            done = subprocess.run(
                [sys.executable, str(script), str(tmp_path / "cache"), str(tmp_path / name)],
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            assert done.returncode == 0, done.stderr
            return done.stdout.strip()

        assert int(run("first")) > 0
        calls = server.calls
        assert run("second") == "0"
        assert server.calls == calls
    for suffix in (".html", ".json"):
        assert (tmp_path / f"first{suffix}").read_bytes() == (tmp_path / f"second{suffix}").read_bytes()
    html = (tmp_path / "first.html").read_text()
    assert "<svg" in html and "faithfulness" in html and "unmeasured" in html


class ScriptedChatModel:
    """Duck-types a LangChain chat model: invoke(messages) -> message with content and usage."""

    model_name = "lc-judge"

    def __init__(self) -> None:
        self.calls: list[list[tuple[str, str]]] = []

    def invoke(self, messages):
        from types import SimpleNamespace

        self.calls.append(messages)
        roles = [role for role, _ in messages]
        assert roles == ["system", "human"]
        reply = judge_script({"messages": [{"content": c} for _, c in messages]}, 3)  # past the scripted errors
        content = json.loads(reply.body)["choices"][0]["message"]["content"]
        return SimpleNamespace(content=content, usage_metadata={"input_tokens": 11, "output_tokens": 4})


def test_langchain_chat_model_behind_the_same_interface_and_cache(tmp_path):
    cache = rk.LLMCache(str(tmp_path / "llm-cache"))
    model = ScriptedChatModel()
    scores = rk.eval.judge(SAMPLES[:1], rk.llm.LangChainChat(model, cache=cache))
    assert scores.values["faithfulness"]["q1"] == 0.5
    assert scores.prompts["model"] == "lc-judge"
    assert scores.usage["prompt_tokens"] == 11 * len(model.calls)
    calls = len(model.calls)
    again = rk.llm.LangChainChat(model, cache=cache)
    assert rk.eval.judge(SAMPLES[:1], again).to_dict() == scores.to_dict()
    assert len(model.calls) == calls and again.stats.cache_hits == calls
    with pytest.raises(TypeError, match="LangChain chat model"):
        rk.llm.LangChainChat(object())

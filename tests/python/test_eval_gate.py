"""Loaders, comparison, reports and the CI gate (API, pytest helper and CLI exit codes)."""

from __future__ import annotations

import json
import pathlib
import shutil
import subprocess
import sys

import pytest

import ragkernel as rk
from ragkernel.cli import main

GOLDEN = rk.datasets.path("cranfield")


def _qrels() -> dict[str, dict[str, int]]:
    return rk.eval.GoldenSet.load(GOLDEN).qrels


def make_run(quality: float, seed: int = 0) -> dict[str, dict[str, float]]:
    """A synthetic run: each relevant document is ranked high with probability ``quality``."""
    import numpy as np

    rng = np.random.default_rng(seed)
    run = {}
    for query, judged in _qrels().items():
        docs = {f"noise{i}": float(rng.random()) for i in range(30)}
        for doc, grade in judged.items():
            if grade > 0 and rng.random() < quality:
                docs[doc] = 1.0 + float(rng.random())
        run[query] = docs
    return run


def test_golden_set_loader_and_malformed_files(tmp_path: pathlib.Path):
    golden = rk.eval.GoldenSet.load(GOLDEN)
    assert len(golden.qrels) == 225 and golden.name == "cranfield"
    folder = tmp_path / "g"
    shutil.copytree(rk.datasets.path("adi"), folder)
    (folder / "answers.jsonl").write_text(
        '{"query_id": "1", "answers": ["x"], "context_ids": ["3"]}\n{"query_id": 2}\n'
    )
    loaded = rk.eval.GoldenSet.load(folder)
    assert loaded.references["1"] == rk.eval.Reference(("x",), ("3",))
    (folder / "answers.jsonl").write_text('{"query_id": "1"}\n{oops\n')
    with pytest.raises(ValueError, match=r"answers.jsonl:2: invalid JSON"):
        rk.eval.GoldenSet.load(folder)
    (folder / "answers.jsonl").unlink()
    (folder / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\n1\t2\t1\n1\t3\n")
    with pytest.raises(ValueError, match=r"test.tsv:3: expected 3 tab-separated fields"):
        rk.eval.GoldenSet.load(folder)
    with pytest.raises(FileNotFoundError, match="splits found: test"):
        rk.eval.GoldenSet.load(folder, split="dev")


def test_trec_files_round_trip_and_errors(tmp_path: pathlib.Path):
    run = {"1": {"b": 1.0, "a": 1.0, "c": 0.25}, "2": {"x": -3.5}}
    path = tmp_path / "run.txt"
    rk.eval.write_run(run, path, tag="test")
    lines = path.read_text().splitlines()
    assert lines[0] == "1 Q0 b 1 1.0 test" and lines[1].startswith("1 Q0 a 2")  # ties: id descending
    assert rk.eval.load_run(path).to_dict() == run
    qrels_path = tmp_path / "qrels.txt"
    qrels_path.write_text("1 0 a 1\n1 0 b 0\n2 0 x 2\n")
    assert rk.eval.load_qrels(qrels_path).to_dict() == {"1": {"a": 1, "b": 0}, "2": {"x": 2}}
    qrels_path.write_text("1 0 a 1\n1 0 a 2\n")
    with pytest.raises(ValueError, match=r"qrels.txt:2: query '1' judges document 'a' twice"):
        rk.eval.load_qrels(qrels_path)
    path.write_text("1 Q0 a 1 0.5 t\n1 Q0 a 2 0.4 t\n")
    with pytest.raises(ValueError, match="retrieves document 'a' twice"):
        rk.evaluate({"1": {"a": 1}}, rk.eval.load_run(path), metrics=["map"])
    with pytest.raises(OSError, match="cannot open"):
        rk.eval.load_run(tmp_path / "missing.txt")


def test_dict_input_errors_name_the_problem():
    with pytest.raises(ValueError, match="expected an int grade"):
        rk.evaluate({"q": {"d": 1.5}}, {"q": {"d": 1.0}}, metrics=["map"])
    with pytest.raises(ValueError, match="expected a float or int score"):
        rk.evaluate({"q": {"d": 1}}, {"q": {"d": "high"}}, metrics=["map"])
    with pytest.raises(ValueError, match="NaN score"):
        rk.evaluate({"q": {"d": 1}}, {"q": {"d": float("nan")}}, metrics=["map"])
    with pytest.raises(ValueError, match="unknown metric 'ndgc@10'"):
        rk.evaluate({"q": {"d": 1}}, {"q": {"d": 1.0}}, metrics=["ndgc@10"])
    with pytest.raises(ValueError, match="no query of the run is judged"):
        rk.evaluate({"1": {"d": 1}}, {"q1": {"d": 1.0}}, metrics=["map"])
    with pytest.raises(TypeError, match="list of names"):
        rk.evaluate({"q": {"d": 1}}, {"q": {"d": 1.0}}, metrics="map")


def test_compare_marks_significant_differences_and_reports_are_deterministic():
    runs = {"weak": make_run(0.3, 1), "strong": make_run(0.9, 2), "same": make_run(0.3, 1)}
    table = rk.eval.compare(runs, GOLDEN, metrics=["ndcg@10", "map"], permutations=2000, resamples=2000)
    strong = table.cell("strong", "ndcg@10")
    assert strong.significant and strong.mark == "▲" and strong.delta > 0.2
    assert table.cell("same", "map").p_value == 1.0 and table.cell("same", "map").mark == ""
    report = rk.eval.Report(table)
    again = rk.eval.Report(rk.eval.compare(runs, GOLDEN, metrics=["ndcg@10", "map"], permutations=2000, resamples=2000))
    assert report.to_html() == again.to_html() and report.to_json() == again.to_json()
    html = report.to_html()
    assert html.count("<svg") == 4  # bars, two delta charts, recall curves
    assert "http" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")  # self-contained
    assert report._repr_html_().startswith('<div class="ragkernel-report">')
    assert table._repr_html_() == report._repr_html_()  # a notebook cell gets the fragment, not a page
    data = json.loads(report.to_json())
    assert data["systems"]["strong"]["significant"]["ndcg_cut_10"] is True
    assert "▲" in report.to_markdown()


def test_gate_floors_and_significant_regressions(tmp_path: pathlib.Path):
    good, bad = make_run(0.9, 3), make_run(0.3, 4)
    assert rk.eval.gate(good, GOLDEN, fail_under={"ndcg@10": 0.3}).passed
    result = rk.eval.gate(bad, GOLDEN, fail_under=["ndcg@10=0.5"], baseline=good, fail_on_regression=["ndcg@10:0.01"])
    assert not result.passed and {c.kind for c in result.failures} == {"floor", "regression"}
    # A tiny drop is within tolerance; an identical run is not a significant regression.
    same = rk.eval.gate(good, GOLDEN, baseline=good, fail_on_regression={"ndcg@10": 0.0})
    assert same.passed
    with pytest.raises(AssertionError, match="golden set gate failed"):
        rk.eval.assert_golden(bad, GOLDEN, fail_under={"ndcg@10": 0.5})
    assert rk.eval.assert_golden(good, GOLDEN, fail_under={"ndcg@10": 0.3}).passed
    with pytest.raises(ValueError, match="needs a baseline"):
        rk.eval.gate(good, GOLDEN, fail_on_regression={"map": 0.01})
    with pytest.raises(ValueError, match="is not METRIC=VALUE"):
        rk.eval.gate(good, GOLDEN, fail_under=["ndcg@10>0.3"])


def test_cli_gate_exit_codes_and_saved_baseline(tmp_path: pathlib.Path, capsys):
    good, bad = tmp_path / "good.txt", tmp_path / "bad.txt"
    rk.eval.write_run(make_run(0.9, 5), good)
    rk.eval.write_run(make_run(0.3, 6), bad)
    base = tmp_path / "base.json"
    args = ["eval", "--golden", str(GOLDEN), "--permutations", "2000"]
    assert main([*args, "--run", str(good), "--fail-under", "ndcg@10=0.40", "--save-baseline", str(base)]) == 0
    assert "Gate passed" in capsys.readouterr().out
    report = tmp_path / "r.html"
    code = main(
        [
            *args,
            "--run",
            str(bad),
            "--baseline",
            str(base),
            "--fail-on-regression",
            "ndcg@10:0.01",
            "--report",
            str(report),
        ]
    )
    out = capsys.readouterr()
    assert code == 1 and "FAIL ndcg@10 changed by" in out.out and "check(s) failed" in out.err
    assert report.read_text().startswith("<!DOCTYPE html>")
    assert main([*args, "--run", str(good), "--baseline", str(base), "--fail-on-regression", "ndcg@10:0.01"]) == 0
    capsys.readouterr()
    assert main([*args, "--run", str(tmp_path / "missing.txt")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main([*args, "--run", str(good), "--fail-under", "ndgc@10=0.4"]) == 2
    assert "unknown metric" in capsys.readouterr().err
    assert main(["--json", *args, "--run", str(good), "--fail-under", "map=0.99"]) == 1
    assert json.loads(capsys.readouterr().out)["passed"] is False


def test_cli_runs_as_a_program(tmp_path: pathlib.Path):
    run = tmp_path / "run.txt"
    rk.eval.write_run(make_run(0.9, 7), run)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "ragkernel",
            "eval",
            "--golden",
            str(GOLDEN),
            "--run",
            str(run),
            "--permutations",
            "500",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "ndcg_cut_10" in done.stdout

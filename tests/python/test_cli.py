"""The ``ragkernel`` command line: exit codes, one-line errors, suggestions, JSON output.

Commands run in a subprocess where the exact stderr matters (argparse exits); elsewhere
through ``main`` in-process, which is faster.
"""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import pytest

from ragkernel.cli import main


def run_cli(*args: str, cwd: pathlib.Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ragkernel", *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


def test_info_for_people_and_for_machines(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info"]) == 0
    assert "active_simd" in capsys.readouterr().out
    assert main(["info", "--json"]) == 0  # --json after the command works too
    info = json.loads(capsys.readouterr().out)
    assert info["active_simd"] in info["supported_simd"]
    assert main(["--json", "self-check"]) == 0
    assert all(r["ok"] for r in json.loads(capsys.readouterr().out))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["serch"], "invalid choice: 'serch'"),
        (["search", "kb", "q", "--fitler", "{}"], "unrecognized arguments: --fitler {} (did you mean --filter?)"),
        (["ingest", "docs", "--into", "kb", "--chunk-sise", "5"], "(did you mean --chunk-size?)"),
        (["ingest", "docs"], "the following arguments are required: --into"),
        (["search", "kb", "q", "-k", "ten"], "argument -k: invalid int value: 'ten'"),
        (["ingest", "docs", "--into", "kb", "--chunker", "recursiv"], "invalid choice: 'recursiv'"),
    ],
)
def test_usage_errors_are_one_line_with_a_hint(args: list[str], message: str) -> None:
    done = run_cli(*args)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert message in lines[0]
    assert lines[0].endswith("--help")
    if args[0] == "serch":
        assert "(did you mean search?)" in lines[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["stats", "{tmp}/missing"], "missing does not exist; create it with: ragkernel ingest FILES --into"),
        (["search", "{tmp}", "query"], "is not a collection made by ragkernel ingest (no ragkernel.json)"),
        (["ingest", "{tmp}/nothing-here.txt", "--into", "{tmp}/kb"], "nothing-here.txt does not exist"),
        (["ingest", "{tmp}/bad.jsonl", "--into", "{tmp}/kb", "--embedder", "none"], "bad.jsonl:2: invalid JSON"),
        (["ingest", "{tmp}/notext.jsonl", "--into", "{tmp}/kb", "--embedder", "none"], "no 'text' field"),
        (["ingest", "{tmp}/bad.jsonl", "--into", "{tmp}/kb", "--embedder", "word2vec"], "unknown embedder 'word2vec'"),
        (["search", "{tmp}/kb2", "q", "-k", "0"], "-k must be at least 1"),
    ],
)
def test_input_errors_are_one_line_without_a_traceback(
    args: list[str], message: str, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.jsonl").write_text('{"id": "a", "text": "fine"}\n{"id": "b", "text": \n')
    (tmp_path / "notext.jsonl").write_text('{"id": "a", "body": "no text field"}\n')
    code = main([a.replace("{tmp}", str(tmp_path)) for a in args])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith(f"ragkernel {args[0]}: error: ")
    assert message in err
    assert "Traceback" not in err
    assert not (tmp_path / "kb").exists() or not any((tmp_path / "kb").iterdir())  # nothing half-made

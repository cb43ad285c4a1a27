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


@pytest.fixture(autouse=True)
def own_cache(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The embedding cache of each test in its own directory, not the user's."""
    monkeypatch.setenv("RAGKERNEL_CACHE_DIR", str(tmp_path / "cache"))


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
        (["ingest", "{tmp}/dup.jsonl", "--into", "{tmp}/kb", "--embedder", "none"], "appears twice"),
        (
            [
                "ingest",
                "{tmp}/notext.jsonl",
                "--into",
                "{tmp}/kb",
                "--embedder",
                "none",
                "--text-field",
                "body",
                "--batch-size",
                "0",
            ],
            "batch_size must be positive",
        ),
    ],
)
def test_input_errors_are_one_line_without_a_traceback(
    args: list[str], message: str, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.jsonl").write_text('{"id": "a", "text": "fine"}\n{"id": "b", "text": \n')
    (tmp_path / "notext.jsonl").write_text('{"id": "a", "body": "no text field"}\n')
    (tmp_path / "dup.jsonl").write_text('{"id": "a", "text": "one"}\n{"id": "a", "text": "two"}\n')
    code = main([a.replace("{tmp}", str(tmp_path)) for a in args])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith(f"ragkernel {args[0]}: error: ")
    assert message in err
    assert "Traceback" not in err
    assert not (tmp_path / "kb").exists()  # nothing half-made


def _jsonl(path: pathlib.Path, rows: list[dict[str, object]]) -> pathlib.Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


DOCS = [
    {"id": "plate", "text": "The boundary layer on a flat plate thickens downstream.", "year": 1958},
    {"id": "cone", "text": "Supersonic flow past a cone produces an attached shock wave.", "year": 1962},
    {"id": "shell", "text": "Thin cylindrical shells buckle under axial compression.", "year": 1970},
]


def test_ingest_search_and_stats_round_trip(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    docs = _jsonl(tmp_path / "docs.jsonl", DOCS)
    kb = str(tmp_path / "kb")
    ingest = ["ingest", str(docs), "--into", kb, "--embedder", "none", "--chunk-size", "30", "--overlap", "0"]
    assert main([*ingest, "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["documents"] == 3 and first["chunks"] > 3 and first["records_in_collection"] == first["chunks"]
    assert main(ingest) == 0  # the same documents again replace their chunks
    assert "the collection holds" in capsys.readouterr().out
    assert main(["search", kb, "shock wave", "--mode", "bm25", "-k", "2", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert found["hits"][0]["metadata"]["source_id"] == "cone"
    assert main(["search", kb, "buckle", "--mode", "bm25", "--filter", '{"year": {"$gte": 1965}}', "--json"]) == 0
    assert {h["metadata"]["source_id"] for h in json.loads(capsys.readouterr().out)["hits"]} == {"shell"}
    assert main(["search", kb, "shock wave", "--mode", "bm25"]) == 0
    assert "cone#" in capsys.readouterr().out  # the people's table
    assert _stats(pathlib.Path(kb), capsys)["documents"] == first["chunks"]


def _stats(kb: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    assert main(["stats", str(kb), "--json"]) == 0
    stats: dict[str, object] = json.loads(capsys.readouterr().out)
    return stats


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["search", "{kb}", "q", "--filter", "{{year"], "--filter is not valid JSON"),
        (["search", "{kb}", "q", "--filter", "[1]"], "--filter must be a JSON object, got list"),
        (["search", "{kb}", "q", "--mode", "dense"], "has no vectors (ingested with --embedder none); use --mode bm25"),
        (["search", "{kb}", "q", "--filter", '{"year": {"$near": 3}}'], "$near"),
        (["ingest", "{docs}", "--into", "{kb}", "--embedder", "minilm"], "was built with --embedder none"),
        (
            ["ingest", "{docs}", "--into", "{tmp}/new", "--chunk-size", "0", "--embedder", "none"],
            "--chunk-size must be",
        ),
        (["ingest", "{empty}", "--into", "{tmp}/new", "--embedder", "none"], "empty.jsonl"),
        (["ingest", "{docs}", "--into", "{tmp}/new", "--tokenizer", "t.json", "--embedder", "none"], "--unit tokens"),
    ],
)
def test_bad_input_to_an_existing_collection_is_one_line_and_changes_nothing(
    args: list[str], message: str, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = _jsonl(tmp_path / "docs.jsonl", DOCS)
    (tmp_path / "empty.jsonl").write_text("", encoding="utf-8")
    kb = tmp_path / "kb"
    assert main(["ingest", str(docs), "--into", str(kb), "--embedder", "none", "--json"]) == 0
    capsys.readouterr()
    before = _stats(kb, capsys)
    fill = {"{kb}": str(kb), "{docs}": str(docs), "{empty}": str(tmp_path / "empty.jsonl"), "{tmp}": str(tmp_path)}
    line = []
    for a in args:
        for key, value in fill.items():
            a = a.replace(key, value)
        line.append(a)
    code = main(line)
    err = capsys.readouterr().err
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert message in err
    after = _stats(kb, capsys)
    assert {k: v for k, v in after.items() if k != "store"} == {k: v for k, v in before.items() if k != "store"}
    assert not (tmp_path / "new").exists() or not any((tmp_path / "new").iterdir())

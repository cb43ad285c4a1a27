"""Every code block of README.md runs as written (see readme_blocks.py for the rules)."""

from __future__ import annotations

import pathlib
import shlex

import pytest

from ragkernel.cli import main
from readme_blocks import Block, blocks, commands

REPO = pathlib.Path(__file__).resolve().parents[2]
BLOCKS = blocks((REPO / "README.md").read_text(encoding="utf-8"))
SHELLS = ("bash", "console", "sh", "shell")


def _runnable_shell(block: Block) -> bool:
    lines = commands(block)
    return block.lang in SHELLS and bool(lines) and all(line.startswith("ragkernel ") for line, _ in lines)


def test_every_block_is_executed_or_says_where_it_is_tested() -> None:
    assert any(b.lang == "python" for b in BLOCKS)
    for b in BLOCKS:
        if b.lang == "python" or _runnable_shell(b):
            continue
        assert b.skip_reason, (
            f"README.md:{b.line}: a ```{b.lang} block that is not executed needs '<!-- not executed: "
            "where it is tested -->' right above it"
        )


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    return tmp_path_factory.mktemp("readme")


@pytest.mark.parametrize("block", [b for b in BLOCKS if b.skip_reason is None], ids=lambda b: f"line{b.line}")
def test_block(
    block: Block, scratch: pathlib.Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(scratch)
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "OPENAI_MODEL"):
        monkeypatch.delenv(name, raising=False)
    if block.lang == "python":
        exec(compile(block.code, f"README.md:{block.line}", "exec"), {"__name__": "__readme__"})
        printed = capsys.readouterr().out
        if block.expected_output is not None:
            assert _lines(printed) == _lines(block.expected_output), f"README.md:{block.line} printed:\n{printed}"
    elif _runnable_shell(block):
        for line, expected in commands(block):
            code = main(shlex.split(line)[1:])
            assert code == expected, f"README.md:{block.line}: `{line}` exited {code}\n{capsys.readouterr()}"
    else:
        pytest.fail(f"README.md:{block.line}: ```{block.lang} block is neither runnable nor marked")


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.strip("\n").splitlines()]

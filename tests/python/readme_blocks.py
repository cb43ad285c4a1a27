"""Fenced code blocks of a Markdown file, with what the README test should do with each.

- ```python blocks run, in order, each in a fresh namespace, in one scratch directory shared
  by the whole file (a block may write a file that a later command reads).
- A ```text block right after a python block (nothing but blank lines between) is that
  block's printed output, compared exactly.
- ```bash / ```console blocks run line by line when every command in them is a ``ragkernel``
  command (through ``ragkernel.cli.main``, in the same scratch directory; exit code 0 unless
  the line ends with a ``# exit N`` comment).
- Any other block needs an HTML comment right above it, ``<!-- not executed: why -->``,
  naming where it is tested instead; a block with neither fails the test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FENCE = re.compile(r"^```(\S*)\s*$")
_SKIP = re.compile(r"<!--\s*not executed:\s*(.+?)\s*-->")


@dataclass
class Block:
    lang: str
    code: str
    line: int  # 1-based line of the opening fence
    skip_reason: str | None = None
    expected_output: str | None = None


def blocks(markdown: str) -> list[Block]:
    lines = markdown.splitlines()
    found: list[Block] = []
    i = 0
    last_end = -1
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        start = i
        i += 1
        body: list[str] = []
        while i < len(lines) and lines[i].rstrip() != "```":
            body.append(lines[i])
            i += 1
        if i == len(lines):
            raise ValueError(f"line {start + 1}: code block is never closed")
        previous = next((lines[j] for j in range(start - 1, -1, -1) if lines[j].strip()), "")
        skip = _SKIP.search(previous)
        block = Block(opening.group(1).lower(), "\n".join(body) + "\n", start + 1, skip.group(1) if skip else None)
        between = lines[last_end + 1 : start]
        if (
            block.lang == "text"
            and found
            and found[-1].lang == "python"
            and last_end >= 0
            and all(not line.strip() for line in between)
        ):
            found[-1].expected_output = block.code
        else:
            found.append(block)
        last_end = i
        i += 1
    return found


def commands(block: Block) -> list[tuple[str, int]]:
    """``(command line, expected exit code)`` of a shell block; continuation lines joined."""
    joined = block.code.replace("\\\n", " ")
    out: list[tuple[str, int]] = []
    for raw in joined.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        code = 0
        expected = re.search(r"#\s*exit\s+(\d+)\s*$", line)
        if expected:
            code = int(expected.group(1))
        line = re.sub(r"\s+#.*$", "", line)
        out.append((line, code))
    return out

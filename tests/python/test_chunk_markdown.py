"""Golden test of the markdown chunker on a document with nested headings, fences and a table."""

from __future__ import annotations

import json
import pathlib

import pytest

import ragkernel as rk
from chunk_helpers import check_chunks


@pytest.mark.parametrize("size", [160, 400])
def test_guide_matches_the_golden_chunks(repo_root: pathlib.Path, size: int) -> None:
    data = repo_root / "tests" / "data" / "chunk"
    text = (data / "guide.md").read_text(encoding="utf-8")
    expected = json.loads((data / "guide.expected.json").read_text(encoding="utf-8"))[str(size)]
    chunks = rk.chunk(text, method="markdown", chunk_size=size)
    check_chunks(text, chunks, size, len)
    got = [{"start": c.start, "end": c.end, "heading_path": c.metadata["heading_path"], "text": c.text} for c in chunks]
    assert got == expected


def test_headings_inside_fences_are_not_headings() -> None:
    text = "# Real\n\n```\n# not a heading\n```\n\n## Child\n\nBody.\n"
    chunks = rk.chunk(text, method="markdown", chunk_size=1000)
    assert [c.metadata["heading_path"] for c in chunks] == [["Real"], ["Real", "Child"]]


def test_a_heading_with_nothing_under_it_joins_its_subsection() -> None:
    text = "# Book\n\n## Chapter\n\nText of the chapter.\n\n## Next\n\nMore.\n"
    chunks = rk.chunk(text, method="markdown", chunk_size=1000)
    assert [(c.text, c.metadata["heading_path"]) for c in chunks] == [
        ("# Book\n\n## Chapter\n\nText of the chapter.", ["Book", "Chapter"]),
        ("## Next\n\nMore.", ["Book", "Next"]),
    ]


def test_closing_hashes_and_setext_levels() -> None:
    text = "Title\n=====\n\nIntro.\n\n### Deep ###\n\nBody.\n\nSection\n-------\n\nEnd.\n"
    chunks = rk.chunk(text, method="markdown", chunk_size=1000)
    assert [c.metadata["heading_path"] for c in chunks] == [["Title"], ["Title", "Deep"], ["Title", "Section"]]

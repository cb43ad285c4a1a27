"""Agreement with LangChain's RecursiveCharacterTextSplitter on plain text, run side by side.

With preset="langchain" (separators "\\n\\n", "\\n", " ", "" kept at the start of the next
piece, chunks stripped) ragkernel's recursive chunker gives the same chunks at the same
offsets. The one difference by design: LangChain recovers `start_index` by searching the text,
ragkernel carries offsets, so only ragkernel's are guaranteed on repeated passages.
"""

from __future__ import annotations

import pytest

import ragkernel as rk
from chunk_helpers import check_chunks, corpus_texts

splitters = pytest.importorskip("langchain_text_splitters")


@pytest.mark.parametrize(("size", "overlap"), [(100, 0), (200, 40), (500, 100), (1000, 200)])
def test_same_chunks_and_offsets_as_langchain(size: int, overlap: int) -> None:
    lc = splitters.RecursiveCharacterTextSplitter(chunk_size=size, chunk_overlap=overlap, add_start_index=True)
    for text in corpus_texts("cranfield")[:150] + corpus_texts("cisi")[:150]:
        expected = [(d.metadata["start_index"], d.page_content) for d in lc.create_documents([text])]
        ours = rk.chunk(text, method="recursive", preset="langchain", chunk_size=size, overlap=overlap)
        assert [(c.start, c.text) for c in ours] == expected


def test_repeated_passages_keep_true_offsets() -> None:
    text = "Same sentence repeated here. " * 40
    lc = splitters.RecursiveCharacterTextSplitter(chunk_size=60, chunk_overlap=30)
    ours = rk.chunk(text, method="recursive", preset="langchain", chunk_size=60, overlap=30)
    assert [c.text for c in ours] == lc.split_text(text)
    check_chunks(text, ours, 60, len)

"""Documents from what users have: strings, dicts, framework objects, files, folders, JSONL."""

from __future__ import annotations

import pathlib

import pytest

import ragkernel as rk
from ragkernel.documents import Document, as_documents, content_id, load_documents


def test_every_accepted_form() -> None:
    from langchain_core.documents import Document as LCDocument
    from llama_index.core.schema import TextNode

    docs = list(
        as_documents(
            [
                "plain text",
                {"_id": 7, "text": "from BEIR", "title": "T", "year": 2020},
                {"id": "m", "text": "nested", "metadata": {"lang": "en"}, "tag": "x"},
                Document("d", "mine", {"k": 1}),
                LCDocument(page_content="from LangChain", metadata={"src": "lc"}, id="lc-1"),
                LCDocument(page_content="no id"),
                TextNode(text="from LlamaIndex", id_="node-1", metadata={"src": "li"}),
            ]
        )
    )
    assert [d.id for d in docs] == [content_id("plain text"), "7", "m", "d", "lc-1", content_id("no id"), "node-1"]
    assert docs[1].metadata == {"title": "T", "year": 2020}
    assert docs[2].metadata == {"lang": "en", "tag": "x"}
    assert docs[4].metadata == {"src": "lc"} and docs[6].text == "from LlamaIndex"
    assert content_id("plain text") == content_id("plain text") != content_id("plain text.")


@pytest.mark.parametrize(
    ("item", "error", "message"),
    [
        ({"id": "a"}, ValueError, "document 0: no 'text' field"),
        ({"id": "a", "text": 3}, ValueError, "field 'text' must be a string, got int"),
        ({"id": ["a"], "text": "t"}, ValueError, "the id must be a string or an integer, got list"),
        ({"id": "a", "text": "t", "metadata": [1]}, ValueError, "'metadata' must be an object"),
        (3.5, TypeError, "document 0 is a float"),
    ],
)
def test_bad_documents_are_named(item: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        list(as_documents([item]))


def test_a_single_document_is_not_a_list() -> None:
    with pytest.raises(TypeError, match="not a single one"):
        list(as_documents("one string"))  # type: ignore[arg-type]


def test_files_folders_and_jsonl(tmp_path: pathlib.Path) -> None:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a.md").write_text("# A\n\nalpha")
    (tmp_path / "notes" / "sub").mkdir()
    (tmp_path / "notes" / "sub" / "b.txt").write_text("beta")
    (tmp_path / "notes" / "image.png").write_bytes(b"\x89PNG")
    (tmp_path / "notes" / "c.jsonl").write_text('{"id": "c1", "text": "gamma"}\n\n{"id": "c2", "text": "delta"}\n')
    found = list(load_documents([tmp_path / "notes"]))
    assert [d.id for d in found] == ["a.md", "c1", "c2", "sub/b.txt"]
    assert found[0].metadata["path"].endswith("notes/a.md")
    single = list(load_documents([str(tmp_path / "notes" / "sub" / "b.txt")]))
    assert [(d.id, d.text) for d in single] == [("b.txt", "beta")]


def test_the_bundled_corpus_reads_as_it_is() -> None:
    docs = list(load_documents([rk.datasets.path("adi") / "corpus.jsonl"]))
    assert len(docs) == 82 and docs[0].id == "1" and "title" in docs[0].metadata


def test_file_errors(tmp_path: pathlib.Path) -> None:
    with pytest.raises(FileNotFoundError, match="missing does not exist"):
        list(load_documents([tmp_path / "missing"]))
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match=r"holds no \.jsonl or text files"):
        list(load_documents([tmp_path / "empty"]))
    (tmp_path / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    with pytest.raises(ValueError, match=r"latin1.txt is not UTF-8 text \(byte 3\)"):
        list(load_documents([tmp_path / "latin1.txt"]))
    (tmp_path / "x.jsonl").write_text('{"id": "a", "text": "t"}\n[1, 2]\n')
    with pytest.raises(ValueError, match=r"x.jsonl:2: expected a JSON object"):
        list(load_documents([tmp_path / "x.jsonl"]))

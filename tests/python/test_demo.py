"""``ragkernel demo`` end to end on ADI (the smallest bundled collection), with the embeddings
and the answer from the local OpenAI-compatible server so that the test stays fast; ``make
demo`` runs the same code on Cranfield with MiniLM."""

from __future__ import annotations

import json
import pathlib

import pytest

from fake_openai import FakeOpenAI, completion
from ragkernel.cli import main


def _demo(tmp_path: pathlib.Path, *extra: str) -> int:
    return main(["demo", "--dataset", "adi", "--out", str(tmp_path / "out"), "--embedder", "openai:local-embed",
                 "--cache-dir", str(tmp_path / "cache"), "--no-progress", *extra])  # fmt: skip


def test_the_demo_ingests_searches_evaluates_and_answers(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def answer(request: dict, n: int):  # type: ignore[no-untyped-def]
        return completion("Documents are indexed by statistical keyword selection [1].")

    with FakeOpenAI(answer, embedding_dim=16) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.url)
        monkeypatch.setenv("OPENAI_API_KEY", "test")
        monkeypatch.setenv("OPENAI_MODEL", "local-chat")
        assert _demo(tmp_path) == 0
        first = capsys.readouterr().out
        assert _demo(tmp_path, "--json") == 0  # again: every chunk comes from the embedding cache
        summary = json.loads(capsys.readouterr().out)
        chats = [r for r, p in zip(server.requests, server.paths, strict=True) if p.endswith("/chat/completions")]

    assert "1. ingested 82 documents as" in first
    assert "2. hybrid search" in first and "automatic indexing and abstracting of documents" in first
    assert "3. evaluation" in first and "hybrid" in first and "ndcg@10" in first
    report = tmp_path / "out" / "report.html"
    assert f"report: {report}" in first.replace("\n", "")
    assert "<table>" in report.read_text(encoding="utf-8") and "bm25" in report.read_text(encoding="utf-8")
    assert "Documents are indexed by statistical keyword selection [1]." in first
    assert "sources: [1] " in first
    assert summary["ingest"]["embedded"] == 0 and summary["ingest"]["chunks"] >= 82
    assert set(summary["evaluation"]) == {"bm25", "dense", "hybrid"}
    assert 0.2 < summary["evaluation"]["bm25"]["ndcg@10"] < 0.7  # BM25 on ADI; the vectors are noise here
    assert summary["answer"]["sources"] and summary["answer"]["context_tokens"] > 0
    assert chats[0]["messages"][-1]["content"].startswith("Sources:\n[1] ")
    # The second run asks the LLM cache first: the same prompt never reaches the server twice.
    # (With these noise vectors a rebuilt HNSW graph may rank near-ties differently, and then
    # the context, so the prompt, differs and is a new question.)
    if summary["answer"]["cached"]:
        assert len(chats) == 1
    else:
        assert len(chats) == 2 and chats[0]["messages"] != chats[1]["messages"]


def test_without_an_endpoint_the_demo_says_how_to_get_an_answer(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeOpenAI(embedding_dim=16) as server:
        monkeypatch.setenv("OPENAI_API_KEY", "test")
        monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
        from ragkernel import embedders

        real = embedders.OpenAIEmbedder

        def local(model: str, **kwargs: object) -> embedders.OpenAIEmbedder:
            return real(model, base_url=server.url, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(embedders, "OpenAIEmbedder", local)
        assert _demo(tmp_path) == 0
    out = capsys.readouterr().out
    assert "Set OPENAI_BASE_URL" in out and "make demo" in out


def test_an_endpoint_without_a_model_is_a_one_line_error(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeOpenAI(embedding_dim=16) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.url)
        monkeypatch.setenv("OPENAI_API_KEY", "test")
        monkeypatch.delenv("OPENAI_MODEL", raising=False)
        assert _demo(tmp_path) == 2
    err = capsys.readouterr().err
    assert err.startswith("ragkernel demo: error: ") and "set OPENAI_MODEL" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err

"""The examples run as shipped: the quickstart notebook through a Jupyter kernel (nbclient),
the LCEL RAG chain against the local OpenAI-compatible server (chat and embeddings)."""

from __future__ import annotations

import importlib.util
import json
import pathlib
import sys
from types import ModuleType

import pytest

from fake_openai import FakeOpenAI, completion

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"


def test_quickstart_notebook_executes(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("RAGKERNEL_CACHE_DIR", str(tmp_path / "cache"))
    nb = nbformat.read(EXAMPLES / "quickstart.ipynb", as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), "commit the notebook without outputs"
    nbclient.NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = [o["data"]["text/html"] for o in outputs if o.output_type == "execute_result" and "text/html" in o["data"]]
    assert any("ragkernel-hits" in h for h in html)  # the hits table
    assert any("ndcg_cut_10" in h and "▲" in h for h in html)  # the evaluation table, trec_eval names
    printed = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "[1] " in printed and "tokens;" in printed and "| hybrid" in printed


def _example(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_rag_chain_against_a_local_endpoint(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("langchain_openai")
    rag = _example("rag_chain_langchain")

    def answer(request: dict, n: int):  # type: ignore[no-untyped-def]
        prompt = request["messages"][-1]["content"]
        return completion(f"Indexing can be automatic [1]. (prompt had {prompt.count('[')} citations)")

    with FakeOpenAI(answer, embedding_dim=32) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.url)
        monkeypatch.setenv("OPENAI_MODEL", "local-chat")
        monkeypatch.setenv("OPENAI_API_KEY", "test")
        monkeypatch.setenv("RAGKERNEL_CACHE_DIR", str(tmp_path / "cache"))
        code = rag.main(["--dataset", "adi", "--embedder", "openai:local-embed", "--max-tokens", "300",
                         "How can documents be indexed automatically?"])  # fmt: skip
        chats = [r for r, p in zip(server.requests, server.paths, strict=True) if p.endswith("/chat/completions")]
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.startswith("Indexing can be automatic [1].")
    (chat,) = chats
    assert chat["model"] == "local-chat" and chat["temperature"] == 0
    user = chat["messages"][-1]["content"]
    assert user.startswith("Sources:\n[1] ") and user.endswith("Question: How can documents be indexed automatically?")
    assert "\n[1] " in out and "context tokens of 300" in out
    assert json.dumps(chat)  # the request is plain JSON


def test_rag_chain_says_what_to_set(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("langchain_openai")
    rag = _example("rag_chain_langchain")
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.delenv("OPENAI_MODEL", raising=False)
    assert rag.chat_model is not None
    with pytest.raises(ValueError, match="set OPENAI_BASE_URL and OPENAI_MODEL"):
        rag.chat_model()

"""Retrieval-augmented generation as a LangChain (LCEL) chain:

    question -> ragkernel hybrid retrieval (BM25 + vectors, fused)
             -> context packed under a token budget, with numbered sources
             -> a chat model at any OpenAI-compatible endpoint
             -> the answer, citing [1], [2], ...

    OPENAI_BASE_URL=http://localhost:11434/v1 OPENAI_MODEL=llama3.2 \\
        python examples/rag_chain_langchain.py "How does heat transfer behave at hypersonic speeds?"

Options: --dataset (a bundled collection: cranfield, cisi, adi), --embedder (minilm, or
openai:MODEL for the endpoint's /v1/embeddings), --k, --max-tokens. Embeddings go through the
on-disk embedding cache, so after ``make demo`` the Cranfield chunks are not embedded again.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import Runnable, RunnableLambda, RunnablePassthrough

import ragkernel as rk
from ragkernel.commands.collections import cache_dir, make_embedder
from ragkernel.ingest import Chunker, add_documents
from ragkernel.integrations.langchain import RagkernelRetriever

SYSTEM = (
    "Answer the question from the numbered sources only. Cite the sources you use like [1]. "
    "If the sources do not answer it, say so."
)
PROMPT = ChatPromptTemplate.from_messages(
    [("system", SYSTEM), ("human", "Sources:\n{context}\n\nQuestion: {question}")]
)


def build_chain(
    retriever: RagkernelRetriever, chat_model: Any, *, max_tokens: int = 800
) -> Runnable[str, dict[str, Any]]:
    """question -> {"question", "context" (a ragkernel Context), "answer"}."""

    def retrieve(question: str) -> dict[str, Any]:
        return {"question": question, "context": retriever.search(question).to_context(max_tokens=max_tokens)}

    answer = (
        RunnableLambda(lambda x: {"context": x["context"].text, "question": x["question"]})
        | PROMPT
        | chat_model
        | StrOutputParser()
    )
    return RunnableLambda(retrieve) | RunnablePassthrough.assign(answer=answer)


def build_retriever(dataset: str, embedder_spec: str, k: int) -> RagkernelRetriever:
    """The bundled collection, chunked, embedded (through the cache) and indexed in memory."""
    embedder = make_embedder(embedder_spec)
    if embedder is None:
        raise ValueError("the chain retrieves by meaning too: choose an embedder other than none")
    golden = rk.eval.GoldenSet.load(rk.datasets.path(dataset))
    docs = [{"id": d.id, "text": d.text} for d in golden.corpus().values()]
    col = rk.Collection(dim=embedder.dim)
    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    with rk.EmbeddingCache(str(folder / "embeddings")) as cache:
        add_documents(col, docs, embedder=embedder, chunker=Chunker(chunk_size=600, overlap=80), embedding_cache=cache)
    return RagkernelRetriever(collection=col, embeddings=embedder, k=k)


def chat_model() -> Any:
    """A chat model at the OpenAI-compatible endpoint named by the environment."""
    from langchain_openai import ChatOpenAI

    base_url, model = os.environ.get("OPENAI_BASE_URL"), os.environ.get("OPENAI_MODEL")
    if not base_url or not model:
        raise ValueError("set OPENAI_BASE_URL and OPENAI_MODEL (and OPENAI_API_KEY if the endpoint needs one)")
    return ChatOpenAI(model=model, base_url=base_url, api_key=os.environ.get("OPENAI_API_KEY") or "unused",
                      temperature=0, max_retries=2)  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("question")
    parser.add_argument("--dataset", default="cranfield", choices=rk.datasets.names())
    parser.add_argument("--embedder", default="minilm")
    parser.add_argument("--k", type=int, default=8)
    parser.add_argument("--max-tokens", type=int, default=800)
    args = parser.parse_args(argv)
    try:
        chain = build_chain(
            build_retriever(args.dataset, args.embedder, args.k), chat_model(), max_tokens=args.max_tokens
        )
        result = chain.invoke(args.question)
    except (ValueError, OSError) as exc:
        print(f"rag_chain_langchain: error: {exc}", file=sys.stderr)
        return 2
    context = result["context"]
    print(result["answer"])
    print()
    for n, source in enumerate(context.sources, start=1):
        print(f"[{n}] {source}")
    print(f"({context.tokens} context tokens of {context.max_tokens}; {len(context.dropped)} chunks left out)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The LangChain store and hybrid retriever: langchain-tests' standard suites, unmodified, in
memory and on disk, and what they do not cover (filters inside the search, relevance scores,
MMR, metadata that the collection cannot index, errors)."""

from __future__ import annotations

import pathlib
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

pytest.importorskip("langchain_tests")

from langchain_core.documents import Document
from langchain_core.embeddings import DeterministicFakeEmbedding
from langchain_core.vectorstores import VectorStore
from langchain_tests.integration_tests.retrievers import RetrieversIntegrationTests
from langchain_tests.integration_tests.vectorstores import VectorStoreIntegrationTests

import ragkernel as rk
from ragkernel.integrations.langchain import RagkernelRetriever, RagkernelVectorStore


class TestStoreInMemory(VectorStoreIntegrationTests):
    @pytest.fixture
    def vectorstore(self) -> VectorStore:
        return RagkernelVectorStore(self.get_embeddings())


class TestStoreDurableHnsw(VectorStoreIntegrationTests):
    @pytest.fixture
    def vectorstore(self, tmp_path: pathlib.Path) -> Iterator[VectorStore]:
        store = RagkernelVectorStore(self.get_embeddings(), path=tmp_path / "kb", index="hnsw")
        yield store
        if store.collection is not None:
            store.collection.close()


TEXTS = [
    "supersonic flow over a flat plate",
    "boundary layer transition on a cone",
    "heat transfer in laminar flow",
    "buckling of thin cylindrical shells",
    "vibration of panels in supersonic flow",
    "wing loads in a propeller slipstream",
]


def _hybrid_collection() -> tuple[rk.Collection, DeterministicFakeEmbedding]:
    emb = DeterministicFakeEmbedding(size=8)
    col = rk.Collection(dim=8, index="flat")
    col.add([f"d{i}" for i in range(len(TEXTS))], TEXTS, np.asarray(emb.embed_documents(TEXTS), dtype=np.float32),
            [{"n": i} for i in range(len(TEXTS))])  # fmt: skip
    return col, emb


class TestHybridRetriever(RetrieversIntegrationTests):
    @property
    def retriever_constructor(self) -> type[RagkernelRetriever]:
        return RagkernelRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        col, emb = _hybrid_collection()
        return {"collection": col, "embeddings": emb}

    @property
    def retriever_query_example(self) -> str:
        return "supersonic flow"


@pytest.fixture
def store() -> RagkernelVectorStore:
    s = RagkernelVectorStore(DeterministicFakeEmbedding(size=8))
    s.add_texts(TEXTS, [{"n": i, "even": i % 2 == 0, "tags": ["a"] if i < 3 else ["b"]} for i in range(len(TEXTS))],
                ids=[f"d{i}" for i in range(len(TEXTS))])  # fmt: skip
    return s


def test_filters_run_inside_the_search(store: RagkernelVectorStore) -> None:
    # k results whenever k documents match, however few they are.
    docs = store.similarity_search("flow", k=2, filter={"n": {"$gte": 4}})
    assert {d.id for d in docs} == {"d4", "d5"}
    assert [d.id for d in store.similarity_search("flow", k=3, filter={"$and": [{"even": True}, {"tags": "b"}]})] == [
        "d4"
    ]
    assert store.similarity_search("flow", k=3, filter={"n": 99}) == []
    with pytest.raises(ValueError, match=r"\$gte"):
        store.similarity_search("flow", filter={"n": {"$gte": "four"}})
    with pytest.raises(TypeError, match="metadata filter dict"):
        store.similarity_search("flow", filter=lambda doc: True)  # type: ignore[arg-type]


def test_scores_and_relevance(store: RagkernelVectorStore) -> None:
    emb = store.embeddings
    with_scores = store.similarity_search_with_score(TEXTS[2], k=6)
    assert with_scores[0][0].id == "d2" and with_scores[0][1] == pytest.approx(1.0, abs=1e-5)  # cosine of itself
    q = np.asarray(emb.embed_query(TEXTS[2]))
    for doc, score in with_scores:
        v = np.asarray(emb.embed_query(doc.page_content))
        assert score == pytest.approx(float(q @ v / np.linalg.norm(q) / np.linalg.norm(v)), abs=1e-5)
    relevance = store.similarity_search_with_relevance_scores(TEXTS[2], k=6)
    assert all(0.0 <= r <= 1.0 for _, r in relevance)
    assert [r for _, r in relevance] == sorted((r for _, r in relevance), reverse=True)
    assert relevance[0][1] == pytest.approx(1.0, abs=1e-5)
    found = store.as_retriever(
        search_type="similarity_score_threshold", search_kwargs={"score_threshold": 0.99, "k": 6}
    )
    assert [d.id for d in found.invoke(TEXTS[2])] == ["d2"]


def test_relevance_functions_per_metric() -> None:
    emb = DeterministicFakeEmbedding(size=8)
    for metric in ("l2", "ip"):
        s = RagkernelVectorStore(emb, metric=metric)
        s.add_texts(TEXTS)
        scores = [r for _, r in s.similarity_search_with_relevance_scores(TEXTS[0], k=6)]
        assert all(0.0 <= r <= 1.0 for r in scores) and scores == sorted(scores, reverse=True), metric


def test_max_marginal_relevance() -> None:
    emb = DeterministicFakeEmbedding(size=8)
    s = RagkernelVectorStore(emb)
    s.add_texts(["same text", "same text", "same text", *TEXTS], ids=["s0", "s1", "s2", *[f"d{i}" for i in range(6)]])
    plain = [d.id for d in s.similarity_search("same text", k=3)]
    assert set(plain) == {"s0", "s1", "s2"}
    diverse = [d.id for d in s.max_marginal_relevance_search("same text", k=3, fetch_k=9, lambda_mult=0.1)]
    assert diverse[0] in {"s0", "s1", "s2"} and len(set(diverse) & {"s0", "s1", "s2"}) == 1
    relevance_only = s.max_marginal_relevance_search("same text", k=3, fetch_k=9, lambda_mult=1.0)
    assert {d.id for d in relevance_only} == {"s0", "s1", "s2"}
    assert [d.id for d in s.max_marginal_relevance_search("same text", k=2, filter={"nope": 1})] == []
    mmr = s.as_retriever(search_type="mmr", search_kwargs={"k": 2, "fetch_k": 9, "lambda_mult": 0.1})
    assert len(mmr.invoke("same text")) == 2


def test_metadata_the_collection_cannot_index_comes_back_whole() -> None:
    s = RagkernelVectorStore(DeterministicFakeEmbedding(size=8))
    odd = {"nested": {"a": [1, 2]}, "none": None, "empty": [], "nums": [1, 2], "year": 2020, "tags": ["x"]}
    s.add_documents([Document(page_content="odd metadata", metadata=odd, id="o")])
    assert s.get_by_ids(["o"])[0].metadata == odd
    assert [d.id for d in s.similarity_search("odd", filter={"year": 2020})] == ["o"]  # indexable parts filter
    with pytest.raises(ValueError, match="reserved"):
        s.add_texts(["x"], [{"_lc_metadata": "mine"}])


def test_delete_everything_and_durable_reopen(tmp_path: pathlib.Path) -> None:
    emb = DeterministicFakeEmbedding(size=8)
    s = RagkernelVectorStore(emb, path=tmp_path / "kb")
    s.add_texts(TEXTS, ids=[f"d{i}" for i in range(6)])
    s.delete(["d0", "d0", "unknown"])
    s.collection.close()
    again = RagkernelVectorStore(emb, path=tmp_path / "kb")
    assert [d.id for d in again.similarity_search(TEXTS[1], k=1)] == ["d1"]
    assert len(again.get_by_ids([f"d{i}" for i in range(6)])) == 5
    again.delete()
    assert again.similarity_search("flow") == []
    again.collection.close()


def test_wrong_dimension_and_argument_errors(store: RagkernelVectorStore) -> None:
    other = RagkernelVectorStore(DeterministicFakeEmbedding(size=4), collection=store.collection)
    with pytest.raises(ValueError, match="4-d vectors but the collection stores 8-d ones"):
        other.add_texts(["x"])
    with pytest.raises(ValueError, match="2 metadatas for 1 texts"):
        store.add_texts(["x"], [{}, {}])
    with pytest.raises(ValueError, match=r"collection=\.\.\. or path=\.\.\., not both"):
        RagkernelVectorStore(DeterministicFakeEmbedding(size=4), collection=store.collection, path="x")


def test_from_texts_and_hybrid_retriever(tmp_path: pathlib.Path) -> None:
    emb = DeterministicFakeEmbedding(size=8)
    s = RagkernelVectorStore.from_texts(TEXTS, emb, [{"n": i} for i in range(6)], ids=[f"d{i}" for i in range(6)])
    retriever = s.as_hybrid_retriever(k=2)
    assert retriever.invoke("cylindrical shells buckling")[0].id == "d3"  # BM25 finds it; fake vectors do not
    assert {d.id for d in retriever.invoke("flow", mode="bm25", k=3, filter={"n": {"$lt": 3}})} == {"d0", "d2"}
    hits = retriever.search("flow", mode="hybrid")
    assert {"bm25", "vector"} & set(hits[0].sources)
    with pytest.raises(TypeError, match="unknown search options"):
        retriever.search("flow", top_k=3)
    text_only = rk.Collection(dim=0)
    text_only.add(["a"], ["flow"])
    with pytest.raises(ValueError, match="use mode='bm25'"):
        RagkernelRetriever(collection=text_only).invoke("flow")
    assert [d.id for d in RagkernelRetriever(collection=text_only, mode="bm25").invoke("flow")] == ["a"]


class _CountingEmbeddings(DeterministicFakeEmbedding):
    """Counts the texts that reach embed_documents."""

    embedded: int = 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.embedded += len(texts)
        return super().embed_documents(texts)


def test_document_embeddings_go_through_the_embedding_cache(tmp_path: pathlib.Path) -> None:
    emb = _CountingEmbeddings(size=8)
    cache = rk.EmbeddingCache(tmp_path / "emb")
    first = RagkernelVectorStore(emb, embedding_cache=cache, model_id="fake-8")
    first.add_texts(TEXTS[:4])
    assert emb.embedded == 4
    second = RagkernelVectorStore(emb, embedding_cache=cache, model_id="fake-8")
    second.add_texts(TEXTS)  # four texts are cached: only two reach the embeddings
    assert emb.embedded == 6
    plain = RagkernelVectorStore.from_texts(TEXTS[:2], emb)
    assert emb.embedded == 8  # without a cache every text is embedded
    hits = second.similarity_search_with_score(TEXTS[5], k=1)
    assert hits[0][0].page_content == TEXTS[5] and plain.collection is not None
    cache.close()

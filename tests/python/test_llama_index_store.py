"""The LlamaIndex store: our conformance suite in memory and on disk, reopening, and a whole
LlamaIndex pipeline (VectorStoreIndex -> retriever) on top of it."""

from __future__ import annotations

import pathlib
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("llama_index.core")

from llama_index.core import StorageContext, VectorStoreIndex
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.schema import TextNode
from llama_index.core.vector_stores.types import MetadataFilter, MetadataFilters, VectorStoreQuery

from llama_index_conformance import CORPUS, LlamaIndexVectorStoreTests, embed
from ragkernel.integrations.llama_index import RagkernelVectorStore


class TestInMemory(LlamaIndexVectorStoreTests):
    @pytest.fixture
    def vector_store(self) -> RagkernelVectorStore:
        return RagkernelVectorStore()


class TestDurable(LlamaIndexVectorStoreTests):
    @pytest.fixture
    def vector_store(self, tmp_path: pathlib.Path) -> Iterator[RagkernelVectorStore]:
        store = RagkernelVectorStore(path=tmp_path / "kb", index="flat")
        yield store
        if store.client is not None:
            store.client.close()


def test_a_reopened_store_answers_the_same(tmp_path: pathlib.Path) -> None:
    store = RagkernelVectorStore(path=tmp_path / "kb")
    store.add(CORPUS)
    query = VectorStoreQuery(query_embedding=embed("heat"), query_str="heat", similarity_top_k=4, mode="hybrid")
    before = store.query(query)
    store.delete("d2")
    after_delete = store.query(query)
    store.client.close()
    again = RagkernelVectorStore(path=tmp_path / "kb")
    assert again.query(query).ids == after_delete.ids
    assert {n.node_id for n in again.get_nodes()} == {n.node_id for n in CORPUS} - {"n4", "n5", "n6"}
    assert before.ids != after_delete.ids or not {"n4", "n5", "n6"} & set(before.ids)
    again.client.close()


def test_the_metadata_mirror_is_built_only_for_filters(tmp_path: pathlib.Path) -> None:
    store = RagkernelVectorStore(path=tmp_path / "kb")
    store.add(CORPUS[:6])
    store.client.close()
    again = RagkernelVectorStore(path=tmp_path / "kb")
    again.add(CORPUS[6:])  # writes and unfiltered reads leave the metadata unread
    again.delete_nodes(["n1"])
    plain = VectorStoreQuery(query_embedding=embed("heat"), query_str="heat", similarity_top_k=3)
    assert len(again.query(plain).ids or []) == 3
    assert len(again.get_nodes(["n2", "n3"])) == 2
    assert again._mirror is None
    # The first filter reads it from the collection, with every write so far.
    filters = MetadataFilters(filters=[MetadataFilter(key="lang", value="en")])
    english = {n.node_id for n in CORPUS if n.metadata.get("lang") == "en"}
    assert "n1" in english
    assert {n.node_id for n in again.get_nodes(filters=filters)} == english - {"n1"}
    assert again._mirror is not None
    again.add(CORPUS[:1])  # and keeps it current from then on
    assert {n.node_id for n in again.get_nodes(filters=filters)} == english
    again.client.close()


class HashEmbedding(BaseEmbedding):
    """The conformance suite's deterministic embedding as a LlamaIndex embedding model."""

    def _get_text_embedding(self, text: str) -> list[float]:
        return embed(text)

    def _get_query_embedding(self, query: str) -> list[float]:
        return embed(query)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return embed(query)


def test_a_llama_index_pipeline_on_the_store() -> None:
    store = RagkernelVectorStore()
    # Without metadata, LlamaIndex embeds exactly the text, so a node's own text finds it.
    index = VectorStoreIndex(
        [TextNode(id_=n.node_id, text=n.text) for n in CORPUS],
        storage_context=StorageContext.from_defaults(vector_store=store),
        embed_model=HashEmbedding(model_name="hash"),
    )
    found = index.as_retriever(similarity_top_k=2).retrieve("shock waves in a shock tube")
    assert len(found) == 2
    assert found[0].node.node_id == "n9"  # the same text embeds to the same vector
    hybrid: Any = index.as_retriever(similarity_top_k=2, vector_store_query_mode="hybrid", alpha=0.0)
    assert hybrid.retrieve("shock tube")[0].node.node_id == "n9"
    assert len(store.client) == len(CORPUS)

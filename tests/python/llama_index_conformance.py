"""A conformance suite for LlamaIndex vector stores that keep text, modelled on langchain-tests'
``VectorStoreIntegrationTests``: subclass it and give a ``vector_store`` fixture that yields an
EMPTY store. LlamaIndex ships no such suite.

The reference for filters is LlamaIndex's own ``build_metadata_filter_fn`` (what its
``SimpleVectorStore`` does); nested filters are checked against the same function applied
recursively. Rankings are checked against brute-force cosine similarity.
"""

from __future__ import annotations

import hashlib
from abc import abstractmethod
from typing import Any

import numpy as np
import pytest
from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode
from llama_index.core.vector_stores.types import (
    BasePydanticVectorStore,
    FilterCondition,
    FilterOperator,
    MetadataFilter,
    MetadataFilters,
    VectorStoreQuery,
    VectorStoreQueryMode,
)
from llama_index.core.vector_stores.utils import build_metadata_filter_fn

DIM = 6


def embed(text: str) -> list[float]:
    """A deterministic embedding of a text (unrelated to its meaning)."""
    seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
    return [float(x) for x in np.random.default_rng(seed).standard_normal(DIM)]


def node(node_id: str, text: str, doc: str | None = None, **metadata: Any) -> TextNode:
    n = TextNode(id_=node_id, text=text, metadata=metadata, embedding=embed(text))
    if doc is not None:
        n.relationships[NodeRelationship.SOURCE] = RelatedNodeInfo(node_id=doc)
    return n


# Twelve nodes of three documents; fields of every type, some missing.
CORPUS = [
    node(
        "n1",
        "supersonic flow over a flat plate",
        "d1",
        year=1958,
        rating=4.5,
        lang="en",
        tags=["flow", "plate"],
        flag=True,
        title="Flat plate flow",
    ),
    node(
        "n2",
        "boundary layer transition on a cone",
        "d1",
        year=1962,
        rating=3.0,
        lang="en",
        tags=["cone"],
        flag=False,
        title="Cone transition",
    ),
    node(
        "n3", "heat transfer in laminar flow", "d1", year=1965, lang="de", tags=["heat", "flow"], title="Laminar HEAT"
    ),
    node(
        "n4", "buckling of thin cylindrical shells", "d2", year=1970, rating=2.5, lang="fr", flag=True, title="Shells"
    ),
    node(
        "n5", "vibration of panels in supersonic flow", "d2", year=1958, rating=5.0, lang="en", tags=["panel", "flow"]
    ),
    node(
        "n6",
        "wing loads in a propeller slipstream",
        "d2",
        rating=1.0,
        lang="en",
        tags=["wing"],
        flag=False,
        title="Wing loads",
    ),
    node(
        "n7", "hypersonic heat transfer to a blunt body", "d3", year=1968, rating=4.0, lang="de", title="Blunt bodies"
    ),
    node("n8", "creep of aluminium alloys at high temperature", "d3", year=1961, lang="en", tags=["alloy"], flag=True),
    node(
        "n9",
        "shock waves in a shock tube",
        "d3",
        year=1959,
        rating=3.5,
        lang="it",
        tags=["shock", "tube"],
        title="Shock tubes",
    ),
    node(
        "n10",
        "aeroelastic models of heated aircraft",
        None,
        year=1963,
        rating=4.2,
        lang="en",
        tags=["flow"],
        title="Aeroelastic",
    ),
    node("n11", "stability of laminar boundary layers", None, year=1966, lang="en", flag=False, title="Stability"),
    node("n12", "flutter of swept wings", None, rating=2.0, title="flutter of WINGS"),
]


def leaf_cases() -> list[tuple[str, MetadataFilter]]:
    op = FilterOperator
    cases = [
        ("eq-int", MetadataFilter(key="year", value=1958, operator=op.EQ)),
        ("eq-str", MetadataFilter(key="lang", value="en", operator=op.EQ)),
        ("eq-float", MetadataFilter(key="rating", value=4.5, operator=op.EQ)),
        ("ne-str", MetadataFilter(key="lang", value="en", operator=op.NE)),
        ("ne-int", MetadataFilter(key="year", value=1958, operator=op.NE)),
        ("gt", MetadataFilter(key="year", value=1962, operator=op.GT)),
        ("gte", MetadataFilter(key="rating", value=4.0, operator=op.GTE)),
        ("lt", MetadataFilter(key="rating", value=3.0, operator=op.LT)),
        ("lte", MetadataFilter(key="year", value=1961, operator=op.LTE)),
        ("in-str", MetadataFilter(key="lang", value=["de", "fr"], operator=op.IN)),
        ("in-int", MetadataFilter(key="year", value=[1958, 1970], operator=op.IN)),
        ("nin", MetadataFilter(key="lang", value=["en", "de"], operator=op.NIN)),
        ("any", MetadataFilter(key="tags", value=["flow", "cone"], operator=op.ANY)),
        ("all", MetadataFilter(key="tags", value=["flow", "heat"], operator=op.ALL)),
        ("any-str", MetadataFilter(key="title", value=["Shock", "WING"], operator=op.ANY)),
        ("all-str", MetadataFilter(key="title", value=["flutter", "WINGS"], operator=op.ALL)),
        ("contains-list", MetadataFilter(key="tags", value="flow", operator=op.CONTAINS)),
        ("contains-str", MetadataFilter(key="title", value="ing", operator=op.CONTAINS)),
        ("text-match", MetadataFilter(key="title", value="HEAT", operator=op.TEXT_MATCH)),
        ("text-match-insensitive", MetadataFilter(key="title", value="wing", operator=op.TEXT_MATCH_INSENSITIVE)),
        ("is-empty", MetadataFilter(key="tags", value=None, operator=op.IS_EMPTY)),
        ("is-empty-scalar", MetadataFilter(key="rating", value=None, operator=op.IS_EMPTY)),
        ("missing-field", MetadataFilter(key="nowhere", value="x", operator=op.EQ)),
    ]
    return cases


def reference(filters: MetadataFilters | None, metadata: dict[str, Any]) -> bool:
    """LlamaIndex's filter function, applied recursively to nested filters."""
    if filters is None:
        return True
    results = []
    for f in filters.filters:
        if isinstance(f, MetadataFilters):
            results.append(reference(f, metadata))
        else:
            results.append(build_metadata_filter_fn(lambda _: metadata, MetadataFilters(filters=[f]))("x"))
    condition = filters.condition or FilterCondition.AND
    if condition == FilterCondition.AND:
        return all(results)
    if condition == FilterCondition.OR:
        return any(results)
    return not any(results)


def expected_ids(filters: MetadataFilters | None) -> set[str]:
    return {n.node_id for n in CORPUS if reference(filters, n.metadata)}


def cosine_ranking(query: list[float], nodes: list[TextNode]) -> list[str]:
    q = np.asarray(query) / np.linalg.norm(query)
    scored = [(float(np.dot(q, np.asarray(n.embedding) / np.linalg.norm(n.embedding))), n.node_id) for n in nodes]
    return [i for _, i in sorted(scored, key=lambda t: (-t[0], t[1]))]


class LlamaIndexVectorStoreTests:
    """Subclass and provide ``vector_store`` (an empty store that keeps text)."""

    @abstractmethod
    @pytest.fixture
    def vector_store(self) -> BasePydanticVectorStore: ...

    def query(self, store: BasePydanticVectorStore, text: str = "flow", **kwargs: Any) -> Any:
        kwargs.setdefault("similarity_top_k", len(CORPUS))
        return store.query(VectorStoreQuery(query_embedding=embed(text), query_str=text, **kwargs))

    # ---- emptiness and writes ----

    def test_empty_store_answers_nothing(self, vector_store: BasePydanticVectorStore) -> None:
        assert vector_store.stores_text
        result = self.query(vector_store)
        assert list(result.ids or []) == [] and list(result.nodes or []) == []
        assert vector_store.get_nodes() == []

    def test_add_returns_ids_and_leaves_nodes_as_they_were(self, vector_store: BasePydanticVectorStore) -> None:
        nodes = [n.model_copy(deep=True) for n in CORPUS[:3]]
        before = [n.model_dump() for n in nodes]
        assert vector_store.add(nodes) == ["n1", "n2", "n3"]
        assert [n.model_dump() for n in nodes] == before

    def test_store_is_still_empty(self, vector_store: BasePydanticVectorStore) -> None:
        assert list(self.query(vector_store).ids or []) == []

    def test_nodes_come_back_whole(self, vector_store: BasePydanticVectorStore) -> None:
        vector_store.add(CORPUS)
        result = self.query(vector_store, similarity_top_k=len(CORPUS))
        by_id = {n.node_id: n for n in result.nodes}
        for original in CORPUS:
            got = by_id[original.node_id]
            assert got.get_content() == original.get_content()
            assert got.metadata == original.metadata
            assert got.ref_doc_id == original.ref_doc_id

    def test_default_query_ranks_by_cosine(self, vector_store: BasePydanticVectorStore) -> None:
        vector_store.add(CORPUS)
        for text in ("flow", "heat transfer", "wing"):
            result = self.query(vector_store, text, similarity_top_k=5)
            assert list(result.ids) == cosine_ranking(embed(text), CORPUS)[:5]
            assert list(result.similarities) == sorted(result.similarities, reverse=True)

    def test_adding_again_replaces(self, vector_store: BasePydanticVectorStore) -> None:
        vector_store.add(CORPUS[:2])
        vector_store.add(CORPUS[:2])
        assert len(vector_store.get_nodes()) == 2
        changed = node("n1", "an entirely new text", "d9", year=2000)
        vector_store.add([changed])
        (got,) = vector_store.get_nodes(node_ids=["n1"])
        assert got.get_content() == "an entirely new text" and got.metadata == {"year": 2000} and got.ref_doc_id == "d9"
        assert self.query(vector_store, "an entirely new text", similarity_top_k=1).ids == ["n1"]

    def test_delete_by_ref_doc_id(self, vector_store: BasePydanticVectorStore) -> None:
        vector_store.add(CORPUS)
        vector_store.delete("d1")
        left = {n.node_id for n in vector_store.get_nodes()}
        assert left == {n.node_id for n in CORPUS} - {"n1", "n2", "n3"}
        vector_store.delete("no-such-document")  # nothing to delete is not an error
        assert len(vector_store.get_nodes()) == len(left)

    def test_delete_nodes_by_ids_filters_or_both(self, vector_store: BasePydanticVectorStore) -> None:
        vector_store.add(CORPUS)
        vector_store.delete_nodes(node_ids=["n1", "missing"])
        lang_en = MetadataFilters(filters=[MetadataFilter(key="lang", value="en")])
        vector_store.delete_nodes(node_ids=["n2", "n3"], filters=lang_en)  # n3 is German: stays
        vector_store.delete_nodes(
            filters=MetadataFilters(filters=[MetadataFilter(key="year", value=1970, operator=">=")])
        )
        left = {n.node_id for n in vector_store.get_nodes()}
        assert left == {n.node_id for n in CORPUS} - {"n1", "n2", "n4"}

    def test_get_nodes_by_ids_and_filters(self, vector_store: BasePydanticVectorStore) -> None:
        vector_store.add(CORPUS)
        assert [n.node_id for n in vector_store.get_nodes(node_ids=["n5", "nope", "n2"])] == ["n5", "n2"]
        german = MetadataFilters(filters=[MetadataFilter(key="lang", value="de")])
        assert {n.node_id for n in vector_store.get_nodes(filters=german)} == {"n3", "n7"}
        assert [n.node_id for n in vector_store.get_nodes(node_ids=["n3", "n1"], filters=german)] == ["n3"]
        got = vector_store.get_nodes(node_ids=["n1"])[0]
        unit = np.asarray(CORPUS[0].embedding) / np.linalg.norm(CORPUS[0].embedding)
        assert np.allclose(np.asarray(got.embedding) / np.linalg.norm(got.embedding), unit, atol=1e-5)

    def test_clear(self, vector_store: BasePydanticVectorStore) -> None:
        vector_store.add(CORPUS)
        vector_store.clear()
        assert vector_store.get_nodes() == [] and list(self.query(vector_store).ids or []) == []
        vector_store.add(CORPUS[:1])
        assert [n.node_id for n in vector_store.get_nodes()] == ["n1"]

    # ---- filters ----

    @pytest.mark.parametrize(("name", "leaf"), leaf_cases(), ids=[c[0] for c in leaf_cases()])
    def test_every_operator_as_llama_index_defines_it(
        self, vector_store: BasePydanticVectorStore, name: str, leaf: MetadataFilter
    ) -> None:
        vector_store.add(CORPUS)
        filters = MetadataFilters(filters=[leaf])
        assert set(self.query(vector_store, filters=filters).ids or []) == expected_ids(filters), name
        assert {n.node_id for n in vector_store.get_nodes(filters=filters)} == expected_ids(filters), name

    def test_nested_and_or_not(self, vector_store: BasePydanticVectorStore) -> None:
        vector_store.add(CORPUS)
        op = FilterOperator
        old = MetadataFilter(key="year", value=1962, operator=op.LT)
        english = MetadataFilter(key="lang", value="en")
        flow = MetadataFilter(key="tags", value="flow", operator=op.CONTAINS)
        neither = MetadataFilters(filters=[MetadataFilters(filters=[flow, old], condition="or")], condition="not")
        cases = [
            MetadataFilters(filters=[english, MetadataFilters(filters=[old, flow], condition="or")]),
            MetadataFilters(filters=[MetadataFilters(filters=[english, old]), flow], condition="or"),
            MetadataFilters(filters=[english, flow], condition="not"),
            MetadataFilters(filters=[MetadataFilters(filters=[old], condition="not"), english]),
            MetadataFilters(filters=[neither]),
        ]  # fmt: skip
        for filters in cases:
            assert set(self.query(vector_store, filters=filters).ids or []) == expected_ids(filters), filters

    def test_filters_keep_top_k_full(self, vector_store: BasePydanticVectorStore) -> None:
        vector_store.add(CORPUS)
        english = MetadataFilters(filters=[MetadataFilter(key="lang", value="en")])
        result = self.query(vector_store, "heat", similarity_top_k=3, filters=english)
        allowed = [n for n in CORPUS if n.metadata.get("lang") == "en"]
        assert list(result.ids) == cosine_ranking(embed("heat"), allowed)[:3]

    def test_doc_ids_and_node_ids_restrict_the_search(self, vector_store: BasePydanticVectorStore) -> None:
        vector_store.add(CORPUS)
        assert set(self.query(vector_store, doc_ids=["d2"]).ids) == {"n4", "n5", "n6"}
        assert set(self.query(vector_store, node_ids=["n1", "n9"]).ids) == {"n1", "n9"}
        # Empty lists restrict nothing: VectorStoreIndex's retriever sends node_ids=[] to
        # stores that keep their own nodes (SimpleVectorStore reads it the same way).
        assert len(self.query(vector_store, node_ids=[], doc_ids=[]).ids) == len(CORPUS)

    def test_list_fields_refuse_scalar_comparisons(self, vector_store: BasePydanticVectorStore) -> None:
        vector_store.add(CORPUS)
        with pytest.raises(ValueError, match="'tags' holds lists"):
            self.query(vector_store, filters=MetadataFilters(filters=[MetadataFilter(key="tags", value="flow")]))

    # ---- modes ----

    def test_text_search_and_sparse_are_lexical(self, vector_store: BasePydanticVectorStore) -> None:
        vector_store.add(CORPUS)
        for mode in (VectorStoreQueryMode.TEXT_SEARCH, VectorStoreQueryMode.SPARSE):
            result = vector_store.query(VectorStoreQuery(query_str="shock tube", similarity_top_k=3, mode=mode))
            assert result.ids[0] == "n9"
            assert all("shock" in n.get_content() or "tube" in n.get_content() for n in result.nodes)

    def test_hybrid_alpha_moves_from_lexical_to_dense(self, vector_store: BasePydanticVectorStore) -> None:
        vector_store.add(CORPUS)
        text = "laminar flow"

        def run(mode: VectorStoreQueryMode, alpha: float | None = None) -> list[str]:
            q = VectorStoreQuery(
                query_embedding=embed(text), query_str=text, similarity_top_k=4, mode=mode, alpha=alpha
            )
            return list(vector_store.query(q).ids)

        lexical, dense = run(VectorStoreQueryMode.TEXT_SEARCH), run(VectorStoreQueryMode.DEFAULT)
        assert run(VectorStoreQueryMode.HYBRID, 0.0) == lexical
        assert run(VectorStoreQueryMode.HYBRID, 1.0) == dense
        mixed = run(VectorStoreQueryMode.HYBRID, 0.5)
        assert set(mixed) <= set(lexical) | set(dense) | {n.node_id for n in CORPUS}
        assert len(run(VectorStoreQueryMode.HYBRID)) == 4  # no alpha: reciprocal rank fusion

    def test_mmr(self, vector_store: BasePydanticVectorStore) -> None:
        twins = [node(f"t{i}", "exactly the same text") for i in range(3)]
        vector_store.add([*CORPUS, *twins])
        q = VectorStoreQuery(query_embedding=embed("exactly the same text"), similarity_top_k=3, mode="mmr")
        relevance_only = vector_store.query(q, mmr_threshold=1.0)
        assert set(relevance_only.ids) == {"t0", "t1", "t2"}
        diverse = vector_store.query(q, mmr_threshold=0.1)
        assert len(set(diverse.ids) & {"t0", "t1", "t2"}) == 1  # one twin, then other documents

    def test_missing_query_inputs_are_named(self, vector_store: BasePydanticVectorStore) -> None:
        vector_store.add(CORPUS[:2])
        with pytest.raises(ValueError, match="query_embedding"):
            vector_store.query(VectorStoreQuery(query_str="x", similarity_top_k=1))
        with pytest.raises(ValueError, match="query_str"):
            vector_store.query(VectorStoreQuery(query_embedding=embed("x"), mode="text_search"))

    def test_bad_nodes_change_nothing(self, vector_store: BasePydanticVectorStore) -> None:
        vector_store.add(CORPUS[:2])
        no_embedding = TextNode(id_="x", text="no vector")
        with pytest.raises(ValueError, match="has no embedding"):
            vector_store.add([CORPUS[2], no_embedding])
        with pytest.raises(ValueError, match="has no text"):
            vector_store.add([TextNode(id_="y", text="  ", embedding=embed("y"))])
        assert {n.node_id for n in vector_store.get_nodes()} == {"n1", "n2"}

    # ---- async ----

    async def test_async_variants(self, vector_store: BasePydanticVectorStore) -> None:
        assert await vector_store.async_add(CORPUS) == [n.node_id for n in CORPUS]
        result = await vector_store.aquery(VectorStoreQuery(query_embedding=embed("wing"), similarity_top_k=2))
        assert list(result.ids) == cosine_ranking(embed("wing"), CORPUS)[:2]
        await vector_store.adelete("d3")
        await vector_store.adelete_nodes(node_ids=["n1"])
        assert {n.node_id for n in await vector_store.aget_nodes()} == {n.node_id for n in CORPUS} - {
            "n1",
            "n7",
            "n8",
            "n9",
        }
        await vector_store.aclear()
        assert await vector_store.aget_nodes() == []

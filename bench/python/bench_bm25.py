"""BM25 speed side by side: ragkernel against bm25s (numpy and numba backends), tantivy and
rank-bm25, on the same texts and queries, in one process, interleaved, best of N.

Corpora: the bundled Cranfield and CISI; passages of the Linux kernel documentation (Debian
package linux-doc, ~170k passages); a seeded synthetic Zipfian corpus (1M documents by default).
Every engine indexes on one thread, analysis included (ragkernel and bm25s use the same
analysis: bm25s's token rule, stopwords and the Snowball English stemmer; tantivy its en_stem
tokenizer). Query speed is one thread: "pre-analysed" takes token lists (tantivy has no such
entry point), "end-to-end" takes query strings from Python.

    python bench/python/bench_bm25.py [--corpora cranfield,cisi,linux-doc,zipf] [--zipf-docs 1000000]
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import bm25s  # noqa: E402
import numpy as np  # noqa: E402
import Stemmer  # noqa: E402

import bm25_corpora  # noqa: E402
import ragkernel as rk  # noqa: E402

try:
    import tantivy
except ImportError:  # pragma: no cover - optional anchor
    tantivy = None
try:
    import rank_bm25
except ImportError:  # pragma: no cover - optional anchor
    rank_bm25 = None
try:
    import numba  # noqa: F401

    HAVE_NUMBA = True
except ImportError:  # pragma: no cover
    HAVE_NUMBA = False

STEMMER = Stemmer.Stemmer("english")
RANK_BM25_MAX_DOCS = 20_000  # rank-bm25 scores every document in Python per query


def bm25s_tokens(texts: list[str]) -> list[list[str]]:
    out: list[list[str]] = bm25s.tokenize(texts, stopwords="en", stemmer=STEMMER, return_ids=False, show_progress=False)
    return out


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


class Ragkernel:
    name = "ragkernel"

    def index(self, c: bm25_corpora.Corpus) -> None:
        self.idx = rk.BM25Index("bm25s")
        self.idx.add(c.ids, c.texts, threads=1)

    def warm(self, q_tokens: list[list[str]]) -> None:  # fills the impact caches once
        self.idx.search_arrays(q_tokens, 10, threads=1)

    # Arrays out, as bm25s returns them; search() building (id, score) tuples costs ~60 ns a hit.
    def pre(self, q_tokens: list[list[str]], k: int) -> None:
        self.idx.search_arrays(q_tokens, k, threads=1)

    def e2e(self, queries: list[str], k: int, threads: int = 1) -> None:
        self.idx.search_arrays(queries, k, threads=threads)

    def memory(self) -> int:
        return int(self.idx.stats()["memory_bytes"])


class Bm25s:
    def __init__(self, backend: str) -> None:
        self.backend = backend
        self.name = f"bm25s-{backend}"

    def index(self, c: bm25_corpora.Corpus) -> None:
        self.model = bm25s.BM25(backend=self.backend)
        self.model.index(
            bm25s.tokenize(c.texts, stopwords="en", stemmer=STEMMER, show_progress=False), show_progress=False
        )

    def warm(self, q_tokens: list[list[str]]) -> None:  # numba compiles on first use
        self.pre(q_tokens[:2], 10)

    def pre(self, q_tokens: list[list[str]], k: int) -> None:
        self.model.retrieve(q_tokens, k=k, n_threads=1, show_progress=False)

    def e2e(self, queries: list[str], k: int) -> None:
        tokens = bm25s.tokenize(queries, stopwords="en", stemmer=STEMMER, show_progress=False, return_ids=False)
        self.model.retrieve(tokens, k=k, n_threads=1, show_progress=False)

    def memory(self) -> int:
        # Score matrix arrays plus the vocabulary dict (keys and the dict itself).
        arrays = [v for v in self.model.scores.values() if isinstance(v, np.ndarray)]
        vocab = self.model.vocab_dict
        return int(sum(a.nbytes for a in arrays) + sys.getsizeof(vocab) + sum(sys.getsizeof(t) for t in vocab))


class Tantivy:
    name = "tantivy"

    def index(self, c: bm25_corpora.Corpus) -> None:
        if hasattr(self, "dir"):
            shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = tempfile.mkdtemp(prefix="bench-tantivy-")
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("body", stored=False, tokenizer_name="en_stem")
        self.index_ = tantivy.Index(builder.build(), path=self.dir)
        writer = self.index_.writer(heap_size=256_000_000, num_threads=1)
        for text in c.texts:
            writer.add_document(tantivy.Document(body=text))
        writer.commit()
        writer.wait_merging_threads()
        self.index_.reload()
        self.searcher = self.index_.searcher()

    def warm(self, q_tokens: list[list[str]]) -> None:
        pass

    def e2e(self, queries: list[str], k: int) -> None:
        for q in queries:
            # The query parser gives meaning to punctuation; keep words only.
            self.searcher.search(self.index_.parse_query(" ".join(re.findall(r"\w+", q)) or "x", ["body"]), k)

    def memory(self) -> int:
        return sum(f.stat().st_size for f in __import__("pathlib").Path(self.dir).rglob("*") if f.is_file())


class RankBm25:
    name = "rank-bm25"

    def index(self, c: bm25_corpora.Corpus) -> None:
        self.model = rank_bm25.BM25Okapi(bm25s_tokens(c.texts))

    def warm(self, q_tokens: list[list[str]]) -> None:
        pass

    def pre(self, q_tokens: list[list[str]], k: int) -> None:
        for q in q_tokens:
            scores = self.model.get_scores(q)
            np.argpartition(-scores, min(k, len(scores) - 1))[:k]

    def memory(self) -> int:
        return 0


def run(c: bm25_corpora.Corpus, repeats: int, index_repeats: int, threads: int) -> None:
    engines: list[Any] = [Ragkernel(), Bm25s("numpy")]
    if HAVE_NUMBA:
        engines.append(Bm25s("numba"))
    if tantivy is not None:
        engines.append(Tantivy())
    if rank_bm25 is not None and len(c.texts) <= RANK_BM25_MAX_DOCS:
        engines.append(RankBm25())
    q_tokens = bm25s_tokens(c.queries)
    n_docs, n_q = len(c.texts), len(c.queries)
    print(f"\n### {c.name}: {n_docs:,} documents, {c.note}\n")

    index_s = {e.name: float("inf") for e in engines}
    for _ in range(index_repeats):
        for e in engines:
            index_s[e.name] = min(index_s[e.name], timed(lambda e=e: e.index(c)))
    for e in engines:
        e.warm(q_tokens)

    rows: dict[str, dict[str, float]] = {e.name: {} for e in engines}
    for _ in range(repeats):
        for k in (10, 1000):
            for e in engines:
                if hasattr(e, "pre"):
                    t = timed(lambda e=e, k=k: e.pre(q_tokens, k))
                    rows[e.name][f"pre{k}"] = max(rows[e.name].get(f"pre{k}", 0.0), n_q / t)
                if hasattr(e, "e2e"):
                    t = timed(lambda e=e, k=k: e.e2e(c.queries, k))
                    rows[e.name][f"e2e{k}"] = max(rows[e.name].get(f"e2e{k}", 0.0), n_q / t)
    rk_engine = engines[0]
    par = 0.0
    for _ in range(repeats):
        par = max(par, n_q / timed(lambda: rk_engine.e2e(c.queries, 10, threads=threads)))

    def cell(name: str, key: str) -> str:
        v = rows[name].get(key)
        return "-" if v is None else f"{v:,.0f}"

    print(
        "| engine | index docs/s | memory MB | QPS k=10 pre-analysed | QPS k=10 end-to-end | "
        "QPS k=1000 pre-analysed | QPS k=1000 end-to-end |"
    )
    print("|---|---|---|---|---|---|---|")
    for e in engines:
        mem = f"{e.memory() / 1e6:,.1f}" + (" (disk)" if e.name == "tantivy" else "")
        speeds = " | ".join(cell(e.name, key) for key in ("pre10", "e2e10", "pre1000", "e2e1000"))
        print(f"| {e.name} | {n_docs / index_s[e.name]:,.0f} | {mem} | {speeds} |")
    print(f"\nragkernel end-to-end k=10 on {threads} threads (batch, GIL released): {par:,.0f} QPS")
    base = rows["ragkernel"]
    print("\nratios (ragkernel / anchor):")
    for e in engines[1:]:
        parts = [f"index {index_s[e.name] / index_s['ragkernel']:.1f}x"]
        for key in ("pre10", "e2e10", "pre1000", "e2e1000"):
            if key in rows[e.name]:
                parts.append(f"{key} {base[key] / rows[e.name][key]:.1f}x")
        print(f"  vs {e.name}: " + ", ".join(parts))
    for e in engines:
        if isinstance(e, Tantivy):
            shutil.rmtree(e.dir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", default="cranfield,cisi,linux-doc,zipf")
    parser.add_argument("--zipf-docs", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=1000, help="queries for the large corpora")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2, help="threads for the batch row")
    args = parser.parse_args()
    print(
        f"ragkernel {rk.__version__}, bm25s {bm25s.__version__}, numba {'yes' if HAVE_NUMBA else 'no'}, "
        f"tantivy {'yes' if tantivy else 'no'}, rank-bm25 {'yes' if rank_bm25 else 'no'}; one thread unless noted"
    )
    for name in args.corpora.split(","):
        if name in ("cranfield", "cisi", "adi"):
            run(bm25_corpora.bundled(name), args.repeats, args.repeats, args.threads)
        elif name == "linux-doc":
            c = bm25_corpora.linux_doc(args.queries)
            if c is None:
                print("\nlinux-doc: not installed (apt-get install linux-doc); skipped")
                continue
            run(c, args.repeats, 1, args.threads)
        elif name == "zipf":
            run(bm25_corpora.zipf(args.zipf_docs, args.queries), args.repeats, 1, args.threads)
        else:
            raise SystemExit(f"unknown corpus {name!r}")


if __name__ == "__main__":
    main()

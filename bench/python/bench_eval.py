"""IR metrics on a seeded synthetic golden set: ragkernel vs pytrec_eval vs ranx vs ir-measures.

10k queries x 1000 retrieved documents, 6 metrics (map, ndcg@10, P@10, recall@100, MRR, ndcg),
the same run for every tool; timings are best-of-N with the tools interleaved, and the values
are checked to agree before anything is timed. Then the Fisher randomization test at
10k permutations x 1k queries x 5 systems.

    python bench/python/bench_eval.py [--queries 10000] [--depth 1000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import ragkernel as rk

TREC = ["map", "ndcg_cut_10", "P_10", "recall_100", "recip_rank", "ndcg"]
RANX = ["map", "ndcg@10", "precision@10", "recall@100", "mrr", "ndcg"]


def synthetic(queries: int, depth: int, seed: int = 0) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, float]]]:
    """Each query retrieves `depth` of 100k documents; 12 are judged (grades 0-3), most retrieved."""
    rng = np.random.default_rng(seed)
    names = [f"doc{i}" for i in range(100_000)]  # shared str objects keep the dicts small
    qrels: dict[str, dict[str, int]] = {}
    run: dict[str, dict[str, float]] = {}
    for q in range(queries):
        qid = f"q{q}"
        docs = rng.choice(100_000, size=depth + 4, replace=False)
        scores = rng.random(depth)
        run[qid] = {names[d]: float(s) for d, s in zip(docs[:depth], scores, strict=True)}
        judged = np.concatenate([docs[rng.choice(depth, size=8, replace=False)], docs[depth:]])
        qrels[qid] = {names[d]: int(g) for d, g in zip(judged, rng.integers(0, 4, size=12), strict=True)}
    return qrels, run


def best(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=10_000)
    parser.add_argument("--depth", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    import ir_measures
    import pytrec_eval
    from ranx import Qrels as RanxQrels
    from ranx import Run as RanxRun
    from ranx import evaluate as ranx_evaluate

    qrels, run = synthetic(args.queries, args.depth)
    entries = sum(len(d) for d in run.values())
    print(
        f"{args.queries} queries x {args.depth} docs = {entries / 1e6:.1f}M entries, 6 metrics, threads: "
        f"{rk.build_info()['openmp_max_threads']}"
    )

    # Cold: the first call of each tool, compile or warm-up included.
    start = time.perf_counter()
    ours = rk.evaluate(qrels, run, metrics=TREC)
    cold_rk = time.perf_counter() - start
    start = time.perf_counter()
    ranx_qrels, ranx_run = RanxQrels(qrels), RanxRun(run)
    ranx_prepare = time.perf_counter() - start
    start = time.perf_counter()
    theirs = ranx_evaluate(ranx_qrels, ranx_run, RANX)
    cold_ranx = time.perf_counter() - start

    def run_pytrec() -> dict[str, float]:
        evaluator = pytrec_eval.RelevanceEvaluator(qrels, set(TREC))
        per_query = evaluator.evaluate(run)
        return {m: float(np.mean([v[m] for v in per_query.values()])) for m in TREC}

    measures = [ir_measures.parse_measure(m) for m in ("AP", "nDCG@10", "P@10", "R@100", "RR", "nDCG")]

    def run_ir_measures() -> dict[Any, float]:
        return dict(ir_measures.calc_aggregate(measures, qrels, run))

    rk_qrels, rk_run = rk.eval.Qrels.from_dict(qrels), rk.eval.Run.from_dict(run)
    tools: dict[str, Callable[[], Any]] = {
        "ragkernel (from dicts)": lambda: rk.evaluate(qrels, run, metrics=TREC),
        "ragkernel (prepared)": lambda: rk.evaluate(rk_qrels, rk_run, metrics=TREC),
        "pytrec_eval (from dicts)": run_pytrec,
        "ranx warm (prepared)": lambda: ranx_evaluate(ranx_qrels, ranx_run, RANX),
        "ranx (from dicts)": lambda: ranx_evaluate(RanxQrels(qrels), RanxRun(run), RANX),
        "ir-measures (from dicts)": run_ir_measures,
    }
    # Agreement first: the same run must give the same numbers everywhere.
    reference = run_pytrec()
    for m, r in zip(TREC, RANX, strict=True):
        assert abs(ours[m] - reference[m]) < 1e-9, (m, ours[m], reference[m])
        assert abs(theirs[r] - reference[m]) < 1e-6, (r, theirs[r], reference[m])

    timings = {name: float("inf") for name in tools}
    for _ in range(args.repeats):  # interleaved, best of N
        for name, fn in tools.items():
            seconds, _ = best(fn, 1)
            timings[name] = min(timings[name], seconds)
    base = timings["ragkernel (from dicts)"]
    print(f"{'tool':<26} {'best s':>8} {'vs ragkernel (from dicts)':>26}")
    for name, seconds in timings.items():
        print(f"{name:<26} {seconds:8.3f} {seconds / base:25.1f}x")
    print(
        f"first call: ragkernel {cold_rk:.3f} s; ranx {cold_ranx:.3f} s (JIT compile) + {ranx_prepare:.3f} s "
        "to build its Qrels/Run"
    )
    print(
        f"ratios: pytrec_eval / ragkernel = {timings['pytrec_eval (from dicts)'] / base:.1f}x; "
        f"ranx warm / ragkernel prepared = {timings['ranx warm (prepared)'] / timings['ragkernel (prepared)']:.2f}x; "
        f"ranx warm / ragkernel from dicts = {timings['ranx warm (prepared)'] / base:.2f}x"
    )

    rng = np.random.default_rng(1)
    baseline = rng.random(1000)
    systems = np.clip(baseline + rng.normal(0.01, 0.1, size=(5, 1000)), 0, 1)
    rk.eval.randomization_tests(systems, baseline, permutations=100, seed=42)
    seconds, results = best(lambda: rk.eval.randomization_tests(systems, baseline, permutations=10_000, seed=42), 5)
    print(
        f"randomization test, 10k permutations x 1k queries x 5 systems: {seconds:.3f} s "
        f"(p-values {', '.join(f'{r.p_value:.4f}' for r in results)})"
    )


if __name__ == "__main__":
    main()

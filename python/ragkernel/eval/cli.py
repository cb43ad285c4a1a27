"""``ragkernel eval``: score a run on a golden set, compare it with a baseline, gate CI.

    ragkernel eval --golden DIR --run RUN [--baseline BASE.json|RUN]
                   [--fail-under ndcg@10=0.40] [--fail-on-regression ndcg@10:0.01]
                   [--report report.html] [--save-baseline BASE.json]

Exit codes: 0 every check passed, 1 a check failed, 2 bad input (missing file, malformed
line, unknown metric).
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
from typing import Any

from ragkernel.eval.compare import compare_scores
from ragkernel.eval.gate import gate
from ragkernel.eval.ir import DEFAULT_METRICS
from ragkernel.eval.report import Report

__all__ = ["register"]

EXIT_FAILED = 1


def register(sub: Any) -> None:
    """Add the ``eval`` subcommand to the ``ragkernel`` parser's subparsers."""
    p = sub.add_parser(
        "eval",
        help="score a run on a golden set; gate on floors and significant regressions",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--golden", required=True, metavar="DIR", help="golden set folder (BEIR layout)")
    p.add_argument("--split", default="test", help="qrels split: qrels/SPLIT.tsv (default: test)")
    p.add_argument(
        "--run", dest="run_file", required=True, metavar="RUN", help="TREC run file (query Q0 doc rank score tag)"
    )
    p.add_argument("--name", default="candidate", help="the run's name in the report")
    p.add_argument("--baseline", metavar="BASE", help="a JSON report saved with --save-baseline, or a TREC run")
    p.add_argument("--baseline-system", help="which system of a multi-system baseline report to use")
    p.add_argument(
        "--metrics",
        default=",".join(DEFAULT_METRICS),
        help=f"comma-separated metrics to report (default: {','.join(DEFAULT_METRICS)})",
    )
    p.add_argument("--fail-under", action="append", default=[], metavar="METRIC=MIN", help="fail if a mean is below")
    p.add_argument(
        "--fail-on-regression",
        action="append",
        default=[],
        metavar="METRIC:TOL",
        help="fail if the metric drops by more than TOL against the baseline and the drop is significant",
    )
    p.add_argument("--alpha", type=float, default=0.05, help="significance level (default: 0.05)")
    p.add_argument("--test", choices=["randomization", "t-test"], default="randomization")
    p.add_argument("--permutations", type=int, default=10_000)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--relevance-level", type=int, default=1, help="lowest relevant grade (trec_eval -l)")
    p.add_argument("--remove-query-id", action="store_true", help="ignore hits whose id equals the query id")
    p.add_argument("--report", action="append", default=[], metavar="PATH", help="write a .json, .md or .html report")
    p.add_argument("--save-baseline", metavar="PATH", help="write this run's scores as a baseline JSON")
    p.set_defaults(run=_cmd_eval)


def _cmd_eval(args: argparse.Namespace) -> int:
    for path, what in ((args.golden, "golden set folder"), (args.run_file, "run file")):
        if not pathlib.Path(path).exists():
            raise FileNotFoundError(f"{what} {path} does not exist")
    from ragkernel.eval.trec import load_run

    result = gate(
        load_run(args.run_file),
        args.golden,
        fail_under=args.fail_under,
        fail_on_regression=args.fail_on_regression,
        baseline=args.baseline,
        baseline_system=args.baseline_system,
        metrics=[m for m in args.metrics.split(",") if m.strip()],
        name=args.name,
        test=args.test,
        alpha=args.alpha,
        permutations=args.permutations,
        seed=args.seed,
        relevance_level=args.relevance_level,
        remove_query_id=args.remove_query_id,
        split=args.split,
    )
    report = result.report()
    for path in args.report:
        report.save(path)
    if args.save_baseline:
        alone = compare_scores(
            {args.name: result.comparison.scores[args.name]},
            recall_curves={args.name: result.comparison.recall_curves.get(args.name, [])},
            golden_name=result.comparison.golden_name,
            settings=dict(result.comparison.settings),
        )
        Report(alone, title="ragkernel baseline").save(args.save_baseline)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2, sort_keys=True))
    else:
        print(result.to_markdown(), end="")
        if not result.passed:
            print(f"ragkernel eval: {len(result.failures)} check(s) failed", file=sys.stderr)
    return 0 if result.passed else EXIT_FAILED

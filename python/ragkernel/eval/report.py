"""Evaluation reports: JSON for machines, Markdown for pull-request comments, and one
self-contained HTML page with plots that also renders in notebooks.

The same inputs give the same bytes: keys are sorted, numbers are printed the same way, the
plots are hand-written SVG, and nothing depends on the time or on how many calls a run made
(judge usage is read from the responses, cached or not).
"""

from __future__ import annotations

import html
import json
import pathlib
from collections.abc import Mapping
from typing import Any

from ragkernel.eval.compare import Comparison
from ragkernel.eval.plots import bars_with_intervals, delta_bars, line_chart
from ragkernel.eval.samples import SampleScores

__all__ = ["Report", "comparison_markdown"]

SCHEMA = "ragkernel.eval.report/1"


def _fmt(value: float | None, digits: int = 4) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _p(value: float | None) -> str:
    if value is None:
        return ""
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def comparison_markdown(comparison: Comparison) -> str:
    """The comparison table in Markdown: mean [CI], and the significance mark."""
    s = comparison.settings
    lines = [
        f"| system | {' | '.join(comparison.metrics)} |",
        "|---|" + "---|" * len(comparison.metrics),
    ]
    for system in comparison.systems:
        cells = []
        for metric in comparison.metrics:
            c = comparison.cells[(system, metric)]
            text = f"{c.mean:.4f} [{c.ci_low:.3f}, {c.ci_high:.3f}]"
            if system != comparison.baseline:
                text += f" {c.delta:+.4f}{(' ' + c.mark) if c.mark else ''}"
            cells.append(text)
        name = f"{system} (baseline)" if system == comparison.baseline else system
        lines.append(f"| {name} | {' | '.join(cells)} |")
    test = "Fisher randomization" if s["test"] == "randomization" else "paired t-test"
    lines.append("")
    lines.append(
        f"{len(comparison.query_ids)} queries of {comparison.golden_name}. Mean [{s['confidence']:.0%} bootstrap CI]; "
        f"the delta is against the baseline; ▲/▼ = significantly better/worse ({test}, Holm-corrected, "
        f"alpha {s['alpha']})."
    )
    return "\n".join(lines)


class Report:
    """A report over a comparison of runs and/or per-system sample metrics (answers, judges).

    >>> import ragkernel as rk
    >>> table = rk.eval.compare({"a": {"q": {"d": 1.0}}}, {"q": {"d": 1}}, metrics=["map"])
    >>> rk.eval.Report(table).to_dict()["systems"]["a"]["means"]
    {'map': 1.0}
    """

    def __init__(
        self,
        comparison: Comparison | None = None,
        *,
        quality: Mapping[str, SampleScores] | None = None,
        title: str = "ragkernel evaluation",
    ) -> None:
        if comparison is None and not quality:
            raise ValueError("a report needs a comparison, quality scores, or both")
        self.comparison = comparison
        self.quality = dict(quality or {})
        self.title = title

    # ---- JSON -------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"schema": SCHEMA, "title": self.title}
        c = self.comparison
        if c is not None:
            out["golden"] = c.golden_name
            out["num_queries"] = len(c.query_ids)
            out["baseline"] = c.baseline
            out["metrics"] = list(c.metrics)
            out["settings"] = c.settings
            systems: dict[str, Any] = {}
            for system in c.systems:
                cells = {m: c.cells[(system, m)] for m in c.metrics}
                scores = c.scores[system]
                systems[system] = {
                    "means": {m: cell.mean for m, cell in cells.items()},
                    "ci": {m: [cell.ci_low, cell.ci_high] for m, cell in cells.items()},
                    "delta": {m: cell.delta for m, cell in cells.items()},
                    "p_value": {m: cell.p_value for m, cell in cells.items()},
                    "significant": {m: cell.significant for m, cell in cells.items()},
                    "per_query": {
                        m: dict(zip(scores.query_ids, scores.column(m).tolist(), strict=True)) for m in c.metrics
                    },
                }
            out["systems"] = systems
            out["recall_curves"] = {s: [[k, v] for k, v in points] for s, points in c.recall_curves.items()}
        if self.quality:
            out["quality"] = {system: scores.to_dict() for system, scores in self.quality.items()}
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"

    # ---- Markdown -----------------------------------------------------------------------------
    def _quality_markdown(self) -> list[str]:
        metrics = sorted({m for scores in self.quality.values() for m in scores.values})
        lines = [
            "",
            "### Answers and judges",
            "",
            f"| system | {' | '.join(metrics)} |",
            "|---|" + "---|" * len(metrics),
        ]
        for system, scores in self.quality.items():
            summary = scores.summary()
            cells = []
            for m in metrics:
                if m not in summary:
                    cells.append("")
                    continue
                s = summary[m]
                cells.append(_fmt(s.mean) + (f" ({s.unmeasured} unmeasured)" if s.unmeasured else ""))
            lines.append(f"| {system} | {' | '.join(cells)} |")
        for system, scores in self.quality.items():
            if scores.usage:
                u = scores.usage
                lines.append("")
                lines.append(
                    f"{system}: judge tokens {int(u.get('prompt_tokens', 0))} prompt + "
                    f"{int(u.get('completion_tokens', 0))} completion, cost {u.get('cost', 0.0):.4f}; prompts: "
                    + ", ".join(f"{k}: {v}" for k, v in sorted(scores.prompts.items()))
                )
        return lines

    def to_markdown(self) -> str:
        lines = [f"## {self.title}", ""]
        if self.comparison is not None:
            lines.append(comparison_markdown(self.comparison))
        if self.quality:
            lines += self._quality_markdown()
        return "\n".join(lines) + "\n"

    # ---- HTML ---------------------------------------------------------------------------------
    def _comparison_html(self, c: Comparison) -> list[str]:
        e = html.escape
        parts = [f"<p>{len(c.query_ids)} queries of <b>{e(c.golden_name)}</b>; baseline <b>{e(c.baseline)}</b>.</p>"]
        head = "".join(f"<th>{e(m)}</th>" for m in c.metrics)
        rows = []
        for system in c.systems:
            tds = []
            for m in c.metrics:
                cell = c.cells[(system, m)]
                css = ""
                if cell.significant:
                    css = ' class="up"' if cell.delta > 0 else ' class="down"'
                extra = ""
                if system != c.baseline:
                    extra = f"<br><small>{cell.delta:+.4f}, p {_p(cell.p_value)}</small>"
                tds.append(
                    f"<td{css}>{cell.mean:.4f} {e(cell.mark)}<br><small>[{cell.ci_low:.3f}, "
                    f"{cell.ci_high:.3f}]</small>{extra}</td>"
                )
            rows.append(f"<tr><th>{e(system)}</th>{''.join(tds)}</tr>")
        parts.append(f"<table><tr><th>system</th>{head}</tr>{''.join(rows)}</table>")
        s = c.settings
        test = "Fisher randomization" if s["test"] == "randomization" else "paired t-test"
        parts.append(
            f"<p><small>Mean with {s['confidence']:.0%} bootstrap interval ({s['bootstrap_resamples']} resamples); "
            f"▲/▼ significantly better/worse than the baseline ({test}, {s['permutations']} permutations, Holm, "
            f"alpha {s['alpha']}, seed {s['seed']}).</small></p>"
        )
        parts.append("<h3>Means with confidence intervals</h3>")
        parts.append(
            bars_with_intervals(
                list(c.metrics),
                list(c.systems),
                [[c.cells[(s, m)].mean for m in c.metrics] for s in c.systems],
                [[c.cells[(s, m)].ci_low for m in c.metrics] for s in c.systems],
                [[c.cells[(s, m)].ci_high for m in c.metrics] for s in c.systems],
                "mean per metric with confidence intervals",
            )
        )
        primary = c.metrics[0]
        others = [s for s in c.systems if s != c.baseline]
        if others:
            parts.append(f"<h3>Per-query {e(primary)} against {e(c.baseline)}</h3>")
            base = c.scores[c.baseline].column(primary)
            for system in others:
                deltas = (c.scores[system].column(primary) - base).tolist()
                parts.append(f"<h4>{e(system)}</h4>")
                parts.append(delta_bars(deltas, f"{system} minus {c.baseline}, {primary}", f"{system} vs {c.baseline}"))
        if c.recall_curves:
            parts.append("<h3>Recall at k</h3>")
            parts.append(line_chart(c.recall_curves, "recall at k", "k (retrieved documents)", "recall"))
        return parts

    def _quality_html(self) -> list[str]:
        e = html.escape
        metrics = sorted({m for scores in self.quality.values() for m in scores.values})
        head = "".join(f"<th>{e(m)}</th>" for m in metrics)
        rows = []
        for system, scores in self.quality.items():
            summary = scores.summary()
            tds = []
            for m in metrics:
                s = summary.get(m)
                if s is None:
                    tds.append("<td></td>")
                    continue
                note = f"<br><small>{s.unmeasured} unmeasured</small>" if s.unmeasured else ""
                tds.append(f"<td>{_fmt(s.mean)}<br><small>n={s.measured}</small>{note}</td>")
            rows.append(f"<tr><th>{e(system)}</th>{''.join(tds)}</tr>")
        parts = ["<h3>Answers and judges</h3>", f"<table><tr><th>system</th>{head}</tr>{''.join(rows)}</table>"]
        for system, scores in self.quality.items():
            if scores.usage or scores.prompts:
                u = scores.usage
                prompts = "; ".join(f"{e(k)}: {e(v)}" for k, v in sorted(scores.prompts.items()))
                parts.append(
                    f"<p><small>{e(system)}: {int(u.get('prompt_tokens', 0))} prompt + "
                    f"{int(u.get('completion_tokens', 0))} completion tokens, cost {u.get('cost', 0.0):.4f}. "
                    f"{prompts}</small></p>"
                )
        return parts

    def _body(self) -> str:
        parts = [f'<div class="ragkernel-report"><style>{_CSS}</style><h2>{html.escape(self.title)}</h2>']
        if self.comparison is not None:
            parts += self._comparison_html(self.comparison)
        if self.quality:
            parts += self._quality_html()
        parts.append("</div>")
        return "\n".join(parts)

    def to_html(self) -> str:
        """A complete, self-contained HTML page (inline CSS and SVG, no scripts, no network)."""
        return (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(self.title)}</title></head><body>\n{self._body()}\n</body></html>\n"
        )

    def _repr_html_(self) -> str:
        return self._body()

    def save(self, path: str | pathlib.Path) -> pathlib.Path:
        """Write the report; the format follows the suffix: ``.json``, ``.md`` or ``.html``."""
        target = pathlib.Path(path)
        writers = {".json": self.to_json, ".md": self.to_markdown, ".html": self.to_html, ".htm": self.to_html}
        if target.suffix not in writers:
            raise ValueError(f"cannot tell the format of {target.name}; use a .json, .md or .html suffix")
        target.write_text(writers[target.suffix](), encoding="utf-8")
        return target


_CSS = (
    ".ragkernel-report{font-family:sans-serif;font-size:14px}"
    ".ragkernel-report table{border-collapse:collapse;margin:8px 0}"
    ".ragkernel-report th,.ragkernel-report td{border:1px solid #ccc;padding:4px 8px;text-align:right}"
    ".ragkernel-report th{background:#f4f4f4}"
    ".ragkernel-report td.up{background:#e6f4ea}.ragkernel-report td.down{background:#fce8e6}"
)

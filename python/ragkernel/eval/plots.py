"""Small SVG charts for the HTML report: no plotting library, the same bytes for the same data.

Each function returns one ``<svg>`` element as a string. Coordinates are rounded to 0.01 so
the output depends only on the data.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape

__all__ = ["PALETTE", "bars_with_intervals", "delta_bars", "line_chart"]

PALETTE = ("#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860", "#DA8BC3", "#8C8C8C", "#CCB974", "#64B5CD")
_FONT = 'font-family="sans-serif" font-size="11"'


def _f(x: float) -> str:
    return f"{x:.2f}"


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )


def _legend(names: Sequence[str], x: float, y: float) -> list[str]:
    out = []
    for i, name in enumerate(names):
        yy = y + 16 * i
        color = PALETTE[i % len(PALETTE)]
        out.append(f'<rect x="{_f(x)}" y="{_f(yy - 9)}" width="10" height="10" fill="{color}"/>')
        out.append(f'<text x="{_f(x + 14)}" y="{_f(yy)}" {_FONT}>{escape(name)}</text>')
    return out


def _y_axis(left: float, top: float, height: float, lo: float, hi: float, ticks: int = 5) -> list[str]:
    out = [f'<line x1="{_f(left)}" y1="{_f(top)}" x2="{_f(left)}" y2="{_f(top + height)}" stroke="#333"/>']
    for t in range(ticks + 1):
        value = lo + (hi - lo) * t / ticks
        y = top + height - height * t / ticks
        out.append(f'<line x1="{_f(left - 4)}" y1="{_f(y)}" x2="{_f(left)}" y2="{_f(y)}" stroke="#333"/>')
        out.append(f'<line x1="{_f(left)}" y1="{_f(y)}" x2="100%" y2="{_f(y)}" stroke="#eee"/>')
        out.append(f'<text x="{_f(left - 6)}" y="{_f(y + 4)}" text-anchor="end" {_FONT}>{value:.2f}</text>')
    return out


def bars_with_intervals(
    groups: Sequence[str],
    series: Sequence[str],
    means: Sequence[Sequence[float]],
    lows: Sequence[Sequence[float]],
    highs: Sequence[Sequence[float]],
    title: str,
) -> str:
    """Grouped bars (one group per metric, one bar per system) with confidence whiskers.

    ``means[s][g]`` is system s on group g.
    """
    top_value = max([1e-9] + [h for row in highs for h in row] + [m for row in means for m in row])
    hi = min(1.0, math.ceil(top_value * 10) / 10) if top_value <= 1.0 else math.ceil(top_value)
    left, top, plot_h = 50.0, 20.0, 200.0
    group_w = max(60.0, 24.0 * len(series) + 20.0)
    width = int(left + group_w * len(groups) + 160)
    height = int(top + plot_h + 50)
    body = _y_axis(left, top, plot_h, 0.0, hi)
    bar_w = (group_w - 20.0) / max(1, len(series))
    for g, group in enumerate(groups):
        x0 = left + g * group_w + 10.0
        for s in range(len(series)):
            mean = means[s][g]
            x = x0 + s * bar_w
            y = top + plot_h - plot_h * mean / hi
            color = PALETTE[s % len(PALETTE)]
            body.append(
                f'<rect x="{_f(x)}" y="{_f(y)}" width="{_f(bar_w - 2)}" height="{_f(top + plot_h - y)}" '
                f'fill="{color}"><title>{escape(series[s])} {escape(group)}: {mean:.4f} '
                f"[{lows[s][g]:.4f}, {highs[s][g]:.4f}]</title></rect>"
            )
            cx = x + (bar_w - 2) / 2
            y_lo = top + plot_h - plot_h * lows[s][g] / hi
            y_hi = top + plot_h - plot_h * highs[s][g] / hi
            body.append(f'<line x1="{_f(cx)}" y1="{_f(y_lo)}" x2="{_f(cx)}" y2="{_f(y_hi)}" stroke="#222"/>')
            for yy in (y_lo, y_hi):
                body.append(f'<line x1="{_f(cx - 3)}" y1="{_f(yy)}" x2="{_f(cx + 3)}" y2="{_f(yy)}" stroke="#222"/>')
        body.append(
            f'<text x="{_f(x0 + (group_w - 20) / 2)}" y="{_f(top + plot_h + 16)}" text-anchor="middle" '
            f"{_FONT}>{escape(group)}</text>"
        )
    body += _legend(series, left + group_w * len(groups) + 20, top + 10)
    return _svg(width, height, title, body)


def delta_bars(deltas: Sequence[float], title: str, label: str) -> str:
    """One bar per query (sorted), up for gains and down for losses against the baseline."""
    left, top, plot_h = 50.0, 20.0, 160.0
    n = max(1, len(deltas))
    bar_w = max(1.0, min(8.0, 600.0 / n))
    width = int(left + bar_w * n + 30)
    height = int(top + plot_h + 40)
    extent = max([1e-9] + [abs(d) for d in deltas])
    extent = math.ceil(extent * 10) / 10
    body = _y_axis(left, top, plot_h, -extent, extent, ticks=4)
    zero = top + plot_h / 2
    body.append(f'<line x1="{_f(left)}" y1="{_f(zero)}" x2="{_f(left + bar_w * n)}" y2="{_f(zero)}" stroke="#333"/>')
    for i, d in enumerate(sorted(deltas)):
        h = (plot_h / 2) * abs(d) / extent
        y = zero - h if d > 0 else zero
        color = "#55A868" if d > 0 else "#C44E52"
        body.append(
            f'<rect x="{_f(left + i * bar_w)}" y="{_f(y)}" width="{_f(bar_w)}" height="{_f(h)}" fill="{color}"/>'
        )
    wins = sum(d > 0 for d in deltas)
    losses = sum(d < 0 for d in deltas)
    body.append(
        f'<text x="{_f(left)}" y="{_f(top + plot_h + 28)}" {_FONT}>{escape(label)}: {wins} better, {losses} worse, '
        f"{len(deltas) - wins - losses} tied</text>"
    )
    return _svg(width, height, title, body)


def line_chart(series: Mapping[str, Sequence[tuple[int, float]]], title: str, x_label: str, y_label: str) -> str:
    """Lines over a log-scaled x axis (recall at k)."""
    left, top, plot_w, plot_h = 50.0, 20.0, 420.0, 200.0
    xs = sorted({x for points in series.values() for x, _ in points})
    if not xs:
        return _svg(200, 40, title, [f'<text x="10" y="20" {_FONT}>no data</text>'])
    lo, hi = math.log(xs[0]), math.log(xs[-1]) if xs[-1] > xs[0] else math.log(xs[0]) + 1.0

    def px(x: float) -> float:
        return left + plot_w * (math.log(x) - lo) / (hi - lo)

    def py(y: float) -> float:
        return top + plot_h - plot_h * y

    body = _y_axis(left, top, plot_h, 0.0, 1.0)
    for x in xs:
        body.append(f'<text x="{_f(px(x))}" y="{_f(top + plot_h + 16)}" text-anchor="middle" {_FONT}>{x}</text>')
    for i, (name, points) in enumerate(series.items()):
        color = PALETTE[i % len(PALETTE)]
        path = " ".join(f"{_f(px(x))},{_f(py(y))}" for x, y in points)
        body.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"/>')
        for x, y in points:
            body.append(
                f'<circle cx="{_f(px(x))}" cy="{_f(py(y))}" r="2.5" fill="{color}">'
                f"<title>{escape(name)} {escape(y_label)}@{x}: {y:.4f}</title></circle>"
            )
    body.append(
        f'<text x="{_f(left + plot_w / 2)}" y="{_f(top + plot_h + 32)}" text-anchor="middle" {_FONT}>'
        f"{escape(x_label)}</text>"
    )
    body += _legend(list(series), left + plot_w + 20, top + 10)
    return _svg(int(left + plot_w + 160), int(top + plot_h + 44), title, body)

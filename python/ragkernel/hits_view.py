"""Hits for people and for tools: a notebook table, plain dicts, a pandas DataFrame.

These back ``Hits._repr_html_``, ``Hits.to_dicts`` and ``Hits.to_pandas``; they read only
each hit's ``id``, ``score``, ``text``, ``metadata`` and ``sources``.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from typing import Any

__all__ = ["to_dicts", "to_html", "to_pandas"]

SOURCES = ("bm25", "vector")
_CORE = ("rank", "id", "score", *(f"{s}_{part}" for s in SOURCES for part in ("score", "rank")), "text")


def to_dicts(hits: Sequence[Any]) -> list[dict[str, Any]]:
    """One dict per hit, best first: rank (1-based), id, score, text, metadata and, per source
    that returned the hit, its score and rank (``sources["bm25"] = {"score", "rank"}``)."""
    return [
        {
            "rank": n,
            "id": h.id,
            "score": float(h.score),
            "text": h.text,
            "metadata": dict(h.metadata or {}),
            "sources": {name: {"score": float(s), "rank": int(r)} for name, (s, r) in h.sources.items()},
        }
        for n, h in enumerate(hits, start=1)
    ]


def to_pandas(hits: Sequence[Any]) -> Any:
    """A DataFrame: rank, id, score, per-source score and rank (NaN / 0 when a source did not
    return the hit), text, then one column per metadata field (``metadata.<name>`` when the
    name is taken)."""
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("to_pandas needs pandas: pip install pandas") from None
    rows = []
    for n, h in enumerate(hits, start=1):
        row: dict[str, Any] = {"rank": n, "id": h.id, "score": float(h.score)}
        for source in SOURCES:
            score, rank = h.sources.get(source, (float("nan"), 0))
            row[f"{source}_score"], row[f"{source}_rank"] = float(score), int(rank)
        row["text"] = h.text
        for key, value in (h.metadata or {}).items():
            row[f"metadata.{key}" if key in _CORE else key] = value
        rows.append(row)
    return pd.DataFrame(rows, columns=None if rows else list(_CORE))


def _cell(value: Any, limit: int) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    short = text if len(text) <= limit else text[: limit - 1] + "…"
    return html.escape(short)


def to_html(hits: Sequence[Any], query: str | None = None, *, text_chars: int = 300) -> str:
    """A self-contained HTML table (what Jupyter shows for ``Hits``)."""
    head = "".join(f"<th>{h}</th>" for h in ("#", "score", "id", "bm25", "vector", "text", "metadata"))
    rows = []
    for n, h in enumerate(hits, start=1):
        ranks = []
        for source in SOURCES:
            if source in h.sources:
                score, rank = h.sources[source]
                ranks.append(f"<td>#{rank} <small>({score:.4g})</small></td>")
            else:
                ranks.append("<td>-</td>")
        rows.append(
            f"<tr><td>{n}</td><td>{h.score:.4f}</td><td><code>{html.escape(h.id)}</code></td>{''.join(ranks)}"
            f"<td style='text-align:left'>{_cell(h.text or '', text_chars)}</td>"
            f"<td style='text-align:left'><small>{_cell(h.metadata or {}, 160)}</small></td></tr>"
        )
    caption = f"<caption>{len(hits)} hits" + (f" for <b>{html.escape(query)}</b>" if query else "") + "</caption>"
    return (
        f"<table class='ragkernel-hits'>{caption}<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )

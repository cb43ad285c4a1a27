"""Per-query values of sample metrics (answers, judges), where a value may be unmeasured.

An unmeasured value (``None``: the judge's output could not be parsed, the sample has no
reference, ...) is counted apart and never enters a mean as 0 or NaN.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["MetricSummary", "SampleScores"]


@dataclass(frozen=True)
class MetricSummary:
    mean: float | None  # over measured samples; None if none was measured
    measured: int
    unmeasured: int

    def to_dict(self) -> dict[str, Any]:
        return {"mean": self.mean, "measured": self.measured, "unmeasured": self.unmeasured}


@dataclass
class SampleScores:
    """``values[metric][query_id]`` is a float, or ``None`` when unmeasured (see ``reasons``)."""

    values: dict[str, dict[str, float | None]] = field(default_factory=dict)
    reasons: dict[str, dict[str, str]] = field(default_factory=dict)  # why a value is unmeasured
    usage: dict[str, float] = field(default_factory=dict)  # tokens and cost, for judge metrics
    prompts: dict[str, str] = field(default_factory=dict)  # template name -> version and hash

    def set(self, metric: str, query_id: str, value: float | None, reason: str = "") -> None:
        if value is not None and (isinstance(value, bool) or not math.isfinite(value)):
            value, reason = None, reason or f"not a finite number: {value!r}"
        self.values.setdefault(metric, {})[query_id] = value
        if value is None:
            self.reasons.setdefault(metric, {})[query_id] = reason or "unmeasured"

    def summary(self) -> dict[str, MetricSummary]:
        out = {}
        for metric, per_query in self.values.items():
            measured = [v for v in per_query.values() if v is not None]
            mean = math.fsum(measured) / len(measured) if measured else None
            out[metric] = MetricSummary(mean, len(measured), len(per_query) - len(measured))
        return out

    def merge(self, other: SampleScores) -> SampleScores:
        """A new object with the metrics of both (``other`` wins on a clash)."""
        merged = SampleScores(
            {m: dict(v) for m, v in self.values.items()},
            {m: dict(v) for m, v in self.reasons.items()},
            dict(self.usage),
            dict(self.prompts),
        )
        for m, v in other.values.items():
            merged.values[m] = dict(v)
        for m, r in other.reasons.items():
            merged.reasons[m] = dict(r)
        for k, u in other.usage.items():
            merged.usage[k] = merged.usage.get(k, 0.0) + u
        merged.prompts.update(other.prompts)
        return merged

    def to_dict(self) -> dict[str, Any]:
        return {
            "summary": {m: s.to_dict() for m, s in self.summary().items()},
            "per_query": self.values,
            "unmeasured_reasons": self.reasons,
            "usage": self.usage,
            "prompts": self.prompts,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SampleScores:
        return cls(
            {m: dict(v) for m, v in data.get("per_query", {}).items()},
            {m: dict(v) for m, v in data.get("unmeasured_reasons", {}).items()},
            dict(data.get("usage", {})),
            dict(data.get("prompts", {})),
        )

"""Resolving ``--param`` values against the metrics' declared parameters."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from omnikpi.errors import UsageError
from omnikpi.metrics.base import Metric, all_metrics, get_metric


def resolve_params(metrics: list[Metric], raw: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Parameters per requested metric: defaults, then ``NAME=V``, then ``METRIC.NAME=V``.

    A value for a metric that is not in the report is still checked (a typo must not pass
    silently) and then ignored, so one parameter file can serve several reports.
    """
    resolved = {m.id: m.defaults() for m in metrics}
    every = all_metrics()
    for key, value in raw.items():
        if "." not in key:
            owners = [m for m in every if any(p.name == key for p in m.params)]
            if not owners:
                known = sorted({p.name for m in every for p in m.params})
                raise UsageError(
                    f"unknown parameter {key!r}; parameters: {', '.join(known)} "
                    "(or METRIC.NAME=VALUE)"
                )
            for owner in owners:
                parsed = owner.param(key).parse(owner.id, value)
                if owner.id in resolved:
                    resolved[owner.id][key] = parsed
    for key, value in raw.items():
        if "." in key:
            metric_id, name = key.split(".", 1)
            metric = get_metric(metric_id)
            parsed = metric.param(name).parse(metric_id, value)
            if metric_id in resolved:
                resolved[metric_id][name] = parsed
    return resolved


def parse_param_assignments(items: list[str]) -> dict[str, str]:
    """``["service_level.threshold_seconds=30", ...]`` → mapping, with a clear error."""
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(
                f"bad --param {item!r}: write METRIC.NAME=VALUE or NAME=VALUE, "
                "e.g. service_level.threshold_seconds=30"
            )
        out[key.strip()] = value.strip()
    return out

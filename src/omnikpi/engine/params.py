"""Resolving ``--param`` values against the metrics' declared parameters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from omnikpi.config import Config
from omnikpi.errors import UsageError
from omnikpi.metrics.base import Metric, ParamContext, all_metrics, get_metric
from omnikpi.schema.convert import quote
from omnikpi.schema.dataset import Dataset


@dataclass
class DataContext:
    """Where parameter defaults come from in a report: its configuration and its data."""

    config: Config
    dataset: Dataset

    def has_values(self, table: str, column: str) -> bool:
        """Whether a column holds any value (known from validation, else one query)."""
        empty = (self.dataset.empty or {}).get(table)
        if empty is not None:
            return column not in empty
        row = self.dataset.con.execute(
            f"SELECT count({quote(column)}) > 0 FROM {quote(table)}").fetchone()
        return bool(row and row[0])


def resolve_params(metrics: list[Metric], raw: Mapping[str, Any],
                   context: ParamContext | None = None) -> dict[str, dict[str, Any]]:
    """Parameters per requested metric: defaults (the declaration's, or what it takes from
    the configuration and the data in ``context``), then ``NAME=V``, then
    ``METRIC.NAME=V``.

    A value for a metric that is not in the report is still checked (a typo must not pass
    silently) and then ignored, so one parameter file can serve several reports.
    """
    resolved = {m.id: m.defaults(context) for m in metrics}
    every = all_metrics()
    for key, value in raw.items():
        if "." not in key:
            owners = [m for m in every if any(p.name == key and p.settable for p in m.params)]
            if not owners:
                known = sorted({p.name for m in every for p in m.params if p.settable})
                raise UsageError(
                    f"unknown parameter {key!r}; parameters: {', '.join(known)} "
                    "(or METRIC.NAME=VALUE)"
                )
            # ``per=logged_in`` is for the metrics of the report that have ``per``; two
            # metrics may give one name different choices, so a metric outside the report
            # does not judge the value — unless none in the report has it, when the value
            # must suit at least one metric that has (a typo must not pass silently)
            asked = [m for m in owners if m.id in resolved]
            for owner in asked:
                resolved[owner.id][key] = owner.param(key).parse(owner.id, value)
            if not asked:
                _suits_one(owners, key, value)
    for key, value in raw.items():
        if "." in key:
            metric_id, name = key.split(".", 1)
            metric = get_metric(metric_id)
            parsed = metric.param(name).parse(metric_id, value)
            if metric_id in resolved:
                resolved[metric_id][name] = parsed
    return resolved


def unread_param_notes(metric_ids: Sequence[str], raw: Mapping[str, Any]) -> list[str]:
    """Sentences naming the given parameters that no metric of the report reads.

    :func:`resolve_params` checks such a value and lets it pass (one parameter file serves
    several reports), but a person who typed ``--param threshold_seconds=20`` beside
    ``--metrics aht`` read the report as if the threshold had been applied: the report
    says it was not, and which metrics would have read it."""
    asked = set(metric_ids)
    notes = []
    for key in raw:
        metric_id, dot, name = key.rpartition(".")
        if dot:
            if metric_id not in asked:
                notes.append(f"parameter {key} is not applied: {metric_id} is not in the "
                             "report")
            elif (gate := _closed_gate(metric_id, name, raw)) is not None:
                notes.append(f"parameter {key} is not applied: {metric_id} reads it only "
                             f"with {gate}")
            continue
        owners = [m.id for m in all_metrics()
                  if any(p.name == name and p.settable for p in m.params)]
        if owners and not asked.intersection(owners):
            shown = ", ".join(owners[:5]) + (f" and {len(owners) - 5} more"
                                             if len(owners) > 5 else "")
            notes.append(f"parameter {name} is not applied: no metric of the report reads "
                         f"it (it is a parameter of {shown})")
            continue
        readers = [m for m in owners if m in asked]
        gates = [_closed_gate(m, name, raw) for m in readers]
        if readers and all(g is not None for g in gates):
            notes.append(f"parameter {name} is not applied: " + "; ".join(
                f"{m} reads it only with {g}" for m, g in zip(readers, gates, strict=True)))
    return notes


def _closed_gate(metric_id: str, name: str, raw: Mapping[str, Any]) -> str | None:
    """``"sales=all"`` when ``metric_id`` reads its parameter ``name`` only with that
    value of another parameter and the report gives (or defaults to) another one."""
    metric = get_metric(metric_id)
    param = next((p for p in metric.params if p.name == name), None)
    if param is None or param.read_only_with is None:
        return None
    other, needed = param.read_only_with
    given = raw.get(f"{metric_id}.{other}", raw.get(other, metric.param(other).default))
    return None if str(given).strip().lower() == needed else f"{other}={needed}"


def _suits_one(owners: list[Metric], name: str, value: Any) -> None:
    """Raise the first owner's error unless ``value`` is a good ``name`` for one of them."""
    first: UsageError | None = None
    for owner in owners:
        try:
            owner.param(name).parse(owner.id, value)
            return
        except UsageError as error:
            first = first or error
    if first is not None:
        raise first


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
        key, value = key.strip(), value.strip()
        if key in out and out[key] != value and not _same_number(out[key], value):
            # the last one silently won: a script that set a default and appended the
            # user's value could not tell which was used
            raise UsageError(f"--param {key} is given twice, as {out[key]!r} and "
                             f"{value!r}: give it once")
        out[key] = value
    return out


def _same_number(first: str, second: str) -> bool:
    """Whether two spellings are one number (``30`` and ``30.0``): not given twice."""
    try:
        return float(first) == float(second)
    except ValueError:
        return False

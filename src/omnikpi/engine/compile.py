"""Compiles a set of metric requests into one Ibis expression.

Each (source, booking) pair is aggregated once for all the metrics that read it; the
partial aggregates, which carry every metric's numerator and denominator sums, are
stacked and summed again per group, and the ratios are divided last with NULLIF. That is
what lets metrics with different booking rules (arrival vs end) and different sources
(contacts vs agent time) share one report row, and keeps every ratio pooled.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir

from omnikpi.engine.registry import SOURCES, check_cut, check_dimensions, check_filters
from omnikpi.engine.sources import KEY, SourceRequest, booking_key
from omnikpi.errors import UsageError
from omnikpi.metrics.base import Aggregate, ExprBuilder, Metric
from omnikpi.metrics.common import constant_of

NUM = "__num"
DEN = "__den"


@dataclass(frozen=True)
class MetricRequest:
    metric: Metric
    params: dict[str, Any]


@dataclass(frozen=True)
class _Part:
    column: str
    build: ExprBuilder
    params: dict[str, Any]
    aggregate: Aggregate


PartKey = tuple[str, str, tuple[tuple[str, object], ...]]


def _parts(requests: list[MetricRequest], by: list[str],
           where: dict[str, list[str]] | None = None) -> dict[PartKey, list[_Part]]:
    grouped: dict[PartKey, list[_Part]] = defaultdict(list)
    cuts = {*by, *(where or {})}
    for req in requests:
        m = req.metric
        check_cut(m, by)
        source_params = m.source_params_for(req.params, cuts)
        grouped[(m.source, m.booking, source_params)].append(
            _Part(m.id + NUM, m.numerator, req.params, m.aggregate)
        )
        if m.denominator is not None:
            source = m.denominator_source or m.source
            # A contact denominator of another source's metric counts handled contacts,
            # which are booked at their end (the catalog's booking rule).
            booking = m.booking if source == m.source else (
                "end" if source == "contacts" else "interval")
            key = (source, booking, source_params)
            grouped[key].append(_Part(m.id + DEN, m.denominator, req.params,
                                      m.denominator_aggregate))
    return grouped


def table_keys(requests: list[MetricRequest]) -> list[str]:
    """The extra key columns of table metrics in the request (at most one kind)."""
    kinds = {r.metric.key_column for r in requests}
    if len(kinds) > 1:
        tables = sorted(r.metric.id for r in requests if r.metric.key_column)
        verb = "gives" if len(tables) == 1 else "give"  # "time_in_state give one row" read
        raise UsageError(
            f"{', '.join(tables)} {verb} one row per "
            f"{'/'.join(sorted(k for k in kinds if k))}: request table metrics in a report "
            "of their own"
        )
    key = kinds.pop()
    if key is None:
        return []
    return list(key.split(","))


def _mode_mask(metric: Metric, t: ir.Table, value: ir.Value) -> ir.Value:
    """Restrict a contact metric marked (c) or (d) to contacts of that mode."""
    if metric.mode == "any" or metric.source != "contacts":
        return value
    wanted = metric.mode == "continuous"
    mode = constant_of(t, "cont")
    if mode is wanted:  # every contact has this metric's mode
        return value
    keep = t.cont if wanted else ~t.cont
    return ibis.ifelse(keep, value, ibis.null(value.type()))


def _scaled(value: ir.NumericValue, scale: float) -> ir.NumericValue:
    return value if scale == 1.0 else value * scale


def _filtered(t: ir.Table, source: str, where: dict[str, list[str]] | None) -> ir.Table:
    for dim, allowed in (where or {}).items():
        check_dimensions(source, f"filter {dim}", [dim])
        t = t.filter(t[dim].isin(allowed))
    return t


def _counted_condition(value: ir.Value) -> ir.BooleanValue | None:
    """The condition of a 0/1 count (``n(condition)``, possibly masked by mode), if it is one.

    Summing the condition itself lets the backend count rows where it holds (DuckDB's
    ``count_if``) instead of casting every row to an integer; a NULL counts as 0 both ways.
    """
    node = value.op()
    if isinstance(node, ops.IfElse) and isinstance(node.false_null_expr, ops.Literal) \
            and node.false_null_expr.value is None:
        inner = _counted_condition(node.true_expr.to_expr())
        if inner is None:
            return None
        return node.bool_expr.to_expr() & inner
    if not (isinstance(node, ops.Cast) and node.to.is_integer()):
        return None
    source = node.arg
    if isinstance(source, ops.Coalesce) and len(source.arg) == 2 and \
            isinstance(source.arg[1], ops.Literal) and source.arg[1].value is False:
        source = source.arg[0]
    if not source.dtype.is_boolean():
        return None
    return source.to_expr()


def _values(
    t: ir.Table, plist: list[_Part], metric_of: dict[str, Metric]
) -> dict[str, ir.Value]:
    """Each part's aggregate (Σ or max) over the source's rows."""
    values: dict[str, ir.Value] = {}
    for part in plist:
        metric = metric_of[part.column.rsplit("__", 1)[0]]
        value = _mode_mask(metric, t, part.build(t, part.params))
        if part.aggregate == "distinct":
            values[part.column] = value.nunique().cast("float64")
            continue
        if part.aggregate == "sum" and value.type().is_integer():
            # counts: an exact integer sum, converted once per group instead of per row
            condition = _counted_condition(value)
            total = value.sum() if condition is None else condition.sum()
            values[part.column] = total.cast("float64")
            continue
        value = value.cast("float64")
        values[part.column] = value.max() if part.aggregate == "max" else value.sum()
    return values


def _one_pass(
    source: str,
    source_params: tuple[tuple[str, object], ...],
    bookings: dict[str, list[_Part]],
    source_request: SourceRequest,
    keys: list[str],
    all_columns: list[str],
    metric_of: dict[str, Metric],
    where: dict[str, list[str]] | None,
) -> ir.Table:
    """The partials of several bookings of one source from a single pass over its rows.

    Rows are aggregated once by the report's keys and every booking's period key (a small
    result: the booking keys of a row are close), each part over all the rows; a part
    then counts only in groups where its own booking's key is set, which are exactly the
    rows that booking gives. The small result is repeated once per booking, keyed by that
    booking's key; the final aggregation sums the pieces of each group.
    """
    req = SourceRequest(
        source_request.tables, source_request.ctx, source_request.calendar,
        next(iter(bookings)), source_params,
    )
    names = list(bookings)
    booked = SOURCES[source].booked
    assert booked is not None
    t = _filtered(booked(req, names), source, where)
    values: dict[str, ir.Value] = {}
    owner: dict[str, int] = {}
    for i, booking in enumerate(names):
        values.update(_values(t, bookings[booking], metric_of))
        owner.update({p.column: i for p in bookings[booking]})
    key_columns = [booking_key(b) for b in names]
    plain = [k for k in keys if k != KEY]
    agg = t.group_by([t[k] for k in [*plain, *key_columns]]).aggregate(**values)
    rows = agg.mutate(
        __booking=ibis.literal(list(range(len(names))), type="array<int64>").unnest()
    )
    which = rows.__booking
    key = ibis.cases(*[(which == i, rows[k]) for i, k in enumerate(key_columns)])
    filled = {
        c: (
            ibis.ifelse(which == owner[c], rows[c], ibis.null("float64"))
            if c in owner else ibis.null("float64")
        )
        for c in all_columns
    }
    out = rows.select(*[rows[k] for k in plain], **{KEY: key}, **filled)
    return out.filter(out[KEY].notnull())


class RollupReader(Protocol):
    """Stored partial sums standing in for some parts of a report (``engine.rollups``)."""

    def split(self, source: str, bookings: dict[str, list[_Part]]
              ) -> tuple[dict[str, list[_Part]], dict[str, list[_Part]]]:
        """The parts it keeps, per booking, and the rest (read from the source)."""
        ...

    def partials(self, rolled: dict[str, list[_Part]], by: list[str],
                 source_request: SourceRequest, all_columns: list[str],
                 where: dict[str, list[str]] | None, direct: DirectPartial) -> list[ir.Table]:
        """The partial aggregates of ``rolled`` (with ``direct`` for rows not rolled up)."""
        ...


DirectPartial = Callable[[str, list[_Part], SourceRequest], ir.Table]
"""A booking's partial aggregate of some parts computed from a source's rows."""


def _direct_on(
    source: str, keys: list[str], all_columns: list[str], metric_of: dict[str, Metric],
    where: dict[str, list[str]] | None,
) -> DirectPartial:
    def direct(booking: str, plist: list[_Part], source_request: SourceRequest) -> ir.Table:
        return _direct(source, booking, source_request.params, plist, source_request, keys,
                       all_columns, metric_of, where)
    return direct


def _direct(
    source: str,
    booking: str,
    source_params: tuple[tuple[str, object], ...],
    plist: list[_Part],
    source_request: SourceRequest,
    keys: list[str],
    all_columns: list[str],
    metric_of: dict[str, Metric],
    where: dict[str, list[str]] | None,
) -> ir.Table:
    """One booking's partial aggregate of ``plist`` from the source's rows."""
    req = SourceRequest(
        source_request.tables, source_request.ctx, source_request.calendar, booking,
        source_params,
    )
    t = _filtered(SOURCES[source].build(req), source, where)
    values = _values(t, plist, metric_of)
    agg = t.group_by([t[k] for k in keys]).aggregate(**values)
    filled = {c: (agg[c] if c in values else ibis.null("float64")) for c in all_columns}
    return agg.select(*[agg[k] for k in keys], **filled)


def build_report(
    requests: list[MetricRequest],
    by: list[str],
    source_request: SourceRequest,
    hours: ir.Table | None = None,
    where: dict[str, list[str]] | None = None,
    one_pass: bool = True,
    rollup: RollupReader | None = None,
) -> ir.Table:
    """The report as an Ibis table: ``by`` columns, the period key, one column per metric.

    ``one_pass``: read a source once for all its booking rules (else once per rule, which
    runs the reads side by side when one read alone cannot use every thread).

    Table metrics (one row per state, per survey dimension, …) add their key column to the
    grouping; they can only share a report with metrics of the same key.

    ``rollup``: where the parts it keeps are read from (``engine.rollups``), instead of
    from the source's rows.
    """
    keys = [*by, *table_keys(requests), KEY]
    metric_of = {r.metric.id: r.metric for r in requests}
    for request in requests:
        check_filters(request.metric, list(where or {}))
    parts = _parts(requests, by, where)
    all_columns = [p.column for plist in parts.values() for p in plist]
    aggregate_of = {p.column: p.aggregate for plist in parts.values() for p in plist}
    by_source: dict[tuple[str, Any], dict[str, list[_Part]]] = defaultdict(dict)
    for (source, booking, source_params), plist in parts.items():
        by_source[(source, source_params)][booking] = plist
    partials: list[ir.Table] = []
    unique = True
    for (source, source_params), bookings in by_source.items():
        if rollup is not None:  # the parts the rollup keeps are read from it
            rolled, bookings = rollup.split(source, bookings)
            partials += rollup.partials(rolled, by, source_request, all_columns, where,
                                        _direct_on(source, keys, all_columns, metric_of, where))
            unique = unique and not rolled
        distinct = any(p.aggregate == "distinct" for plist in bookings.values() for p in plist)
        if one_pass and len(bookings) > 1 and SOURCES[source].booked is not None \
                and not distinct:  # a distinct count cannot be summed from sub-groups
            partials.append(_one_pass(
                source, source_params, bookings, source_request, keys, all_columns,
                metric_of, where,
            ))
            unique = False
            continue
        for booking, plist in bookings.items():
            partials.append(_direct(source, booking, source_params, plist, source_request,
                                    keys, all_columns, metric_of, where))
    if len(partials) == 1 and unique:
        combined = partials[0]
    else:
        stacked = ibis.union(*partials, distinct=False) if len(partials) > 1 else partials[0]
        combined = stacked.group_by(keys).aggregate(
            **{
                c: stacked[c].max() if aggregate_of[c] == "max" else stacked[c].sum()
                for c in all_columns
            }
        )
    if hours is not None:
        combined = combined.left_join(hours, combined[KEY] == hours.__hkey).drop("__hkey")
    outputs: dict[str, ir.Value] = {}
    for request in requests:
        m = request.metric
        num = combined[m.id + NUM]
        if m.per_period_hours:
            value = _scaled(num.fill_null(0) / combined.__hours.nullif(0), m.scale)
        elif m.denominator is not None:
            value = _scaled(num.fill_null(0) / combined[m.id + DEN].nullif(0), m.scale)
            value = ibis.ifelse(combined[m.id + DEN].fill_null(0) == 0, None, value)
        elif m.aggregate == "max":
            value = num
        else:
            value = _scaled(num.fill_null(0), m.scale)
        if m.unknown_without_numerator:
            value = ibis.ifelse(num.isnull(), None, value)
        outputs[m.id] = value
    return combined.select(*[combined[k] for k in keys], **outputs)

"""Row-level drill-down: the rows of a metric's fact table behind its figure.

The rows come from the same fact-source builders the engine aggregates
(:data:`omnikpi.engine.registry.SOURCES`), under the same run context (window, as-of,
zone, configuration), the same filters and the metric's own numerator and denominator
builders. Each row carries its numerator and denominator values (``__num``, ``__den``),
whether it counts in them (``__status``) and, when it does not, why (``__reason``,
derived from the conditions of the metric's own builders). The figure is
Σ numerator / Σ denominator of the listed rows — so it cannot disagree with the report.

Everything is Ibis: counts, figures and pages run in the backend (``LIMIT``/``OFFSET``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir
import numpy as np

from omnikpi.config import Config
from omnikpi.engine.backends import Backend, backend_for
from omnikpi.engine.compile import _counted_condition, _filtered, _mode_mask
from omnikpi.engine.context import RunContext
from omnikpi.engine.grains import buckets
from omnikpi.engine.local_duckdb import LocalDuckDB
from omnikpi.engine.params import DataContext, resolve_params
from omnikpi.engine.plan_time import plans_until_us
from omnikpi.engine.registry import SOURCES, metric_reads, metric_sources, metric_tables
from omnikpi.engine.result import without_summation_noise
from omnikpi.engine.run import _contact_highs, _period_hours, parse_instant, report_span
from omnikpi.engine.sources import KEY, SourceRequest, booking_key, contacts_booked_source
from omnikpi.engine.timezones import offset_ranges
from omnikpi.errors import UsageError
from omnikpi.metrics.base import Metric, get_metric
from omnikpi.metrics.common import short_abandon, threshold, waiting_within
from omnikpi.request import check_filter_values, check_sql_text
from omnikpi.schema.dataset import Dataset

NUM = "__num"
DEN = "__den"
STATUS = "__status"
REASON = "__reason"
PERIOD = "__in_period"
PARTS = ("all", "numerator", "denominator", "excluded")
"""Which rows a drill lists: every row of the fact table, those counted in the numerator
or the denominator, or those excluded (counted in neither)."""

_TIMES = {"arr": "arrived_at", "fr": "first_response_at", "ab": "abandoned_at",
          "end": "ended_at", "res": "resolved_at"}
"""Contact facts' instants (masked at as-of) under their canonical names."""

DISPLAY: dict[str, tuple[str, ...]] = {
    "sales": ("kind", "contact_id", "attempt_id", "campaign", "agent_id", "channel", "queue",
              "ended_at", "dialed_at", "outcome", "site", "tenant"),
    "contacts": ("contact_id", "channel", "queue", "agent_id", "customer_id", "arrived_at",
                 "first_response_at", "abandoned_at", "ended_at", "resolved_at", "wait_s",
                 "handle_s", "talk_s", "hold_s", "acw_s", "threshold_s", "site", "tenant",
                 "topic"),
    "fcr": ("contact_id", "customer_id", "topic", "channel", "queue", "agent_id",
            "arrived_at", "ended_at", "repeated", "was_transferred", "unresolved_first",
            "site", "tenant"),
    "contacts_ivr": ("contact_id", "channel", "queue", "arrived_at", "first_response_at",
                     "wait_s"),
    "surveyed_contacts": ("contact_id", "channel", "queue", "agent_id", "customer_id",
                          "arrived_at", "ended_at", "surveyed", "site", "tenant"),
    "surveys": ("contact_id", "customer_id", "survey", "score", "scale_min", "scale_max",
                "answered_at", "channel", "queue", "agent_id", "first_for_contact", "site",
                "tenant"),
    "agent_time": ("agent_id", "state", "reason", "channel", "piece_start", "piece_end",
                   "seconds", "share", "site", "tenant"),
    "logged_in_time": ("agent_id", "state", "reason", "channel", "piece_start", "piece_end",
                       "seconds", "site", "tenant"),
    "chat_agent_time": ("agent_id", "state", "reason", "channel", "piece_start", "piece_end",
                        "seconds", "share", "site", "tenant"),
    "dial_agent_time": ("agent_id", "state", "reason", "channel", "piece_start", "piece_end",
                        "seconds", "site", "tenant"),
    "chat_sessions": ("contact_id", "agent_id", "channel", "queue", "s_start", "s_end",
                      "piece_start",
                      "piece_end", "seconds", "site", "tenant"),
    "chat_busy": ("agent_id", "channel", "s_start", "s_end", "piece_start", "piece_end",
                  "seconds", "site", "tenant"),
    "costs": ("category", "channel", "queue", "tenant", "amount", "period_start",
              "period_end", "piece_start", "piece_end", "seconds", "cost"),
    "dials": ("attempt_id", "campaign", "lead_id", "lead_type", "agent_id", "dialed_at",
              "result", "connected", "right_party", "converted"),
    "leads": ("lead_id", "campaign", "lead_type", "agent_id", "site", "tenant", "first_at",
              "dialed"),
    "dialed_leads": ("lead_id", "campaign", "lead_type", "agent_id", "site", "tenant",
                     "first_dialed_at", "lead_sold"),
    "qa": ("evaluation_id", "contact_id", "agent_id", "form_id", "evaluated_at", "score",
           "critical_error", "latest", "queue", "channel"),
    "qa_items": ("evaluation_id", "item_id", "weight", "item_score", "contact_id",
                 "agent_id", "evaluated_at"),
    "ivr": ("session_id", "contact_id", "entered_at", "left_at", "result", "ivr_s",
            "menu_path", "channel", "queue", "site", "tenant"),
    "schedule": ("agent_id", "kind", "state", "activity", "paid", "piece_start",
                 "piece_end", "seconds", "site", "tenant"),
    "availability": ("channel", "queue", "kind", "piece_start", "piece_end", "seconds"),
    "messages": ("contact_id", "sender", "ts", "request", "after_first_reply",
                 "response_s", "channel", "queue"),
    "talk": ("contact_id", "queue", "agent_id", "ended_at", "duration_s", "agent_talk_s",
             "customer_talk_s", "silence_s", "longest_silence_s", "overtalk_s",
             "overtalk_count", "longest_agent_monologue_s", "channel", "site", "tenant"),
}
"""The columns a drill shows per fact source, in order (those the rows have); a source
not listed shows its first columns."""

TIME_COLUMNS = frozenset({
    "arrived_at", "first_response_at", "abandoned_at", "ended_at", "resolved_at",
    "answered_at", "piece_start", "piece_end", "s_start", "s_end", "period_start",
    "period_end", "dialed_at", "first_at", "first_dialed_at", "evaluated_at", "entered_at",
    "left_at", "ts", "start", "i_start", "i_end",
})
"""Columns holding instants (microseconds since the epoch, UTC)."""

_HIDDEN = {"cont", "text", "chat", "received", "as_of_us", "latest_arrival_us",
           "default_threshold_s", "age_s"}


@dataclass(frozen=True)
class Figure:
    numerator: float | None
    denominator: float | None
    value: float | None
    hours: float | None = None
    """The period's hours: the denominator of a per-period-hours rate."""


@dataclass
class Drill:
    """The rows of one fact table of a metric, with their part of the figure."""

    metric: Metric
    params: dict[str, Any]
    source: str
    sources: tuple[str, ...]
    """Fact sources of the metric (the numerator's first; a separate denominator's next)."""
    rows: ir.Table
    columns: list[str]
    backend: Backend
    variant: Metric
    """The metric as its parameters select it (``Metric.resolve``)."""
    hours: float | None = None
    """The period's hours: the denominator of a per-period-hours rate."""
    keys: list[str] = field(default_factory=list)
    """Key columns of a table metric (one figure per value: ``state``, ``dimension``)."""
    ignored: list[str] = field(default_factory=list)
    """Filters left out because this fact table cannot be cut by them (``lenient``)."""
    other: ir.Table | None = None
    """The rows of the metric's other fact source (its denominator's, or its numerator's)."""
    as_of_us: int | None = None
    """The as-of instant the rows were read at (the data's latest event when not given)."""
    _figure: Figure | None = None

    @property
    def figure(self) -> Figure:
        """Σ numerator / Σ denominator of the rows — of both fact sources when numerator
        and denominator come from two (run when first asked)."""
        if self._figure is None:
            mine = _figure(self.rows, self.variant, self.backend, self.hours)
            if self.other is not None:
                theirs = _figure(self.other, self.variant, self.backend, self.hours)
                first, second = (mine, theirs) if self.source == self.sources[0] \
                    else (theirs, mine)
                num, den = first.numerator, second.denominator
                mine = Figure(num, den, _ratio(self.variant, num, den, self.hours),
                              self.hours)
            self._figure = mine
        return self._figure

    @property
    def key_figures(self) -> list[dict[str, Any]]:
        """A table metric's figure per key value (``[]`` for other metrics)."""
        if not self.keys:
            return []
        return _key_figures(self.rows, self.variant, self.keys, self.backend)

    def part(self, part: str) -> ir.Table:
        if part not in PARTS:
            raise UsageError(f"part must be one of {', '.join(PARTS)}")
        t = self.rows
        if part == "numerator":
            return t.filter(t[STATUS].isin(["both", "numerator"]))
        if part == "denominator":
            return t.filter(t[STATUS].isin(["both", "denominator"]))
        if part == "excluded":
            return t.filter(t[STATUS] == "excluded")
        return t

    def count(self, part: str = "all") -> int:
        return int(self.backend.execute(self.part(part).count().as_table()).iloc[0, 0])

    def counts(self) -> dict[str, int]:
        """Rows per part: all, numerator, denominator, excluded — with the figure's sums
        in the same query."""
        t = self.rows
        status = t[STATUS]
        parts = {
            "all": t.count(),
            "numerator": status.isin(["both", "numerator"]).sum(),
            "denominator": status.isin(["both", "denominator"]).sum(),
            "excluded": (status == "excluded").sum(),
        }
        frame = self.backend.execute(t.aggregate(**parts, **_aggregates(t, self.variant)))
        record = frame.iloc[0]
        if self.other is None and self._figure is None:
            num, den = _clean(record["num"]), _clean(record["den"])
            self._figure = Figure(num, den, _ratio(self.variant, num, den, self.hours),
                                  self.hours)
        return {name: int(_clean(record[name]) or 0) for name in parts}

    def sortable(self) -> list[str]:
        return [*self.columns, NUM, DEN, STATUS]

    def ordered(self, part: str, sort: str | None, desc: bool) -> ir.Table:
        t = self.part(part)
        if sort is not None and sort not in self.sortable():
            raise UsageError(f"cannot sort by {sort!r}: sort by one of "
                             f"{', '.join(self.sortable())}")
        first = sort or self.columns[0]
        key = t[first].desc() if desc else t[first].asc()
        tie = [t[c] for c in self.columns if c != first]
        return t.order_by([key, *tie])

    def page(self, part: str, sort: str | None, desc: bool, page: int, size: int) -> Any:
        t = self.ordered(part, sort, desc)
        return self.backend.execute(
            t.limit(size, offset=(page - 1) * size).select(*self.sortable(), REASON))

    def everything(self, part: str, sort: str | None, desc: bool) -> Any:
        return self.backend.execute(self.ordered(part, sort, desc).select(
            *self.sortable(), REASON))


def run_context(dataset: Dataset, metric: Metric, tz: str, from_: str | None,
                to: str | None, as_of: str | None, config: Config,
                backend: Backend) -> tuple[RunContext, SourceRequest]:
    """The run context of a one-period report of ``metric`` (as ``plan_request`` builds it)."""
    from_us = parse_instant(from_, tz, "from")
    to_us = parse_instant(to, tz, "to")
    if from_us is not None and to_us is not None and to_us <= from_us:
        raise UsageError("to must be after from (the window is [from, to))")
    as_of_us = parse_instant(as_of, tz, "as_of")
    as_of_given = as_of_us is not None
    if as_of_us is None:
        as_of_us = dataset.latest_event_us(metric_reads(metric), tz) or 0
    plans_until = plans_until_us(dataset, metric_reads(metric), as_of_us, as_of_given)
    lo, hi, first = report_span(dataset, [from_us, to_us], forward=[as_of_us, plans_until])
    cal_lo = max(first, from_us) if from_us is not None else first
    cal_hi = min(hi, to_us) if to_us is not None else hi
    offsets = offset_ranges(tz, lo, hi)
    ctx = RunContext(
        as_of_us=as_of_us, from_us=from_us, to_us=to_us, tz=tz, grain="total",
        config=config, offsets=offsets, span_start_us=cal_lo, span_end_us=cal_hi,
        contact_highs=_contact_highs(dataset),
        contact_channels=dataset.domain("contacts", "channel"),
        contact_directions=dataset.domain("contacts", "direction"),
        contact_empty=frozenset((dataset.empty or {}).get("contacts", ())),
        plans_until_us=plans_until if plans_until != as_of_us else None,
        repeat_contacts=dataset.repeat_contacts,
        nonnegative_keys=isinstance(backend, LocalDuckDB)
        and lo + min(r.offset_us for r in offsets) >= 0,
    )
    calendar = buckets("total", tz, cal_lo, max(cal_hi, cal_lo + 1))
    return ctx, SourceRequest(backend.table, ctx, lambda: calendar, "arrival")


def drill(dataset: Dataset, metric_id: str, raw_params: Mapping[str, Any] | None = None,
          *, tz: str = "UTC", from_: str | None = None, to: str | None = None,
          as_of: str | None = None, where: Mapping[str, Sequence[str]] | None = None,
          config: Config | None = None, engine: str = "duckdb", source: str | None = None,
          key: Mapping[str, str] | None = None, lenient: bool = False) -> Drill:
    """The rows behind ``metric_id``'s one-period figure, from fact source ``source`` (the
    metric's own by default; its denominator's source when that differs).

    ``lenient``: a filter this fact table cannot be cut by is left out (and named in
    ``Drill.ignored``) instead of being an error — a dashboard's filters on a tile
    that cannot have them."""
    config = config or Config()
    declared = get_metric(metric_id)
    params = resolve_params([declared], dict(raw_params or {}),
                            DataContext(config, dataset))[metric_id]
    metric = declared.resolve(params) if declared.resolve else declared
    for table in metric_tables(metric):
        dataset.require(table, f"metric {metric_id}")
    names = tuple(s.name for s in metric_sources(metric))
    source = source or names[0]
    if source not in names:
        raise UsageError(f"{metric_id} reads the fact source(s) {', '.join(names)}, "
                         f"not {source!r}")
    backend = backend_for(engine, dataset)
    ctx, base = run_context(dataset, metric, tz, from_, to, as_of, config, backend)
    filters = {d: [str(v) for v in vs] for d, vs in (where or {}).items()}
    check_filter_values(filters)
    ignored = [d for d in filters if d not in SOURCES[source].dimensions] if lenient else []
    filters = {d: v for d, v in filters.items() if d not in ignored}
    rows, columns = _rows(metric, params, source, base, filters)
    other = None
    for name in names:
        if name != source:
            other_filters = {d: v for d, v in filters.items()
                             if not lenient or d in SOURCES[name].dimensions}
            other = _rows(metric, params, name, base, other_filters)[0]
    keys = [k for k in (metric.key_column or "").split(",") if k]
    for name, value in (key or {}).items():
        if name not in keys:
            raise UsageError(f"{metric_id} has no key {name!r}")
        rows = rows.filter(rows[name] == check_sql_text(f"key {name}", value))
    columns = [*[k for k in keys if k not in columns], *columns]
    hours = None
    if metric.per_period_hours:
        frame = backend.execute(_period_hours(backend, ctx, None, filters))
        hours = float(frame["__hours"].iloc[0])
    return Drill(declared, params, source, names, rows, columns, backend, metric, hours,
                 keys, ignored, other, ctx.as_of_us)


def _rows(metric: Metric, params: dict[str, Any], source: str, base: SourceRequest,
          where: dict[str, list[str]]) -> tuple[ir.Table, list[str]]:
    """The fact rows with their numerator/denominator values, status and reason."""
    booking = metric.booking if source == metric.source else (
        "end" if source == "contacts" else "interval")
    source_params = metric.source_params_for(params, where)
    req = SourceRequest(base.tables, base.ctx, base.calendar, booking, source_params)
    if source == "contacts" and booking != "arrival":
        # a contact booked at its end (or resolution) is listed when it arrived in the
        # window too: outside the period when its own instant is not
        t = contacts_booked_source(req, [booking, "arrival"])
        in_period = t[booking_key(booking)].notnull()
    elif source == "contacts":
        t = contacts_booked_source(req, [booking])
        in_period = t[booking_key(booking)].notnull()
    else:
        t = SOURCES[source].build(req)
        in_period = t[KEY].notnull()
    t = _filtered(t, source, where)
    t = t.mutate(**{PERIOD: in_period})
    if "default_threshold_s" in t.columns and "threshold_seconds" in params:
        t = t.mutate(threshold_s=threshold(t, params))
    own = source == metric.source
    den_here = metric.denominator is not None and (
        (metric.denominator_source or metric.source) == source)
    num_value = _value(metric, t, params, metric.numerator) if own else None
    den_value = _value(metric, t, params, metric.denominator) if den_here else None
    in_num = _counts(num_value)
    in_den = _counts(den_value)
    period = t[PERIOD]
    none = ibis.literal(False)
    in_num = period & in_num if in_num is not None else none
    in_den = period & in_den if in_den is not None else none
    status = ibis.cases(
        (in_num & in_den, "both"), (in_num, "numerator"), (in_den, "denominator"),
        else_="excluded")
    # why a row is not counted: the period first, then the conditions of the rule it
    # fails (the denominator's when there is one here, else the numerator's)
    rule = den_value if den_value is not None else num_value
    why = _reasons(metric, t, params, rule)
    why_not_num = _reasons(metric, t, params, num_value) if (
        den_value is not None and num_value is not None) else ibis.literal(None, "string")
    reason = ibis.cases(
        (~period, _period_reason(metric, source, t)),
        (status == "excluded", why),
        (status == "denominator", why_not_num),
        else_=ibis.null("string"))
    t = t.mutate(**{
        NUM: ibis.ifelse(in_num | _zero_sum(num_value, period),
                         (num_value if num_value is not None else ibis.null("float64"))
                         .cast("float64"), ibis.null("float64")),
        DEN: ibis.ifelse(in_den, (den_value if den_value is not None
                                  else ibis.null("float64")).cast(
            "string" if metric.denominator_aggregate == "distinct" else "float64"),
            ibis.null("string" if metric.denominator_aggregate == "distinct"
                      else "float64")),
        STATUS: status, REASON: reason,
    })
    t = t.mutate(**{name: t[col] for col, name in _TIMES.items()
                    if col in t.columns and name in t.columns})
    wanted = DISPLAY.get(source)
    if wanted is None:
        wanted = tuple(c for c in t.columns if not c.startswith("__") and c not in _HIDDEN)
    columns = [c for c in wanted if c in t.columns][:16]
    keys = [k for k in (metric.key_column or "").split(",") if k]
    return t.select(*dict.fromkeys([*keys, *columns]), NUM, DEN, STATUS, REASON), columns


def _value(metric: Metric, t: ir.Table, params: dict[str, Any],
           builder: Any) -> ir.Value | None:
    if builder is None:
        return None
    value: ir.Value = _mode_mask(metric, t, builder(t, params))
    return value


def _counts(value: ir.Value | None) -> ir.BooleanValue | None:
    """Whether a row's value counts: a 0/1 count that is 1, or any non-null amount."""
    if value is None:
        return None
    if value.type().is_integer():
        return (value != 0).fill_null(False)
    if value.type().is_boolean():
        return value.fill_null(False)
    node = value.op()
    if isinstance(node, ops.Cast):
        node = node.arg
    if isinstance(node, ops.IfElse) and isinstance(node.false_null_expr, ops.Literal) \
            and node.false_null_expr.value is None:
        return value.notnull()  # ``when(c, x)``: a row of the rule counts, even with 0
    return value.notnull() & (value != 0)  # an amount that defaults to 0 elsewhere


def _zero_sum(value: ir.Value | None, period: ir.BooleanValue) -> ir.BooleanValue:
    """A count's 0 is shown as 0 (it adds nothing) rather than as no value."""
    if value is None or not value.type().is_integer():
        return ibis.literal(False)
    return period & value.notnull()


def _period_reason(metric: Metric, source: str, t: ir.Table) -> ir.StringValue:
    booking = metric.booking if source == metric.source else "end"
    if source == "contacts" and booking == "end":
        return ibis.ifelse(t.handled, "period",
                           ibis.ifelse(t.abandoned, "abandoned", "not_handled"))
    if source == "contacts" and booking == "resolved":
        return ibis.ifelse(t.res.notnull(), "period", "not_resolved")
    return ibis.literal("period")


# -- reasons: the conditions of the metric's own rule that a row fails ----------------------


def _condition(value: ir.Value) -> ir.BooleanValue | None:
    """The boolean a row's value counts under: ``n(c)`` → c, ``when(c, x)`` → c ∧ x set."""
    node = value.op()
    counted = _counted_condition(value) if value.type().is_integer() else None
    if counted is not None:
        return counted
    if isinstance(node, ops.IfElse) and isinstance(node.false_null_expr, ops.Literal) \
            and node.false_null_expr.value is None:
        inner = node.true_expr.to_expr()
        cond = node.bool_expr.to_expr()
        if inner.type().is_boolean():
            return cond
        nested = _condition(inner)
        return cond & nested if nested is not None else cond
    if isinstance(node, ops.Cast) and node.arg.dtype.is_boolean():
        return node.arg.to_expr()
    if isinstance(node, ops.Coalesce) and len(node.arg) == 2 \
            and isinstance(node.arg[1], ops.Literal):
        return _condition(node.arg[0].to_expr())
    if isinstance(node, ops.Field):
        return value.notnull()
    if isinstance(node, ops.Add | ops.Subtract):  # parts added or taken away
        left, right = _condition(node.left.to_expr()), _condition(node.right.to_expr())
        if left is not None and right is not None:
            return left | right
    return None


def _conjuncts(cond: ir.BooleanValue) -> list[ir.BooleanValue]:
    node = cond.op()
    if isinstance(node, ops.And):
        return [*_conjuncts(node.left.to_expr()), *_conjuncts(node.right.to_expr())]
    if isinstance(node, ops.Literal):
        return []
    return [cond]


_INBOUND_ONLY = {"received", "offered", "answered", "abandoned", "unresolved"}
"""Contact facts only inbound contacts can have (see ``contact_facts._received``)."""


def _reasons(metric: Metric, t: ir.Table, params: dict[str, Any],
             value: ir.Value | None) -> ir.StringValue:
    """The code of the first condition of the rule behind ``value`` that a row fails."""
    if value is None:
        return ibis.literal("rule")
    mask: list[tuple[ir.BooleanValue, ir.StringValue]] = []
    if metric.mode != "any" and metric.source == "contacts" and "cont" in t.columns:
        wanted = metric.mode == "continuous"
        mask.append((t.cont if wanted else ~t.cont, ibis.literal(f"mode|{metric.mode}")))
    if "threshold_seconds" in params and "unresolved" in t.columns:
        # pending within the threshold: too early to judge (the SL rules leave it out)
        young = waiting_within(t, threshold(t, params))
        mask.append((~young, ibis.literal("still_waiting")))
    cond = _condition(value)
    if cond is None:
        return _first_failing(mask, ibis.literal("rule"))
    if "received" in t.columns and _INBOUND_ONLY & {
            str(f.name) for f in cond.op().find(ops.Field, filter=ops.Value)}:
        # the agent's own contact: no customer waited on it (before any other reason)
        mask.insert(0, (t.received, ibis.literal("outbound")))
    return _first_failing(mask, _explain(cond, t, params))


def _first_failing(checks: list[tuple[ir.BooleanValue, ir.StringValue]],
                   otherwise: ir.StringValue) -> ir.StringValue:
    if not checks:
        return otherwise
    return ibis.cases(*[(~c.fill_null(False), code) for c, code in checks], else_=otherwise)


def _explain(cond: ir.BooleanValue, t: ir.Table, params: dict[str, Any]) -> ir.StringValue:
    node = cond.op()
    if isinstance(node, ops.IfElse):  # a rule by each contact's mode
        return ibis.ifelse(node.bool_expr.to_expr(),
                           _explain(node.true_expr.to_expr(), t, params),
                           _explain(node.false_null_expr.to_expr(), t, params))
    checks = [(c, ibis.literal(_code(c, t, params))) for c in _conjuncts(cond)]
    return _first_failing(checks, ibis.literal("rule"))


def _code(cond: ir.BooleanValue, t: ir.Table, params: dict[str, Any]) -> str:
    """A reason code for failing ``cond`` (see ``omnikpi.web.drill_labels``)."""
    node = cond.op()
    known: list[tuple[ir.Value, str]] = []
    if "exclude_short_abandons" in params and "wait_s" in t.columns:
        seconds = float(params["short_abandon_seconds"])
        known.append((short_abandon(t, params), f"short_abandon|{seconds:g}"))
        if "threshold_seconds" in params:
            known.append((waiting_within(t, threshold(t, params)), "still_waiting"))
    elif "threshold_seconds" in params and "wait_s" in t.columns:
        known.append((waiting_within(t, threshold(t, params)), "still_waiting"))
    if isinstance(node, ops.Not):
        inner = node.arg.to_expr()
        for expr, code in known:
            if inner.equals(expr):
                return code
        if isinstance(node.arg, ops.Field):
            return f"is|{node.arg.name}"
        return f"not|{_columns(inner)}"
    if isinstance(node, ops.Field):
        return f"not_flag|{node.name}"
    if isinstance(node, ops.NotNull) and isinstance(node.arg, ops.Field):
        return f"no|{node.arg.name}"
    if isinstance(node, ops.Equals) and isinstance(node.left, ops.Field) \
            and isinstance(node.right, ops.Literal):
        return f"ne|{node.left.name}|{node.right.value}"
    if isinstance(node, ops.InValues) and isinstance(node.value, ops.Field):
        return f"not_in|{node.value.name}"
    comparisons = {ops.Less: "<", ops.LessEqual: "≤", ops.Greater: ">",
                   ops.GreaterEqual: "≥", ops.NotEquals: "≠"}
    for kind, sign in comparisons.items():
        if isinstance(node, kind):
            return f"cmp|{_side(node.left)}|{sign}|{_side(node.right)}"
    if isinstance(node, ops.Or):
        return f"none|{_columns(cond)}"
    return f"not|{_columns(cond)}"


def _side(node: Any) -> str:
    if isinstance(node, ops.Field):
        return str(node.name)
    if isinstance(node, ops.Literal):
        return f"{node.value:g}" if isinstance(node.value, float) else str(node.value)
    return _columns(node.to_expr())


def _columns(expr: ir.Value) -> str:
    names = [n.name for n in expr.op().find(ops.Field, filter=ops.Value)]
    return ", ".join(dict.fromkeys(str(n) for n in names if not str(n).startswith("__")))


# -- figures -------------------------------------------------------------------------------


def _aggregates(t: ir.Table, metric: Metric) -> dict[str, ir.Value]:
    num = t[NUM].max() if metric.aggregate == "max" else t[NUM].sum()
    den = t[DEN].nunique().cast("float64") if metric.denominator_aggregate == "distinct" \
        else t[DEN].cast("float64").sum()
    return {"num": num, "den": den}


def _ratio(metric: Metric, num: float | None, den: float | None,
           hours: float | None) -> float | None:
    """The figure of sums, as the report gives it (without the noise of float sums:
    a key figure read 98334.23600000031 where the report said 98334.236)."""
    if metric.unknown_without_numerator and num is None:  # no cost row: unknown, not 0
        return None
    if metric.per_period_hours:
        value = None if not hours else (num or 0.0) / hours * metric.scale
    elif metric.denominator is not None:
        value = None if not den else (num or 0.0) / den * metric.scale
    elif metric.aggregate == "max":
        value = num
    else:
        value = (num or 0.0) * metric.scale
    return _snapped(value, metric.unit == "ratio")


def _snapped(value: float | None, ratio: bool = False) -> float | None:
    if value is None:
        return None
    return float(without_summation_noise(np.array([value]), ratio)[0])


def _clean(value: Any) -> float | None:
    """A sum as a number (NaN: none), without the noise of float sums."""
    return None if value is None or value != value else _snapped(float(value))


def _figure(rows: ir.Table, metric: Metric, backend: Backend, hours: float | None) -> Figure:
    frame = backend.execute(rows.aggregate(**_aggregates(rows, metric)))
    num, den = _clean(frame["num"].iloc[0]), _clean(frame["den"].iloc[0])
    return Figure(num, den, _ratio(metric, num, den, hours), hours)


def _key_figures(rows: ir.Table, metric: Metric, keys: list[str],
                 backend: Backend) -> list[dict[str, Any]]:
    counted = rows.filter(rows[STATUS] != "excluded")
    frame = backend.execute(counted.group_by(keys).aggregate(**_aggregates(counted, metric))
                            .order_by(keys))
    out = []
    for record in frame.to_dict(orient="records"):
        num, den = _clean(record["num"]), _clean(record["den"])
        values = {k: None if record[k] is None or record[k] != record[k] else record[k]
                  for k in keys}  # a missing key value (no reason) is None, not NaN
        out.append({**values, "numerator": num, "denominator": den,
                    "value": _ratio(metric, num, den, None)})
    return out


def combined_figure(dataset: Dataset, metric_id: str, **kwargs: Any) -> Figure:
    """The figure of a metric whose numerator and denominator come from two fact sources:
    Σ numerator of the first's rows / Σ denominator of the second's."""
    return drill(dataset, metric_id, **kwargs).figure

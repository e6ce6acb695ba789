"""Running reports and drill-downs for the web layer (the same engine as the CLI)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

import ibis

from omnikpi.engine.backends import backend_for
from omnikpi.engine.contact_facts import contact_facts
from omnikpi.engine.context import RunContext
from omnikpi.engine.drill import TIME_COLUMNS, Drill, drill
from omnikpi.engine.params import DataContext, parse_param_assignments, resolve_params
from omnikpi.engine.registry import metric_reads
from omnikpi.engine.result import ReportResult
from omnikpi.engine.run import parse_instant, parse_window, plan_request
from omnikpi.engine.sources import contact_booking_ts, in_window
from omnikpi.engine.timezones import offset_ranges, to_datetime, zone
from omnikpi.errors import UsageError
from omnikpi.metrics.base import get_metric
from omnikpi.report_notes import report_notes
from omnikpi.request import check_filter_values
from omnikpi.schema.tables import CONTACT_DIMENSIONS
from omnikpi.web.deps import Filters, View
from omnikpi.web.drill_labels import shown_params

T = TypeVar("T")


def split(value: str | None) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()] if value else []


CACHE_SIZE = 256
MAX_PAGE = 1_000_000
"""The last page a drill-down serves (a billion rows at the largest page size)."""


def merged_where(filters: Filters, where: dict[str, list[str]] | None
                 ) -> dict[str, list[str]]:
    """The page's dimension filters narrowed by a caller's own cut (a dashboard section's
    channels): on a dimension both name, only the values both allow."""
    merged = dict(filters.where or {})
    for dim, values in (where or {}).items():
        merged[dim] = [v for v in values if v in merged[dim]] if dim in merged else values
    return merged


def report(state: View, filters: Filters, metrics: list[str] | None = None,
           by: list[str] | None = None, grain: str | None = None,
           where: dict[str, list[str]] | None = None) -> ReportResult:
    """A report for the web layer, cached per request and scope until the dataset is
    reloaded, so the same request (a dashboard reloaded, an export after a preview) is
    computed once.
    """
    merged = merged_where(filters, where)
    key = repr((state.cache_key, metrics or split(filters.metrics), by if by is not None else
                split(filters.by), grain or filters.grain, filters.tz, filters.from_,
                filters.to, filters.as_of, filters.param, filters.engine,
                sorted(merged.items())))
    cached = cached_result(state, key)
    if cached is not None:
        return cached
    result = state.state.pool.run(lambda: _run(state, filters, metrics, by, grain, merged),
                                  state.dataset, key=key, caller=state.caller)
    remember(state, key, result)
    return result


def report_notes_of(state: View, filters: Filters, result: ReportResult) -> list[str]:
    """What ``omnikpi report`` says on stderr about this report (a filter value no row
    holds, a period outside the data, an empty metric, a ``param`` no metric reads), in
    English: ``/api/v1/report`` answered the same JSON without a word, so a script read
    a mistyped queue's empty rows as a quiet day. Cached with the report."""
    key = repr(("notes", state.cache_key, filters.metrics, filters.by, filters.grain,
                filters.tz, filters.from_, filters.to, filters.as_of, filters.param,
                filters.engine, sorted((filters.where or {}).items())))
    return remembered(state, key, list, lambda: state.state.pool.run(
        lambda: report_notes(state.dataset, result, filters=filters.where or {},
                             engine=server_engine(state, filters),
                             as_of_given=filters.as_of, as_of_name="as_of",
                             params=parse_param_assignments(filters.param or [])),
        state.dataset, caller=state.caller))


def cached_result(state: View, key: str) -> ReportResult | None:
    """A report already computed for this request and scope (since the last reload)."""
    with state.state.cache_lock:
        cached = state.cache.get(key)
    return cached if isinstance(cached, ReportResult) else None


def remembered(state: View, key: str, kind: type[T], compute: Callable[[], T]) -> T:
    """What a page derives (the staffing page's day plan, the what-if page's comparison),
    computed once per ``key`` until the dataset is reloaded (see :func:`remember`)."""
    with state.state.cache_lock:
        cached = state.cache.get(key)
    if isinstance(cached, kind):
        return cached
    result = compute()
    remember(state, key, result)
    return result


def remember(state: View, key: str, result: object) -> None:
    """Keep a result for the same request (a report, or what a page derives from reports:
    the staffing page's day plan), the oldest dropped beyond ``CACHE_SIZE``; forgotten
    when the dataset is reloaded."""
    with state.state.cache_lock:
        while len(state.cache) >= CACHE_SIZE:
            state.cache.pop(next(iter(state.cache)))
        state.cache[key] = result


def _run(state: View, filters: Filters, metrics: list[str] | None,
         by: list[str] | None, grain: str | None,
         merged: dict[str, list[str]]) -> ReportResult:
    """The page's request with what the page itself asks (``by=[]``: no cut), on the
    server's engine: a request cannot start another (a Spark JVM is the operator's call)."""
    engine = server_engine(state, filters)
    changes: dict[str, Any] = {"filters": {d: tuple(v) for d, v in merged.items()},
                               "engine": engine}
    if metrics:
        changes["metrics"] = tuple(metrics)
    if by is not None:
        changes["by"] = tuple(by)
    if grain:
        changes["grain"] = grain
    request = replace(filters.request(), **changes)
    return plan_request(state.dataset, request, state.config).run()


def server_engine(state: View, filters: Filters) -> str:
    """The server's engine, which every report, drill-down and contact list runs on: a
    request's ``engine=`` may only repeat it (a request cannot start another: a Spark JVM
    is the operator's call). The drill-down and the contact list ignored a different one
    without a word, where the report refused it."""
    engine = state.state.engine
    if filters.engine not in (None, engine):
        raise UsageError(f"this server computes on {engine}; the engine is set when the "
                         "server starts, not per request")
    return engine


def _whole_window(state: View, filters: Filters, metric_id: str | None,
                  default_tables: tuple[str, ...]) -> RunContext:
    """The run context of a drill-down: the page's window and as-of, one period; the
    default as-of is the report's (the latest event of the tables the metric reads). A
    window whose ``to`` is not after its ``from`` is refused, as the report and the
    drill-down refuse it (the contact list answered it with no contacts)."""
    tables = metric_reads(get_metric(metric_id)) if metric_id else default_tables
    start, end = parse_window(filters.from_, filters.to, filters.tz, prefix="")
    as_of = parse_instant(filters.as_of, filters.tz, "as_of") or \
        state.dataset.latest_event_us(tables) or 0
    return RunContext(as_of, start, end, filters.tz, "total", state.config,
                      offset_ranges(filters.tz, as_of - 10**12, as_of))


def contacts_page(state: View, filters: Filters, flag: str | None, page: int, size: int,
                  metric: str | None = None, part: str = "denominator") -> dict[str, Any]:
    """Contacts behind a figure: the engine's own per-contact flags, filtered (by the
    filters as every other route reads them: ``filters.where``), paginated."""
    return state.state.pool.run(
        lambda: _contacts_page(state, filters, flag, page, size, metric, part),
        state.dataset, caller=state.caller)


FLAG_METRICS: dict[str, str | None] = {
    "offered": "offered", "answered": "answered", "abandoned": "abandoned",
    "handled": "handled", "blocked": None, "is_transferred": "transferred",
    "unresolved": None}
"""The per-contact flags of ``/api/v1/contacts``, and the metric whose booking decides which
contacts a window holds (None: the contact's arrival)."""


def _contacts_page(state: View, filters: Filters, flag: str | None, page: int, size: int,
                   metric: str | None, part: str) -> dict[str, Any]:
    if not 1 <= page <= MAX_PAGE or not 1 <= size <= 1000:
        raise UsageError(f"page must be between 1 and {MAX_PAGE:,} and size between 1 and "
                         "1000")
    engine = server_engine(state, filters)
    dataset = state.dataset
    dataset.require("contacts", "the contact drill-down")
    ctx = _whole_window(state, filters, metric, ("contacts",))
    backend = backend_for(engine, dataset)
    facts = contact_facts(backend.table("contacts"), ctx)
    where = filters.where or {}
    check_filter_values(where)
    for column, values in where.items():
        if column not in CONTACT_DIMENSIONS:
            raise UsageError(f"cannot filter contacts by {column!r}")
        facts = facts.filter(facts[column].isin(values))
    if flag and not metric and flag not in FLAG_METRICS:
        raise UsageError(f"unknown flag {flag!r}: choose {', '.join(FLAG_METRICS)}")
    # the window holds the contacts the figure books in it: AHT and handled at their end,
    # as the report and /drill do (by arrival, 5 March listed 1,603 against the 1,588 the
    # report counts)
    counted_as = metric or FLAG_METRICS.get(flag or "")
    booking = get_metric(counted_as).booking if counted_as else "arrival"
    facts = facts.filter(in_window(contact_booking_ts(facts, booking), ctx))
    params: dict[str, Any] = {}
    if metric:
        facts, params = _behind(facts, state, filters, metric, part)
    elif flag:
        facts = facts.filter(facts[flag])
    total = int(backend.execute(facts.count().as_table()).iloc[0, 0])
    rows = backend.execute(
        facts.order_by(facts.arr).limit(size, offset=(page - 1) * size).select(
            "contact_id", "queue", "channel", "site", "tenant", "agent_id",
            arrived_at=facts.arr, first_response_at=facts.fr, abandoned_at=facts.ab,
            ended_at=facts.end, offered=facts.offered, answered=facts.answered,
            abandoned=facts.abandoned, wait_s=facts.wait_s, handled=facts.handled,
            handle_s=facts.handle_s, is_transferred=facts.is_transferred))
    out = []
    local = zone(filters.tz)
    for record in rows.to_dict(orient="records"):
        for key in ("arrived_at", "first_response_at", "abandoned_at", "ended_at"):
            value = record[key]
            record[key] = None if value is None or value != value else to_datetime(
                int(value)).astimezone(local).isoformat()  # as the drill-downs write them
        out.append({k: (None if isinstance(v, float) and v != v else v)
                    for k, v in record.items()})
    return {"total": total, "page": page, "size": size, "rows": out, "params": params}


def states_page(state: View, filters: Filters, metric_id: str, part: str, page: int,
                size: int) -> dict[str, Any]:
    """Agent-state intervals behind an agent-time metric (split at the window's edges)."""
    return state.state.pool.run(
        lambda: _states_page(state, filters, metric_id, part, page, size), state.dataset,
        caller=state.caller)


def _states_page(state: View, filters: Filters, metric_id: str, part: str, page: int,
                 size: int) -> dict[str, Any]:
    if not 1 <= page <= MAX_PAGE or not 1 <= size <= 1000:
        raise UsageError(f"page must be between 1 and {MAX_PAGE:,} and size between 1 and "
                         "1000")
    from omnikpi.engine.sources import SourceRequest, agent_time_source

    metric = get_metric(metric_id)
    engine = server_engine(state, filters)
    dataset = state.dataset
    dataset.require("agent_states", "the state drill-down")
    ctx = _whole_window(state, filters, metric_id, ("agent_states",))
    backend = backend_for(engine, dataset)
    pieces = agent_time_source(SourceRequest(backend.table, ctx, lambda: [], "interval"))
    check_filter_values(filters.where or {})
    for column, values in (filters.where or {}).items():
        if column in ("agent_id", "site", "tenant", "channel"):
            pieces = pieces.filter(pieces[column].isin(values))
    params = resolve_params([metric], dict(parse_param_assignments(filters.param or [])),
                            DataContext(state.config, state.dataset))[
        metric_id]
    builder = metric.numerator if part == "numerator" or metric.denominator is None \
        else metric.denominator
    value = builder(pieces, params)
    pieces = pieces.filter(value.notnull() & (value.cast("float64") != 0))
    total = int(backend.execute(pieces.count().as_table()).iloc[0, 0])
    rows = backend.execute(pieces.order_by([pieces.agent_id, pieces.piece_start]).limit(
        size, offset=(page - 1) * size).select("agent_id", "state", "reason", "channel",
                                               "piece_start", "piece_end", "seconds"))
    local = zone(filters.tz)
    out = [{**{k: (None if isinstance(v, float) and v != v else v) for k, v in r.items()},
            "piece_start": to_datetime(int(r["piece_start"])).astimezone(local).isoformat(),
            "piece_end": to_datetime(int(r["piece_end"])).astimezone(local).isoformat()}
           for r in rows.to_dict(orient="records")]
    return {"total": total, "page": page, "size": size, "rows": out, "params": params,
            "states": True}


def _behind(facts: Any, state: View, filters: Filters, metric_id: str,
            part: str) -> tuple[Any, dict[str, Any]]:
    """Contacts that count in a metric's numerator or denominator, by the declaration's own
    expressions (so the drill-down can never disagree with the number)."""
    metric = get_metric(metric_id)
    if metric.source != "contacts" or (part == "denominator" and metric.denominator_source):
        raise UsageError(f"{metric_id} is not computed from contacts alone: its drill-down "
                         "lists no contacts")
    if part not in ("numerator", "denominator"):
        raise UsageError("part must be numerator or denominator")
    params = resolve_params([metric], dict(parse_param_assignments(filters.param or [])),
                            DataContext(state.config, state.dataset))[
        metric_id]
    builder = metric.numerator if part == "numerator" or metric.denominator is None \
        else metric.denominator
    value = builder(facts, params)
    if metric.mode != "any":
        value = ibis.ifelse(facts.cont if metric.mode == "continuous" else ~facts.cont,
                            value, ibis.null(value.type()))
    booked = contact_booking_ts(facts, metric.booking)
    counted = value.notnull() & (value.cast("float64") != 0) & booked.notnull()
    return facts.filter(counted), params




# -- the drill-down of every metric: the rows of its fact table -----------------------------

DRILL_NOUNS = {"contacts": "contact(s)", "fcr": "contact(s)", "contacts_ivr": "contact(s)",
               "surveys": "survey answer(s)", "agent_time": "state interval(s)",
               "logged_in_time": "state interval(s)",
               "chat_agent_time": "state interval(s)", "dial_agent_time": "state interval(s)",
               "schedule": "schedule interval(s)", "chat_sessions": "chat session piece(s)",
               "chat_busy": "busy interval(s)", "dials": "dial attempt(s)",
               "leads": "lead(s)", "dialed_leads": "lead(s)", "qa": "evaluation(s)",
               "qa_items": "evaluation item(s)",
               "costs": "cost piece(s)", "ivr": "IVR session(s)", "messages": "message(s)",
               "talk": "contact(s)"}
"""What a drill's rows are, per fact source (``row(s)`` otherwise)."""


def drill_of(state: View, filters: Filters, metric: str, source: str | None = None,
             keys: dict[str, str] | None = None) -> Drill:
    """The drill of ``metric`` on the caller's (scoped) dataset under the page's filters."""
    engine = server_engine(state, filters)
    return drill(state.dataset, metric, dict(parse_param_assignments(filters.param or [])),
                 tz=filters.tz, from_=filters.from_, to=filters.to, as_of=filters.as_of,
                 where=filters.where, config=state.config, engine=engine,
                 source=source, key=keys, lenient=True)


def effective_part(found: Drill, part: str) -> str:
    """The part a link asks for, on this fact table: a count's "denominator" (the
    dashboard's link) is its numerator; a denominator-only table has no numerator."""
    metric = found.variant
    own = found.source == metric.source
    has_den = metric.denominator is not None and (
        (metric.denominator_source or metric.source) == found.source)
    if part == "denominator" and not has_den:
        return "numerator" if own else part
    if part == "numerator" and not own:
        return "denominator"
    return part


def _plain(record: dict[str, Any], local: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in record.items():
        if value is None or (isinstance(value, float) and value != value):
            out[key] = None
        elif key in TIME_COLUMNS and not isinstance(value, str):
            # to the microsecond when there is a fraction, as the CSV of the same rows
            # (the seconds' fraction was cut: a wait of 5.44 s between 11:55:40 and :45)
            out[key] = to_datetime(int(value)).astimezone(local).isoformat()
        elif hasattr(value, "item"):  # numpy scalars
            out[key] = value.item()
        else:
            out[key] = value
    return out


def drill_page(state: View, filters: Filters, metric: str, *, source: str | None = None,
               keys: dict[str, str] | None = None, part: str = "all",
               sort: str | None = None, desc: bool = False, page: int = 1,
               size: int = 50) -> dict[str, Any]:
    """One page of the rows behind a figure, with the figure and the part counts."""
    if not 1 <= page <= MAX_PAGE or not 1 <= size <= 1000:
        raise UsageError(f"page must be between 1 and {MAX_PAGE:,} and size between 1 and "
                         "1000")

    def run() -> dict[str, Any]:
        found = drill_of(state, filters, metric, source, keys)
        chosen = effective_part(found, part)
        counts = found.counts()
        frame = found.page(chosen, sort, desc, page, size)
        local = zone(filters.tz)
        rows = [_plain(r, local) for r in frame.to_dict(orient="records")]
        return {"drill": found, "part": chosen, "counts": counts, "total": counts[chosen],
                "rows": rows, "page": page, "size": size, "columns": found.columns,
                "params": shown_params(found.metric, found.params, state.config,
                                       state.dataset),
                "noun": DRILL_NOUNS.get(found.source, "row(s)")}

    result: dict[str, Any] = state.state.pool.run(run, state.dataset, caller=state.caller)
    return result


def drill_rows(state: View, filters: Filters, metric: str, *, source: str | None = None,
               keys: dict[str, str] | None = None, part: str = "all",
               sort: str | None = None, desc: bool = False) -> tuple[Drill, Any]:
    """Every row of a drill (for the exports), as a DataFrame with instants in µs."""
    def run() -> tuple[Drill, Any]:
        found = drill_of(state, filters, metric, source, keys)
        return found, found.everything(effective_part(found, part), sort, desc)

    result: tuple[Drill, Any] = state.state.pool.run(run, state.dataset, caller=state.caller)
    return result

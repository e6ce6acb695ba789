"""Planning a report: resolve the request against the catalog and the data, build its
expression (reused for an identical request), and hand it to a backend.

The rows are shaped in :mod:`omnikpi.engine.result`; the DuckDB runner is
:mod:`omnikpi.engine.local_duckdb`.
"""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

import ibis
import ibis.expr.types as ir

from omnikpi.config import Config
from omnikpi.engine.backends import Backend, backend_for
from omnikpi.engine.compile import MetricRequest, build_report
from omnikpi.engine.contact_facts import contact_facts, forget_built
from omnikpi.engine.context import RunContext
from omnikpi.engine.grains import Bucket, buckets, check_grain
from omnikpi.engine.local_duckdb import _ON_CLEAR, LocalDuckDB
from omnikpi.engine.params import DataContext, resolve_params
from omnikpi.engine.plan_time import plans_until_us
from omnikpi.engine.registry import (
    check_cut,
    check_filters,
    metric_dimensions,
    metric_reads,
    metric_tables,
    review_reads,
)
from omnikpi.engine.result import ReportResult, ReportWindow, shape
from omnikpi.engine.rollups import StoredRollup, reader_for
from omnikpi.engine.sources import SourceRequest
from omnikpi.engine.timezones import MICROS, offset_ranges, to_us, zone
from omnikpi.errors import DataError, UsageError
from omnikpi.instants import FIRST_YEAR, LAST_YEAR
from omnikpi.metrics.base import Metric, get_metric
from omnikpi.metrics.display import standard_metrics
from omnikpi.param_text import thresholds_of, thresholds_text
from omnikpi.request import ReportRequest, check_filter_values
from omnikpi.schema.dataset import Dataset
from omnikpi.schema.tables import CONTACT_DIMENSIONS, TABLES, ColumnType

DIMENSIONS = (*CONTACT_DIMENSIONS, "campaign", "lead_type")


def parse_instant(value: str | datetime | None, tz_name: str, option: str) -> int | None:
    """An ISO instant; one without an offset is read in the reporting time zone."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise UsageError(
                f"bad {option} {value!r}: use ISO-8601, e.g. 2024-03-01 or "
                "2024-03-01T08:00:00+02:00"
            ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone(tz_name))
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise UsageError(f"{option} {value} is outside the years OmniKPI reports on "
                         f"({FIRST_YEAR}–{LAST_YEAR})")
    return to_us(moment)


def parse_window(from_: str | datetime | None, to: str | datetime | None, tz_name: str,
                 prefix: str = "--") -> tuple[int | None, int | None]:
    """The half-open window ``[from, to)`` as instants, refused when it is empty: a
    reversed one drew an empty QA sample (and saved it for an evaluator) without a word.
    The zone is checked with no bound too: a QA sample saved "Mars/Base" as its zone."""
    zone(tz_name)
    start = parse_instant(from_, tz_name, f"{prefix}from")
    end = parse_instant(to, tz_name, f"{prefix}to")
    if start is not None and end is not None and end <= start:
        raise UsageError(f"{prefix}to must be after {prefix}from (the window is [from, to))")
    return start, end


def _resolve_metrics(
    ids: Sequence[str] | None, dataset: Dataset, by: list[str]
) -> list[Metric]:
    """The requested metrics, or the standard set (``Metric.standard``): its contact
    metrics always, the others when their tables are present and they can have the cut.
    A table that is there but cannot be used (a required column missing) is bad data, as
    for a metric named: the report stops naming it (it printed the other tables' figures
    and left the contact metrics out without a word)."""
    if not ids:
        ids = [m.id for m in standard_metrics()
               if all(t in dataset.loads for t in metric_tables(m))
               and (m.source == "contacts" or all(d in metric_dimensions(m) for d in by))]
        if not ids:
            raise DataError(
                f"none of the standard metrics can be computed from the tables of "
                f"{dataset.path} ({', '.join(sorted(dataset.loads)) or 'none'}): name "
                "the metrics with --metrics (see omnikpi catalog)")
    seen: list[str] = []
    for metric_id in ids:
        if metric_id not in seen:
            seen.append(metric_id)
    return [get_metric(m) for m in seen]


class Span(NamedTuple):
    """The instants a report reaches: ``lo``–``hi`` for the zone offsets, and ``first``
    where its calendar may begin."""

    lo: int
    hi: int
    first: int


def report_span(dataset: Dataset, extra: list[int | None],
                forward: Sequence[int | None] = ()) -> Span:
    """First and last instant of any table's timestamps and of ``extra`` (for zone offsets
    and calendars). The ``forward`` instants (the as-of, the plans' end) stretch the
    calendar forward only: an as-of before all data used to begin it there, and a report
    by 15 minutes as of 2000 over 2024's data was refused for its 847,865 periods — with
    the advice of an earlier as-of."""
    return span_of(data_instants(dataset), extra, forward)


def data_instants(dataset: Dataset) -> list[int]:
    """The first and last instants of the tables' timestamps (from the validation cache
    when it has them, else one scan); empty for data without instants (a roster)."""
    parts: list[str] = []
    values: list[int] = []
    for name in dataset.loads:
        if not dataset.has(name):
            continue
        known = dataset.bounds.get(name) if dataset.bounds else None
        if known is not None:  # from the validation cache: no scan needed
            values += [v for pair in known.values() for v in pair if v is not None]
            continue
        for column in TABLES[name].columns:
            if column.type is ColumnType.TIMESTAMP:
                parts.append(
                    f'SELECT min("{column.name}") AS lo, max("{column.name}") AS hi FROM "{name}"'
                )
    if parts:
        row = dataset.con.execute(
            f"SELECT min(lo), max(hi) FROM ({' UNION ALL '.join(parts)})"
        ).fetchone()
        if row:
            values += [int(v) for v in row if v is not None]
    return [min(values), max(values)] if values else []


def span_of(data: list[int], extra: list[int | None],
            forward: Sequence[int | None] = ()) -> Span:
    """:func:`report_span` of the data's instants ``data`` (:func:`data_instants`)."""
    values = [v for v in extra if v is not None] + data
    reach = [v for v in forward if v is not None]
    if not values:
        values = reach or [0]
    first = min(values)
    return Span(min([first, *reach]), max([*values, *reach]), first)


def _one_scan_parallel(dataset: Dataset) -> bool:
    """Whether one read of the contacts keeps every DuckDB thread busy.

    DuckDB splits a Parquet scan by row group. Contacts streamed from Parquet files with
    fewer row groups than threads are read faster once per booking rule (the reads run side
    by side) than once for all rules; in-memory tables and larger files are read once.
    """
    known: bool | None = getattr(dataset, "_one_scan_parallel", None)
    if known is not None:
        return known
    answer = True
    load = dataset.loads.get("contacts")
    con = dataset.con
    if load is not None and load.files and all(f.format == "parquet" for f in load.files):
        streamed = con.execute(
            "SELECT count(*) FROM duckdb_views() WHERE view_name LIKE '__stage_contacts%' "
            "AND database_name = current_database()"
        ).fetchone()
        if streamed and streamed[0]:
            threads = con.execute("SELECT current_setting('threads')").fetchone()
            groups = con.execute(
                "SELECT sum(num_row_groups) FROM parquet_file_metadata(?)",
                [[str(f.path) for f in load.files]],
            ).fetchone()
            answer = bool(threads and groups and int(groups[0]) >= int(threads[0]))
    dataset._one_scan_parallel = answer  # type: ignore[attr-defined]
    return answer


def _contact_highs(dataset: Dataset) -> tuple[tuple[str, int | None], ...]:
    """Latest value of each contacts timestamp column, when the loader has measured it."""
    known = dataset.bounds.get("contacts") if dataset.bounds else None
    if not known:
        return ()
    return tuple(sorted((column, hi) for column, (_, hi) in known.items()))


def _period_hours(
    backend: Backend, ctx: RunContext, calendar: list[Bucket] | None,
    filters: Mapping[str, Sequence[str]],
) -> ibis.Table:
    """Hours of each bucket, for metrics per hour of the period. At ``grain=total`` without
    both ends given, the period runs from the first to the last end of a contact the
    report counts as handled (outbound ones too: they are in the numerator), over the
    rows its filters keep — so an administrator's ``tenant=A`` and tenant A's own login
    divide by the same hours. That span is part of the report's query, not a value
    computed while planning: it runs on the engine that runs the report (on Spark the rows
    are on the executors), and a report's plan does not depend on the rows (a filtered
    dashboard's reusable form, ``web/dashboard_data.py``, serves every value of the
    filter)."""
    schema = {"__hkey": "int64", "__hours": "float64"}
    if ctx.grain != "total":
        assert calendar is not None
        return ibis.memtable({"__hkey": [b.key for b in calendar],
                              "__hours": [b.hours for b in calendar]}, schema=schema)
    lo, hi = ctx.from_us, ctx.to_us
    if lo is not None and hi is not None:
        return ibis.memtable({"__hkey": [0], "__hours": [(hi - lo) / (3600 * MICROS)]},
                             schema=schema)
    facts = contact_facts(backend.table("contacts"), ctx)
    keep = facts.handled & (facts.end <= ctx.as_of_us)
    for column, values in filters.items():
        if column in CONTACT_DIMENSIONS:
            keep &= facts[column].isin(list(values))
    if lo is not None:
        keep &= facts.end >= lo
    if hi is not None:
        keep &= facts.end < hi
    span = facts.filter(keep).aggregate(first=facts.end.min(), last=facts.end.max())
    first = span["first"] if lo is None else ibis.literal(lo, "int64")
    last = span["last"] if hi is None else ibis.literal(hi, "int64")
    hours = (last - first).cast("float64") / (3600 * MICROS)
    return span.select(__hkey=ibis.literal(0, "int64"), __hours=hours.fill_null(0.0))


@dataclass
class ReportPlan:
    """A compiled report: the Ibis expression and what is needed to shape its rows."""

    expr: ibis.Table
    backend: Backend
    requests: list[MetricRequest]
    by: list[str]
    grain: str
    tz: str
    dataset: Dataset
    window: ReportWindow | None = None

    def sql(self) -> str:
        """The SQL the backend runs (for review, and snapshot tests per engine)."""
        return self.backend.sql(self.expr)

    def run(self) -> ReportResult:
        frame = self.backend.execute(self.expr)
        return shape(frame, self.requests, self.by, self.grain, self.tz, self.dataset,
                     self.window)

    def run_sql(self, sql: str) -> ReportResult:
        """Run this plan's DuckDB SQL as given (see ``LocalDuckDB.execute_sql``)."""
        if not isinstance(self.backend, LocalDuckDB):
            raise UsageError("run_sql needs the DuckDB engine")
        frame = self.backend.execute_sql(self.expr, sql)
        return shape(frame, self.requests, self.by, self.grain, self.tz, self.dataset,
                     self.window)


def run_report(*args: Any, **kwargs: Any) -> ReportResult:
    """Compute the requested metrics (the arguments of :func:`plan_report`)."""
    return plan_report(*args, **kwargs).run()


def plan_report(
    dataset: Dataset,
    metrics: Sequence[str] | None = None,
    by: Sequence[str] = (),
    grain: str = "total",
    tz: str = "UTC",
    from_: str | datetime | None = None,
    to: str | datetime | None = None,
    as_of: str | datetime | None = None,
    params: Mapping[str, Any] | None = None,
    config: Config | None = None,
    engine: str = "duckdb",
    backend: Backend | None = None,
    where: Mapping[str, Sequence[str]] | None = None,
) -> ReportPlan:
    """:func:`plan_request` with the request's fields as keyword arguments (the Python
    API's and the tests' way of asking)."""
    request = ReportRequest.of(metrics, by, grain, tz, from_, to, as_of, params, where, engine)
    return plan_request(dataset, request, config, backend)


def refuse_empty_tables(plan: ReportPlan) -> None:
    """Bad data (exit 3, as the CLI contract's "unparsable required column") when a table
    a planned metric reads has rows and none of them loaded: its figures would be 0 or
    empty, read from nothing (a Parquet file of epoch integers for instants reported
    offered 0 with exit 0, and a nightly file said the same). Checked before the run."""
    dataset = plan.dataset
    tables = dict.fromkeys(t for r in plan.requests for t in r.metric.tables)
    for table in tables:
        load = dataset.loads.get(table)
        if load is None or not load.usable or not load.rows_read or load.rows_loaded:
            continue
        first = next((p for p in dataset.problems if p.table == table), None)
        raise DataError(f"{table}: none of its {load.rows_read} row(s) could be loaded, so "
                        "the report would read nothing"
                        + (f" (first: {first})" if first else "")
                        + f"; omnikpi validate --data {dataset.path} lists every problem")


def _as_of_tables(requests: list[MetricRequest]) -> tuple[str, ...]:
    """The tables whose latest event is a report's default as-of: those of its operation
    metrics, or of its review metrics (QA, employee surveys) when it has no other.

    An evaluation made today of last week's calls put every figure beside a QA metric at
    today: an e-mail unanswered at the end of the data read 237 days late beside
    qa_score, 1 hour alone. The operation's figures no longer depend on a QA metric beside
    them; the QA metrics then count the evaluations made by that as-of, as on the
    dashboard, and a note names the later ones left out and the as-of that counts them
    (``report_notes.later_reviews_note``; docs/qa.md)."""
    operation = [t for r in requests if not review_reads(r.metric)
                 for t in metric_reads(r.metric)]
    return tuple(dict.fromkeys(operation or [t for r in requests
                                             for t in metric_reads(r.metric)]))


def plan_request(dataset: Dataset, request: ReportRequest, config: Config | None = None,
                 backend: Backend | None = None) -> ReportPlan:
    """Resolve and compile a report request (nothing runs yet): the engine behind the
    CLI, the API and the UI."""
    metrics = request.metrics or None
    by: list[str] = list(request.by)
    grain, tz, engine = request.grain, request.tz, request.engine
    from_, to, as_of, params = request.from_, request.to, request.as_of, request.params
    where = request.filters
    check_grain(grain)
    zone(tz)
    bad = [d for d in by if d not in DIMENSIONS]
    if bad:
        raise UsageError(f"unknown dimension {bad[0]!r}: choose from {', '.join(DIMENSIONS)}")
    filters = {dim: [str(v) for v in values] for dim, values in (where or {}).items()}
    bad_filters = [d for d in filters if d not in DIMENSIONS]
    if bad_filters:
        raise UsageError(f"unknown filter dimension {bad_filters[0]!r}: choose from "
                         f"{', '.join(DIMENSIONS)}")
    chosen = _resolve_metrics(metrics, dataset, by)
    for metric in chosen:
        # a cut the metric can never have is said first: asked for cost per customer by
        # agent, a user supplied the customer base and then the costs table only to learn
        # that it cannot be cut by agent (a variant's cuts are checked again when compiled)
        check_cut(metric, by)
        check_filters(metric, list(filters))
    resolved = resolve_params(chosen, params or {}, DataContext(config or Config(), dataset))
    requests: list[MetricRequest] = []
    for metric in chosen:
        p = resolved[metric.id]
        variant = metric.resolve(p) if metric.resolve else metric
        for table in metric_tables(variant):
            dataset.require(table, f"metric {metric.id}")
        requests.append(MetricRequest(variant, p))
    from_us, to_us_ = parse_window(from_, to, tz)
    as_of_us = parse_instant(as_of, tz, "--as-of")
    as_of_given = as_of_us is not None
    read = tuple(dict.fromkeys(t for r in requests for t in metric_reads(r.metric)))
    if as_of_us is None:
        as_of_us = dataset.latest_event_us(_as_of_tables(requests), tz) or 0
    plans_until = plans_until_us(dataset, read, as_of_us, as_of_given)
    instants = data_instants(dataset)
    lo, hi, first = span_of(instants, [from_us, to_us_], forward=[as_of_us, plans_until])
    cal_lo = max(first, from_us) if from_us is not None else first
    cal_hi = min(hi, to_us_) if to_us_ is not None else hi
    engine_backend = backend or backend_for(engine, dataset)
    offsets = offset_ranges(tz, lo, hi)
    ctx = RunContext(
        as_of_us=as_of_us, from_us=from_us, to_us=to_us_, tz=tz, grain=grain,
        config=config or Config(), offsets=offsets,
        span_start_us=cal_lo, span_end_us=cal_hi, contact_highs=_contact_highs(dataset),
        contact_channels=dataset.domain("contacts", "channel"),
        contact_directions=dataset.domain("contacts", "direction"),
        contact_empty=frozenset((dataset.empty or {}).get("contacts", ())),
        plans_until_us=plans_until if plans_until != as_of_us else None,
        repeat_contacts=dataset.repeat_contacts,
        nonnegative_keys=isinstance(engine_backend, LocalDuckDB)
        and lo + min(r.offset_us for r in offsets) >= 0,
    )
    calendar = buckets(grain, tz, cal_lo, max(cal_hi, cal_lo + 1))
    source_request = SourceRequest(engine_backend.table, ctx, lambda: calendar, "arrival")
    check_filter_values(filters)
    hours = None
    if any(r.metric.per_period_hours for r in requests):
        hours = _period_hours(engine_backend, ctx, calendar, filters)
    if isinstance(engine_backend, LocalDuckDB):
        one_pass = _one_scan_parallel(dataset)
        # the one place a report chooses stored rollup sums over the contacts (same numbers)
        rollup = reader_for(dataset, engine_backend, ctx, requests, by, filters)
        if hours is None:
            expr = _cached_report(requests, by, source_request, filters, engine_backend,
                                  one_pass, rollup)
        else:
            expr = build_report(requests, by, source_request, hours, filters, one_pass,
                                rollup)
    else:
        expr = build_report(requests, by, source_request, hours, filters)
    # the channels the report covers: a voice report listed e-mail's and social's
    # thresholds too
    covered = filters.get("channel") or ctx.contact_channels or ()
    window = ReportWindow(tz, from_us, to_us_, as_of_us,
                          {d: tuple(v) for d, v in filters.items()},
                          thresholds_text(ctx.config, covered),
                          # the JSON's: the filter's channels, else every channel the
                          # configuration knows — the same for every viewer (a client's
                          # scoped data and an operator's filter listed different ones)
                          thresholds_of(ctx.config, filters.get("channel") or ()),
                          min(instants) if instants else None)
    return ReportPlan(expr, engine_backend, requests, by, grain, tz, dataset, window)


_PLANS: OrderedDict[
    str, tuple[ibis.Table, tuple[tuple[str, Any], ...], tuple[Metric, ...]]
] = OrderedDict()
_PLANS_MAX = 128
_ON_CLEAR.append(_PLANS.clear)
_ON_CLEAR.append(forget_built)


def _cached_report(
    requests: list[MetricRequest],
    by: list[str],
    source_request: SourceRequest,
    filters: dict[str, list[str]],
    backend: LocalDuckDB,
    one_pass: bool,
    rollup: StoredRollup | None = None,
) -> ibis.Table:
    """The report expression, built once per process for an identical request.

    What is built depends only on the resolved request (metrics and their parameters,
    cut, filters, the run context with its zone offsets and configuration) and on the
    schemas of the tables the sources read: an entry is reused only while those tables
    still have the schemas it was built on.
    """
    key = repr((
        [(r.metric.id, sorted((k, repr(v)) for k, v in r.params.items())) for r in requests],
        by, sorted(filters.items()), source_request.ctx, one_pass,
        None if rollup is None else rollup.key,
    ))
    metrics = tuple(r.metric for r in requests)
    hit = _PLANS.get(key)
    if hit is not None:
        expr, schemas, built_for = hit
        if built_for == metrics and all(
            backend.table(name).schema() == schema for name, schema in schemas
        ):
            # another thread may have cleared the cache since (a dataset reloaded):
            # the plan is still good, only no longer kept (a KeyError failed the page)
            with contextlib.suppress(KeyError):
                _PLANS.move_to_end(key)
            return expr
    used: dict[str, Any] = {}

    def table(name: str) -> ir.Table:
        t = backend.table(name)
        used[name] = t.schema()
        return t

    recording = SourceRequest(
        table, source_request.ctx, source_request.calendar, source_request.booking,
        source_request.params,
    )
    expr = build_report(requests, by, recording, None, filters, one_pass, rollup)
    _PLANS[key] = (expr, tuple(sorted(used.items())), metrics)
    if len(_PLANS) > _PLANS_MAX:
        with contextlib.suppress(KeyError):
            _PLANS.popitem(last=False)
    return expr



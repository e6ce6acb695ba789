"""The dashboard's reports, fast on a filter change.

A dashboard asks about ten reports (a tile row per section, the interval profile, the
trend, the agent funnel …). Compiling a report through Ibis costs far more than running
it (about 0.2 s of Python per report against a few milliseconds in DuckDB), and a filter
change (``queue=sales`` → ``queue=support``) changes nothing in the compiled SQL but the
filter's text literals: filters are ``column IN (…)`` on the source rows
(``engine/compile.py``), so the SQL's *shape* depends only on how many values each filter
has.

So a report is compiled once per shape with placeholder values, and reused with the
values substituted — only after the first real compilation of that shape proved that the
substitution gives exactly the SQL the compiler writes (the same check the live monitor
makes for its as-of instant). A shape that does not pass is compiled every time, as
before: slower, equally right. Results are cached like ``service.report``'s.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, replace
from typing import Any

from omnikpi.engine.local_duckdb import LocalDuckDB, _memtables
from omnikpi.engine.result import ReportResult
from omnikpi.engine.run import ReportPlan, plan_request
from omnikpi.engine.shaped_sql import sql_literal, written_in
from omnikpi.errors import UsageError
from omnikpi.request import ReportRequest, check_filter_values
from omnikpi.schema.dataset import Dataset
from omnikpi.web import service
from omnikpi.web.deps import Filters, View


@dataclass(frozen=True)
class Template:
    """A report compiled with placeholder filter values, and its SQL."""

    plan: ReportPlan
    sql: str
    placeholders: dict[str, tuple[str, ...]]


_LOCK = threading.Lock()
_MAX_TEMPLATES = 256


def _templates(dataset: Dataset) -> dict[str, Template | None]:
    """The templates of one loaded dataset (a reload starts afresh)."""
    with _LOCK:
        found: dict[str, Template | None] | None = getattr(dataset, "_omnikpi_templates",
                                                            None)
        if found is None:
            found = {}
            dataset._omnikpi_templates = found  # type: ignore[attr-defined]
        return found


def _placeholders(filters: dict[str, tuple[str, ...]],
                  tag: str) -> dict[str, tuple[str, ...]]:
    """Values standing for ``filters``' values, in the same order (the SQL follows it)."""
    return {dim: tuple(f"omnikpi{tag}{n}{dim}{i}x" for i in range(len(values)))
            for n, (dim, values) in enumerate(filters.items())}


def _substitute(sql: str, given: dict[str, tuple[str, ...]],
                wanted: dict[str, tuple[str, ...]]) -> str | None:
    """``sql`` with each placeholder literal replaced by the wanted value's literal, in
    one pass (None when a placeholder is not in the SQL exactly as a literal)."""
    swap: dict[str, str] = {}
    for dim, names in given.items():
        for name, value in zip(names, wanted[dim], strict=True):
            quoted = sql_literal(name)
            if quoted not in sql:
                return None
            swap[quoted] = sql_literal(value)
    return written_in(sql, swap) if swap else sql


_MEMTABLE = re.compile(r"ibis_pandas_memtable_[a-z0-9]+")


def _same(sql: str | None, template: ReportPlan, compiled: str, real: ReportPlan) -> bool:
    """Whether the template's SQL with the values substituted is the compiled SQL of the
    real request. In-memory tables (a calendar, hours per period) get a fresh name each
    time one is built: equal when they hold equal rows in the same places."""
    if sql is None:
        return False
    ours = {t.name: t for t in _memtables(template.expr.op())}
    theirs = {t.name: t for t in _memtables(real.expr.op())}
    ours_order = list(dict.fromkeys(_MEMTABLE.findall(sql)))
    theirs_order = list(dict.fromkeys(_MEMTABLE.findall(compiled)))
    if len(ours_order) != len(theirs_order) or set(ours_order) - set(ours) or \
            set(theirs_order) - set(theirs):
        return False
    for mine, other in zip(ours_order, theirs_order, strict=True):
        if not ours[mine].data.to_frame().equals(theirs[other].data.to_frame()):
            return False
    renamed = dict(zip(theirs_order, ours_order, strict=True))
    return _MEMTABLE.sub(lambda found: renamed[found.group(0)], compiled) == sql


def _shape_key(state: View, request: ReportRequest) -> str:
    counted = [(dim, len(values)) for dim, values in request.filters.items()]
    return repr((state.cache_key, id(state.config), replace(request, filters={}),
                 counted))


def _run(state: View, request: ReportRequest) -> ReportResult:
    """The report of ``request``: from its shape's template when there is one, else
    compiled (and the template made and checked on the way)."""
    dataset = state.dataset
    filters = {d: tuple(v) for d, v in request.filters.items()}
    check_filter_values(filters)
    templates = _templates(dataset)
    key = _shape_key(state, request)
    with _LOCK:
        known = key in templates
        template = templates.get(key)
    if template is not None:
        plan = template.plan
        window = replace(plan.window, filters=filters) if plan.window else None
        bound = ReportPlan(plan.expr, LocalDuckDB(dataset), plan.requests, plan.by,
                           plan.grain, plan.tz, dataset, window)
        sql = _substitute(template.sql, template.placeholders, filters)
        if sql is not None:
            return bound.run_sql(sql)
    real = plan_request(dataset, request, state.config)
    if not known and isinstance(real.backend, LocalDuckDB):
        made: Template | None = None
        names = _placeholders(filters, "p")
        shaped: ReportPlan | None = None
        if not names:
            # nothing to substitute: the request is its own template (planning it again
            # doubled an unfiltered page's planning — 3 s a report for a window of
            # centuries, whose calendar the engine builds in Python)
            made = Template(real, real.backend.compiled(real.expr), names)
        else:
            try:
                shaped = plan_request(dataset, replace(request, filters=names),
                                      state.config)
            except UsageError:
                shaped = None
        if shaped is not None and isinstance(shaped.backend, LocalDuckDB):
            sql = shaped.backend.compiled(shaped.expr)
            # the template is kept only if it gives exactly the compiler's own SQL
            if _same(_substitute(sql, names, filters), shaped,
                     real.backend.compiled(real.expr), real):
                made = Template(shaped, sql, names)
        with _LOCK:
            while len(templates) >= _MAX_TEMPLATES:
                templates.pop(next(iter(templates)))
            templates[key] = made
    return real.run()


def report(state: View, filters: Filters, metrics: list[str],
           by: list[str] | None = None, grain: str | None = None,
           where: dict[str, list[str]] | None = None) -> ReportResult:
    """``service.report`` (same arguments, same numbers, same cache), compiled once per
    shape of filters on the DuckDB engine."""
    engine = state.state.engine
    if engine != "duckdb" or filters.engine not in (None, engine):
        return service.report(state, filters, metrics, by, grain, where)
    merged = service.merged_where(filters, where)
    key = repr(("dashboard", state.cache_key, metrics, by if by is not None else
                service.split(filters.by), grain or filters.grain, filters.tz,
                filters.from_, filters.to, filters.as_of, filters.param,
                sorted(merged.items())))
    cached = service.cached_result(state, key)
    if cached is not None:
        return cached
    changes: dict[str, Any] = {"filters": {d: tuple(v) for d, v in merged.items()},
                               "engine": engine, "metrics": tuple(metrics)}
    if by is not None:
        changes["by"] = tuple(by)
    if grain:
        changes["grain"] = grain
    request = replace(filters.request(), **changes)
    result = state.state.pool.run(lambda: _run(state, request), state.dataset, key=key,
                                  caller=state.caller)
    service.remember(state, key, result)
    return result

"""The drill-down page: the rows of the fact table behind a figure, where each row counts
(numerator, denominator, or excluded and why), sortable, exported as CSV or XLSX."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from omnikpi.delivery.disposition import attachment
from omnikpi.engine.drill import PARTS
from omnikpi.engine.registry import SOURCES
from omnikpi.engine.run import parse_instant, parse_window
from omnikpi.engine.timezones import zone
from omnikpi.errors import OmniKPIError, UsageError
from omnikpi.metrics.base import get_metric
from omnikpi.stated_scope import filters_in_scope
from omnikpi.web import service
from omnikpi.web.audit_trail import record_taken
from omnikpi.web.deps import FilterParams, Filters, SortDirection, ViewDep
from omnikpi.web.drill_export import drill_csv, drill_xlsx
from omnikpi.web.drill_labels import (
    column_unit,
    counts_in,
    empty_note,
    header,
    shown_params,
)
from omnikpi.web.i18n import choose_language, translator
from omnikpi.web.known_params import REFUSE_UNKNOWN
from omnikpi.web.limits import LONG_TEXT_CHARS, check_export_rows, check_length
from omnikpi.web.page_errors import page_message
from omnikpi.web.templating import templates

router = APIRouter(include_in_schema=False)

Keys = Annotated[list[str] | None, Query()]


def parse_keys(keys: list[str] | None) -> dict[str, str]:
    """``key=state:handling`` → ``{"state": "handling"}`` (a table metric's row)."""
    out: dict[str, str] = {}
    for item in keys or []:
        name, sep, value = item.partition(":")
        if not sep or not name:
            raise UsageError(f"bad key {item!r}: use COLUMN:VALUE, e.g. state:handling")
        out[name] = value
    return out


def _link(request: Request, **changes: Any) -> str:
    """This page's URL with some parameters changed (None removes one)."""
    items = [(k, v) for k, v in request.query_params.multi_items() if k not in changes]
    items += [(k, str(v)) for k, v in changes.items() if v is not None]
    return f"{request.url.path}?{urlencode(items)}"


NOT_IN_THE_FORM = frozenset({"metric", "param", "key", "part", "source", "sort", "dir",
                             "page", "size"})
"""What a drill-down's address carries that its filter form cannot change."""


def start_again(request: Request, metric: str | None) -> str | None:
    """This metric's drill-down with only what the filter form shows, or the dashboard
    when the metric is none of the catalog: the way out of a value the form cannot change
    (Apply sent the same bad metric or parameter again). None when nothing would change."""
    kept = [(k, v) for k, v in request.query_params.multi_items() if k not in NOT_IN_THE_FORM]
    if metric is None:
        return "/?" + urlencode(kept) if kept else "/"
    link = f"/drill?{urlencode([('metric', metric), *kept])}"
    asked = [(k, v) for k, v in request.query_params.multi_items() if k != "metric"]
    return None if sorted(asked) == sorted(kept) else link


def _form_reads(filters: Filters) -> bool:
    """Whether the values the filter form shows read (the zone, the window, as-of): when
    one does not, the form is where to put it right, and a link that kept it led back to
    the same refusal."""
    try:
        parse_window(filters.from_, filters.to, zone(filters.tz).key)
        parse_instant(filters.as_of, filters.tz, "as_of")
    except OmniKPIError:
        return False
    return True


@router.get("/drill", response_class=HTMLResponse)
def drill(request: Request, state: ViewDep, filters: FilterParams, metric: str = "offered",
          part: str = "all", source: str | None = None, sort: str | None = None,
          dir: SortDirection = "asc", page: int = 1, size: int = 50, key: Keys = None) -> Response:
    data = None
    message = None
    definition = None
    _ = translator(choose_language(request))
    try:
        definition = get_metric(metric)
        if part not in PARTS:
            raise UsageError(f"part must be one of {', '.join(PARTS)}")
        data = service.drill_page(state, filters, metric, source=source,
                                  keys=parse_keys(key), part=part, sort=sort,
                                  desc=dir == "desc", page=page, size=size)
    except OmniKPIError as exc:
        # the engine's message is written for the command line, in English: the page
        # says it as the other pages do, in the page's language
        message = page_message(exc, _)
    found = data["drill"] if data else None
    variant = found.variant if found else None
    return templates.TemplateResponse(request, "drill.html", {
        "data": data, "drill": found, "metric": definition, "variant": variant,
        # the line under the form reads the period and as-of of the tables this metric
        # reads, as its figure does (every table's latest event was shown before: 22:00
        # above an FCR read at the contacts' 21:57)
        "filters": dataclasses.replace(filters, metrics=metric, metric_as_of=True)
        if definition else filters,
        "message": message, "sort": sort, "dir": dir,
        "start_again": start_again(request, definition.id if definition else None)
        if message and _form_reads(filters) else None,
        # the line under the form ("Period 2024-03-06 – 2024-03-04") is left out when the
        # values are refused, as on the other pages' error pages
        "error": message,
        "link": lambda **changes: _link(request, **changes),
        "counts_in": lambda status, reason: counts_in(status, reason, _),
        "header": lambda column: header(column, _),
        "unit_of": lambda column: column_unit(variant, found.source, column)
        if variant and found else None,
        # a source of optional tables only (sales: contacts and dial attempts, either)
        "source_names": {name: SOURCES[name].tables or SOURCES[name].optional
                         for name in SOURCES},
        "empty_note": empty_note(found, filters.tz, choose_language(request))
        if found else "",
    }, status_code=200 if message is None else 400)


@router.get("/drill.{fmt}", dependencies=REFUSE_UNKNOWN)
def drill_export(request: Request, state: ViewDep, filters: FilterParams, fmt: str,
                 metric: str = "offered", part: str = "all", source: str | None = None,
                 sort: str | None = None, dir: SortDirection = "asc", key: Keys = None) -> Response:
    """Every row of the drill (not only one page): CSV keeps raw numbers and ISO instants
    in the report's zone; XLSX has real dates and durations with number formats. A
    parameter it does not read is refused (a misspelt ``quene=`` exported every queue's
    rows under a title that looked filtered), and its query is as long as a report
    export's at most (it is kept in the audit log)."""
    check_length("the query", str(request.url.query), LONG_TEXT_CHARS)
    if fmt not in ("csv", "xlsx"):
        raise UsageError("the drill-down exports as csv or xlsx")
    if part not in PARTS:
        raise UsageError(f"part must be one of {', '.join(PARTS)}")
    found, frame = service.drill_rows(state, filters, metric, source=source,
                                      keys=parse_keys(key), part=part, sort=sort,
                                      desc=dir == "desc")
    check_export_rows(fmt, len(frame))
    lang = choose_language(request)
    _ = translator(lang)
    name = f"drill-{metric}-{found.source}"
    disposition = {"Content-Disposition": attachment(f"{name}.{fmt}")}
    # the rows behind a figure (contact ids, agents, customers' answers) leave the
    # service here: an export of them is audited as the report's is
    record_taken(request, state, "export", {"what": "drill", "format": fmt,
                                            "rows": len(frame),
                                            "query": str(request.url.query)})
    if fmt == "csv":  # sent as it is written: it stops when the reader leaves
        return StreamingResponse(drill_csv(found, frame, filters.tz),
                                 media_type="text/csv; charset=utf-8", headers=disposition)
    # the file names the viewer's scope among its filters, as the report's files do
    stated = dataclasses.replace(filters, where={
        dim: list(values) for dim, values in filters_in_scope(filters.where or {},
                                                              state.scope).items()} or None)
    body = drill_xlsx(found, frame, stated, _,
                      shown_params(found.metric, found.params, state.config,
                                   state.dataset), lang)
    return Response(body, headers=disposition, media_type=(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))

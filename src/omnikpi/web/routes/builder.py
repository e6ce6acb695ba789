"""The report builder: choose metrics, cuts, grain, filters and parameters; preview; save
named definitions; export CSV, XLSX, PDF. A saved definition also runs from the CLI
(`omnikpi report --definition FILE`)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs, quote, urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from omnikpi.definitions import NAME_MAX, ReportDefinition, check_name, slug
from omnikpi.delivery.disposition import attachment
from omnikpi.docs_catalog import catalog_json
from omnikpi.errors import OmniKPIError, UsageError
from omnikpi.export import DEFAULT_TITLE, to_csv_text, write_pdf, write_xlsx
from omnikpi.export import DIMENSION_LABELS as EXPORT_LABELS
from omnikpi.formatting import repeated_hours
from omnikpi.metrics.base import get_metric
from omnikpi.stated_scope import result_in_scope
from omnikpi.store.db import session_scope
from omnikpi.store.reports import AlreadySaved, get_report, list_reports, save_report, shelf
from omnikpi.value_list import join_values
from omnikpi.web import service
from omnikpi.web.audit_trail import record_taken
from omnikpi.web.deps import (
    FILTER_DIMENSIONS,
    FilterParams,
    Filters,
    View,
    ViewDep,
    get_filters,
)
from omnikpi.web.filters import DIMENSION_LABELS, at_one_as_of, window_days
from omnikpi.web.i18n import choose_language
from omnikpi.web.known_params import REFUSE_UNKNOWN
from omnikpi.web.limits import LONG_TEXT_CHARS, NAME_CHARS, check_export_rows, check_length
from omnikpi.web.page_errors import Translate, page_message, status_of, translator_of
from omnikpi.web.templating import templates

router = APIRouter(include_in_schema=False)
DIMENSIONS = ("queue", "channel", "site", "tenant", "agent_id", "topic", "direction")


@router.get("/builder", response_class=HTMLResponse)
def builder(request: Request, state: ViewDep, filters: FilterParams,
            definition: str | None = None) -> Response:
    if definition:
        with session_scope(state.state.database_url) as session:
            saved, _ = get_report(session, slug(definition), shelf(state.principal))
        query = {"metrics": ",".join(saved.metrics), "by": ",".join(saved.by),
                 "grain": saved.grain, "tz": saved.tz, "from": saved.from_ or "",
                 "to": saved.to or "", "as_of": saved.as_of or "",
                 # a value with a comma ("Doe, Jane") is escaped, as the pickers write it:
                 # joined bare, the reopened report looked for "Doe" and " Jane"
                 **{dim: join_values(v) for dim, v in saved.filters.items()}}
        pairs = [(k, v) for k, v in query.items() if v]
        pairs += [("param", f"{k}={v}") for k, v in saved.params.items()]
        # its exports are titled with its name, as the CLI's --definition and scheduled
        # files are (they read "OmniKPI report")
        pairs += [("title", saved.name)] if saved.name else []
        return RedirectResponse("/builder?" + urlencode(pairs), status_code=303)
    if "metrics" in request.query_params and not service.split(filters.metrics):
        # "Preview" with a cut ticked and no metric showed nothing at all: no table, no
        # sentence, no way to save
        return _page(request, state, filters, str(request.url.query), status=400,
                     error=translator_of(request)("Tick at least one metric to see the report."))
    return _page(request, state, filters, str(request.url.query))


def _page(request: Request, state: ViewDep, filters: Filters, query: str,
          error: str | None = None, status: int = 200, name: str = "",
          name_error: str | None = None) -> Response:
    """The builder with the filters as typed: the preview, or the sentence saying what to
    change (the page stays, with everything typed). ``name_error``: the name to save the
    report under was refused — the preview stays, the sentence by the "Save as" field."""
    result = None
    if error is None and filters.metrics:
        try:
            result = service.report(state, at_one_as_of(state, filters))
        except OmniKPIError as exc:
            if status_of(exc) >= 500:
                raise
            if name_error is None:  # else the name's sentence and status stand
                status = status_of(exc)
                error = page_message(exc, translator_of(request))
    with session_scope(state.state.database_url) as session:
        saved_reports = list_reports(session, shelf(state.principal))
    chosen = set(service.split(filters.metrics))
    heads = {c: _head(c, result.metrics) for c in result.columns} if result else {}
    # the hour the clocks go back is read twice: each with its offset, as the exports have
    repeated = repeated_hours([row.get("period_start") for row in result.rows],
                              result.tz) if result else {}
    return templates.TemplateResponse(request, "builder.html", {
        "heads": heads, "repeated": repeated,
        "filters": filters, "catalog": _catalog(choose_language(request)), "chosen": chosen,
        "missing": _missing_tables(state),
        "dims": DIMENSIONS, "by": set(service.split(filters.by)), "result": result,
        "query": query, "saved": saved_reports, "error": error, "name": name,
        "name_error": name_error, "name_max": NAME_MAX,
        "language_address": "/builder?" + query,
    }, status_code=status)


def _head(column: str, metrics: dict[str, Any]) -> str:
    """A preview column's header before translation: the metric's name, the dimension's
    label, "Period" (the page translates them; the exports keep the column ids)."""
    if column in metrics:
        return get_metric(column).name
    if column == "period_start":
        return "Period"
    # a table metric's key (state, reason, campaign, item) is named as the exports name it
    # (the preview showed the bare ids "state", "reason")
    return DIMENSION_LABELS.get(column) or EXPORT_LABELS.get(column, column)


def _missing_tables(view: View) -> dict[str, list[str]]:
    """Metric id → the tables it needs that the dataset lacks: such a metric is shown
    but cannot be ticked (a client ticking "QA score" on a center without QA data met an
    error naming a table)."""
    return {m["id"]: gone for m in catalog_json()
            if (gone := [t for t in m["tables"] if not view.dataset.has(t)])}


def _catalog(lang: str) -> list[dict[str, Any]]:
    """The metrics to choose from, their formulas in the page's language."""
    return [{**m, "formula": get_metric(m["id"]).formula_in(lang)} for m in catalog_json()]


def filters_of_query(query: str, request: Request) -> Filters:
    """The filters a builder URL's query string holds (as the page read them)."""
    values = parse_qs(query)

    def one(key: str) -> str | None:
        return values.get(key, [None])[0]

    # every dimension a URL filters by (FILTER_DIMENSIONS): topic, campaign and lead_type
    # were left out, and a report previewed with topic=complaint was saved of every topic
    return get_filters(one("metrics"), one("by"), one("grain") or "total", one("tz") or "UTC",
                       one("from"), one("to"), one("as_of"), values.get("param"),
                       one("engine"), to_day=one("to_day"), request=request,
                       **{dim: one(dim) for dim in FILTER_DIMENSIONS})


def _name_problem(name: str, _: Translate) -> tuple[str, int] | None:
    """What to change in the name a report is saved under, in the page's language, and the
    status (the name field's own limit is ``NAME_MAX``, shorter than the form's
    ``NAME_CHARS``: a longer name was refused by the form, 422, with pydantic's English)."""
    if not name.strip():
        return _("Type a name to save the report under."), 400
    if len(name) > NAME_MAX:
        return _("The name has {length} characters: a report name has at most {limit}. "
                 "Shorten it and save again.").format(length=len(name), limit=NAME_MAX), \
            422 if len(name) > NAME_CHARS else 400
    try:
        check_name(name)
    except UsageError as exc:  # the sentences of the shared page messages
        return page_message(exc, _), 400
    return None


@router.post("/builder/save")
def save(request: Request, state: ViewDep,
         query: Annotated[str, Form(max_length=LONG_TEXT_CHARS)],
         name: Annotated[str, Form()] = "",
         replace: Annotated[bool, Form()] = False) -> Response:
    """Save the previewed report (its metrics, cuts, period, zone, grain, filters and
    parameters) under ``name``; a bad name or value keeps the builder with its message,
    and a name already saved is replaced only when "Replace it" is ticked.

    The name has no form limit: a blank or too long one (the field says ``maxlength``, a
    script need not) is answered by the builder with everything chosen still chosen and a
    sentence in the page's language — a form limit answered with an error page holding
    only the filter bar (and pydantic's English). It is checked here before anything
    stores it (``check_name``: at most ``NAME_MAX`` characters)."""
    filters = filters_of_query(query, request)
    _ = translator_of(request)
    shown = name[:LONG_TEXT_CHARS]  # the field as typed, not megabytes of it
    problem = _name_problem(name, _)
    if problem is not None:
        return _page(request, state, filters, query, None, problem[1], shown, problem[0])
    try:
        definition = ReportDefinition.from_request(name, filters.request())
        # what the preview runs (cached when it was previewed): a definition that cannot
        # run (an unknown metric, a bad parameter) was saved, and failed when opened
        service.report(state, at_one_as_of(state, filters))
        with session_scope(state.state.database_url) as session:
            save_report(session, definition, state.principal.name, shelf(state.principal),
                        state.principal.role, replace=replace)
    except AlreadySaved as exc:
        return _page(request, state, filters, query, _(
            "A report with this name is already saved ({name}): tick “Replace it” to save "
            "over it, or choose another name.").format(name=exc.saved_name), 409, shown)
    except OmniKPIError as exc:
        if status_of(exc) >= 500:
            raise
        return _page(request, state, filters, query, page_message(exc, _), status_of(exc),
                     shown)
    return RedirectResponse(f"/builder?definition={quote(slug(name))}", status_code=303)


@router.get("/builder/definition/{name}.toml")
def definition_file(state: ViewDep, name: str) -> Response:
    """A saved definition as the TOML file `omnikpi report --definition FILE` runs."""
    with session_scope(state.state.database_url) as session:
        _, text = get_report(session, slug(name), shelf(state.principal))
    return Response(text, media_type="application/toml", headers={
        "Content-Disposition": attachment(f"{slug(name)}.toml")})


@router.get("/export.{fmt}", dependencies=REFUSE_UNKNOWN)
def export(request: Request, state: ViewDep, filters: FilterParams, fmt: str,
           title: Annotated[str, Query()] = DEFAULT_TITLE) -> Response:
    check_length("the query", str(request.url.query), LONG_TEXT_CHARS)
    if fmt not in ("csv", "xlsx", "pdf"):
        # as the drill-down's exports refuse one: ``{"detail": …}`` for a script, the page
        # and its sentence for a browser (a bare text without a type was sent to both)
        raise UsageError("format must be csv, xlsx or pdf")
    result = result_in_scope(service.report(state, at_one_as_of(state, filters)),
                             state.scope)
    check_export_rows(fmt, len(result.rows))
    # the file is named as its first page is titled: "Отчёт OmniKPI_…" in Russian
    named = translator_of(request)(title) if title == DEFAULT_TITLE else title
    disposition = {"Content-Disposition": download_disposition(named, filters, fmt)}
    if fmt == "csv":
        body, media = to_csv_text(result).encode(), "text/csv; charset=utf-8"
    else:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"report.{fmt}"
            if fmt == "xlsx":
                write_xlsx(result, path, title, choose_language(request))
                media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            else:
                write_pdf(result, path, title, choose_language(request))
                media = "application/pdf"
            body = path.read_bytes()
    # audited once the file exists: a refused format or a report that failed (a bad
    # filter, an unknown metric) took nothing out and read as an export in the log
    record_taken(request, state, "export", {"format": fmt, "query": str(request.url.query)})
    return Response(body, media_type=media, headers=disposition)


def download_disposition(title: str, filters: Filters, fmt: str) -> str:
    """The file's name as saved: its title and period ("morning-report_2024-03-04_
    2024-03-11.xlsx"), not ``report.xlsx`` for every download of a week; a title in
    Cyrillic is kept whole for the browsers that read ``filename*`` (RFC 6266)."""
    # the last day chosen, not the exclusive end: "…_2024-03-04_2024-03-06" for the 4th
    # to the 6th, as the sheet says (the 7th used to be in the name), and in the report's
    # zone (``to=2024-03-06T00:00:00+02:00`` in Kyiv ends on the 5th)
    period = "_".join(part[:10] for part in window_days(filters) if part)
    whole = f"{title}_{period}" if period else title
    return attachment(f"{whole[:120]}.{fmt}")

"""`/api/v1/*`: the same parameters and JSON as `omnikpi report --format json`."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from omnikpi.auth.audit_search import entry_json, find_entries, search_of
from omnikpi.docs_catalog import catalog_json
from omnikpi.store.db import session_scope
from omnikpi.web import service
from omnikpi.web.deps import (
    ContactsPart,
    DrillFilterParams,
    DrillPart,
    FilterParams,
    SortDirection,
    State,
    ViewDep,
)
from omnikpi.web.filters import plus_restored
from omnikpi.web.known_params import REFUSE_UNKNOWN
from omnikpi.web.security import Caller, require_roles

QUARANTINED_HEADER = "X-OmniKPI-Quarantined-Rows"
NOTES_HEADER = "X-OmniKPI-Notes"
NOTES_HEADER_BYTES = 2048

router = APIRouter(prefix="/api/v1", tags=["api"],
                   dependencies=REFUSE_UNKNOWN)


@router.get("/report")
def report(state: ViewDep, filters: FilterParams, response: Response) -> dict[str, Any]:
    """Rows and metric units/parameters, exactly as the CLI prints them; what the CLI
    says on stderr comes as headers: ``X-OmniKPI-Quarantined-Rows`` (rows left out of
    every KPI, for callers who may see the quarantine) and ``X-OmniKPI-Notes`` (a JSON
    array of the CLI's ``note:`` sentences, ASCII-escaped)."""
    result = service.report(state, filters)
    if result.quarantined:
        response.headers[QUARANTINED_HEADER] = str(result.quarantined)
    notes = service.report_notes_of(state, filters, result)
    if notes:
        response.headers[NOTES_HEADER] = notes_header(notes)
    return result.to_json()


def notes_header(notes: list[str]) -> str:
    """``notes`` as a JSON array of ASCII, at most :data:`NOTES_HEADER_BYTES` long: a
    proxy in front (nginx keeps response headers in 4–8 KiB) answers 502 for a longer
    one. The notes left out are counted in a last entry."""
    kept: list[str] = []
    for at, note in enumerate(notes):
        left = len(notes) - at - 1
        tail = [f"{left} more notes not shown"] if left else []
        if len(json.dumps([*kept, note, *tail], ensure_ascii=True)) > NOTES_HEADER_BYTES:
            kept.append(f"{len(notes) - at} more notes not shown")
            break
        kept.append(note)
    return json.dumps(kept, ensure_ascii=True)


@router.get("/audit")
def audit_log(state: State, principal: Caller,
              actor: Annotated[list[str] | None, Query()] = None,
              action: Annotated[list[str] | None, Query()] = None,
              from_: Annotated[str | None, Query(alias="from")] = None,
              to: str | None = None, tz: str = "UTC", before_id: int | None = None,
              limit: int = 200) -> list[dict[str, Any]]:
    """Audit entries, newest first (logins, failed logins, exports, keys, rules): admins.
    ``actor`` and ``action`` may repeat; ``from``/``to`` are half-open, read in ``tz``
    when they carry no offset; the next page: ``before_id`` = the last ``id`` received.
    ``limit`` outside 1–1000 is refused as the CLI's search refuses it (clamped, 0 —
    "every entry" to the CLI — gave one)."""
    require_roles(principal, "admin")
    search = search_of(actor or (), action or (), plus_restored(from_), plus_restored(to),
                       tz, before_id, limit)
    with session_scope(state.database_url) as session:
        return [entry_json(e) for e in find_entries(session, search)]


@router.get("/catalog")
def catalog(principal: Caller) -> list[dict[str, Any]]:
    """Every metric: id, name, unit, mode, tables, parameters, formula."""
    return catalog_json()


@router.get("/contacts")
def contacts(state: ViewDep, filters: DrillFilterParams, flag: str | None = None,
             page: int = 1, size: int = 50, metric: str | None = None,
             part: ContactsPart = "denominator") -> dict[str, Any]:
    """The contacts behind a figure (drill-down): those in a metric's numerator or
    denominator (``metric``, ``part``: numerator | denominator), or with one of the
    engine's flags (``flag``, without ``metric``). The filters
    (``queue``, ``channel``, … with comma-separated values, a comma inside one written
    ``\\,``) are read as the report reads them."""
    return service.contacts_page(state, filters, flag, page, size, metric, part)


@router.get("/drill")
def drill(request: Request, state: ViewDep, filters: DrillFilterParams, metric: str,
          part: DrillPart = "all", source: str | None = None, sort: str | None = None,
          dir: SortDirection = "asc", page: int = 1, size: int = 50,
          key: Annotated[list[str] | None, Query()] = None) -> dict[str, Any]:
    """The rows behind any metric's figure (docs/web.md, "Drill-down"): the figure as
    numerator / denominator with the parameters used, and a page of the fact rows, each
    with its numerator and denominator values and where it counts (or why not)."""
    from omnikpi.web.drill_labels import counts_in, reason_text
    from omnikpi.web.i18n import choose_language, translator
    from omnikpi.web.routes.drill import parse_keys

    data = service.drill_page(state, filters, metric, source=source, keys=parse_keys(key),
                              part=part, sort=sort, desc=dir == "desc", page=page, size=size)
    found = data["drill"]
    _ = translator(choose_language(request))
    figure = found.figure
    rows = []
    for row in data["rows"]:
        status, reason = row.pop("__status"), row.pop("__reason")
        rows.append({**{k: v for k, v in row.items() if not k.startswith("__")},
                     "numerator": row["__num"], "denominator": row["__den"],
                     "counts_in": status, "reason": reason,
                     "reason_text": reason_text(reason, _) if reason else None,
                     "counts_in_text": counts_in(status, reason, _)})
    return {"metric": metric, "source": found.source, "sources": list(found.sources),
            "part": data["part"], "params": dict(data["params"]),
            "ignored_filters": found.ignored,
            "figure": {"value": figure.value, "numerator": figure.numerator,
                       "denominator": figure.denominator, "hours": figure.hours},
            "key_figures": found.key_figures, "counts": data["counts"],
            "total": data["total"], "page": data["page"], "size": data["size"],
            "columns": data["columns"], "rows": rows}

"""Agent pages: the agent table (figures per agent, sortable, cut by the page's filters)
and one agent's page (their figures against goals and their state timeline of a day).

An agent account sees only itself: its own rows (``own_scope``: its agent id in its
tenant), the table lists only them, another agent's page is a 404.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from omnikpi.formatting import human
from omnikpi.metrics.base import get_metric
from omnikpi.schema.model import Dataset
from omnikpi.web.agent_table import (
    NOT_READY,
    OUTBOUND_COLUMNS,
    SORT_KEYS,
    AgentFigures,
    agent_figures,
    own_view,
    sort_rows,
    table_rows,
)
from omnikpi.web.deps import FilterParams, View, ViewDep
from omnikpi.web.filters import at_one_as_of
from omnikpi.web.gantt import timeline
from omnikpi.web.goals import judge
from omnikpi.web.i18n import choose_language
from omnikpi.web.page_errors import error_page, translator_of
from omnikpi.web.templating import templates

router = APIRouter(include_in_schema=False)
PAGE_KEYS = ("sort", "dir", "day", "lang", "page")
"""Query parameters of these pages that are not filters (left out of the links)."""


def _query(request: Request, drop: tuple[str, ...] = PAGE_KEYS, **extra: str) -> str:
    kept = [(k, v) for k, v in request.query_params.multi_items()
            if k not in drop and k not in extra and v != ""]
    return urlencode(kept + [(k, v) for k, v in extra.items() if v])


def _own_id(view: View) -> str | None:
    """The agent id an agent account is bound to (None for other roles)."""
    return view.principal.agent_id if view.principal.role == "agent" else None


def _restrict(view: View) -> dict[str, list[str]] | None:
    own = _own_id(view)
    return {"agent_id": [own]} if own else None


@router.get("/agents", response_class=HTMLResponse)
def agents(request: Request, state: ViewDep, filters: FilterParams, sort: str = "agent_id",
           dir: str = "asc") -> Response:
    view = own_view(state)
    cut = at_one_as_of(view, filters)  # the As of the form states, for every column
    figures = agent_figures(view, cut, _restrict(state))
    lang = choose_language(request)
    sort = sort if sort in SORT_KEYS else "agent_id"
    descending = dir == "desc"
    rows = sort_rows(table_rows(view, figures, lang), sort, descending)
    links = {key: _query(request, sort=key, dir="asc" if sort == key and descending
                         else ("desc" if sort == key else
                               ("asc" if key in ("agent_id", "site") else "desc")))
             for key in SORT_KEYS}
    return templates.TemplateResponse(request, "agents.html", {
        "rows": rows, "columns": figures.columns, "filters": filters, "sort": sort,
        "descending": descending, "links": links,
        "link_query": _query(request, drop=(*PAGE_KEYS, "agent_id")),
        # a drill-down shows its figure at the page's as-of (it would choose its own)
        "drill_query": _query(request, drop=(*PAGE_KEYS, "agent_id"), as_of=cut.as_of or ""),
        "not_ready": NOT_READY})


@router.get("/agent/{agent:path}")
def old_agent_page(request: Request, agent: str) -> Response:
    """The agent page's former address."""
    query = request.url.query
    target = request.url_for("agent", agent=agent).path + (f"?{query}" if query else "")
    return RedirectResponse(target, status_code=307)


def _tiles(state: ViewDep, figures: AgentFigures, agent_id: str,
           lang: str) -> list[dict[str, Any]]:
    """One agent's figures as tiles, judged against their targets."""
    mine = figures.values.get(agent_id, {})
    tiles: list[dict[str, Any]] = []
    for column in figures.columns:
        value = mine.get(column.id)
        status, goal = (None, None) if column.id == NOT_READY else judge(
            state.config, get_metric(column.id), value, lang=lang)
        tiles.append({"column": column, "raw": value,
                      "value": human(value, column.unit, lang), "status": status,
                      "target": goal})
    return tiles


def _known_agent(dataset: Dataset, agent_id: str) -> bool:
    """Whether any row the viewer sees names the agent (another tenant's agent showed a
    page of empty figures, confirming the id exists somewhere)."""
    tables = [t for t in ("contacts", "agent_states", "shifts", "roster") if dataset.has(t)]
    if not tables:
        return False
    union = " UNION ALL ".join(f"SELECT 1 FROM {t} WHERE agent_id = $agent" for t in tables)
    return dataset.con.execute(f"SELECT EXISTS ({union})", {"agent": agent_id}
                               ).fetchone() == (True,)


@router.get("/agents/{agent:path}", response_class=HTMLResponse)
def agent(request: Request, state: ViewDep, filters: FilterParams, agent: str,
          day: str | None = None) -> Response:
    """One agent's page. The id is the rest of the path (an id "team/a" had no page) and
    not named ``agent_id``: the filter bar's parameter of that name would read it, split
    on its commas ("Doe, Jane" became "Doe" and " Jane": every figure "—")."""
    agent_id = agent
    own = _own_id(state)
    if own is not None and agent_id != own:  # another agent: not there for an agent account
        return error_page(request, translator_of(request)(
            "No such agent among the agents you may see."), 404)
    view = own_view(state)
    if not _known_agent(view.dataset, agent_id):  # another tenant's agent, or nobody
        return error_page(request, translator_of(request)(
            "No such agent among the agents you may see."), 404)
    lang = choose_language(request)
    mine = {"agent_id": [agent_id]}
    # every figure at the As of the form states: each report chose its own before, and a
    # QA evaluation made today scored an agent of a month "as of" its last contact
    cut = at_one_as_of(view, filters)
    groups = [("", _tiles(state, agent_figures(view, cut, mine, one_agent=True),
                          agent_id, lang))]
    if view.dataset.has("dial_attempts"):
        outbound = _tiles(state, agent_figures(view, cut, mine, OUTBOUND_COLUMNS,
                                               one_agent=True), agent_id, lang)
        if outbound[0]["raw"]:  # the agent took dialer calls
            groups.append(("Outbound", outbound))
    gantt = timeline(view, filters, agent_id, day)
    days = {"previous": gantt.previous, "next": gantt.next}
    day_links = {k: _query(request, day=d.isoformat()) for k, d in days.items() if d}
    return templates.TemplateResponse(request, "agent.html", {
        "agent_id": agent_id, "groups": groups,
        "tiles": [t for _, tiles in groups for t in tiles], "filters": filters, "gantt": gantt,
        "day_links": day_links,
        "link_query": _query(request, drop=(*PAGE_KEYS, "agent_id")),
        "drill_query": _query(request, drop=(*PAGE_KEYS, "agent_id"), as_of=cut.as_of or "")})

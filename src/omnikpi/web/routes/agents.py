"""Agent pages: a list with KPIs, and one agent's state timeline (Gantt) against targets."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from omnikpi.engine.timezones import to_datetime, zone
from omnikpi.formatting import human
from omnikpi.metrics.base import get_metric
from omnikpi.web import service
from omnikpi.web.deps import FilterParams, ViewDep
from omnikpi.web.goals import judge
from omnikpi.web.templating import templates

router = APIRouter(include_in_schema=False)
AGENT_PAGE_METRICS = ("occupancy", "aht", "handled")
"""The figures of one agent's page (their units, names and goals come from the
declarations and the configuration)."""
STATE_COLORS = {"available": "#74c0fc", "handling": "#2f9e44", "hold": "#f59f00",
                "acw": "#a9e34b", "not_ready": "#e03131", "logged_out": "#ced4da"}


@router.get("/agents", response_class=HTMLResponse)
def agents(request: Request, state: ViewDep, filters: FilterParams) -> Response:
    state.dataset.require("agent_states", "the agent pages")
    result = service.report(state, filters, ["occupancy"], by=["agent_id"], grain="total")
    rows = [{"agent_id": r["agent_id"], "occupancy": human(r["occupancy"], "ratio")}
            for r in result.rows if r["agent_id"]]
    return templates.TemplateResponse(request, "agents.html", {"rows": rows,
                                                               "filters": filters})


@router.get("/agent/{agent_id}", response_class=HTMLResponse)
def agent(request: Request, state: ViewDep, filters: FilterParams, agent_id: str) -> Response:
    dataset = state.dataset
    dataset.require("agent_states", "the agent page")
    local = zone(filters.tz)
    states = dataset.con.execute(
        'SELECT state, reason, start, "end" FROM agent_states WHERE agent_id = ? '
        "ORDER BY start", [agent_id]).fetchall()
    bars = [{"state": s if not r else f"{s}: {r}", "color": STATE_COLORS.get(s, "#868e96"),
             "start": to_datetime(int(a)).astimezone(local).isoformat(),
             "end": to_datetime(int(b)).astimezone(local).isoformat(),
             "minutes": (int(b) - int(a)) / 60e6} for s, r, a, b in states]
    kpis = []
    scoped = service.report(state, filters, ["occupancy"], by=["agent_id"])
    handled = service.report(state, filters, ["aht", "handled"], by=["agent_id"])
    values = {**next((r for r in scoped.rows if r["agent_id"] == agent_id), {}),
              **next((r for r in handled.rows if r["agent_id"] == agent_id), {})}
    for metric_id in AGENT_PAGE_METRICS:
        metric = get_metric(metric_id)
        value = values.get(metric_id)
        status, goal = judge(state.config, metric, value)
        kpis.append({"id": metric_id, "name": metric.name, "value": human(value, metric.unit),
                     "status": status, "target": goal})
    return templates.TemplateResponse(request, "agent.html", {
        "agent_id": agent_id, "bars": bars, "kpis": kpis, "filters": filters})

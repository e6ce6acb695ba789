"""Server-rendered pages: the KPI-system dashboard."""

from __future__ import annotations

import dataclasses
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from omnikpi.engine.registry import SOURCES, metric_dimensions
from omnikpi.formatting import human
from omnikpi.metrics.base import Metric, get_metric
from omnikpi.metrics.display import SECTIONS, section_metrics
from omnikpi.web import service
from omnikpi.web.deps import FilterParams, ViewDep
from omnikpi.web.goals import judge
from omnikpi.web.templating import templates

router = APIRouter(include_in_schema=False)

AGENT_FILTERS = ("agent_id", "site", "tenant")
"""What a people-time tile can be filtered by (agent time has no queue or contact channel)."""
CHANNELS_OF_MODE = {"continuous": ("voice", "video", "callback", "chat", "messenger"),
                    "discrete": ("email", "social", "sms", "letter")}


def _is_people_time(metric: Metric) -> bool:
    return SOURCES[metric.source].people_time


def _available(state: ViewDep, metrics: list[str],
               filtered: tuple[str, ...] = ()) -> list[str]:
    """Metrics whose tables exist and whose data can be cut by the page's filters (a
    site filter cannot apply to costs, which have no site: such a tile is left out rather
    than shown unfiltered)."""
    ok = []
    for metric_id in metrics:
        metric = get_metric(metric_id)
        dims = metric_dimensions(metric)
        people = _is_people_time(metric)
        needed = [d for d in filtered if not people or d in AGENT_FILTERS]
        if all(state.dataset.has(t) for t in metric.tables) and all(d in dims for d in needed):
            ok.append(metric_id)
    return ok


def _channels(state: ViewDep, mode: tuple[str, ...]) -> list[str]:
    present = {str(c) for (c,) in state.dataset.con.execute(
        "SELECT DISTINCT lower(channel) FROM contacts").fetchall()}
    return [c for c in mode if c in present]


def _tiles(state: ViewDep, filters: FilterParams, metrics: list[str],
           channels: list[str] | None) -> list[dict[str, Any]]:
    """One tile per metric, pooled over the section's channels (never an average)."""
    chosen = _available(state, metrics, tuple((filters.where or {}).keys()) +
                        (("channel",) if channels else ()))
    if not chosen or channels == []:
        return []
    where = {"channel": channels} if channels else None
    contact_metrics = [m for m in chosen if not _is_people_time(get_metric(m))]
    agent_metrics = [m for m in chosen if m not in contact_metrics]
    values: dict[str, Any] = {}
    units: dict[str, str] = {}
    for group, cut in ((contact_metrics, where), (agent_metrics, None)):
        if group:
            scoped = filters
            if group is agent_metrics and filters.where:
                # agent time has no queue or channel of a contact: keep the people filters
                kept = {k: v for k, v in filters.where.items() if k in AGENT_FILTERS}
                scoped = dataclasses.replace(filters, where=kept or None)
            result = service.report(state, scoped, group, by=[], grain="total", where=cut)
            row = result.rows[0] if result.rows else {}
            values.update({m: row.get(m) for m in group})
            units.update({m: result.metrics[m]["unit"] for m in group})
    tiles = []
    queues = (filters.where or {}).get("queue", [])
    for metric_id in chosen:
        value, unit = values[metric_id], units[metric_id]
        status, goal = judge(state.config, get_metric(metric_id), value,
                             queue=queues[0] if len(queues) == 1 else None,
                             channel=channels[0] if channels and len(channels) == 1 else None)
        tiles.append({"id": metric_id, "name": get_metric(metric_id).name,
                      "value": human(value, unit), "raw": value, "status": status,
                      "target": goal, "formula": get_metric(metric_id).formula,
                      "channels": ",".join(channels or [])})
    return tiles


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, state: ViewDep, filters: FilterParams) -> Response:
    sections = []
    for section in SECTIONS:
        metrics = [m.id for m in section_metrics(section.id)]
        mode = CHANNELS_OF_MODE[section.channels] if section.channels else None
        tiles = _tiles(state, filters, metrics, _channels(state, mode) if mode else None)
        if tiles:
            sections.append({"title": section.title, "tiles": tiles})
    profile = service.report(state, filters, ["offered", "service_level"], by=["channel"],
                             grain="hour" if filters.grain == "total" else filters.grain)
    query = urlencode({k: v for k, v in {
        "tz": filters.tz, "from": filters.from_, "to": filters.to, "grain": filters.grain,
        **{dim: ",".join(values) for dim, values in (filters.where or {}).items()
           if dim != "channel"},
    }.items() if v})
    trend = service.report(state, filters, ["service_level", "abandon_rate"], grain="day")
    funnel, concurrency = [], []
    if state.dataset.has("agent_states"):
        people = dataclasses.replace(filters, where={
            k: v for k, v in (filters.where or {}).items() if k in AGENT_FILTERS} or None)
        totals = service.report(state, people, ["time_in_state"])
        seconds: dict[str, float] = {}
        paid = set(state.config.agents.paid_not_ready_reasons)
        paid_breaks = 0.0
        for row in totals.rows:
            seconds[row["state"]] = seconds.get(row["state"], 0.0) + row["time_in_state"]
            if row["state"] == "not_ready" and row["reason"] in paid:
                paid_breaks += row["time_in_state"]
        work = sum(seconds.get(k, 0.0) for k in ("handling", "hold", "acw"))
        active = work + seconds.get("available", 0.0)
        logged_in = sum(v for k, v in seconds.items() if k != "logged_out")
        # the paid-time funnel: logged in ⊇ active + paid not-ready (config's paid reasons)
        funnel = [("Logged in", logged_in / 3600),
                  ("Active + paid not ready", (active + paid_breaks) / 3600),
                  ("Active", active / 3600), ("Workload", work / 3600)]
        if _channels(state, ("chat", "messenger")):
            concurrency = service.report(state, people, ["accs"], grain="hour").rows
    return templates.TemplateResponse(request, "dashboard.html", {
        "sections": sections, "filters": filters, "profile": profile.rows, "query": query,
        "dataset": state.dataset.path, "trend": trend.rows, "funnel": funnel,
        "concurrency": concurrency,
        "goals": {m: state.config.target(m) for m in ("service_level", "abandon_rate")},
    })

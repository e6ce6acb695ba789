"""The agent table: one row per agent with the figures a supervisor compares agents by.

Every figure comes from the engine, cut ``by=["agent_id"]`` — the metrics that can take
the page's filters in one report; a metric that cannot be cut by one of them (agent time
has no queue) in a report of its own with the filters it can take, and a note says so;
the rows are then the agents of the figures every filter cuts (a queue's agents).
Not-ready % is the engine's ``time_in_state`` per agent: not-ready seconds over logged-in
seconds (every state but ``logged_out``), summed per agent as whole columns.
A metric whose tables the dataset lacks is a column of "—" with a note.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from omnikpi.auth.scope import own_scope
from omnikpi.engine.registry import metric_dimensions
from omnikpi.formatting import human
from omnikpi.metrics.base import get_metric
from omnikpi.web import service
from omnikpi.web.deps import Filters, View

NOT_READY = "not_ready_share"
"""The not-ready column (not a declared metric: computed from ``time_in_state``)."""
COLUMNS = ("handled", "aht", "occupancy", NOT_READY, "adherence", "qa_score", "csat")
"""The table's figures, in the order of its columns."""
OUTBOUND_COLUMNS = ("attempts", "rpc_rate", "rpc_per_hour", "conversion_rate")
"""An agent page's outbound figures, shown for an agent who took dialer calls."""
NOT_READY_NAME = "Not ready"
SORT_KEYS = ("agent_id", "site", *COLUMNS)


@dataclass
class Column:
    id: str
    name: str
    """English name (the template translates it)."""
    unit: str
    tables: tuple[str, ...]
    absent: list[str] = field(default_factory=list)
    """Tables the dataset lacks: the column is all "—"."""
    uncut: list[str] = field(default_factory=list)
    """Filters of the page this figure cannot be cut by (shown unfiltered by them)."""
    drill: bool = True


@dataclass
class AgentFigures:
    columns: list[Column]
    values: dict[str, dict[str, Any]]
    """agent id → column id → raw value (None: no value)."""


def columns(ids: tuple[str, ...] = COLUMNS) -> list[Column]:
    out = []
    for column_id in ids:
        if column_id == NOT_READY:
            out.append(Column(NOT_READY, NOT_READY_NAME, "ratio", ("agent_states",),
                              drill=False))
        else:
            metric = get_metric(column_id)
            out.append(Column(metric.id, metric.name, metric.unit, metric.tables))
    return out


def own_view(view: View) -> View:
    """What the agent pages read: an agent account's own rows (``own_scope``), else the
    caller's view as it is."""
    scope = own_scope(view.principal)
    if scope is None:
        return view
    return View(view.state, view.principal, scope, view.state.dataset_for(scope),
                view.caller)


def _accepting(filters: Filters, dims: tuple[str, ...]) -> tuple[Filters, list[str]]:
    """The filters ``dims`` can take, and the names of those left out."""
    where = filters.where or {}
    kept = {k: v for k, v in where.items() if k in dims}
    dropped = [k for k in where if k not in dims]
    return dataclasses.replace(filters, where=kept or None), dropped


def agent_figures(view: View, filters: Filters,
                  where: dict[str, list[str]] | None = None,
                  ids: tuple[str, ...] = COLUMNS, one_agent: bool = False) -> AgentFigures:
    """Every column's value per agent, for the agents in ``view`` and the filters.

    ``one_agent``: for one agent's page (``where`` names them), whose figures a filter
    some of them cannot take leaves as they are (the note says "not cut by"), rather
    than keeping only the agents of the figures every filter cuts, as the table does."""
    cols = columns(ids)
    values: dict[str, dict[str, Any]] = {}
    groups: dict[tuple[str, ...], list[Column]] = {}
    for column in cols:
        column.absent = [t for t in column.tables if not view.dataset.has(t)]
        if column.absent:
            continue
        dims = metric_dimensions(get_metric("time_in_state" if column.id == NOT_READY
                                            else column.id))
        column.uncut = [k for k in (filters.where or {}) if k not in dims]
        if column.id != NOT_READY:
            groups.setdefault(tuple(dims), []).append(column)
    cut_by_all: set[str] | None = None
    """The agents of the figures every filter cuts (a queue's agents: those who handled
    its contacts), when some figure cannot take a filter."""
    for dims, group in groups.items():
        scoped, dropped = _accepting(filters, dims)
        result = service.report(view, scoped, [c.id for c in group], by=["agent_id"],
                                grain="total", where=where)
        for row in result.rows:
            if row["agent_id"] is not None:
                mine = values.setdefault(str(row["agent_id"]), {})
                mine.update({c.id: row[c.id] for c in group})
        if not dropped:
            cut_by_all = (cut_by_all or set()) | {
                str(r["agent_id"]) for r in result.rows if r["agent_id"] is not None}
    not_ready = next((c for c in cols if c.id == NOT_READY), None)
    if not_ready is not None and not not_ready.absent:
        scoped, _ = _accepting(filters, metric_dimensions(get_metric("time_in_state")))
        result = service.report(view, scoped, ["time_in_state"], by=["agent_id"],
                                grain="total", where=where)
        for agent_id, share in not_ready_shares(result.to_frame()).items():
            values.setdefault(str(agent_id), {})[NOT_READY] = share
    if cut_by_all is not None and any(c.uncut for c in cols) and not one_agent:
        values = {a: v for a, v in values.items() if a in cut_by_all}
    # a count an agent has none of is 0, as in `omnikpi report --by agent_id` (an agent
    # with states and no contacts showed "—" handled here and 0 there)
    counts = [c.id for c in cols if not c.absent and c.id != NOT_READY
              and get_metric(c.id).unit == "count"]
    for mine in values.values():
        for column_id in counts:
            if mine.get(column_id) is None:
                mine[column_id] = 0
    return AgentFigures(cols, values)


def not_ready_shares(frame: pd.DataFrame) -> dict[str, float | None]:
    """Not-ready seconds / logged-in seconds per agent, from ``time_in_state`` by agent."""
    if frame.empty:
        return {}
    frame = frame[frame["agent_id"].notna() & (frame["state"] != "logged_out")]
    seconds = pd.to_numeric(frame["time_in_state"], errors="coerce").fillna(0.0)
    logged_in = seconds.groupby(frame["agent_id"]).sum()
    not_ready = seconds.where(frame["state"] == "not_ready", 0.0).groupby(
        frame["agent_id"]).sum()
    share = (not_ready / logged_in.where(logged_in > 0)).astype("float64")
    return {str(k): (None if pd.isna(v) else float(v)) for k, v in share.items()}


def agent_sites(view: View, agents: list[str]) -> dict[str, str]:
    """Each agent's site(s) as their states and contacts name them (comma-separated)."""
    if not agents:
        return {}
    parts = [f'SELECT agent_id, site FROM "{t}"' for t in ("agent_states", "contacts")
             if view.dataset.has(t) and "site" in view.dataset.loads[t].columns]
    if not parts:
        return {}
    rows = view.dataset.con.execute(
        "SELECT agent_id, string_agg(DISTINCT site, ', ' ORDER BY site) FROM ("
        + " UNION ALL ".join(parts) + ") WHERE site IS NOT NULL AND agent_id IN "
        "(SELECT unnest(?)) GROUP BY agent_id", [agents]).fetchall()
    return {str(a): str(s) for a, s in rows}


def sort_rows(rows: list[dict[str, Any]], key: str, descending: bool) -> list[dict[str, Any]]:
    """Rows by one column; rows without a value last, whichever the direction; ties by
    agent id."""
    def value(row: dict[str, Any]) -> Any:
        return row["agent_id"] if key == "agent_id" else (
            row["site"] if key == "site" else row["raw"].get(key))

    present = [r for r in rows if value(r) not in (None, "")]
    missing = [r for r in rows if value(r) in (None, "")]
    present.sort(key=lambda r: r["agent_id"])
    present.sort(key=value, reverse=descending)
    missing.sort(key=lambda r: r["agent_id"])
    return present + missing


def table_rows(view: View, figures: AgentFigures, lang: str) -> list[dict[str, Any]]:
    agents = sorted(figures.values)
    sites = agent_sites(view, agents)
    return [{"agent_id": agent, "site": sites.get(agent, ""),
             "raw": {c.id: figures.values[agent].get(c.id) for c in figures.columns},
             "text": {c.id: human(figures.values[agent].get(c.id), c.unit, lang)
                      for c in figures.columns}}
            for agent in agents]

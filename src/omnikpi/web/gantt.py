"""One agent's state timeline for one day (the agent page's Gantt).

The day is a calendar day in the page's zone, inside the page's period (From/To): by
default the last day of the period with any state of the agent; the bars are the agent's
states cut at the day's (and the period's) edges. Each state, and each not-ready reason,
has its own colour, the same on every page and day.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd

from omnikpi.engine.run import parse_instant
from omnikpi.engine.timezones import zone
from omnikpi.web.deps import Filters, View

STATES = ("available", "handling", "hold", "acw", "not_ready", "logged_out")
"""The legend's order of states (other states follow, by name)."""
STATE_COLORS = {"available": "#74c0fc", "handling": "#2f9e44", "hold": "#f59f00",
                "acw": "#a9e34b", "not_ready": "#e03131", "logged_out": "#ced4da"}
REASON_COLORS = {"break": "#e8590c", "lunch": "#c2255c", "training": "#7048e8",
                 "meeting": "#1864ab", "coaching": "#0c8599", "system": "#5c940d",
                 "personal": "#862e9c"}
"""Not-ready reasons with a colour of their own; any other reason takes one of
``PALETTE`` by a hash of its name (stable: the same reason, the same colour)."""
PALETTE = ("#9c36b5", "#d6336c", "#f76707", "#3b5bdb", "#099268", "#e67700", "#495057",
           "#a61e4d", "#5f3dc4", "#2b8a3e")
OTHER_COLOR = "#868e96"
FAR = 2**62
"""Microseconds beyond any data (an open period's edge)."""


def color_of(state: str, reason: str | None) -> str:
    if state == "not_ready" and reason:
        if reason in REASON_COLORS:
            return REASON_COLORS[reason]
        digest = int(hashlib.sha1(reason.encode()).hexdigest()[:8], 16)
        return PALETTE[digest % len(PALETTE)]
    return STATE_COLORS.get(state, OTHER_COLOR)


@dataclass
class Timeline:
    days: list[date] = field(default_factory=list)
    """Days of the period with any state of the agent (in the page's zone)."""
    day: date | None = None
    bars: list[dict[str, Any]] = field(default_factory=list)
    legend: list[dict[str, Any]] = field(default_factory=list)
    """One entry per state (and not-ready reason) of the day: key, state, reason, colour."""
    day_start: str | None = None
    day_end: str | None = None
    asked: str | None = None
    """The day asked for when it is a date but not a day of the period with data."""

    @property
    def previous(self) -> date | None:
        earlier = [d for d in self.days if self.day and d < self.day]
        return earlier[-1] if earlier else None

    @property
    def next(self) -> date | None:
        later = [d for d in self.days if self.day and d > self.day]
        return later[0] if later else None


def _local(us: int, tz: str) -> str:
    """An instant as the zone's wall-clock time (Plotly's date axis has no zones)."""
    moment = pd.Timestamp(us, unit="us", tz="UTC").tz_convert(tz)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]


def _midnight_us(day: date, tz: str) -> int:
    start = datetime(day.year, day.month, day.day, tzinfo=zone(tz))
    return int(start.timestamp() * 1_000_000)


def period_days(view: View, filters: Filters, agent_id: str) -> list[date]:
    """The days (in the page's zone) on which the agent has a state inside the period."""
    tz = filters.tz
    low = parse_instant(filters.from_, tz, "from")
    high = parse_instant(filters.to, tz, "to")
    low, high = -FAR if low is None else low, FAR if high is None else high
    rows = view.dataset.con.execute(
        'SELECT greatest(start, ?) AS s, least("end", ?) AS e FROM agent_states '
        'WHERE agent_id = ? AND "end" > ? AND start < ? AND "end" > start',
        [low, high, agent_id, low, high]).fetchdf()
    if rows.empty:
        return []
    first = pd.to_datetime(rows["s"].astype("int64"), unit="us", utc=True).dt.tz_convert(tz)
    # an interval ending at midnight does not reach into the next day
    last = pd.to_datetime(rows["e"].astype("int64") - 1, unit="us",
                          utc=True).dt.tz_convert(tz)
    start_days, end_days = first.dt.date, last.dt.date
    days = set(start_days) | set(end_days)
    long = (last.dt.normalize() - first.dt.normalize()).dt.days > 1
    for a, b in zip(start_days[long], end_days[long], strict=True):
        while (b - a).days > 1:  # a state over several days (rare): every day it covers
            a += timedelta(days=1)
            days.add(a)
    return sorted(days)


def timeline(view: View, filters: Filters, agent_id: str, asked: str | None) -> Timeline:
    """The agent's states on the day ``asked`` (ISO date), or on the last day of the period
    with data when ``asked`` is empty or not such a day."""
    if not view.dataset.has("agent_states"):
        return Timeline()
    tz = filters.tz
    days = period_days(view, filters, agent_id)
    out = Timeline(days)
    chosen: date | None = None
    if asked:
        try:
            chosen = date.fromisoformat(asked.strip())
        except ValueError:  # not a date: the default day, as without one
            chosen = None
        if chosen is not None and chosen not in days:
            out.asked, chosen = chosen.isoformat(), None
    if chosen is None:
        if not days:
            return out
        chosen = days[-1]
    out.day = chosen
    start = _midnight_us(chosen, tz)
    end = _midnight_us(chosen + timedelta(days=1), tz)
    out.day_start, out.day_end = _local(start, tz), _local(end, tz)
    low = max(start, parse_instant(filters.from_, tz, "from") or start)
    high = min(end, parse_instant(filters.to, tz, "to") or end)
    rows = view.dataset.con.execute(
        'SELECT state, reason, greatest(start, ?) AS s, least("end", ?) AS e '
        'FROM agent_states WHERE agent_id = ? AND "end" > ? AND start < ? '
        'AND "end" > start ORDER BY start', [low, high, agent_id, low, high]).fetchall()
    seen: dict[str, dict[str, Any]] = {}
    for state, reason, s, e in rows:
        state = str(state)
        reason = str(reason) if state == "not_ready" and reason else None
        key = f"{state}:{reason}" if reason else state
        if key not in seen:
            seen[key] = {"key": key, "state": state, "reason": reason,
                         "color": color_of(state, reason)}
        out.bars.append({"key": key, "start": _local(int(s), tz), "end": _local(int(e), tz),
                         "ms": (int(e) - int(s)) // 1000})
    order = {s: i for i, s in enumerate(STATES)}
    out.legend = sorted(seen.values(), key=lambda x: (order.get(x["state"], len(STATES)),
                                                      x["state"], x["reason"] or ""))
    return out

"""One agent's state timeline for one day (the agent page's Gantt).

The day is a calendar day in the page's zone, inside the page's period (From/To): by
default the last day of the period with any state of the agent; the bars are the agent's
states cut at the day's (and the period's) edges. Each state, and each not-ready reason,
has its own colour, the same on every page and day.

The time axis (here and on the schedule's coverage chart) is real elapsed time from the
local day's start, drawn on Plotly's zone-less date axis from the day's date at 00:00: a
bar's position and length are true on a day the clocks change (23 or 25 hours long), and
its tick labels and hover texts are the local clock (:func:`day_axis` says where the clock
jumps; the repeated hour of an autumn day is labelled with its UTC offset). On other days
an axis position is the local wall-clock time itself.
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from omnikpi.engine.run import parse_instant
from omnikpi.engine.timezones import offset_ranges, zone
from omnikpi.instants import day_start_us
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
    clock: list[dict[str, Any]] = field(default_factory=list)
    """The axis' local clock (:attr:`DayAxis.clock`)."""
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


def offset_text(at: datetime) -> str:
    """The UTC offset of an aware time, ``+03:00``."""
    off = at.utcoffset() or timedelta(0)
    sign = "-" if off < timedelta(0) else "+"
    minutes = abs(int(off.total_seconds())) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _ambiguous(local: datetime) -> bool:
    """The wall-clock time of ``local`` (aware, in its zone) is shown twice on that day
    (the hour the clocks go back)."""
    naive = local.replace(tzinfo=None)
    return naive.replace(tzinfo=local.tzinfo, fold=0).utcoffset() != \
        naive.replace(tzinfo=local.tzinfo, fold=1).utcoffset()


def clock(at: datetime, tz: ZoneInfo, seconds: bool = False) -> str:
    """An instant as the zone's clock shows it, ``03:30``; with its UTC offset when the
    clock shows that time twice that day, ``03:30 (+03:00)``."""
    local = at.astimezone(tz)
    text = local.strftime("%H:%M:%S" if seconds else "%H:%M")
    return f"{text} ({offset_text(local)})" if _ambiguous(local) else text


def _utc(us: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=us)


def _naive_iso(us: int) -> str:
    moment = datetime(1970, 1, 1) + timedelta(microseconds=us)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]


@dataclass(frozen=True)
class DayAxis:
    """A local day as a time axis of real elapsed time: ``start_us``/``end_us`` are the
    instants (UTC microseconds) of the day's local start and of the next day's, and an
    instant's axis position is the day's date at 00:00 plus the time elapsed since
    ``start_us`` (:meth:`at`)."""

    start_us: int
    end_us: int
    origin_us: int
    """The day's date at 00:00 as zone-less microseconds since the epoch."""
    clock: list[dict[str, Any]]
    """Where the local clock stands against the axis, from ``at`` (axis milliseconds) on:
    ``shift`` milliseconds to add to an axis position for the wall-clock time, and
    ``offset`` the UTC offset to name beside it (None but in a repeated hour)."""

    def at(self, us: int) -> str:
        """The axis position of the instant ``us`` (a zone-less ISO time, milliseconds)."""
        return _naive_iso(self._x_us(us))

    def _x_us(self, us: int) -> int:
        return self.origin_us + (us - self.start_us)


def day_axis(day: date, tz: str) -> DayAxis:
    """The axis of the local ``day`` in the zone ``tz``."""
    where = zone(tz)
    start, end = day_start_us(day, tz), day_start_us(day + timedelta(days=1), tz)
    origin = int((datetime(day.year, day.month, day.day, tzinfo=UTC)
                  - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds()) * 1_000_000
    # the clock changes at the zone's transitions; an hour the clocks go back is shown
    # twice, so the offset is named from the first showing to the end of the second
    cuts = {start}
    ranges = offset_ranges(tz, start, end)
    for before, after in itertools.pairwise(ranges):
        if after.start_us is None:
            continue
        cuts.add(after.start_us)
        back = before.offset_us - after.offset_us
        if back > 0:
            cuts.update((after.start_us - back, after.start_us + back))
    steps: list[dict[str, Any]] = []
    for us in sorted(c for c in cuts if start <= c < end):
        local = datetime.fromtimestamp(us / 1_000_000, tz=UTC).astimezone(where)
        off = local.utcoffset() or timedelta(0)
        shift_ms = (us + int(off.total_seconds()) * 1_000_000 - (origin + us - start)) // 1000
        step = {"at": (origin + us - start) // 1000, "shift": shift_ms,
                "offset": offset_text(local) if _ambiguous(local) else None}
        if not steps or (steps[-1]["shift"], steps[-1]["offset"]) != (shift_ms,
                                                                      step["offset"]):
            steps.append(step)
    return DayAxis(start, end, origin, steps)


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
    axis = day_axis(chosen, tz)
    start, end = axis.start_us, axis.end_us
    out.day_start, out.day_end, out.clock = axis.at(start), axis.at(end), axis.clock
    where = zone(tz)
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
        # start and end: axis positions (the wall clock but on a day the clocks change);
        # shown: the local times of the hover text
        out.bars.append({"key": key, "start": axis.at(int(s)), "end": axis.at(int(e)),
                         "ms": (int(e) - int(s)) // 1000,
                         "shown": [clock(_utc(int(s)), where, seconds=True),
                                   clock(_utc(int(e)), where, seconds=True)]})
    order = {s: i for i, s in enumerate(STATES)}
    out.legend = sorted(seen.values(), key=lambda x: (order.get(x["state"], len(STATES)),
                                                      x["state"], x["reason"] or ""))
    return out

"""The schedule builder's inputs: the interval requirement (PLAN.csv, the output of
``omnikpi wfm plan``) and the agents (a count or AGENTS.csv)."""

from __future__ import annotations

import csv
import io
import itertools
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from omnikpi.errors import UsageError, read_text
from omnikpi.wfm.clock import check_one_clock
from omnikpi.wfm.schedule.rules import clock_minutes, clock_range, weekday

MAX_AGENTS = 20_000
MAX_DAYS = 92
"""A schedule spans at most a quarter: longer plans are scheduled in parts."""
MAX_REQUIRED = 100_000
"""Agents one interval of a plan may require: the most `wfm plan` ever staffs (its
search stops at 100,000 agents). ``inf`` and ``1e30`` passed as numbers ≥ 0 and failed
deep in the solver with a traceback."""
MAX_COST_PER_HOUR = 1_000_000
"""The largest ``cost_per_hour`` of AGENTS.csv: ``1e300`` overflowed the solver's integer
costs and was reported as a schedule not found in time."""
MAX_WEEKLY_HOURS = 7 * 24
AGENT_COLUMNS = ("agent_id", "skills", "site", "tenant", "days_per_week", "min_weekly_hours",
                 "max_weekly_hours", "available", "available_from", "available_to",
                 "days_off", "preferred_start", "preferred_days_off", "cost_per_hour")
"""AGENTS.csv's columns (``available`` is HH:MM-HH:MM, both ends at once)."""
REQUIRED_COLUMNS = ("agents_required", "positions", "agents")
"""The requirement column of PLAN.csv, first found wins (``wfm plan`` writes positions,
the agents after shrinkage, and agents)."""


@dataclass(frozen=True)
class Requirement:
    """Agents required per interval (and skill), on the plan's wall clock: ``origin`` is
    the midnight of the first day, ``minutes`` offsets from it on the wall clock (a day
    is 1,440 of them, the day of a clock change too), so start windows, days and rest
    rules read as the center's clock does."""

    origin: datetime
    interval_minutes: int
    required: dict[tuple[str, int], int]
    """(skill, wall minutes from origin) → agents; skill '' when the plan has none."""
    days: int
    offsets: tuple[tuple[int, timedelta], ...] = ()
    """(wall minute, UTC offset) where the plan's offset changes, in order, the first at
    minute 0; empty for a plan without offsets (wall times of an unnamed zone)."""
    zone: ZoneInfo | None = None
    """The center's zone (``--tz``): when the clock changes is read from it, not guessed
    from the plan's rows."""

    @property
    def skills(self) -> list[str]:
        return sorted({s for s, _ in self.required})

    def at(self, minutes: int) -> datetime:
        """The time ``minutes`` after origin on the wall clock, with the offset in force
        then (in the hour a clock change repeats, the earlier one)."""
        if self.zone is not None:
            return _on_zone(self.origin.replace(tzinfo=None) + timedelta(minutes=minutes),
                            self.zone)
        found = next((i for i in reversed(range(len(self.offsets)))
                      if self.offsets[i][0] <= minutes), None)
        if found is None:
            return self.origin + timedelta(minutes=minutes)
        changed_at, offset = self.offsets[found]
        if found > 0 and offset > self.offsets[found - 1][1]:
            # clocks went forward: the wall times they skipped are the change's instant
            # (read at the new offset they ran backwards, 03:00+03:00 before 02:30+02:00)
            skipped = (offset - self.offsets[found - 1][1]) // timedelta(minutes=1)
            minutes = max(minutes, changed_at + skipped)
        return (self.origin + timedelta(minutes=minutes)).replace(tzinfo=timezone(offset))


def _on_zone(wall: datetime, zone: ZoneInfo) -> datetime:
    """The wall time ``wall`` of ``zone`` with its offset: in a repeated hour the earlier
    instant; a time a spring change skips is the change's instant (read at either
    offset it falls after the change or runs time backwards)."""
    local = wall.replace(tzinfo=zone)  # fold 0: the earlier of a repeated hour's two
    if local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall:
        return local.astimezone(timezone(local.utcoffset() or timedelta()))
    after = wall.replace(tzinfo=zone, fold=1).utcoffset() or timedelta()
    instant = (wall - after).replace(tzinfo=UTC)  # before the change: step to it
    while instant.astimezone(zone).utcoffset() != after:
        instant += timedelta(minutes=1)
    return instant.astimezone(timezone(after))


@dataclass(frozen=True)
class Agent:
    agent_id: str
    skills: tuple[str, ...] = ("",)
    site: str | None = None
    tenant: str | None = None
    days_per_week: int | None = None
    min_weekly_minutes: int | None = None
    max_weekly_minutes: int | None = None
    available_from_minutes: int = 0
    available_to_minutes: int = 48 * 60
    """The shift lies within this time of day; without an end it may run past midnight."""
    days_off: frozenset[int] = frozenset()
    """Weekdays (0 = Monday) the agent never works."""
    dates_off: frozenset[date] = frozenset()
    preferred_start_minutes: int | None = None
    preferred_days_off: frozenset[int] = frozenset()
    cost_per_hour: float = 1.0


def parse_instant(text: str) -> datetime:
    value = text.strip()
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    return datetime.fromisoformat(value)


def read_plan(path: Path, zone: ZoneInfo | None = None) -> Requirement:
    text = read_text(path, "plan file")
    reader = csv.DictReader(io.StringIO(text))
    fields = reader.fieldnames or []
    column = next((c for c in REQUIRED_COLUMNS if c in fields), None)
    if "interval_start" not in fields or column is None:
        raise UsageError(f"{path}: needs the columns interval_start and agents_required "
                         "(or positions/agents, as `omnikpi wfm plan --format csv` writes)")
    rows: list[tuple[str, datetime, int]] = []
    lines: list[int] = []
    queues: set[str] = set()  # of a plan per queue without skills: one can be scheduled
    problems = []
    for line, row in enumerate(reader, start=2):
        try:
            at = parse_instant(row["interval_start"] or "")
            value = float(row[column] or "0")
            if value < 0 or value != value:
                raise ValueError
        except (TypeError, ValueError):
            problems.append(f"line {line}: interval_start must be a timestamp and "
                            f"{column} a number ≥ 0")
            continue
        if not value <= MAX_REQUIRED:  # inf, 1e30: no plan asks that many
            problems.append(f"line {line}: {column} must be a finite number from 0 to "
                            f"{MAX_REQUIRED:,}, got {(row[column] or '').strip()}")
            continue
        # a fractional requirement (a plan of positions) needs the next whole agent
        rows.append(((row.get("skill") or "").strip(), at, int(-(-value // 1))))
        lines.append(line)
        if "queue" in fields and "skill" not in fields:
            queues.add((row.get("queue") or "").strip())
    if problems:
        raise UsageError(f"{path}: " + "; ".join(problems[:10]))
    if not rows:
        raise UsageError(f"{path}: no intervals")
    check_one_clock(((f"line {n}", at) for n, (_, at, _) in zip(lines, rows, strict=True)),
                    str(path))
    _check_one_queue(queues, path)
    return requirement(rows, str(path), zone)


def _check_one_queue(queues: set[str], path: Path) -> None:
    """A plan of several queues (``wfm plan`` of a ``--by-queue`` forecast) without a
    skill column repeats every interval once per queue: say what to do rather than
    "appears twice"."""
    if len(queues) > 1:
        raise UsageError(
            f"{path} plans several queues ({', '.join(sorted(queues))}): schedule one "
            "(`wfm plan --queue NAME`), or rename its queue column to skill and give "
            "--agents AGENTS.csv whose skills name the queues each agent takes")


def requirement(rows: Iterable[tuple[str, datetime, int]], where: str = "plan",
                zone: ZoneInfo | None = None) -> Requirement:
    """The plan on its wall clock. Each row is read at its own offset (``wfm plan``
    writes the zone's offset in force at each interval): read at the first row's, every
    time after a clock change was an hour off, and a 07:00 start window became 06:00 or
    08:00 on the center's clock. In the hour a change repeats, an interval that appears
    at both offsets needs the larger of its two requirements. With the center's
    ``zone``, a row without an offset is one of its wall times, and a row whose offset
    is not the zone's then is refused."""
    rows = list(rows)
    check_one_clock(((t.isoformat(), t) for _, t, _ in rows), where)
    if zone is not None:
        _check_zone(rows, zone, where)
    walls = [(s, t.replace(tzinfo=None), t.utcoffset(), v) for s, t, v in rows]
    first = min(w for _, w, _, _ in walls)
    origin = first.replace(hour=0, minute=0, second=0, microsecond=0)

    def minute(wall: datetime) -> int:
        return int((wall - origin).total_seconds() // 60)

    offsets = sorted({minute(w) for _, w, _, _ in walls})
    # the interval: the shortest step between starts of one day (one row a day: an hour)
    gaps = {b - a for a, b in itertools.pairwise(offsets) if a // 1440 == b // 1440}
    interval = min(gaps) if gaps else 60
    if any(o % interval for o in offsets) or (1440 % interval):
        raise UsageError(f"{where}: interval starts are not on one grid of {interval} min")
    required: dict[tuple[str, int], int] = {}
    seen: dict[tuple[str, int], list[datetime]] = {}
    for (skill, wall, _, value), (_, t, _) in zip(walls, rows, strict=True):
        key = (skill, minute(wall))
        if key in required:
            if any(t.utcoffset() == other.utcoffset() for other in seen[key]):
                raise UsageError(f"{where}: interval {t.isoformat()} {skill} appears twice")
            _check_repeated_hour(seen[key][0], t, where)
            required[key] = max(required[key], value)  # the hour a clock change repeats
            seen[key].append(t)
            continue
        required[key], seen[key] = value, [t]
    days = offsets[-1] // 1440 + 1
    if days > MAX_DAYS:
        raise UsageError(f"{where}: spans {days} days; schedule at most {MAX_DAYS} at once")
    return Requirement(origin, interval, required, days, _offset_changes(
        ((minute(w), o) for _, w, o, _ in walls), interval), zone)


def _check_zone(rows: list[tuple[str, datetime, int]], zone: ZoneInfo, where: str) -> None:
    """Every row with an offset carries ``zone``'s at its instant: a plan written in
    another zone (or UTC) read as this one's wall clock would staff every interval an
    offset away."""
    for _, at, _ in rows:
        if at.tzinfo is None:
            # a wall time the spring change skips does not exist: staffed, its agents
            # and the next real interval's were written at one instant, three times
            real = at.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)
            if real.replace(tzinfo=None) != at:
                raise UsageError(
                    f"{where}: {at.isoformat()} does not exist in --tz {zone.key}: the "
                    "clocks skip it; leave it out of the plan (as `wfm plan` does)")
            continue
        local = at.astimezone(zone)
        if local.replace(tzinfo=None) != at.replace(tzinfo=None):
            raise UsageError(
                f"{where}: {at.isoformat()} is {local.isoformat()} in --tz {zone.key}: the "
                "plan is written on another clock; give the zone it was planned in (as "
                "`wfm forecast --tz` wrote it), or leave --tz out")


REPEATED_HOUR_LATEST = 5 * 60
"""The latest wall minute of a day at which a clock change repeats an hour: clocks go
back at night (00:00 to 04:00 local across the zones that change)."""


def _check_repeated_hour(first: datetime, again: datetime, where: str) -> None:
    """Two rows at one wall time and two offsets are the hour a clock change repeats
    only at night and for a change of at most two hours; else the plan mixes clocks (a
    UTC export joined to a local one: 08:00Z and 08:00+02:00, two hours apart, would be
    one interval and the first requirement lost)."""
    gap = abs((first.utcoffset() or timedelta()) - (again.utcoffset() or timedelta()))
    at_night = first.hour * 60 + first.minute < REPEATED_HOUR_LATEST
    if gap > timedelta(hours=2) or not at_night:
        raise UsageError(
            f"{where}: {first.isoformat()} and {again.isoformat()} are one wall time at two "
            "UTC offsets outside a night's clock change: write every interval on the "
            "center's one clock (as `wfm forecast --tz ZONE` and `wfm plan` write it)")


def _offset_changes(stamps: Iterable[tuple[int, timedelta | None]],
                    interval: int) -> tuple[tuple[int, timedelta], ...]:
    """Where the offset changes along the wall clock (the first at minute 0).

    In an hour a clock change repeats, a wall time is read at the larger offset (the
    earlier of its two instants). Between the last interval at the old offset and the
    first at the new one, a plan says nothing of when the clock changed: the change is
    put at the midnight before the first new interval (clocks change at night), or at the
    end of the last old one when that is later."""
    by_minute: dict[int, timedelta] = {}
    for at, offset in stamps:
        if offset is None:
            return ()
        by_minute[at] = max(offset, by_minute.get(at, offset))
    changes: list[tuple[int, timedelta]] = []
    last = 0
    for at in sorted(by_minute):
        offset = by_minute[at]
        if not changes:
            changes.append((0, offset))
        elif changes[-1][1] != offset:
            changes.append((min(at, max(last + interval, at - at % 1440)), offset))
        last = at
    return tuple(changes)


def numbered_agents(count: int) -> list[Agent]:
    if not 0 < count <= MAX_AGENTS:
        raise UsageError(f"--agents must be 1–{MAX_AGENTS:,} or an AGENTS.csv file")
    width = max(3, len(str(count)))
    return [Agent(f"agent-{i:0{width}d}") for i in range(1, count + 1)]


def _hours(value: str, what: str) -> int | None:
    """Weekly hours as minutes: 0 to a week's 168 (a 0 is a limit, not "no limit")."""
    if not value.strip():
        return None
    hours = float(value)
    if not 0 <= hours <= MAX_WEEKLY_HOURS:  # NaN too
        raise UsageError(f"{what} must be from 0 to {MAX_WEEKLY_HOURS}, got {value.strip()}")
    return round(hours * 60)


def _days(value: str) -> int | None:
    if not value.strip():
        return None
    days = int(value)
    if not 0 <= days <= 7:
        raise UsageError(f"days_per_week must be from 0 to 7, got {value.strip()}")
    return days


def _cost(value: str) -> float:
    if not value.strip():
        return 1.0
    cost = float(value)
    if not (math.isfinite(cost) and 0 <= cost <= MAX_COST_PER_HOUR):
        raise UsageError(f"cost_per_hour must be a finite number from 0 to "
                         f"{MAX_COST_PER_HOUR:,}, got {value.strip()}")
    return cost


def _agent(row: dict[str, str]) -> Agent:
    def get(name: str) -> str:
        return (row.get(name) or "").strip()

    agent_id = get("agent_id")
    if not agent_id:
        raise ValueError("agent_id is empty")
    skills = tuple(s.strip() for s in get("skills").split(";") if s.strip()) or ("",)
    # no end given: a shift may run past midnight (a night shift)
    lo, hi = clock_range(get("available"), "available") if get("available") else (0, 48 * 60)
    if get("available_from"):
        lo = clock_minutes(get("available_from"), "available_from")
    if get("available_to"):
        hi = clock_minutes(get("available_to"), "available_to")
    days_off: set[int] = set()
    dates_off: set[date] = set()
    for item in (s for s in get("days_off").split(";") if s.strip()):
        if item.strip()[:1].isdigit():
            dates_off.add(date.fromisoformat(item.strip()))
        else:
            days_off.add(weekday(item, "days_off"))
    preferred = frozenset(weekday(d, "preferred_days_off")
                          for d in get("preferred_days_off").split(";") if d.strip())
    low = _hours(get("min_weekly_hours"), "min_weekly_hours")
    top = _hours(get("max_weekly_hours"), "max_weekly_hours")
    if low is not None and top is not None and low > top:
        raise UsageError(f"min_weekly_hours {get('min_weekly_hours')} is above "
                         f"max_weekly_hours {get('max_weekly_hours')}")
    return Agent(
        agent_id=agent_id, skills=skills, site=get("site") or None,
        tenant=get("tenant") or None,
        days_per_week=_days(get("days_per_week")),
        min_weekly_minutes=low,
        max_weekly_minutes=top,
        available_from_minutes=lo, available_to_minutes=hi,
        days_off=frozenset(days_off), dates_off=frozenset(dates_off),
        preferred_start_minutes=clock_minutes(get("preferred_start"), "preferred_start")
        if get("preferred_start") else None,
        preferred_days_off=preferred,
        cost_per_hour=_cost(get("cost_per_hour")),
    )


def read_agents(path: Path) -> list[Agent]:
    """AGENTS.csv: ``agent_id`` and optional ``skills`` (a;b), ``site``, ``tenant``,
    ``days_per_week``, ``min_weekly_hours``, ``max_weekly_hours``, ``available_from``,
    ``available_to`` (HH:MM), ``days_off`` (weekdays or dates, a;b), ``preferred_start``,
    ``preferred_days_off``, ``cost_per_hour``. Every bad row is named."""
    reader = csv.DictReader(io.StringIO(read_text(path, "agents file")))
    fields = reader.fieldnames or []
    if "agent_id" not in fields:
        raise UsageError(f"{path}: needs an agent_id column")
    unknown = [f for f in fields if f not in AGENT_COLUMNS]
    if unknown:  # a misspelt days_off scheduled agents on their days off
        raise UsageError(f"{path}: unknown column(s) {', '.join(map(repr, unknown))}; the "
                         f"columns are {', '.join(AGENT_COLUMNS)}")
    out, problems, seen = [], [], set()
    for line, row in enumerate(reader, start=2):
        try:
            agent = _agent(row)
        except UsageError as exc:
            problems.append(f"line {line}: {exc}")
            continue
        except ValueError as exc:  # int("abc"): say which kind of value, not Python's words
            problems.append(f"line {line}: a value that must be a number is not "
                            f"({str(exc).rsplit(': ', 1)[-1]})")
            continue
        if agent.agent_id in seen:
            problems.append(f"line {line}: agent {agent.agent_id} appears twice")
        seen.add(agent.agent_id)
        out.append(agent)
    if problems:
        raise UsageError(f"{path}: " + "; ".join(problems[:10]))
    if not out or len(out) > MAX_AGENTS:
        raise UsageError(f"{path}: needs 1–{MAX_AGENTS:,} agents")
    return out


def agents_option(value: str) -> list[Agent]:
    """``--agents 40`` or ``--agents AGENTS.csv``; a signed whole number (-5) is a count
    out of range, not a file to look for."""
    if re.fullmatch(r"\s*[+-]?\d+\s*", value):
        return numbered_agents(int(value))
    return read_agents(Path(value))

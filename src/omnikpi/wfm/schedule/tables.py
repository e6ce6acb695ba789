"""A schedule as the canonical ``shifts`` and ``shift_activities`` tables (exactly the
data model's columns), coverage computed back from those tables, and a break moved.

Coverage is read from the tables, not from the solver, so that a schedule edited later
(a supervisor moved a break) is counted the same way as a fresh one.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import ibis.expr.types as ir

from omnikpi.errors import UsageError
from omnikpi.schema.dataset import Dataset
from omnikpi.schema.files import find_table_files
from omnikpi.wfm.schedule.inputs import Requirement, parse_instant
from omnikpi.wfm.schedule.solver import Schedule

SHIFT_COLUMNS = ("agent_id", "start", "end", "paid", "site", "tenant")
ACTIVITY_COLUMNS = ("agent_id", "activity", "start", "end", "paid")
Row = dict[str, Any]


def stamp(value: datetime) -> str:
    """ISO-8601; UTC as ``Z`` (the data model reads no offset as UTC too)."""
    if value.tzinfo is not None and value.utcoffset() == timedelta(0):
        return value.replace(tzinfo=None).isoformat() + "Z"
    return value.isoformat()


def schedule_tables(schedule: Schedule) -> tuple[list[Row], list[Row]]:
    """``shifts`` rows and ``shift_activities`` rows: work between the breaks and lunch,
    so that the activities cover each shift end to end."""
    req = schedule.requirement
    shifts: list[Row] = []
    activities: list[Row] = []
    for s in schedule.shifts:
        shifts.append({"agent_id": s.agent.agent_id, "start": stamp(req.at(s.start_minutes)),
                       "end": stamp(req.at(s.end_minutes)), "paid": True,
                       "site": s.agent.site, "tenant": s.agent.tenant})
        cursor = s.start_minutes
        for a in sorted(s.activities, key=lambda a: a.start_minutes):
            if a.start_minutes > cursor:
                activities.append(_activity(s.agent.agent_id, "work", req.at(cursor),
                                            req.at(a.start_minutes), True))
            activities.append(_activity(s.agent.agent_id, a.name, req.at(a.start_minutes),
                                        req.at(a.end_minutes), a.paid))
            cursor = a.end_minutes
        if cursor < s.end_minutes:
            activities.append(_activity(s.agent.agent_id, "work", req.at(cursor),
                                        req.at(s.end_minutes), True))
    return shifts, activities


def _activity(agent: str, name: str, start: datetime, end: datetime, paid: bool) -> Row:
    return {"agent_id": agent, "activity": name, "start": stamp(start), "end": stamp(end),
            "paid": paid}


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def csv_text(rows: Sequence[Row], columns: Sequence[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return buffer.getvalue()


def write_atomic(path: Path, text: str) -> None:
    """Readers (the web app reloading the dataset) never see half a file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def requirement_rows(req: Requirement) -> list[Row]:
    return [{"interval_start": stamp(req.at(at)), "skill": skill, "agents_required": need}
            for (skill, at), need in sorted(req.required.items(), key=lambda i: i[0][::-1])]


PLAN_FILE = "schedule_plan.csv"
"""The requirement saved beside the tables, so the schedule page can chart it."""


def write_schedule(schedule: Schedule, folder: Path) -> tuple[list[Row], list[Row]]:
    """The tables into ``folder`` (a dataset folder too: they replace its schedule)."""
    shifts, activities = schedule_tables(schedule)
    folder.mkdir(parents=True, exist_ok=True)
    found = find_table_files(folder, {"shifts", "shift_activities"})
    for name, files in found.items():
        other = [f.path.name for f in files if f.path != folder / f"{name}.csv"]
        if other:  # the dataset would read both: the old schedule and the new one
            raise UsageError(f"{folder} already holds {name} as {', '.join(other)}: move "
                             "it away or write the schedule to another folder")
    write_atomic(folder / "shifts.csv", csv_text(shifts, SHIFT_COLUMNS))
    write_atomic(folder / "shift_activities.csv", csv_text(activities, ACTIVITY_COLUMNS))
    write_atomic(folder / PLAN_FILE, csv_text(requirement_rows(schedule.requirement),
                                              ("interval_start", "skill", "agents_required")))
    return shifts, activities


def _utc(value: Any) -> datetime:
    """A table's timestamp (text or datetime) as an aware UTC datetime."""
    moment = value if isinstance(value, datetime) else parse_instant(str(value))
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class CoveragePoint:
    interval_start: datetime
    required: int | None
    scheduled: float


Interval = tuple[datetime, datetime]


def scheduled_work(dataset: Dataset, engine: str = "duckdb",
                   within: Interval | None = None) -> list[Interval]:
    """Every stretch an agent is scheduled on work (UTC), as adherence and the schedule's
    other metrics read it: one activity at each instant (a break laid over a work block
    is a break, two absences over each other are one), and a paid shift's time that no
    activity claims is work. Only the stretches that overlap ``within``, when given."""
    if not dataset.has("shifts"):
        return []
    from omnikpi.engine.backends import backend_for
    from omnikpi.engine.schedule_sources import scheduled_activities

    backend = backend_for(engine, dataset)

    def near(name: str) -> ir.Table:
        """The rows that can decide the window's schedule: those within two days of it
        (a shift lasts less than a day; the activities that decide an instant cover it,
        and a shift's unclaimed time depends on the activities starting inside it)."""
        table = backend.table(name)
        if within is None or "end" not in table.columns:  # (the roster: no times)
            return table
        return table.filter((table.end > _micros(within[0] - NEAR)) &
                            (table.start < _micros(within[1] + NEAR)))

    if dataset.has("shift_activities"):
        acts = scheduled_activities(near)
        work = acts.filter(acts.activity == "work")
    else:
        shifts = near("shifts")
        work = shifts.filter(shifts.paid.fill_null(True))
    work = work.filter(work.end > work.start)
    if within is not None:
        work = work.filter((work.end > _micros(within[0])) & (work.start < _micros(within[1])))
    frame = backend.execute(work.select("start", "end").order_by(["start", "end"]))
    return [(_instant(start), _instant(end))
            for start, end in zip(frame["start"], frame["end"], strict=True)]


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
NEAR = timedelta(days=2)


def _micros(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1)


def _instant(micros: Any) -> datetime:
    return _EPOCH + timedelta(microseconds=int(micros))


def coverage(work: Iterable[Interval], interval_minutes: int,
             required: dict[datetime, int] | None = None) -> list[CoveragePoint]:
    """Agents on work per interval (time-weighted: a 15-minute break in a 30-minute
    interval counts half), all skills together, from the stretches of scheduled work
    (:func:`scheduled_work`). Intervals are those of ``required`` (UTC instants) and any
    with someone on work."""
    step = timedelta(minutes=interval_minutes)
    seconds: dict[datetime, float] = defaultdict(float)
    for start, end in work:
        t = _EPOCH + ((start - _EPOCH) // step) * step
        while t < end:
            part = (min(end, t + step) - max(start, t)).total_seconds()
            if part > 0:
                seconds[t] += part
            t += step
    need = required or {}
    keys = sorted(set(seconds) | set(need))
    return [CoveragePoint(k, need.get(k), round(seconds.get(k, 0.0) / step.total_seconds(), 6))
            for k in keys]


def under_over(points: Iterable[CoveragePoint]) -> tuple[float, float]:
    """Σ agent-intervals short of and above the requirement."""
    under = over = 0.0
    for p in points:
        if p.required is None:
            continue
        under += max(0.0, p.required - p.scheduled)
        over += max(0.0, p.scheduled - p.required)
    return round(under, 6), round(over, 6)


class MoveRefused(UsageError):
    """A break that cannot go where it was asked: ``what`` says why ("outside" the shift
    ``start``–``end``, or "overlap" with ``other`` starting at ``start``), so that a page
    can say it in its language and clock; the message is the command line's."""

    def __init__(self, message: str, what: str, activity: str, start: datetime,
                 end: datetime | None = None, other: str | None = None) -> None:
        super().__init__(message)
        self.what, self.activity, self.other = what, activity, other
        self.start, self.end = start, end


def move_activity(shifts: Sequence[Row], activities: list[Row], agent_id: str,
                  start: datetime, new_start: datetime) -> tuple[list[Row], Row]:
    """The agent's activity that starts at ``start`` (a break, lunch…) moved to start at
    ``new_start``, inside the same shift and clear of the other non-work activities; the
    work around them is cut again. Returns the new rows and the moved activity."""
    start, new_start = _utc(start), _utc(new_start)
    mine = [a for a in activities if a["agent_id"] == agent_id]
    moved = next((a for a in mine if _utc(a["start"]) == start
                  and str(a["activity"]).lower() != "work"), None)
    if moved is None:
        raise UsageError(f"{agent_id} has no break or lunch starting at {stamp(start)}")
    shift = next((s for s in shifts if s["agent_id"] == agent_id
                  and _utc(s["start"]) <= start < _utc(s["end"])), None)
    if shift is None:
        raise UsageError(f"{agent_id} has no shift around {stamp(start)}")
    s0, s1 = _utc(shift["start"]), _utc(shift["end"])
    length = _utc(moved["end"]) - start
    new_end = new_start + length
    if new_start < s0 or new_end > s1:
        raise MoveRefused(f"the {moved['activity']} must stay inside the shift "
                          f"{stamp(s0)}–{stamp(s1)}", "outside", str(moved["activity"]),
                          s0, s1)
    inside = [a for a in mine if s0 <= _utc(a["start"]) < s1]
    others = [a for a in inside if a is not moved and str(a["activity"]).lower() != "work"]
    for o in others:
        if _utc(o["start"]) < new_end and new_start < _utc(o["end"]):
            raise MoveRefused(f"the {moved['activity']} would overlap the {o['activity']} "
                              f"at {stamp(_utc(o['start']))}", "overlap",
                              str(moved["activity"]), _utc(o["start"]),
                              other=str(o["activity"]))
    placed = dict(moved, start=stamp(new_start), end=stamp(new_end))
    kept = [dict(o) for o in others] + [placed]
    kept.sort(key=lambda a: _utc(a["start"]))
    day: list[Row] = []
    cursor = s0
    for a in kept:
        if _utc(a["start"]) > cursor:
            day.append({"agent_id": agent_id, "activity": "work", "start": stamp(cursor),
                        "end": a["start"], "paid": True})
        day.append(a)
        cursor = _utc(a["end"])
    if cursor < s1:
        day.append({"agent_id": agent_id, "activity": "work", "start": stamp(cursor),
                    "end": stamp(s1), "paid": True})
    rest = [a for a in activities if not any(a is b for b in inside)]
    return rest + day, placed

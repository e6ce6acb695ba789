"""When a schedule is due, and the period each run reports: pure functions of the
schedule, the last instant already run and the time now.

A schedule fires at the instants its cron expression names in its zone. At ``now`` the
instant due is the latest fire time ``t`` with ``base < t <= now``, where ``base`` is the
last instant already run (or the schedule's creation). Only that latest one runs: a server
that was down over three 08:00s sends one report on start, not three.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import CroniterBadDateError, croniter

from omnikpi.errors import UsageError

PERIODS = ("day", "week", "month")
PRESETS = {"daily": "0 8 * * *", "weekly": "0 8 * * 1", "monthly": "0 8 1 * *"}
"""The usual choices: daily at 08:00, weekly on Monday at 08:00, monthly on the 1st."""
ALIASES = {"@daily": "day", "@midnight": "day", "@weekly": "week", "@monthly": "month"}


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"unknown time zone {name!r}: use an IANA name such as "
                         "Europe/Kyiv or UTC") from None


def check_cron(expression: str) -> str:
    """A five-field cron expression (minute hour day month weekday) or an alias
    (``@daily``, ``@weekly``, ``@monthly``); a usage error otherwise."""
    text = " ".join(PRESETS.get(expression.strip(), expression).split())
    if text in ALIASES:
        return text
    if len(text.split()) != 5 or not croniter.is_valid(text):
        raise UsageError(f"{expression!r} is not a cron expression: give five fields "
                         "(minute hour day month weekday), e.g. \"0 8 * * *\" for daily at "
                         "08:00, \"0 8 * * 1\" for Mondays, \"0 8 1 * *\" for the 1st")
    if next_fire(text, "UTC", datetime.now(UTC)) is None:
        raise UsageError(f"{expression!r} names no date that exists (such as 31 April or "
                         "30 February), so it would never run: choose a day every month "
                         "has, or \"L\" for the last day of the month")
    return text


def period_of_cron(expression: str) -> str:
    """The period a cron expression most likely reports: one day of the month, or one
    weekday of the month (``1#1``, the first Monday) → month, one
    weekday (``1`` or ``MON``: a name was read as daily, so each Monday sent Sunday) →
    week, else day (``1-5``, weekdays, is a daily report on working days: it was read as
    weekly, so each weekday sent last week again)."""
    text = check_cron(expression)
    if text in ALIASES:
        return ALIASES[text]
    _, _, day, _, weekday = text.split()
    if day.isdigit() or day == "L":
        return "month"
    if re.fullmatch(r"([0-7]|[A-Za-z]{3})#[1-5]", weekday):
        return "month"
    if re.fullmatch(r"[0-7]|[A-Za-z]{3}", weekday):
        return "week"
    return "day"


SHORTEST_GAP = {"day": timedelta(hours=20), "week": timedelta(days=6),
                "month": timedelta(days=27)}
"""The least time between two runs of a schedule reporting such a period (a day is 23 or
25 hours when the clocks change)."""


def check_frequency(expression: str, tz: str, period: str) -> None:
    """Refuse a schedule that runs more often than its period changes: `* * * * *` with a
    daily period dropped the same "yesterday" 1,440 times a day."""
    if expression in ALIASES:
        return
    fire = next_fire(expression, tz, datetime.now(UTC))
    for _ in range(8):
        if fire is None:
            return
        following = next_fire(expression, tz, fire)
        if following is None:
            return
        gap = following.astimezone(UTC) - fire.astimezone(UTC)
        if gap < SHORTEST_GAP[period]:
            minutes = int(gap.total_seconds() // 60)
            every = f"{minutes} min" if minutes < 120 else f"{minutes // 60} h"
            preset = {"day": "daily", "week": "weekly", "month": "monthly"}[period]
            raise UsageError(f"{expression!r} runs every {every}, but each run reports the "
                             f"{period} just ended: the same report would go out again and "
                             f"again; run it once per {period} (e.g. "
                             f"\"{PRESETS[preset]}\", {preset})")
        fire = following


def latest_fire(expression: str, tz: str, now: datetime) -> datetime:
    """The latest instant at or before ``now`` that the expression names in ``tz``; a
    usage error for an expression that names no real date (a row saved before such
    expressions were refused must fail alone, not stop every other schedule)."""
    local = now.astimezone(zone(tz))
    on_minute = local.replace(second=0, microsecond=0)
    if croniter.match(expression, on_minute):
        return on_minute
    try:
        prev: datetime = croniter(expression, on_minute).get_prev(datetime)
    except CroniterBadDateError:
        raise UsageError(f"{expression!r} names no date that exists: it never runs") from None
    return prev


def next_fire(expression: str, tz: str, after: datetime) -> datetime | None:
    """The first instant strictly after ``after`` that the expression names in ``tz``;
    None when it names no real date (31 April): the lists show "never" rather than fail."""
    try:
        nxt: datetime = croniter(expression, after.astimezone(zone(tz))).get_next(datetime)
    except CroniterBadDateError:
        return None
    return nxt


def due_instant(expression: str, tz: str, base: datetime, now: datetime) -> datetime | None:
    """The scheduled instant to run at ``now`` (None: nothing new is due). ``base`` is
    the last instant already run, or the schedule's creation."""
    if now <= base:
        return None
    fire = latest_fire(expression, tz, now)
    if fire.fold:  # the hour repeated when summer time ends: its first pass is the fire
        fire = fire.replace(fold=0)  # (03:30 came twice, and the report went twice)
    return fire if fire.astimezone(UTC) > base.astimezone(UTC) else None


@dataclass(frozen=True)
class Period:
    start: datetime
    """Inclusive, local midnight in the schedule's zone."""
    end: datetime
    """Exclusive."""

    @property
    def label(self) -> str:
        last = (self.end - timedelta(days=1)).date()
        if self.start.date() == last:
            return self.start.date().isoformat()
        if self.start.day == 1 and (self.end.date() - self.start.date()).days >= 28 and \
                self.end.day == 1:
            return self.start.strftime("%Y-%m")
        return f"{self.start.date().isoformat()}_{last.isoformat()}"


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=tz)


def period_ended(kind: str, due_at: datetime, tz: str) -> Period:
    """The day, week (Monday to Monday) or month that ended last before ``due_at``'s
    local day began: a run at 08:00 on Tuesday 3 March reports Monday 2 March (day), the
    week of 23 February (week) or February (month)."""
    where = zone(tz)
    today = due_at.astimezone(where).date()
    if kind == "day":
        return Period(_midnight(today - timedelta(days=1), where), _midnight(today, where))
    if kind == "week":
        monday = today - timedelta(days=today.weekday())
        return Period(_midnight(monday - timedelta(days=7), where), _midnight(monday, where))
    if kind == "month":
        first = today.replace(day=1)
        previous = (first - timedelta(days=1)).replace(day=1)
        return Period(_midnight(previous, where), _midnight(first, where))
    raise UsageError(f"unknown period {kind!r}: choose {', '.join(PERIODS)}")

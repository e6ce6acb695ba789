"""Shift rules for the schedule builder: shift lengths and start times, breaks and lunch
in windows after the shift start, weekly days and hours, rest, unpopular shifts, weights.

Times of day and windows are minutes; a rules file (TOML) writes them as ``HH:MM``.
"""

from __future__ import annotations

import itertools
import math
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from omnikpi.errors import UsageError, read_text

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def clock_minutes(text: str, what: str) -> int:
    """``07:30`` → 450 (``24:00`` allowed as the end of a day)."""
    hours, sep, minutes = text.strip().partition(":")
    try:
        value = int(hours) * 60 + (int(minutes) if sep else 0)
    except ValueError:
        raise UsageError(f"{what}: {text!r} is not a time HH:MM") from None
    if not 0 <= value <= 24 * 60 or (sep and not 0 <= int(minutes) < 60):
        raise UsageError(f"{what}: {text!r} is not a time between 00:00 and 24:00")
    return value


def clock_range(text: str, what: str) -> tuple[int, int]:
    """``07:00-12:00`` → (420, 720); the end is not before the start."""
    first, sep, second = text.partition("-")
    if not sep:
        raise UsageError(f"{what}: write a range HH:MM-HH:MM, got {text!r}")
    lo, hi = clock_minutes(first, what), clock_minutes(second, what)
    if hi < lo:
        raise UsageError(f"{what}: {text!r} ends before it starts")
    return lo, hi


def clock_text(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True)
class ActivityRule:
    """A break or lunch: ``minutes`` long, starting between ``earliest`` and ``latest``
    minutes after the shift start."""

    name: str
    minutes: int
    earliest_minutes: int
    latest_minutes: int
    paid: bool
    step_minutes: int = 15


@dataclass(frozen=True)
class Weights:
    """Objective weights: under-staffing first, then over-staffing, then cost; fairness
    and preferences break ties. Per agent-slot / paid hour / shift."""

    under: int = 1000
    over: int = 10
    cost_per_paid_hour: int = 1
    unpopular_spread: int = 20
    preference: int = 2


@dataclass(frozen=True)
class ShiftRules:
    shift_minutes: tuple[int, ...] = (480,)
    start_from_minutes: int = 7 * 60
    start_to_minutes: int = 12 * 60
    start_step_minutes: int = 30
    activities: tuple[ActivityRule, ...] = ()
    days_per_week: int = 5
    min_weekly_minutes: int | None = None
    max_weekly_minutes: int | None = None
    min_rest_minutes: int = 11 * 60
    unpopular_start_before_minutes: int | None = 8 * 60
    unpopular_start_after_minutes: int | None = None
    unpopular_weekdays: tuple[int, ...] = (5, 6)
    weights: Weights = field(default_factory=Weights)
    time_limit_seconds: float = 60.0
    workers: int = 2

    def starts(self) -> list[int]:
        return list(range(self.start_from_minutes, self.start_to_minutes + 1,
                          self.start_step_minutes))

    def slot_minutes(self, interval_minutes: int) -> int:
        """The model's time step: every rule time falls on it."""
        values = [interval_minutes, self.start_step_minutes, self.start_from_minutes,
                  *self.shift_minutes]
        for a in self.activities:
            values += [a.minutes, a.earliest_minutes, a.step_minutes]
        step = 0
        for v in values:
            step = math.gcd(step, v)
        return step or interval_minutes

    def check(self) -> None:
        """Every problem of the rules at once, as one usage error."""
        problems = []
        if not self.shift_minutes or min(self.shift_minutes) <= 0:
            problems.append("shift lengths must be positive")
        if not 1 <= self.start_step_minutes <= 24 * 60:
            problems.append("the start step must be 1–1440 minutes")
        if self.shift_minutes and max(self.shift_minutes) > 24 * 60:
            problems.append("a shift is at most 24 hours")
        if not 0 < self.time_limit_seconds <= 24 * 3600 or not 1 <= self.workers <= 64:
            problems.append("the solver needs 0–86400 s and 1–64 workers")
        if not 1 <= self.days_per_week <= 7:
            problems.append("days per week must be 1–7")
        ordered = sorted(self.activities, key=lambda a: a.earliest_minutes)
        for a in ordered:
            if a.minutes <= 0 or a.step_minutes <= 0 or a.latest_minutes < a.earliest_minutes:
                problems.append(f"{a.name}: length, step and window must be positive and "
                                "in order")
            for length in self.shift_minutes:
                if a.latest_minutes + a.minutes > length:
                    problems.append(f"{a.name} window ends after a {length // 60}h "
                                    f"{length % 60:02d}m shift")
        # windows apart: any choice of one start per activity never overlaps another
        for a, b in itertools.pairwise(ordered):
            if a.latest_minutes + a.minutes > b.earliest_minutes:
                problems.append(f"the {a.name} and {b.name} windows overlap: "
                                f"{a.name} may end at {clock_text(a.latest_minutes + a.minutes)}"
                                f" after the start, {b.name} may start at "
                                f"{clock_text(b.earliest_minutes)}")
        if problems:
            raise UsageError("shift rules: " + "; ".join(problems))


def default_activities(shift_minutes: int, lunch_minutes: int) -> tuple[ActivityRule, ...]:
    """A 15-minute paid break in each half of the shift and an unpaid lunch in its
    middle, windows one hour wide (shifts under 6 h: one break and no lunch)."""
    def q(m: float) -> int:
        return int(round(m / 15.0) * 15)

    if shift_minutes < 6 * 60:
        mid = q(shift_minutes / 2 - 30)
        return (ActivityRule("break", 15, mid, mid + 60, True),)
    third = shift_minutes / 4
    out = [ActivityRule("break", 15, q(third - 30), q(third + 30), True)]
    if lunch_minutes > 0:
        mid = q(shift_minutes / 2 - lunch_minutes / 2 - 30)
        out.append(ActivityRule("lunch", lunch_minutes, mid, mid + 60, False))
    out.append(ActivityRule("break", 15, q(3 * third - 30), q(3 * third + 30), True))
    return tuple(out)


def rules_from_options(shift_hours: float, start_between: str, start_step: int,
                       lunch_minutes: int) -> ShiftRules:
    if not 0.25 <= shift_hours <= 24:  # also refuses NaN
        raise UsageError("--shift-hours must be between 0.25 and 24")
    if not 1 <= start_step <= 24 * 60:
        raise UsageError("--start-step must be 1–1440 minutes")
    if not 0 <= lunch_minutes <= 4 * 60:
        raise UsageError("--lunch-minutes must be 0–240")
    length = round(shift_hours * 60)
    lo, hi = clock_range(start_between, "--start-between")
    rules = ShiftRules(shift_minutes=(length,), start_from_minutes=lo, start_to_minutes=hi,
                       start_step_minutes=start_step,
                       activities=default_activities(length, lunch_minutes),
                       min_weekly_minutes=None, max_weekly_minutes=None)
    rules.check()
    return rules


def _window(spec: dict[str, Any], what: str) -> tuple[int, int]:
    value = spec.get("window")
    if not isinstance(value, str):
        raise UsageError(f"{what}: needs window = \"HH:MM-HH:MM\" (after the shift start)")
    return clock_range(value, f"{what} window")


def rules_from_toml(path: Path, base: ShiftRules) -> ShiftRules:
    """Rules from a TOML file over ``base`` (the command-line options). Keys:
    ``[shift] hours = [8, 6]``, ``start_between``, ``start_step_minutes``;
    ``[[activity]] name, minutes, window = "01:30-02:30", paid, step_minutes``;
    ``[week] days = 5, min_hours, max_hours, min_rest_hours``; ``[unpopular]
    start_before, start_after, weekdays = ["sat", "sun"]``; ``[weights]``; ``[solver]
    time_limit_seconds, workers``."""
    try:
        doc = tomllib.loads(read_text(path, "rules file"))
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"rules file {path}: {exc}") from None
    known = {"shift", "activity", "week", "unpopular", "weights", "solver"}
    unknown = set(doc) - known
    if unknown:
        raise UsageError(f"rules file {path}: unknown section(s) {', '.join(sorted(unknown))}"
                         f" (known: {', '.join(sorted(known))})")
    for section, keys in SECTION_KEYS.items():  # a typo ("max_hour") must not pass silently
        values = doc.get(section, {})
        for spec in values if isinstance(values, list) else [values]:
            odd = set(spec) - keys if isinstance(spec, dict) else set()
            if odd:
                raise UsageError(f"rules file {path}: unknown key(s) {', '.join(sorted(odd))} "
                                 f"in [{section}] (known: {', '.join(sorted(keys))})")
    try:
        return _apply(doc, base)
    except (TypeError, ValueError, AttributeError) as exc:  # a value of the wrong kind
        raise UsageError(f"rules file {path}: {exc}") from None


SECTION_KEYS = {
    "shift": {"hours", "start_between", "start_step_minutes"},
    "activity": {"name", "minutes", "window", "paid", "step_minutes"},
    "week": {"days", "min_hours", "max_hours", "min_rest_hours"},
    "unpopular": {"start_before", "start_after", "weekdays"},
    "solver": {"time_limit_seconds", "workers"},
}
"""The keys each section of a rules file reads (``[weights]`` is checked by its fields)."""


def _apply(doc: dict[str, Any], rules: ShiftRules) -> ShiftRules:
    shift = doc.get("shift", {})
    if "hours" in shift:
        hours = shift["hours"] if isinstance(shift["hours"], list) else [shift["hours"]]
        rules = replace(rules, shift_minutes=tuple(round(float(h) * 60) for h in hours))
        if "activity" not in doc:
            lunch = next((a.minutes for a in rules.activities if a.name == "lunch"), 30)
            rules = replace(rules, activities=default_activities(min(rules.shift_minutes),
                                                                 lunch))
    if "start_between" in shift:
        lo, hi = clock_range(str(shift["start_between"]), "shift.start_between")
        rules = replace(rules, start_from_minutes=lo, start_to_minutes=hi)
    if "start_step_minutes" in shift:
        rules = replace(rules, start_step_minutes=int(shift["start_step_minutes"]))
    if "activity" in doc:
        acts = []
        for i, spec in enumerate(doc["activity"], start=1):
            name = str(spec.get("name", "break")).lower()
            lo, hi = _window(spec, f"activity {i} ({name})")
            acts.append(ActivityRule(name, int(spec.get("minutes", 15)), lo, hi,
                                     bool(spec.get("paid", name != "lunch")),
                                     int(spec.get("step_minutes", 15))))
        rules = replace(rules, activities=tuple(acts))
    week = doc.get("week", {})
    if "days" in week:
        rules = replace(rules, days_per_week=int(week["days"]))
    if "min_hours" in week:
        rules = replace(rules, min_weekly_minutes=round(float(week["min_hours"]) * 60))
    if "max_hours" in week:
        rules = replace(rules, max_weekly_minutes=round(float(week["max_hours"]) * 60))
    if "min_rest_hours" in week:
        rules = replace(rules, min_rest_minutes=round(float(week["min_rest_hours"]) * 60))
    unpopular = doc.get("unpopular", {})
    if "start_before" in unpopular:
        rules = replace(rules, unpopular_start_before_minutes=clock_minutes(
            str(unpopular["start_before"]), "unpopular.start_before"))
    if "start_after" in unpopular:
        rules = replace(rules, unpopular_start_after_minutes=clock_minutes(
            str(unpopular["start_after"]), "unpopular.start_after"))
    if "weekdays" in unpopular:
        rules = replace(rules, unpopular_weekdays=tuple(
            weekday(str(d), "unpopular.weekdays") for d in unpopular["weekdays"]))
    if "weights" in doc:
        rules = replace(rules, weights=Weights(**{k: int(v) for k, v in doc["weights"].items()}))
    solver = doc.get("solver", {})
    if "time_limit_seconds" in solver:
        rules = replace(rules, time_limit_seconds=float(solver["time_limit_seconds"]))
    if "workers" in solver:
        rules = replace(rules, workers=int(solver["workers"]))
    rules.check()
    return rules


def weekday(text: str, what: str) -> int:
    key = text.strip().lower()[:3]
    if key not in WEEKDAYS:
        raise UsageError(f"{what}: {text!r} is not a weekday (mon … sun)")
    return WEEKDAYS.index(key)

"""Per-interval staffing plans, e-mail backlog staffing and shrinkage planning."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from omnikpi.errors import UsageError
from omnikpi.wfm.staffing import MAX_AGENTS, NoStaffingMeets, StaffingResult, check_inputs, staff


@dataclass(frozen=True)
class ForecastInterval:
    interval_start: str
    volume: float
    aht_seconds: float


@dataclass(frozen=True)
class PlannedInterval:
    interval_start: str
    volume: float
    aht_seconds: float
    result: StaffingResult


class IntervalNotStaffed(NoStaffingMeets):
    """No staff level meets the targets in one interval of a plan: which one (its place
    among the intervals given, and its start), for the caller to name the forecast's line
    (a year of 15-minute intervals said "no staffing up to 100,000 agents meets the
    targets" and nothing more)."""

    def __init__(self, index: int, interval_start: str, reason: str) -> None:
        super().__init__(f"interval {interval_start}: {reason}")
        self.index = index
        self.interval_start = interval_start
        self.reason = reason


def plan(intervals: Iterable[ForecastInterval], interval_minutes: float, target_sl: float,
         threshold_seconds: float, on_interval: Callable[[], object] | None = None,
         **options: object) -> list[PlannedInterval]:
    """Staff every forecast interval with the same targets and model; ``on_interval`` is
    called after each (a year of 15-minute intervals takes a while: the CLI's progress).
    An interval no staff level serves is :class:`IntervalNotStaffed`."""
    out = []
    for index, interval in enumerate(intervals):
        try:
            result = staff(interval.volume, interval_minutes, interval.aht_seconds,
                           target_sl, threshold_seconds, **options)  # type: ignore[arg-type]
        except NoStaffingMeets as exc:
            raise IntervalNotStaffed(index, interval.interval_start, str(exc)) from exc
        out.append(PlannedInterval(interval.interval_start, interval.volume,
                                   interval.aht_seconds, result))
        if on_interval is not None:
            on_interval()
    return out


def plan_rows(planned: Iterable[PlannedInterval]) -> list[dict[str, object]]:
    """The plan as ``omnikpi wfm plan --format csv|json`` writes it (and ``wfm schedule``
    reads its ``positions``): the forecast interval, then the staffing result's keys. An
    interval without contacts has no AHT (empty, null), whatever stood in for it."""
    return [{"interval_start": p.interval_start, "volume": p.volume,
             "aht_seconds": p.aht_seconds if p.volume > 0 else None, **p.result.to_json()}
            for p in planned]


def total_shrinkage(components: Mapping[str, float], method: str = "additive") -> float:
    """Total shrinkage from its components (vacation, sickness, breaks, training, …).

    ``additive`` is how contact-center plans usually state it (10 % + 10 % + 14 % = 34 %:
    each component a share of paid time); ``compound`` applies each to the time the
    previous ones left (1 − Π(1 − sᵢ)) for components measured on available time.

    >>> round(total_shrinkage({"planned": 0.10, "unplanned": 0.10, "breaks": 0.14}), 2)
    0.34
    >>> round(total_shrinkage({"a": 0.10, "b": 0.10, "c": 0.14}, "compound"), 4)
    0.3034
    """
    check_inputs(**{f"shrinkage component {name}": v for name, v in components.items()})
    for name, value in components.items():
        if not 0 <= value < 1:
            raise UsageError(f"shrinkage component {name} must be in [0, 1), got {value}")
    if method == "additive":
        total = sum(components.values())
    elif method == "compound":
        total = 1 - math.prod(1 - v for v in components.values())
    else:
        raise UsageError(f"unknown shrinkage method {method!r}: additive or compound")
    if total >= 1:
        raise UsageError(f"total shrinkage {total:.0%} leaves no time for contacts")
    return total


def backlog_agents(volume: float, aht_seconds: float, working_hours: float,
                   threshold_hours: float, opening_backlog: float = 0.0,
                   max_occupancy: float = 0.85) -> int:
    """Agents to answer a day's e-mail (discrete contacts) within the threshold.

    Deferred work can wait in a backlog, so no queueing formula applies. Worked oldest
    first, each e-mail must be answered within the threshold T of its arrival: what has
    arrived by hour t (the opening backlog B, then arrivals λ per hour spread evenly over
    the working day) must be done by t + T. With r the e-mails the agents answer per hour
    (at most ``max_occupancy`` of their time), B + λt ≤ r(t + T) for every t holds when
    the opening backlog fits in the first T hours (B ≤ rT, the worst t when r ≥ λ) and the
    day's work in the working day ((B + λH) ≤ rH). An earlier rule asked the arrivals of
    the first T hours to be done within them too, though their own deadlines run later:
    100 left from yesterday and a 2-hour promise then needed 12 agents where 8 keep it.

    >>> backlog_agents(volume=400, aht_seconds=360, working_hours=8, threshold_hours=24)
    6
    >>> backlog_agents(volume=400, aht_seconds=360, working_hours=8, threshold_hours=2,
    ...                opening_backlog=100)
    8
    """
    check_inputs(volume=volume, aht_seconds=aht_seconds, working_hours=working_hours,
                 threshold_hours=threshold_hours, opening_backlog=opening_backlog,
                 max_occupancy=max_occupancy)
    if volume < 0 or opening_backlog < 0:
        raise UsageError("volume and opening backlog must be ≥ 0")
    for words, value in (("the AHT", aht_seconds), ("the working hours", working_hours),
                         ("the answer-within hours", threshold_hours)):
        if value <= 0:  # the one that is wrong, by its value
            raise UsageError(f"{words} must be more than 0, got {value:g}")
    if working_hours > 24:
        raise UsageError(f"working_hours are the team's hours in one day: at most 24, "
                         f"got {working_hours:g}")
    if not 0 < max_occupancy <= 1:
        raise UsageError(f"the maximum occupancy must be more than 0 and at most 1 (a "
                         f"share: 0.85 for 85 %), got {max_occupancy:g}")
    if aht_seconds > threshold_hours * 3600 or aht_seconds > working_hours * 3600:
        # the rule above treats the work as divisible: one 10-hour e-mail and a 2-hour
        # promise read "2 agents", though none answers it in time
        raise UsageError(unanswerable(aht_seconds, threshold_hours, working_hours))
    window = min(threshold_hours, working_hours)
    backlog_first = opening_backlog * aht_seconds / (window * 3600 * max_occupancy)
    whole_day = (opening_backlog + volume) * aht_seconds / (working_hours * 3600 * max_occupancy)
    agents = max(math.ceil(backlog_first - 1e-9), math.ceil(whole_day - 1e-9))
    if agents > MAX_AGENTS:  # as staff and evaluate: a plan of 326 trillion agents is a typo
        raise NoStaffingMeets(f"more than {MAX_AGENTS:,} agents would be needed")
    return agents


def unanswerable(aht_seconds: float, threshold_hours: float, working_hours: float) -> str:
    """Why one e-mail cannot be answered in time, whatever the staff: its handling alone
    is longer than the promise or than the working day."""
    limit, what = (threshold_hours, "the promise") if threshold_hours <= working_hours \
        else (working_hours, "the working day")
    return (f"one e-mail takes {aht_seconds:g} s to handle, longer than {what} "
            f"({limit:g} h): no number of agents answers it in time")

"""How far a report reads the plans (shifts, scheduled activities): the as-of of plans.

A report's default as-of is the data's latest *event* (an agent state's end, an answer).
Cutting the schedule there made an agent who went home an hour early look fully
adherent: their last state ended at 15:00, so the 15:00–16:00 they were scheduled for
was never counted. Plans are not events, so by default they count up to their own end —
but never past the clock: next week's published rota has not been worked yet, and an
intraday report must not read it as absence. An as-of given by the user cuts plans too
(adherence "so far today").
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from omnikpi.instants import MICROS
from omnikpi.schema.dataset import Dataset

SCHEDULE_TABLES = ("shifts", "shift_activities")
"""The plans an as-of cuts (cost periods are spread over their time and never cut)."""

_MINUTE_US = 60 * MICROS


def _clock_us() -> int:
    return int(time.time() * MICROS)


clock: Callable[[], int] = _clock_us
"""The time now in µs since the epoch (tests replace it)."""


def plans_until_us(dataset: Dataset, tables: Sequence[str], as_of_us: int,
                   given: bool) -> int:
    """The instant a report counts the schedule to: the user's as-of when ``given``,
    else the plans' latest instant, no later than now (to the minute, so that the plan
    of a report asked twice in a minute is the same), and never before the as-of."""
    if given:
        return as_of_us
    plans = tuple(t for t in tables if t in SCHEDULE_TABLES and dataset.has(t))
    if not plans:
        return as_of_us
    latest = dataset.latest_event_us(plans)
    if latest is None:
        return as_of_us
    now = clock() // _MINUTE_US * _MINUTE_US
    return max(as_of_us, min(latest, now))

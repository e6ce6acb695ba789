"""Time grains: how a booking instant becomes a period key, and what a period covers.

Keys are integers computed with integer arithmetic on epoch microseconds:
- sub-day grains (15min, 30min, hour): the UTC instant where the local interval starts,
  so the repeated local hour of a DST fall-back gives two distinct periods;
- day: the local calendar day (days since 1970-01-01 in the reporting zone);
- week: the local day number of that ISO week's Monday;
- month: ``year * 12 + month - 1`` of the local date.
A calendar (``buckets``) lists the same keys with their exact UTC extent, which is what
agent-state time is split on and what per-hour rates divide by (23 h and 25 h days).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import ibis
import ibis.expr.types as ir

from omnikpi.engine.duckdb_sql import NonNegativeDivide
from omnikpi.engine.timezones import (
    DAY_US,
    MICROS,
    OffsetRange,
    local_datetime,
    offset_us,
    zone,
)
from omnikpi.errors import UsageError
from omnikpi.instants import local_midnight_us

GRAINS = ("total", "15min", "30min", "hour", "day", "week", "month")
_SUBDAY_MINUTES = {"15min": 15, "30min": 30, "hour": 60}
FAR_PAST_US = 0
FAR_FUTURE_US = 2**62
_EPOCH_DATE = date(1970, 1, 1)


@dataclass(frozen=True)
class Bucket:
    key: int
    start_us: int
    end_us: int

    @property
    def hours(self) -> float:
        return (self.end_us - self.start_us) / (3600 * MICROS)


_Int = Any  # a Python int or an Ibis integer expression: the arithmetic is the same


def check_grain(grain: str) -> str:
    if grain not in GRAINS:
        raise UsageError(f"unknown grain {grain!r}: choose one of {', '.join(GRAINS)}")
    return grain


def offset_expr(us: ir.IntegerValue, ranges: tuple[OffsetRange, ...]) -> ir.IntegerValue:
    """The zone offset at ``us`` as a CASE over the few offset ranges of the span."""
    if len(ranges) == 1:
        return ibis.literal(ranges[0].offset_us, type="int64")
    branches = []
    for nxt_index in range(len(ranges) - 1, 0, -1):
        rng = ranges[nxt_index]
        assert rng.start_us is not None
        branches.append((us >= rng.start_us, ibis.literal(rng.offset_us, type="int64")))
    return ibis.cases(*branches, else_=ibis.literal(ranges[0].offset_us, type="int64"))


def _civil_month_index(day: ir.IntegerValue) -> ir.IntegerValue:
    """``year*12 + month - 1`` from days since 1970-01-01 (H. Hinnant's civil_from_days).

    Integer-only, so it runs the same on every backend and needs no date type.
    """
    z = day + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    month = ibis.ifelse(mp < 10, mp + 3, mp - 9)
    year = yoe + era * 400 + ibis.ifelse(month <= 2, 1, 0)
    return year * 12 + month - 1


def key_expr(
    grain: str, us: ir.IntegerValue, ranges: tuple[OffsetRange, ...],
    nonnegative: bool = False,
) -> ir.IntegerValue:
    """Period key of the instant ``us`` (int64 epoch microseconds) in the reporting zone.

    ``nonnegative``: every local instant is known to be at or after 1970-01-01, and the
    backend has :class:`~omnikpi.engine.duckdb_sql.NonNegativeDivide` (DuckDB).
    """
    if grain == "total":
        return ibis.literal(0, type="int64")
    off = offset_expr(us, ranges)
    if grain in _SUBDAY_MINUTES:
        return _subday_key(grain, us, off, nonnegative)
    return key_from_day(grain, _floor_div(us + off, DAY_US, nonnegative))


def _floor_div(value: _Int, size: int, nonnegative: bool) -> _Int:
    if nonnegative and isinstance(value, ir.Value):
        return NonNegativeDivide(value, size).to_expr()
    return value // size


def _subday_key(grain: str, us: _Int, off: _Int, nonnegative: bool = False) -> _Int:
    """UTC start of the local interval: same arithmetic on Python ints and Ibis columns."""
    size = _SUBDAY_MINUTES[grain] * 60 * MICROS
    return _floor_div(us + off, size, nonnegative) * size - off


def key_from_day(grain: str, day: _Int) -> _Int:
    """Key of a day-based grain (day, week, month, total) from a local day number."""
    if grain == "total":
        return ibis.literal(0, type="int64") if isinstance(day, ir.Value) else 0
    if grain == "day":
        return day
    if grain == "week":
        return day - (day + 3) % 7
    if grain == "month":
        if isinstance(day, ir.Value):
            return _civil_month_index(day)
        d = _EPOCH_DATE + timedelta(days=day)
        return d.year * 12 + d.month - 1
    raise AssertionError(f"no day-based key for grain {grain}")


def _month_first_day(index: int) -> int:
    year, month0 = divmod(index, 12)
    return (date(year, month0 + 1, 1) - _EPOCH_DATE).days


def _python_key(grain: str, tz_name: str, us: int) -> int:
    """Same key as ``key_expr`` computed in Python; used to build calendars."""
    off = offset_us(zone(tz_name), us)
    if grain in _SUBDAY_MINUTES:
        return int(_subday_key(grain, us, off))
    return int(key_from_day(grain, (us + off) // DAY_US))


def bucket_of_key(grain: str, tz_name: str, key: int) -> Bucket:
    """The UTC extent of the period with this key."""
    tz = zone(tz_name)
    if grain == "total":
        return Bucket(0, FAR_PAST_US, FAR_FUTURE_US)
    if grain in _SUBDAY_MINUTES:
        size = _SUBDAY_MINUTES[grain] * 60 * MICROS
        return Bucket(key, key, key + size)
    if grain == "day":
        return Bucket(key, local_midnight_us(key, tz), local_midnight_us(key + 1, tz))
    if grain == "week":
        return Bucket(key, local_midnight_us(key, tz), local_midnight_us(key + 7, tz))
    first = _month_first_day(key)
    nxt = _month_first_day(key + 1)
    return Bucket(key, local_midnight_us(first, tz), local_midnight_us(nxt, tz))


MAX_PERIODS = 200_000
"""Periods one report may have (five years at 15 minutes is 175,000): beyond, the request
is refused before any work instead of running for minutes."""
_SHORTEST_DAYS = {"15min": 15 / 1440, "30min": 30 / 1440, "hour": 1 / 24, "day": 1.0,
                  "week": 7.0, "month": 28.0}


def check_period_count(grain: str, start_us: int, end_us: int) -> None:
    """A usage error when ``[start_us, end_us)`` cut by ``grain`` has too many periods."""
    if grain == "total":
        return
    days = max(0, end_us - start_us) / 86_400_000_000
    periods = int(days / _SHORTEST_DAYS[grain]) + 1
    if periods > MAX_PERIODS:
        raise UsageError(
            f"a report by {grain} from the data's first instant to the end asked would have "
            f"about {periods:,} periods (at most {MAX_PERIODS:,}): choose a coarser grain, "
            "or a shorter period with --from/--to (or an earlier --as-of)")


def buckets(grain: str, tz_name: str, start_us: int, end_us: int) -> list[Bucket]:
    """Contiguous calendar of periods covering the instants ``[start_us, end_us)``."""
    if grain == "total":
        return [Bucket(0, FAR_PAST_US, FAR_FUTURE_US)]
    check_period_count(grain, start_us, end_us)
    out: list[Bucket] = []
    key = _python_key(grain, tz_name, start_us)
    while True:
        bucket = bucket_of_key(grain, tz_name, key)
        if out and bucket.start_us != out[-1].end_us:
            raise UsageError(
                f"grain {grain!r} does not tile time zone {tz_name!r} "
                "(its offset changes by a fraction of the grain); use a coarser grain"
            )
        out.append(bucket)
        if bucket.end_us >= end_us:
            return out
        key = _python_key(grain, tz_name, bucket.end_us)


@lru_cache(maxsize=4096)
def label(grain: str, tz_name: str, key: int) -> str:
    """ISO-8601 start of the period with the zone's numeric offset (the contract's form)."""
    bucket = bucket_of_key(grain, tz_name, key)
    return local_datetime(bucket.start_us, tz_name).isoformat()


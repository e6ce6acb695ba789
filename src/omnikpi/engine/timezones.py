"""Reporting time zones as a few UTC-offset ranges instead of per-row conversion.

A zone's UTC offset only changes at its transitions (DST, changes of law), so over a
data span the zone is a short list of ``(valid_from_us, offset_us)`` ranges. The engine
turns that list into one ``CASE`` on integer microseconds, which keeps bucketing on the
fast integer path (see ``docs/spec/performance-notes.md``: time-zone typed columns made
DuckDB 8x slower) while giving the same answer as converting every row with zoneinfo.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from omnikpi.errors import UsageError
from omnikpi.instants import DAY_US, HOUR_US, MICROS, to_datetime, to_us

__all__ = ["DAY_US", "HOUR_US", "MICROS", "to_datetime", "to_us"]


def zone(name: str) -> ZoneInfo:
    """The IANA zone called ``name``, or a usage error that says how to spell one."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:  # OSError: a name too long
        raise UsageError(                                             # for a file name
            f"unknown time zone {name[:60]!r}: use an IANA name such as 'UTC', "
            "'Europe/Kyiv' or 'America/New_York'"
        ) from exc


def local_datetime(us: int, tz_name: str) -> datetime:
    """The instant ``us`` (microseconds since the epoch) as a time in the zone ``tz_name``."""
    return to_datetime(us).astimezone(zone(tz_name))


def offset_us(tz: ZoneInfo, us: int) -> int:
    """UTC offset of ``tz`` at the instant ``us``."""
    off = to_datetime(us).astimezone(tz).utcoffset()
    assert off is not None
    return int(off.total_seconds()) * MICROS


@dataclass(frozen=True)
class OffsetRange:
    start_us: int | None  # None: from the beginning of time
    offset_us: int


@lru_cache(maxsize=256)
def offset_ranges(tz_name: str, start_us: int, end_us: int) -> tuple[OffsetRange, ...]:
    """Offset ranges of a zone covering ``[start_us, end_us]`` (with a day of margin).

    Transitions are found by stepping a few hours at a time and bisecting to the exact
    second where the offset changes; zones change offset at whole seconds.
    """
    tz = zone(tz_name)
    lo = start_us - DAY_US
    hi = end_us + DAY_US
    step = 6 * HOUR_US
    ranges = [OffsetRange(None, offset_us(tz, lo))]
    t = lo
    current = ranges[0].offset_us
    while t < hi:
        nxt = min(t + step, hi)
        off = offset_us(tz, nxt)
        if off != current:
            a, b = t // MICROS, nxt // MICROS  # seconds; offset(a) == current != offset(b)
            while b - a > 1:
                mid = (a + b) // 2
                if offset_us(tz, mid * MICROS) == current:
                    a = mid
                else:
                    b = mid
            ranges.append(OffsetRange(b * MICROS, off))
            current = off
        t = nxt
    return tuple(ranges)



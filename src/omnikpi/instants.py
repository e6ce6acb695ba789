"""Instants as integer microseconds since the Unix epoch (UTC): the one time unit of the
canonical tables, the engine and the live monitor.

Kept apart from the engine so that every layer (schema, engine, live, web) reads
instants the same way without importing the engine.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

MICROS = 1_000_000
"""Microseconds in a second."""
MICROS_FLOAT = float(MICROS)
"""The same as a float, for turning instants into seconds inside query expressions (a
float literal keeps the division in floating point on every engine)."""
HOUR_US = 3600 * MICROS
DAY_US = 24 * HOUR_US
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
FIRST_YEAR, LAST_YEAR = 1900, 2199
"""The years an instant may fall in, in data and in requests: wide for any contact
center's history and plans, narrow enough that zone offsets and calendars never overflow
a date. Data outside them is quarantined; a request outside them is a usage error."""


def to_datetime(us: int) -> datetime:
    """Epoch microseconds (UTC) to an aware datetime, exactly (no float rounding)."""
    return EPOCH + timedelta(microseconds=us)


def to_us(moment: datetime) -> int:
    """Aware datetime to epoch microseconds, exactly."""
    delta = moment - EPOCH
    return (delta.days * 86400 + delta.seconds) * MICROS + delta.microseconds


EARLIEST_US = to_us(datetime(FIRST_YEAR, 1, 1, tzinfo=UTC))
LATEST_US = to_us(datetime(LAST_YEAR + 1, 1, 1, tzinfo=UTC))
"""The first instant after the supported years (exclusive bound)."""


def with_offset(local: str, tz: str) -> str:
    """An interval's start as local time *with* its UTC offset in ``tz``: written without
    one, the data model reads a time as UTC, and a schedule planned from this forecast
    (``wfm plan`` → ``wfm schedule --out``) landed its shifts hours off in any other
    zone. A time that already has an offset is kept."""
    from omnikpi.engine.timezones import zone

    moment = datetime.fromisoformat(local)
    if moment.tzinfo is not None:
        return local
    return moment.replace(tzinfo=zone(tz)).isoformat()


def instants_on_clock(local: str, tz: str) -> list[str]:
    """The instants at which the zone ``tz``'s clock shows the wall time ``local``, each
    with its UTC offset: none when the clock skips it (spring forward), two when it shows
    it twice (autumn back), else one. A forecast made on the wall clock (a slot of the day)
    is a schedule of instants only through this: with one offset per wall time, the spring
    day held two intervals twice (``wfm plan`` refused the file) and the autumn day lost
    the repeated hour (unstaffed). A time that already has an offset is kept."""
    from omnikpi.engine.timezones import zone

    moment = datetime.fromisoformat(local)
    if moment.tzinfo is not None:
        return [local]
    place = zone(tz)
    found: list[datetime] = []
    for fold in (0, 1):
        aware = moment.replace(tzinfo=place, fold=fold)
        back = aware.astimezone(UTC).astimezone(place).replace(tzinfo=None)
        if back == moment and all(aware.utcoffset() != f.utcoffset() for f in found):
            found.append(aware)
    return [f.astimezone(timezone(f.utcoffset() or timedelta(0))).isoformat() for f in found]


def rows_on_clock(rows: list[dict[str, Any]], tz: str,
                  key: str = "interval_start") -> list[dict[str, Any]]:
    """Rows of a wall-clock grid as rows of instants (:func:`instants_on_clock`), in the
    order of their instants: a clock-change day has 23 or 25 hours of intervals."""
    out = [{**row, key: at} for row in rows for at in instants_on_clock(str(row[key]), tz)]
    return sorted(out, key=lambda row: datetime.fromisoformat(str(row[key])))


def local_midnight_us(day: int, tz: str | ZoneInfo) -> int:
    """The first instant of a day (days since 1970-01-01, as a date column holds it) in
    the zone ``tz``: a date has no zone, so it begins when the reader's day does.

    A zone whose clocks jump forward at midnight (Africa/Cairo, America/Santiago,
    America/Havana on their DST days) has no 00:00 that day: the day begins at the
    jump, the first instant that is the new day's (01:00 after a jump at midnight). Read
    with the offset after the jump, 00:00 would be 23:00 of the day before."""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    naive = datetime.combine(date.fromordinal(date(1970, 1, 1).toordinal() + day),
                             datetime.min.time())
    after = to_us(naive.replace(tzinfo=zone))  # fold 0: the offset before a jump
    if naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(
            tzinfo=None) == naive:
        return after  # midnight exists
    # midnight is in the clocks' jump: the day begins at the jump, between midnight
    # read with the offset after it (too early) and with the offset before (at or
    # after the jump); found to the second
    before = to_us(naive.replace(tzinfo=zone, fold=1)) // MICROS
    after //= MICROS
    new_offset = datetime.fromtimestamp(after, zone).utcoffset()
    while after - before > 1:
        middle = (before + after) // 2
        if datetime.fromtimestamp(middle, zone).utcoffset() == new_offset:
            after = middle
        else:
            before = middle
    return after * MICROS


def day_start_us(day: date, tz: str | ZoneInfo) -> int:
    """The first instant of the calendar ``day`` in ``tz`` (:func:`local_midnight_us`)."""
    return local_midnight_us((day - date(1970, 1, 1)).days, tz)


def begins_local_day(moment: datetime, tz: str | ZoneInfo) -> bool:
    """Whether the aware ``moment`` is the first instant of its day in ``tz``: 00:00, or
    01:00 on a day whose midnight the clocks skip (Africa/Cairo's DST day), which is a
    whole day all the same and is shown as its date."""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    return to_us(moment) == day_start_us(moment.astimezone(zone).date(), zone)


def stored_utc(moment: datetime) -> datetime:
    """An instant read back from the application database, with its zone said: SQLite
    keeps none and the application writes UTC, so an API never gives a bare time (a QA
    evaluation's ``evaluated_at`` read as the reader's local time)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)

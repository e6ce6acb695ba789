"""Zone bucketing by offset ranges equals per-row conversion with zoneinfo (hypothesis)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

import ibis
from hypothesis import example, given, settings
from hypothesis import strategies as st

from omnikpi.engine.grains import buckets, key_expr, label
from omnikpi.engine.timezones import MICROS, offset_ranges, to_us, zone

ZONES = ["UTC", "Europe/Kyiv", "America/New_York", "Australia/Sydney", "Asia/Kolkata",
         "America/Sao_Paulo", "Europe/London"]
GRAINS = ["15min", "30min", "hour", "day", "week", "month"]
START = to_us(datetime(2023, 1, 1, tzinfo=UTC))
END = to_us(datetime(2026, 1, 1, tzinfo=UTC))


def reference_start(us: int, tz_name: str, grain: str) -> datetime:
    """Period start by converting the one instant with zoneinfo (the slow, obvious way)."""
    tz = zone(tz_name)
    local = (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=us)).astimezone(tz)
    if grain in ("15min", "30min", "hour"):
        minutes = {"15min": 15, "30min": 30, "hour": 60}[grain]
        floored = local.replace(minute=local.minute - local.minute % minutes, second=0,
                                microsecond=0) if minutes < 60 else local.replace(
            minute=0, second=0, microsecond=0)
        return floored
    day = local.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    if grain == "week":
        day -= timedelta(days=day.weekday())
    if grain == "month":
        day = day.replace(day=1)
    return day.replace(tzinfo=tz)


@lru_cache(maxsize=1)
def _duckdb() -> Any:
    """One DuckDB for every example (connecting per example cost most of the test's time)."""
    return ibis.duckdb.connect()


@example(instants=[1_712_415_600_000_000], tz_name="Australia/Sydney", grain="15min")
@settings(max_examples=60, deadline=None)
@given(
    instants=st.lists(st.integers(min_value=START, max_value=END), min_size=1, max_size=30),
    tz_name=st.sampled_from(ZONES),
    grain=st.sampled_from(GRAINS),
)
def test_bucketing_matches_zoneinfo(instants: list[int], tz_name: str, grain: str) -> None:
    ranges = offset_ranges(tz_name, START, END)
    table = ibis.memtable({"us": instants}, schema={"us": "int64"})
    keys = _duckdb().execute(
        table.select(key=key_expr(grain, table.us, ranges))
    )["key"].tolist()
    for us, key in zip(instants, keys, strict=True):
        got = datetime.fromisoformat(label(grain, tz_name, int(key)))
        expected = reference_start(us, tz_name, grain)
        # compared as instants: an aware time in a repeated hour (Sydney's 02:00 on
        # 2024-04-07, first at +11:00) is unequal to any time of another zone (PEP 495),
        # so the label's fixed offset never equalled zoneinfo's there
        assert got.astimezone(UTC) == expected.astimezone(UTC), (us, tz_name, grain)
        assert got.utcoffset() == expected.utcoffset()


@settings(max_examples=40, deadline=None)
@given(
    start=st.integers(min_value=START, max_value=END),
    hours=st.integers(min_value=1, max_value=24 * 70),
    tz_name=st.sampled_from(ZONES),
    grain=st.sampled_from(GRAINS),
)
def test_calendar_is_contiguous_and_covers(start: int, hours: int, tz_name: str,
                                           grain: str) -> None:
    end = start + hours * 3600 * MICROS
    cal = buckets(grain, tz_name, start, end)
    assert cal[0].start_us <= start and cal[-1].end_us >= end
    for a, b in itertools.pairwise(cal):
        assert a.end_us == b.start_us
    if grain == "day":
        assert all(b.hours in (23, 23.5, 24, 24.5, 25) for b in cal)

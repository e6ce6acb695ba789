"""The time axis of a local day (the agent timeline, the schedule's coverage chart): real
elapsed time from the day's start, with where the local clock stands against it, and the
local clock's text of an instant (its offset named when the clock shows it twice)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from omnikpi.web.gantt import clock, day_axis

HOUR_MS = 3_600_000


def _ms(text: str) -> int:
    """A zone-less ISO time as Plotly's date axis reads it (milliseconds since the epoch)."""
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() * 1000)


def test_a_day_the_clocks_go_forward_is_23_hours_long() -> None:
    axis = day_axis(date(2026, 3, 29), "Europe/Kyiv")  # 03:00 EET -> 04:00 EEST (01:00Z)
    assert (axis.start_us, axis.end_us) == (
        int(datetime(2026, 3, 28, 22, tzinfo=UTC).timestamp() * 1e6),
        int(datetime(2026, 3, 29, 21, tzinfo=UTC).timestamp() * 1e6))
    assert axis.at(axis.start_us) == "2026-03-29T00:00:00.000"
    assert axis.at(axis.end_us) == "2026-03-29T23:00:00.000"
    # 02:00Z is 05:00 on the clock but 4 hours after the day's start
    assert axis.at(int(datetime(2026, 3, 29, 2, tzinfo=UTC).timestamp() * 1e6)) == \
        "2026-03-29T04:00:00.000"
    assert axis.clock == [
        {"at": _ms("2026-03-29T00:00"), "shift": 0, "offset": None},
        {"at": _ms("2026-03-29T03:00"), "shift": HOUR_MS, "offset": None}]


def test_a_day_the_clocks_go_back_is_25_hours_long_and_names_the_repeated_hour() -> None:
    axis = day_axis(date(2026, 10, 25), "Europe/Kyiv")  # 04:00 EEST -> 03:00 EET (01:00Z)
    assert axis.at(axis.end_us) == "2026-10-26T01:00:00.000"
    assert axis.clock == [
        {"at": _ms("2026-10-25T00:00"), "shift": 0, "offset": None},
        {"at": _ms("2026-10-25T03:00"), "shift": 0, "offset": "+03:00"},
        {"at": _ms("2026-10-25T04:00"), "shift": -HOUR_MS, "offset": "+02:00"},
        {"at": _ms("2026-10-25T05:00"), "shift": -HOUR_MS, "offset": None}]
    kyiv = ZoneInfo("Europe/Kyiv")
    assert clock(datetime(2026, 10, 25, 0, 30, tzinfo=UTC), kyiv) == "03:30 (+03:00)"
    assert clock(datetime(2026, 10, 25, 1, 30, tzinfo=UTC), kyiv, seconds=True) == \
        "03:30:00 (+02:00)"
    assert clock(datetime(2026, 10, 25, 2, 0, tzinfo=UTC), kyiv) == "04:00"
    assert clock(datetime(2026, 10, 24, 23, 59, tzinfo=UTC), kyiv) == "02:59"


def test_ordinary_days_half_hour_changes_and_a_day_without_midnight() -> None:
    plain = day_axis(date(2026, 3, 28), "Europe/Kyiv")
    assert plain.clock == [{"at": _ms("2026-03-28T00:00"), "shift": 0, "offset": None}]
    assert plain.at(plain.end_us) == "2026-03-29T00:00:00.000"
    assert day_axis(date(2026, 3, 29), "UTC").clock == [
        {"at": _ms("2026-03-29T00:00"), "shift": 0, "offset": None}]
    # Lord Howe goes back half an hour at 02:00 (+11:00 -> +10:30)
    howe = day_axis(date(2026, 4, 5), "Australia/Lord_Howe")
    assert howe.at(howe.end_us) == "2026-04-06T00:30:00.000"
    assert [(c["at"] - _ms("2026-04-05T00:00"), c["shift"], c["offset"])
            for c in howe.clock] == [(0, 0, None), (int(1.5 * HOUR_MS), 0, "+11:00"),
                                     (2 * HOUR_MS, -HOUR_MS // 2, "+10:30"),
                                     (int(2.5 * HOUR_MS), -HOUR_MS // 2, None)]
    # Santiago skips 00:00-01:00 on 6 September 2026: the day starts at 01:00
    santiago = day_axis(date(2026, 9, 6), "America/Santiago")
    assert santiago.clock == [{"at": _ms("2026-09-06T00:00"), "shift": HOUR_MS,
                               "offset": None}]
    assert santiago.at(santiago.end_us) == "2026-09-06T23:00:00.000"

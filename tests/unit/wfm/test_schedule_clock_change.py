"""Schedules over a clock change: a plan is read on its own wall clock, row by row.

The audit's plan: Kyiv needs 2 agents 08:00–20:00 on 26–28 October 2024 (the clocks go
from +03:00 to +02:00 on the 27th), 0 at night, 6 agents with 8-hour shifts starting
07:00–12:00. The same plan a week earlier is covered fully; read at the first row's
+03:00, the plan over the change left 19:00–20:00 of the 27th and 28th with nobody, and
a shift written 07:30+03:00 began at 06:30 on the center's clock.
"""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from omnikpi.cli.main import app
from omnikpi.errors import UsageError
from omnikpi.wfm.schedule import build_schedule, schedule_tables
from omnikpi.wfm.schedule.inputs import numbered_agents, requirement
from omnikpi.wfm.schedule.rules import ShiftRules

KYIV = ZoneInfo("Europe/Kyiv")
UTC = ZoneInfo("UTC")


def _as_written(at: datetime) -> datetime:
    """``at`` as a plan file gives it: a fixed UTC offset, no zone name."""
    return datetime.fromisoformat(at.isoformat())


def _plan(first_day: datetime, days: int) -> list[tuple[str, datetime, int]]:
    """Every real half hour of ``days`` Kyiv days from ``first_day`` (local midnight),
    with its own offset: 2 agents 08:00–20:00 local, else 0 (as `wfm plan` writes it)."""
    start = first_day.replace(tzinfo=KYIV).astimezone(UTC)
    end = (first_day + timedelta(days=days)).replace(tzinfo=KYIV).astimezone(UTC)
    rows = []
    t = start
    while t < end:
        local = t.astimezone(KYIV)
        rows.append(("", _as_written(local), 2 if 8 <= local.hour < 20 else 0))
        t += timedelta(minutes=30)
    return rows


RULES = ShiftRules(shift_minutes=(480,), start_from_minutes=7 * 60, start_to_minutes=12 * 60,
                   start_step_minutes=30, activities=())


@pytest.mark.parametrize("first_day", [datetime(2024, 10, 19), datetime(2024, 10, 26),
                                       datetime(2025, 3, 29)],
                         ids=["no change", "autumn", "spring"])
def test_a_plan_over_a_clock_change_is_covered_as_any_other(first_day: datetime) -> None:
    """Under 0 in all three; every shift starts 07:00–12:00 on Kyiv's clock and is
    written with the offset Kyiv has at that instant."""
    schedule = build_schedule(requirement(_plan(first_day, 3)), numbered_agents(6), RULES,
                              20, 1)
    assert schedule.under == 0
    shifts, _ = schedule_tables(schedule)
    assert shifts
    for shift in shifts:
        start = datetime.fromisoformat(str(shift["start"]))
        local = start.astimezone(KYIV)
        assert 7 * 60 <= local.hour * 60 + local.minute <= 12 * 60, shift
        assert start.utcoffset() == local.utcoffset(), shift  # the offset in force then


def test_the_repeated_hour_needs_the_larger_of_its_two_requirements() -> None:
    """On 27 October 03:00–04:00 comes twice (+03:00, then +02:00): the wall clock's
    one 03:00 interval needs the larger requirement, and times read back with the offset
    in force (the earlier one inside the repeated hour)."""
    rows = [("", datetime(2024, 10, 27, 2, 30, tzinfo=KYIV), 1),
            ("", datetime(2024, 10, 27, 3, 0, tzinfo=KYIV), 1),  # +03:00
            ("", datetime(2024, 10, 27, 3, 0, fold=1, tzinfo=KYIV), 4),  # +02:00
            ("", datetime(2024, 10, 27, 4, 0, tzinfo=KYIV), 2)]
    assert [r[1].isoformat() for r in rows][1:3] == ["2024-10-27T03:00:00+03:00",
                                                     "2024-10-27T03:00:00+02:00"]
    req = requirement([(k, _as_written(at), n) for k, at, n in rows])
    assert req.required == {("", 150): 1, ("", 180): 4, ("", 240): 2}
    assert req.at(180).isoformat() == "2024-10-27T03:00:00+03:00"
    assert req.at(240).isoformat() == "2024-10-27T04:00:00+02:00"
    assert req.at(150).isoformat() == "2024-10-27T02:30:00+03:00"


def test_an_interval_given_twice_at_one_offset_is_still_refused() -> None:
    at = _as_written(datetime(2024, 10, 26, 9, 0, tzinfo=KYIV))
    with pytest.raises(UsageError, match="appears twice"):
        requirement([("", at, 1), ("", at, 2)])


def test_a_change_between_intervals_is_put_at_midnight() -> None:
    """A plan of day hours only (08:00–19:00 both days): nothing says when the clock
    changed in the night, so the change is at the midnight before the first +02:00
    interval; a 07:00 start on the 27th is 07:00+02:00, not 07:00+03:00 (06:00)."""
    rows = [("", _as_written(datetime(2024, 10, d, h, 0, tzinfo=KYIV)), 1)
            for d in (26, 27) for h in range(8, 20)]
    req = requirement(rows)
    assert req.at(1440 + 7 * 60).isoformat() == "2024-10-27T07:00:00+02:00"
    assert req.at(19 * 60 + 30).isoformat() == "2024-10-26T19:30:00+03:00"


def test_the_hour_clocks_skip_is_never_written_backwards() -> None:
    """Kyiv, 30 March 2025: 03:00 becomes 04:00. Read at the new offset, wall 03:00 was
    03:00+03:00 = 00:00Z, earlier than 02:30+02:00 (00:30Z) before it: a night shift's
    break there was written an hour early, or ending before it began. The skipped wall
    times are the change's instant; every time after it moves forward."""
    rows = [("", _as_written(datetime(2025, 3, 30, h, m, tzinfo=KYIV)), 1)
            for h in (0, 1, 2, 4, 5) for m in (0, 30)]
    req = requirement(rows)
    written = [req.at(minute) for minute in range(0, 6 * 60, 30)]
    assert [t.isoformat() for t in written[5:9]] == [
        "2025-03-30T02:30:00+02:00", "2025-03-30T04:00:00+03:00",
        "2025-03-30T04:00:00+03:00", "2025-03-30T04:00:00+03:00"]
    instants = [t.astimezone(UTC) for t in written]
    assert instants == sorted(instants)


def test_one_wall_time_at_two_offsets_by_day_is_two_clocks_refused() -> None:
    """08:00Z and 08:00+02:00 are two hours apart, not a repeated hour: read as one, the
    first requirement was lost. A third row repeating either offset is refused too."""
    mixed = [("", datetime.fromisoformat("2024-10-26T08:00:00+00:00"), 3),
             ("", datetime.fromisoformat("2024-10-26T08:00:00+02:00"), 5)]
    with pytest.raises(UsageError, match="two UTC offsets outside a night's clock change"):
        requirement(mixed)
    night = [("", datetime.fromisoformat("2024-10-27T03:00:00+03:00"), 1),
             ("", datetime.fromisoformat("2024-10-27T03:00:00+02:00"), 4),
             ("", datetime.fromisoformat("2024-10-27T03:00:00+02:00"), 9)]
    with pytest.raises(UsageError, match="appears twice"):
        requirement(night)


DAY_HOURS = [("", _as_written(datetime(2024, 10, d, h, 0, tzinfo=KYIV)), 1)
             for d in (26, 27) for h in range(8, 20)]
"""Day hours only: the plan says nothing of when, in the night, the clock changed."""


def test_with_the_zone_the_change_is_where_the_clock_really_changed() -> None:
    """Without ``--tz`` the change is guessed at midnight, and a night shift ending at
    01:00 on the 27th was written 01:00+02:00, an hour late: Kyiv was at +03:00 until
    04:00. With the zone, every time carries the offset Kyiv has then."""
    guessed = requirement(DAY_HOURS)
    assert guessed.at(1440 + 60).isoformat() == "2024-10-27T01:00:00+02:00"
    req = requirement(DAY_HOURS, zone=KYIV)
    assert [req.at(1440 + h * 60).isoformat() for h in (1, 3, 4, 7)] == [
        "2024-10-27T01:00:00+03:00",
        "2024-10-27T03:00:00+03:00",  # the repeated hour: its earlier instant
        "2024-10-27T04:00:00+02:00",
        "2024-10-27T07:00:00+02:00"]
    assert req.required == guessed.required


def test_with_the_zone_the_skipped_hour_is_the_change_s_instant() -> None:
    """Kyiv, 30 March 2025, a plan of day hours only: 03:00–04:00 does not exist; its
    wall times are written as the change's instant, 04:00+03:00 (01:00Z)."""
    rows = [("", _as_written(datetime(2025, 3, d, h, 0, tzinfo=KYIV)), 1)
            for d in (29, 30) for h in range(8, 20)]
    req = requirement(rows, zone=KYIV)
    assert [req.at(1440 + m).isoformat() for m in (150, 180, 210, 240)] == [
        "2025-03-30T02:30:00+02:00", "2025-03-30T04:00:00+03:00",
        "2025-03-30T04:00:00+03:00", "2025-03-30T04:00:00+03:00"]


def test_a_plan_without_offsets_is_read_on_the_zone_s_clock() -> None:
    rows = [("", datetime(2024, 10, d, 9, 0), 2) for d in (26, 27)]
    req = requirement(rows, zone=KYIV)
    assert [req.at(m).isoformat() for m in (9 * 60, 1440 + 9 * 60)] == [
        "2024-10-26T09:00:00+03:00", "2024-10-27T09:00:00+02:00"]


def test_a_plan_without_offsets_naming_a_skipped_time_is_refused() -> None:
    """Kyiv skips 03:00–04:00 on 30 March 2025: a plan of wall times every half hour of
    the night staffed 03:00 and 03:30, and wrote them and 04:00 as one instant."""
    rows = [("", datetime(2025, 3, 30, h, m), 1) for h in range(1, 6) for m in (0, 30)]
    with pytest.raises(UsageError, match=r"2025-03-30T03:00:00 does not exist in --tz "
                                         r"Europe/Kyiv: the clocks skip it"):
        requirement(rows, zone=KYIV)
    kept = [row for row in rows if row[1].hour != 3]
    req = requirement(kept, zone=KYIV)
    times = [req.at(m).isoformat() for _, m in sorted(req.required)]
    assert len(times) == len(set(times)) == 8


def test_a_plan_on_another_clock_than_the_zone_is_refused() -> None:
    """A plan written in UTC given ``--tz Europe/Kyiv``: read as Kyiv's wall clock, every
    shift would be placed three hours off."""
    rows = [("", datetime.fromisoformat(f"2024-10-26T{h:02d}:00:00+00:00"), 1)
            for h in range(8, 12)]
    with pytest.raises(UsageError, match=r"08:00:00\+00:00 is 2024-10-26T11:00:00\+03:00 "
                                         r"in --tz Europe/Kyiv"):
        requirement(rows, zone=KYIV)


def test_the_cli_writes_a_night_shift_with_the_zone_s_offsets(tmp_path: Path) -> None:
    """End to end: one 8-hour shift from 17:00 on the 26th ends at 01:00 on the 27th,
    three hours before the change: +03:00, as Kyiv's clock then reads."""
    plan = tmp_path / "plan.csv"
    plan.write_text("interval_start,agents_required\n" + "".join(
        f"{at.isoformat()},1\n" for _, at, _ in DAY_HOURS if at.hour >= 17),
        encoding="utf-8")
    out = tmp_path / "out"
    common = ["wfm", "schedule", "--plan", str(plan), "--agents", "1", "--out", str(out),
              "--start-between", "17:00-17:00", "--lunch-minutes", "0", "--replace"]
    result = CliRunner().invoke(app, [*common, "--tz", "Europe/Kyiv"])
    assert result.exit_code == 0, result.output
    with (out / "shifts.csv").open(encoding="utf-8") as f:
        shifts = sorted((r["start"], r["end"]) for r in csv.DictReader(f))
    assert shifts[0] == ("2024-10-26T17:00:00+03:00", "2024-10-27T01:00:00+03:00")
    unknown = CliRunner().invoke(app, [*common, "--tz", "Europe/Kiev-ish"])
    assert unknown.exit_code == 2 and "unknown time zone" in unknown.output

"""When a schedule is due and which period it reports: hand cases and properties."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omnikpi.errors import UsageError
from omnikpi.schedules.timing import (
    check_cron,
    due_instant,
    latest_fire,
    next_fire,
    period_ended,
    period_of_cron,
)

KYIV = "Europe/Kyiv"


def at(text: str, tz: str = "UTC") -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(tz))


def test_daily_at_eight_in_a_zone() -> None:
    base = at("2026-11-02T12:00", KYIV)
    # 07:59 Kyiv on the 3rd: nothing yet; 08:00 sharp: due; 09:30: the same instant
    assert due_instant("0 8 * * *", KYIV, base, at("2026-11-03T07:59", KYIV)) is None
    assert due_instant("0 8 * * *", KYIV, base, at("2026-11-03T08:00", KYIV)) == \
        at("2026-11-03T08:00", KYIV)
    due = due_instant("0 8 * * *", KYIV, base, at("2026-11-03T06:30"))  # 08:30 Kyiv
    assert due == at("2026-11-03T08:00", KYIV) and due is not None
    # once run, the same morning is not due again
    assert due_instant("0 8 * * *", KYIV, due, at("2026-11-03T23:00", KYIV)) is None


def test_a_server_down_for_three_days_runs_once_for_the_latest_morning() -> None:
    base = at("2026-11-01T08:00", KYIV)
    due = due_instant("0 8 * * *", KYIV, base, at("2026-11-04T10:00", KYIV))
    assert due == at("2026-11-04T08:00", KYIV)


def test_periods_just_ended() -> None:
    tuesday = at("2026-03-03T08:00", KYIV)
    day = period_ended("day", tuesday, KYIV)
    assert (day.start, day.end, day.label) == (at("2026-03-02", KYIV), at("2026-03-03", KYIV),
                                               "2026-03-02")
    week = period_ended("week", tuesday, KYIV)
    assert (week.start, week.end) == (at("2026-02-23", KYIV), at("2026-03-02", KYIV))
    assert week.label == "2026-02-23_2026-03-01"
    month = period_ended("month", tuesday, KYIV)
    assert (month.start, month.end, month.label) == (at("2026-02-01", KYIV),
                                                     at("2026-03-01", KYIV), "2026-02")
    # a day across the spring change is 23 hours long in Kyiv (29 March 2026)
    short = period_ended("day", at("2026-03-30T08:00", KYIV), KYIV)
    assert short.end.astimezone(UTC) - short.start.astimezone(UTC) == timedelta(hours=23)
    # the local day decides: 23:30 UTC on the 2nd is 01:30 on the 3rd in Kyiv
    assert period_ended("day", at("2026-11-02T23:30"), KYIV).label == "2026-11-02"


def test_cron_forms_and_their_periods() -> None:
    assert period_of_cron("0 8 * * *") == "day"
    assert period_of_cron("0 8 * * 1") == "week"
    assert period_of_cron("0 8 1 * *") == "month"
    # a weekday's name is that weekday (MON was read as daily: each Monday sent Sunday),
    # and the first Monday of the month a monthly report
    assert period_of_cron("0 8 * * MON") == period_of_cron("0 8 * * mon") == "week"
    assert period_of_cron("0 8 * * 1#1") == period_of_cron("0 8 * * MON#1") == "month"
    assert period_of_cron("0 8 * * MON-FRI") == "day"
    assert period_of_cron("weekly") == "week" and check_cron("weekly") == "0 8 * * 1"
    assert period_of_cron("@monthly") == "month"
    # working days and lists are daily reports, not weekly or monthly ones
    assert period_of_cron("30 6 * * 1-5") == "day"
    assert period_of_cron("0 8 1,15 * *") == "day"
    for bad in ("0 25 * * *", "every day", "0 0 8 * * *", ""):
        with pytest.raises(UsageError, match="cron expression"):
            check_cron(bad)


CRONS = st.sampled_from(["0 8 * * *", "0 8 * * 1", "0 8 1 * *", "30 2 * * *", "*/15 * * * *",
                         "0 0 29 2 *", "45 23 * * 5", "@daily"])
ZONES = st.sampled_from(["UTC", KYIV, "America/New_York", "Asia/Kathmandu", "Europe/Berlin"])
INSTANTS = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1),
                        timezones=st.just(UTC))


@settings(max_examples=150, deadline=None)
@given(CRONS, ZONES, INSTANTS, st.integers(0, 60 * 24 * 40))
def test_due_is_the_latest_fire_after_base_and_runs_once(
        cron: str, tz: str, base: datetime, minutes_later: int) -> None:
    now = base + timedelta(minutes=minutes_later)
    due = due_instant(cron, tz, base, now)
    following = next_fire(cron, tz, base)
    if due is None:
        # nothing fell in (base, now]
        assert following > now
        return
    assert base < due <= now
    assert latest_fire(cron, tz, due) == due  # a real fire time of the expression
    assert next_fire(cron, tz, due) > now  # no later one was skipped
    assert due_instant(cron, tz, due, now) is None  # once run, not due again at now
    # asking a little later with nothing new in between gives nothing either
    later = min(now + timedelta(minutes=1), next_fire(cron, tz, due) - timedelta(seconds=1))
    assert due_instant(cron, tz, due, max(later, due)) is None


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(["day", "week", "month"]), ZONES, INSTANTS)
def test_the_period_ends_where_the_local_day_of_the_run_begins(
        kind: str, tz: str, due: datetime) -> None:
    period = period_ended(kind, due, tz)
    local = due.astimezone(ZoneInfo(tz))
    assert period.start < period.end <= local
    assert period.end.date() <= local.date()
    assert (period.start.hour, period.start.minute) == (0, 0)
    days = (period.end.date() - period.start.date()).days
    assert days == {"day": 1, "week": 7}.get(kind, days)
    if kind == "month":
        assert 28 <= days <= 31 and period.start.day == 1 and period.end.day == 1
    if kind == "week":
        assert period.start.weekday() == 0


def test_the_hour_repeated_at_the_end_of_summer_time_runs_once() -> None:
    """03:30 happens twice in Kyiv on 25 October 2026 (at +03:00, then at +02:00): the
    schedule sent the report for the 24th twice."""
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 03:30+03:00
    due = due_instant("30 3 * * *", KYIV, first - timedelta(days=1),
                      first + timedelta(minutes=5))
    assert due is not None and due.astimezone(UTC) == first  # (an ambiguous local time
    # compares unequal to any other zone's: compared in UTC)
    after_the_repeat = datetime(2026, 10, 25, 1, 45, tzinfo=UTC)  # 03:45+02:00
    assert due_instant("30 3 * * *", KYIV, first, after_the_repeat) is None
    next_day = datetime(2026, 10, 26, 1, 31, tzinfo=UTC)  # 03:31+02:00 on the 26th
    due = due_instant("30 3 * * *", KYIV, first, next_day)
    assert due is not None and due.astimezone(UTC) == datetime(2026, 10, 26, 1, 30,
                                                               tzinfo=UTC)

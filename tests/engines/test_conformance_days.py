"""Conformance (work time on the days with scheduled work / scheduled work), by hand on
every engine: the day's time belongs to the site of its scheduled work, and a state
crossing local midnight counts its part of a scheduled day at every grain."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import omnikpi

from ..builders import dataset


def state(agent: str, kind: str, start: str, end: str, **extra: Any) -> dict[str, Any]:
    return {"agent_id": agent, "state": kind, "start": start, "end": end, **extra}


def conformance(data: Path, engine: str, **kwargs: Any) -> list[dict[str, Any]]:
    return omnikpi.report_result(data, engine=engine, metrics=["conformance"],
                                 tz="Europe/Kyiv", **kwargs).rows


def test_a_days_work_belongs_to_the_site_of_its_shift(tmp_path: Path, engine: str) -> None:
    """s1, 12 March: a shift 06:00–14:00 UTC at KY with a 15-minute break, so 465 min of
    scheduled work; worked 06:00–10:00 and 10:15–13:00 = 405 min, on states without a
    site. KY's conformance is 405 / 465 (it read 0: the work went to a row with no site,
    the scheduled work to KY's)."""
    data = dataset(
        tmp_path / "site",
        shifts=[{"agent_id": "s1", "start": "2024-03-12T06:00:00Z",
                 "end": "2024-03-12T14:00:00Z", "paid": True, "site": "KY"}],
        shift_activities=[{"agent_id": "s1", "activity": "break",
                           "start": "2024-03-12T10:00:00Z", "end": "2024-03-12T10:15:00Z",
                           "paid": True}],
        agent_states=[
            state("s1", "available", "2024-03-12T06:00:00Z", "2024-03-12T10:00:00Z"),
            state("s1", "not_ready", "2024-03-12T10:00:00Z", "2024-03-12T10:15:00Z",
                  reason="break"),
            state("s1", "available", "2024-03-12T10:15:00Z", "2024-03-12T13:00:00Z")])
    window = {"from_": "2024-03-12", "to": "2024-03-13"}
    assert conformance(data, engine, by=["site"], **window) == [
        {"site": "KY", "conformance": pytest.approx(405 / 465)}]
    assert conformance(data, engine, where={"site": ["KY"]}, **window) == [
        {"conformance": pytest.approx(405 / 465)}]


@pytest.mark.parametrize("grain", ["day", "week", "month", "total"])
def test_a_state_across_midnight_counts_its_part_of_the_scheduled_day(
        tmp_path: Path, engine: str, grain: str) -> None:
    """b3 is scheduled 31 March 05:00–13:00 UTC (480 min) and works it whole; the evening
    before it was available 21:00–23:00 UTC, Kyiv 23:00–01:00: its hour after midnight is
    on the scheduled day. (60 + 480) / 480 = 1.125 at every grain (by week, month or in
    total the state counted by the day it started — 30 March, not scheduled: 1.0)."""
    data = dataset(
        tmp_path / grain,
        shifts=[{"agent_id": "b3", "start": "2024-03-31T05:00:00Z",
                 "end": "2024-03-31T13:00:00Z", "paid": True}],
        shift_activities=[{"agent_id": "b3", "activity": "work",
                           "start": "2024-03-31T05:00:00Z", "end": "2024-03-31T13:00:00Z",
                           "paid": True}],
        agent_states=[
            state("b3", "available", "2024-03-30T21:00:00Z", "2024-03-30T23:00:00Z"),
            state("b3", "available", "2024-03-31T05:00:00Z", "2024-03-31T13:00:00Z")])
    rows = conformance(data, engine, grain=grain, from_="2024-03-30", to="2024-04-01")
    # by day, 30 March has no scheduled work: no figure
    assert [r["conformance"] for r in rows if r["conformance"] is not None] == [
        pytest.approx(1.125)]


def test_an_activity_that_starts_before_its_shift_is_scheduled_once(
        tmp_path: Path, engine: str) -> None:
    """p1: a shift 06:00–14:00 UTC and a paid meeting 05:30–06:30 that begins before it;
    the agent is in the meeting, then available to 14:00 — the schedule followed
    exactly. Scheduled: meeting 60 min + work 06:30–14:00 450 min = 510 min, all matched:
    adherence 1, conformance 450 / 450 = 1; shrinkage is the meeting alone, planned,
    60 / 510 (scheduled paid time: the shift's 480 min and the meeting's 30 outside it).
    The shift read as unclaimed and 06:00–06:30 was both work and meeting: adherence
    510 / 540, conformance 450 / 480, 30 min of unplanned shrinkage."""
    data = dataset(
        tmp_path / "meeting",
        shifts=[{"agent_id": "p1", "start": "2024-03-12T06:00:00Z",
                 "end": "2024-03-12T14:00:00Z", "paid": True}],
        shift_activities=[{"agent_id": "p1", "activity": "meeting",
                           "start": "2024-03-12T05:30:00Z", "end": "2024-03-12T06:30:00Z",
                           "paid": True}],
        agent_states=[
            state("p1", "not_ready", "2024-03-12T05:30:00Z", "2024-03-12T06:30:00Z",
                  reason="meeting"),
            state("p1", "available", "2024-03-12T06:30:00Z", "2024-03-12T14:00:00Z")])
    window = {"from_": "2024-03-12", "to": "2024-03-13"}
    row = omnikpi.report_result(data, engine=engine, tz="UTC",
                                metrics=["adherence", "conformance", "shrinkage"],
                                **window).rows[0]
    assert row == {"adherence": 1.0, "conformance": 1.0,
                   "shrinkage": pytest.approx(60 / 510)}
    unplanned = omnikpi.report_result(data, engine=engine, tz="UTC", metrics=["shrinkage"],
                                      params={"shrinkage.part": "unplanned"}, **window)
    assert unplanned.rows[0]["shrinkage"] == 0.0

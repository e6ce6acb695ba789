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

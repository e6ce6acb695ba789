"""Outbound hours (attempts and right-party contacts per hour), by hand on every engine:
the logged-in time of the days an agent dialed, cut at local midnight at every grain."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import omnikpi

from ..builders import dataset


def attempt(number: int, at: str, *, rpc: bool) -> dict[str, Any]:
    return {"attempt_id": f"d{number}", "campaign": "k1", "lead_id": f"L{number}",
            "dialed_at": at, "agent_id": "a3", "result": "connected", "right_party": rpc,
            "converted": False}


@pytest.mark.parametrize("grain", ["day", "week", "month", "total"])
def test_a_state_across_midnight_gives_the_dialing_day_its_part(
        tmp_path: Path, engine: str, grain: str) -> None:
    """a3 was available 4 March 22:00 – 5 March 02:00 UTC and dialed twice on 5 March
    (01:00 right party, 01:10 not): its outbound hours are the 2 h of 5 March, so 2 / 2 h =
    1.0 attempts and 1 / 2 h = 0.5 right-party contacts per hour at every grain (by week,
    month or in total the state was kept or left out whole by the day it began, 4 March:
    no hour, no rate)."""
    data = dataset(
        tmp_path / grain,
        agent_states=[{"agent_id": "a3", "state": "available", "start": "2024-03-04T22:00:00Z",
                       "end": "2024-03-05T02:00:00Z", "channel": "voice"}],
        dial_attempts=[attempt(1, "2024-03-05T01:00:00Z", rpc=True),
                       attempt(2, "2024-03-05T01:10:00Z", rpc=False)])
    rows = omnikpi.report_result(data, engine=engine, grain=grain, metrics=[
        "attempts", "attempts_per_hour", "rpc_per_hour"]).rows
    assert [{k: v for k, v in r.items() if k != "period_start"} for r in rows] == [
        {"attempts": 2, "attempts_per_hour": 1.0, "rpc_per_hour": 0.5}]


def test_the_part_of_a_state_on_a_day_without_dialing_is_no_outbound_hour(
        tmp_path: Path, engine: str) -> None:
    """Kyiv: a3 available 30 March 21:00–23:00 UTC (23:00–01:00 local: 1 h on the 30th,
    1 h on the 31st) and two right-party attempts at 21:30 and 21:40 UTC (the 30th). In
    total 2 / 1 h = 2.0 per hour, as on the day (the hour of the 31st, a day without
    dialing, was counted: 1.0)."""
    data = dataset(
        tmp_path / "kyiv",
        agent_states=[{"agent_id": "a3", "state": "available", "start": "2024-03-30T21:00:00Z",
                       "end": "2024-03-30T23:00:00Z", "channel": "voice"}],
        dial_attempts=[attempt(1, "2024-03-30T21:30:00Z", rpc=True),
                       attempt(2, "2024-03-30T21:40:00Z", rpc=True)])
    for grain in ("day", "total"):
        rows = omnikpi.report_result(data, engine=engine, grain=grain, tz="Europe/Kyiv",
                                     metrics=["attempts_per_hour", "rpc_per_hour"]).rows
        assert [{k: v for k, v in r.items() if k != "period_start"} for r in rows] == [
            {"attempts_per_hour": 2.0, "rpc_per_hour": 2.0}], grain

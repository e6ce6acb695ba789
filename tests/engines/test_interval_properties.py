"""Agent time split across periods adds up to the time of the intervals (hypothesis)."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import omnikpi

from ..builders import call, dataset

BASE = datetime(2024, 10, 26, 20, tzinfo=UTC)  # Kyiv and London fall back on 10-27
STATES = ["available", "handling", "acw", "not_ready"]


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    lengths=st.lists(st.integers(min_value=1, max_value=4 * 3600), min_size=1, max_size=12),
    states=st.lists(st.sampled_from(STATES), min_size=12, max_size=12),
    tz=st.sampled_from(["UTC", "Europe/Kyiv", "Europe/London", "Asia/Kolkata"]),
    grain=st.sampled_from(["15min", "hour", "day", "week", "month"]),
)
def test_split_time_adds_up(lengths: list[int], states: list[str], tz: str,
                            grain: str) -> None:
    rows, t = [], BASE
    for length, state in zip(lengths, states, strict=False):
        end = t + timedelta(seconds=length)
        rows.append({"agent_id": "x", "state": state, "start": t.isoformat(),
                     "end": end.isoformat(), "channel": "voice"})
        t = end
    with tempfile.TemporaryDirectory() as tmp:
        folder = dataset(Path(tmp), contacts=[call("c", BASE.isoformat())], agent_states=rows)
        result = omnikpi.report_result(folder, metrics=["time_in_state"], grain=grain, tz=tz,
                                       as_of=t.isoformat())
    assert abs(sum(r["time_in_state"] for r in result.rows) - sum(lengths)) < 1e-6
    for state in set(states[: len(lengths)]):
        expected = sum(n for n, s in zip(lengths, states, strict=False) if s == state)
        got = sum(r["time_in_state"] for r in result.rows if r["state"] == state)
        assert abs(got - expected) < 1e-6

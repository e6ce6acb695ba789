"""Plans (shifts, scheduled activities) count up to their end by default, but never past
the clock: next week's published rota is not absence (``engine.plan_time``)."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

import omnikpi
from omnikpi.engine import plan_time

CASE = Path(__file__).resolve().parents[1] / "cases" / "data" / "workforce_early_leaver"
METRICS = ["adherence", "shrinkage"]


def _at(moment: str) -> int:
    return int(datetime.fromisoformat(moment).replace(tzinfo=UTC).timestamp() * 1_000_000)


def test_next_weeks_rota_is_not_read_as_absence(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    shutil.copytree(CASE, data)
    with (data / "shifts.csv").open("a") as f:
        f.write("A8,2026-03-09T08:00:00Z,2026-03-09T16:00:00Z,true\n")
    with (data / "shift_activities.csv").open("a") as f:
        f.write("A8,work,2026-03-09T08:00:00Z,2026-03-09T16:00:00Z,true\n")
    monkeypatch.setattr(plan_time, "clock", lambda: _at("2026-03-03T09:00:00"))
    row = omnikpi.report_result(data, metrics=METRICS).rows[0]
    assert row == {"adherence": 0.875, "shrinkage": 0.125}  # 2 March only
    # a week later the rota has been worked (or not): the absent 9 March counts
    monkeypatch.setattr(plan_time, "clock", lambda: _at("2026-03-10T09:00:00"))
    row = omnikpi.report_result(data, metrics=METRICS).rows[0]
    assert row == {"adherence": 25_200 / 57_600, "shrinkage": 32_400 / 57_600}


def test_the_clock_in_the_middle_of_a_shift(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The plan counts to now, never before the data's as-of (15:00, the last state)."""
    monkeypatch.setattr(plan_time, "clock", lambda: _at("2026-03-02T15:40:30"))
    row = omnikpi.report_result(CASE, metrics=METRICS).rows[0]
    assert row == {"adherence": 25_200 / 27_600, "shrinkage": 2_400 / 27_600}  # to 15:40
    monkeypatch.setattr(plan_time, "clock", lambda: _at("2026-03-02T14:00:00"))
    row = omnikpi.report_result(CASE, metrics=METRICS).rows[0]
    assert row == {"adherence": 1.0, "shrinkage": 0.0}  # to 15:00

"""Attrition without ``--from`` covers the roster's span, from the month of its first hire.

z1 and z2 are hired on 1 January 2024; z2 leaves (voluntary) on 15 February, the roster's
last date. January: headcount 2 on the 1st, 2 on 1 February, average 2, no leaver.
February: 2 on the 1st, 1 on 1 March, average 1.5, one leaver. Monthly attrition
1 / (2 + 1.5) = 0.2857…, annual 12 × that. A December row (nobody employed on 1 December,
two on 1 January: average 1) used to join, for 1 / 4.5 and a 0 % month before any hire.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import omnikpi

from ..builders import dataset

ROSTER = [{"agent_id": "z1", "hired_on": "2024-01-01"},
          {"agent_id": "z2", "hired_on": "2024-01-01", "left_on": "2024-02-15",
           "leave_type": "voluntary"}]


def test_the_total_starts_at_the_first_hire(tmp_path: Path, engine: str) -> None:
    data = dataset(tmp_path / "d", roster=ROSTER)
    [row] = omnikpi.report_result(data, engine=engine,
                                  metrics=["attrition_monthly", "attrition_annual"]).rows
    assert row["attrition_monthly"] == pytest.approx(1 / 3.5)
    assert row["attrition_annual"] == pytest.approx(12 / 3.5)


def test_no_month_before_the_first_hire(tmp_path: Path, engine: str) -> None:
    data = dataset(tmp_path / "d", roster=ROSTER)
    rows = omnikpi.report_result(data, engine=engine, metrics=["attrition_monthly"],
                                 grain="month").rows
    assert [(str(r["period_start"])[:10], r["attrition_monthly"]) for r in rows] == [
        ("2024-01-01", 0.0), ("2024-02-01", pytest.approx(1 / 1.5))]


def test_a_period_given_keeps_its_months(tmp_path: Path, engine: str) -> None:
    """Asked from December, December is reported: nobody on its first day, two on
    1 January, average headcount 1, no leaver."""
    data = dataset(tmp_path / "d", roster=ROSTER)
    rows = omnikpi.report_result(data, engine=engine, metrics=["attrition_monthly"],
                                 grain="month", from_="2023-12-01", to="2024-03-01").rows
    assert [str(r["period_start"])[:10] for r in rows] == [
        "2023-12-01", "2024-01-01", "2024-02-01"]
    assert rows[0]["attrition_monthly"] == 0.0


def test_a_departure_or_hire_after_as_of_has_not_happened(tmp_path: Path,
                                                          engine: str) -> None:
    """As of 6 December 2026: a1 and a2 employed all year, a2 leaving (notice given) on
    20 December, a3 left on 10 November, a4 to start on 15 December. November: 3 on the
    1st, 2 on 1 December, one leaver → 1 / 2.5 = 0.4. December so far: 2 on the 1st, and
    on 1 January, as known on the 6th, a1 and a2 (a2 has not left, a4 not started) → no
    leaver, 0. The planned departure counted as December's leaver (1 / 2 = 0.5)."""
    data = dataset(tmp_path / "d", roster=[
        {"agent_id": "a1", "hired_on": "2026-01-01"},
        {"agent_id": "a2", "hired_on": "2026-01-01", "left_on": "2026-12-20",
         "leave_type": "voluntary"},
        {"agent_id": "a3", "hired_on": "2026-01-01", "left_on": "2026-11-10",
         "leave_type": "voluntary"},
        {"agent_id": "a4", "hired_on": "2026-12-15"}])
    rows = omnikpi.report_result(data, engine=engine, metrics=["attrition_monthly"],
                                 grain="month", from_="2026-11-01", to="2027-01-01",
                                 as_of="2026-12-06T00:00:00Z").rows
    assert [(str(r["period_start"])[:10], r["attrition_monthly"]) for r in rows] == [
        ("2026-11-01", pytest.approx(0.4)), ("2026-12-01", 0.0)]

"""A roster's dates have no zone: its latest date begins when the reader's day does.

Read as UTC midnight, the last date (1 March) was 28 February in New York, so a report
without ``--to`` lost March there: total attrition 0.0522 instead of 0.0667.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import omnikpi

ROSTER = """agent_id,hired_on,left_on,leave_type
r1,2025-06-01,,
r2,2025-01-10,2026-01-31,voluntary
r3,2025-03-01,2026-02-15,involuntary
r3,2026-03-01,,
r5,2025-05-05,2026-03-01,company_move
"""
"""March: r5 leaves on the 1st (counted: a move out of the contact center); headcount
on 1 March r1, r3 (rehired), r5 = 3, on 1 April r1, r3 = 2; 1 leaver / 2.5 = 0.4."""


@pytest.mark.parametrize("tz", ["UTC", "America/New_York", "Europe/Kyiv",
                                "Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_the_last_month_is_the_same_in_every_zone(tmp_path: Path, tz: str) -> None:
    (tmp_path / "roster.csv").write_text(ROSTER)
    rows = omnikpi.report_result(tmp_path, metrics=["attrition_monthly"], grain="month",
                                 tz=tz).rows
    last = rows[-1]
    assert str(last["period_start"]).startswith("2026-03-01")
    assert last["attrition_monthly"] == pytest.approx(0.4)


def test_a_roster_date_ahead_of_the_clock_has_not_happened(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On 6 December 2026 the roster already holds a class hired for 4 January 2027. That
    date set the report's as-of: January 2027 was a month of attrition (1 / (1.5 + 1 + 2)
    = 0.2222). Dates ahead of the clock are no events: the latest one up to today is g2's
    last day, 20 November, so the report reads November (2 + 1) / 2 = 1.5 with g2's
    leaving: 1 / 1.5. (Capped at the clock instead, the as-of moved with every call.)"""
    from omnikpi.schema import model

    monkeypatch.setattr(model, "clock", lambda: 1_796_515_200_000_000)  # 2026-12-06
    (tmp_path / "roster.csv").write_text(
        "agent_id,hired_on,left_on,leave_type\n"
        "g1,2026-01-01,,\n"
        "g2,2026-01-01,2026-11-20,voluntary\n"
        "n1,2027-01-04,,\n"
        "n2,2027-01-04,,\n")
    rows = omnikpi.report_result(tmp_path, metrics=["attrition_monthly"], grain="month",
                                 from_="2026-11-01").rows
    assert [(str(r["period_start"])[:10], r["attrition_monthly"]) for r in rows] == [
        ("2026-11-01", pytest.approx(1 / 1.5))]
    from omnikpi.schema.dataset import load_dataset

    assert load_dataset(tmp_path).latest_event_us(("roster",)) == 1_795_132_800_000_000
    with_class = omnikpi.report_result(tmp_path, metrics=["attrition_monthly"],
                                       from_="2026-11-01", as_of="2026-12-06").rows
    assert with_class == [{"attrition_monthly": pytest.approx(1 / 2.5)}]


def test_an_as_of_before_the_period_says_so(tmp_path: Path) -> None:
    """A roster only (dates, no instant) and an as-of before --from: the empty report said
    its period "starts after the data's last record (1970-01-01)"."""
    (tmp_path / "roster.csv").write_text(ROSTER)
    with pytest.warns(omnikpi.ReportNote) as caught:
        rows = omnikpi.report_result(tmp_path, metrics=["attrition_monthly"], grain="month",
                                     from_="2026-01-01", to="2026-04-01",
                                     as_of="2025-06-01T00:00:00Z").rows
    assert rows == []
    assert [str(w.message) for w in caught if issubclass(w.category, omnikpi.ReportNote)] == [
        "the report is empty: its as-of (2025-06-01T00:00+00:00) is before its period "
        "starts (2026-01-01T00:00+00:00)"]

"""Whose site and tenant scheduled time belongs to (catalog v1.2), by hand on every
engine: an agent scheduled at two sites in a day, and an activity exported without a
shift (a vacation day), whose place is the roster's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import omnikpi

from ..builders import dataset


def state(agent: str, kind: str, start: str, end: str, **extra: Any) -> dict[str, Any]:
    return {"agent_id": agent, "state": kind, "start": start, "end": end, **extra}


def test_a_day_at_two_sites_gives_each_site_its_own_work(tmp_path: Path, engine: str) -> None:
    """f1, 4 May: kyiv 06:00–10:00 UTC with a paid break 08:00–08:15 (225 min of work),
    lviv 12:00–16:00 (240 min); in work states all of it, on states without a site.
    Conformance kyiv 225 / 225 and lviv 240 / 240 (all the day's 465 minutes went to
    lviv: 0 and 465 / 240 = 1.9375); the 11:00 hour between the shifts, worked too, is
    the morning shift's: kyiv (225 + 60) / 225."""
    data = dataset(
        tmp_path / "two",
        shifts=[{"agent_id": "f1", "start": "2026-05-04T06:00:00Z",
                 "end": "2026-05-04T10:00:00Z", "paid": True, "site": "kyiv",
                 "tenant": "bank"},
                {"agent_id": "f1", "start": "2026-05-04T12:00:00Z",
                 "end": "2026-05-04T16:00:00Z", "paid": True, "site": "lviv",
                 "tenant": "bank"}],
        shift_activities=[{"agent_id": "f1", "activity": "break",
                           "start": "2026-05-04T08:00:00Z", "end": "2026-05-04T08:15:00Z",
                           "paid": True}],
        agent_states=[
            state("f1", "available", "2026-05-04T06:00:00Z", "2026-05-04T08:00:00Z"),
            state("f1", "not_ready", "2026-05-04T08:00:00Z", "2026-05-04T08:15:00Z",
                  reason="break"),
            state("f1", "handling", "2026-05-04T08:15:00Z", "2026-05-04T10:00:00Z",
                  channel="voice"),
            state("f1", "available", "2026-05-04T11:00:00Z", "2026-05-04T12:00:00Z"),
            state("f1", "handling", "2026-05-04T12:00:00Z", "2026-05-04T16:00:00Z",
                  channel="voice")])
    rows = omnikpi.report_result(data, engine=engine, metrics=["conformance"],
                                 by=["site"], grain="day").rows
    assert [(r["site"], r["conformance"]) for r in rows] == [
        ("kyiv", pytest.approx(285 / 225)), ("lviv", 1.0)]
    total = omnikpi.report_result(data, engine=engine, metrics=["conformance"]).rows
    assert total == [{"conformance": pytest.approx(525 / 465)}]
    lviv = omnikpi.report_result(data, engine=engine, metrics=["conformance"],
                                 where={"site": ["lviv"]}).rows
    assert lviv == [{"conformance": 1.0}]


def test_an_activity_without_a_shift_belongs_to_the_rosters_site(
        tmp_path: Path, engine: str) -> None:
    """h1 has an 8-hour paid vacation exported without a shift, h2 a bare 8-hour shift
    with no site, worked whole; the roster puts both in kyiv/bank. Kyiv's shrinkage is
    480 / 960 = 0.5 and its adherence 480 / 960 (h1's vacation sat in a row without a
    site: kyiv read shrinkage 0 and adherence 1)."""
    data = dataset(
        tmp_path / "vacation",
        roster=[{"agent_id": a, "hired_on": "2025-01-01", "site": "kyiv", "tenant": "bank"}
                for a in ("h1", "h2")],
        shifts=[{"agent_id": "h2", "start": "2026-05-04T08:00:00Z",
                 "end": "2026-05-04T16:00:00Z", "paid": True}],
        shift_activities=[{"agent_id": "h1", "activity": "vacation",
                           "start": "2026-05-04T08:00:00Z", "end": "2026-05-04T16:00:00Z",
                           "paid": True}],
        agent_states=[state("h2", "available", "2026-05-04T08:00:00Z",
                            "2026-05-04T16:00:00Z")])
    rows = omnikpi.report_result(data, engine=engine, metrics=["shrinkage", "adherence"],
                                 by=["site", "tenant"]).rows
    assert rows == [{"site": "kyiv", "tenant": "bank", "shrinkage": 0.5, "adherence": 0.5}]

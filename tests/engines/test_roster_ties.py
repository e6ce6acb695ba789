"""Two roster rows of one agent hired the same day (a correction exported beside the
row it corrects, a move recorded as a new hire with the old row closed later): the row
still open — else the one left latest —, then the site and tenant in name order, give the
agent's place, the same row wherever a place comes from the roster (agent states,
scheduled activities without a shift, dial attempts, a bounded user's view). Before,
each of the four took whichever row its engine met first, so a site's figures and a
site-bound supervisor's view could disagree with each other and from run to run, and
the states' site and tenant could come from two different rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import omnikpi
from omnikpi.auth.scope import Scope, scoped_dataset
from omnikpi.schema.dataset import load_dataset

from ..builders import dataset

CLOSED = {"agent_id": "g1", "hired_on": "2025-01-01", "left_on": "2026-12-31",
          "site": "kyiv", "tenant": "bank"}
OPEN = {"agent_id": "g1", "hired_on": "2025-01-01", "site": "lviv", "tenant": "shop"}


def _data(folder: Path, roster: list[dict[str, Any]]) -> Path:
    """g1 on 4 May 2026: available 08:00–10:00 without a site, an 8-hour paid vacation
    exported without a shift, one dial attempt at 09:00 (and a shift of another agent at
    another site, as the schedule has)."""
    return dataset(
        folder, roster=roster,
        agent_states=[{"agent_id": "g1", "state": "available",
                       "start": "2026-05-04T08:00:00Z", "end": "2026-05-04T10:00:00Z"}],
        shift_activities=[{"agent_id": "g1", "activity": "vacation",
                           "start": "2026-05-04T08:00:00Z", "end": "2026-05-04T16:00:00Z",
                           "paid": True}],
        shifts=[{"agent_id": "z9", "start": "2026-05-04T08:00:00Z",
                 "end": "2026-05-04T16:00:00Z", "paid": True, "site": "odesa",
                 "tenant": "bank"}],
        dial_attempts=[{"attempt_id": "d1", "campaign": "k", "lead_id": "L1",
                        "dialed_at": "2026-05-04T09:00:00Z", "agent_id": "g1",
                        "result": "connected"}])


@pytest.mark.parametrize("order", ["closed first", "open first"])
def test_the_open_row_gives_the_place_everywhere(tmp_path: Path, engine: str,
                                                 order: str) -> None:
    roster = [CLOSED, OPEN] if order == "closed first" else [OPEN, CLOSED]
    data = _data(tmp_path / "ties", roster)
    for metric in ("occupancy", "shrinkage", "attempts"):
        rows = omnikpi.report_result(data, engine=engine, metrics=[metric],
                                     by=["site", "tenant"]).rows
        places = {(r["site"], r["tenant"]) for r in rows} - {("odesa", "bank")}
        assert places == {("lviv", "shop")}, metric


@pytest.mark.parametrize("order", ["closed first", "open first"])
def test_a_site_bound_view_holds_the_rows_the_reports_place_there(
        tmp_path: Path, order: str) -> None:
    roster = [CLOSED, OPEN] if order == "closed first" else [OPEN, CLOSED]
    loaded = load_dataset(_data(tmp_path / "ties", roster))
    for site, expected in (("lviv", 1), ("kyiv", 0)):
        scoped = scoped_dataset(loaded, Scope(sites=(site,)))
        seen = scoped.con.execute("SELECT count(*) FROM dial_attempts").fetchone()
        states = scoped.con.execute("SELECT count(*) FROM agent_states").fetchone()
        assert (seen, states) == ((expected,), (expected,)), site
    loaded.close()

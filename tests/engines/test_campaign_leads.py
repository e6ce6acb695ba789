"""A lead is a campaign's: its id may repeat in another campaign's list.

Campaign c1 dials L1 at 09:00 (no answer). Campaign c2 dials L1 at 10:00 (a sale) and L2
at 10:05 (a sale). Per lead, c1 has 1 lead dialed and no sale (0 %), c2 has 2 leads and
2 sales (100 %); list penetration is 1 in each. Keyed by its id alone, L1 was c1's only:
c2 read 2 sales of 1 lead, 200 %. The total is over campaign leads: 2 sales / 3 = 66.7 %.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import omnikpi

from ..builders import dataset


def dial(attempt: str, campaign: str, lead: str, at: str, result: str,
         sale: bool = False) -> dict[str, Any]:
    return {"attempt_id": attempt, "campaign": campaign, "lead_id": lead,
            "dialed_at": f"2024-03-05T{at}Z", "agent_id": "a1", "result": result,
            "right_party": sale, "converted": sale}


@pytest.fixture
def dials(tmp_path: Path) -> Path:
    return dataset(tmp_path / "d", dial_attempts=[
        dial("x1", "c1", "L1", "09:00:00", "no_answer"),
        dial("x2", "c2", "L1", "10:00:00", "connected", sale=True),
        dial("x3", "c2", "L2", "10:05:00", "connected", sale=True)])


def test_conversion_per_lead_by_campaign(dials: Path, engine: str) -> None:
    rows = omnikpi.report_result(dials, engine=engine,
                                 metrics=["conversion_rate", "list_penetration"],
                                 by=["campaign"], params={"conversion_rate.per": "leads"}).rows
    assert {r["campaign"]: (r["conversion_rate"], r["list_penetration"]) for r in rows} == {
        "c1": (0.0, 1.0), "c2": (1.0, 1.0)}
    [total] = omnikpi.report_result(dials, engine=engine, metrics=["conversion_rate"],
                                    params={"conversion_rate.per": "leads"}).rows
    assert total["conversion_rate"] == pytest.approx(2 / 3)

"""Outbound contacts (the agent's own call or e-mail, ``direction = outbound``) are nobody's
wait: not received, offered, answered nor abandoned, so they never move service level,
ASA or the abandon rate, and they are handled work once they ended (AHT, handled).

Before this rule an outbound call counted as offered and, unanswered by a customer, as a
contact nobody answered: a centre with outbound work read a lower service level.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import omnikpi
from omnikpi.engine.drill import REASON, drill

from ..builders import call, dataset

DAY = "2024-03-05T"
METRICS = ["received", "blocked_rate", "offered", "answered", "abandoned", "asa",
           "service_level", "handled", "aht", "transactions_per_hour"]


def inbound_and_outbound(outbound: str) -> list[dict[str, Any]]:
    return [
        # inbound: answered after 10 s, 300 s of work; abandoned after 40 s; blocked
        call("i1", DAY + "10:00:00", answered=DAY + "10:00:10", ended=DAY + "10:05:10",
             agent_id="a1"),
        call("i2", DAY + "10:01:00", abandoned=DAY + "10:01:40"),
        call("i3", DAY + "10:01:30", blocked="true"),
        # the agent's calls: o1 picked up at 10:02:20 and ended 10:06:20 (240 s from the
        # pick-up); o2 rang out 30 s after it was dialled (30 s from the dial); o3 dialled
        # and still open at the as-of (not ended: not handled), marked blocked by mistake
        call("o1", DAY + "10:02:00", answered=DAY + "10:02:20", ended=DAY + "10:06:20",
             agent_id="a1", direction=outbound),
        call("o2", DAY + "10:10:00", ended=DAY + "10:10:30", agent_id="a1",
             direction=outbound),
        call("o3", DAY + "10:20:00", agent_id="a1", direction=outbound, blocked="true"),
    ]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("outbound")
    return dataset(folder, contacts=inbound_and_outbound("outbound"), agent_states=[
        {"agent_id": "a1", "state": "available", "start": DAY + "10:00:00",
         "end": DAY + "11:00:00"}])


def _report(data: Path, engine: str, metrics: list[str] = METRICS,
            **kwargs: Any) -> list[dict[str, Any]]:
    return omnikpi.report_result(data, engine=engine, metrics=metrics,
                                 as_of="2024-03-05T12:00:00Z",
                                 params={"service_level.threshold_seconds": 20,
                                         "transactions_per_hour.per": "logged_in"},
                                 **kwargs).rows


def test_outbound_contacts_are_handled_work_and_nobodys_wait(data: Path, engine: str) -> None:
    row = _report(data, engine)[0]
    assert row == pytest.approx({
        "received": 3,            # i1, i2, i3
        "blocked_rate": 1 / 3,    # i3 of the three (o3's flag is not a block)
        "offered": 2, "answered": 1, "abandoned": 1,
        "asa": 10.0,              # i1 alone
        "service_level": 1 / 2,   # i1 within 20 s of offered i1, i2
        "handled": 3,             # i1, o1, o2
        "aht": (300 + 240 + 30) / 3,
        "transactions_per_hour": 3.0,  # 3 handled / a1's hour
    })


def test_the_period_of_transactions_per_hour_spans_outbound_ends_too(
        data: Path, engine: str) -> None:
    """Per hour of the period, without --from/--to: first to last end of the handled
    contacts, i1 (10:05:10) to o2 (10:10:30, rang out: no first response) = 320 s. The
    span once kept only contacts with a first response, so o2 was in the numerator and
    not in the period (3 / 70 s)."""
    (row,) = omnikpi.report_result(data, engine=engine, metrics=["transactions_per_hour"],
                                   as_of="2024-03-05T12:00:00Z").rows
    assert row["transactions_per_hour"] == pytest.approx(3 / (320 / 3600))


def test_by_direction(data: Path, engine: str) -> None:
    by_direction = [m for m in METRICS if m != "transactions_per_hour"]  # agents' hours
    rows = {r["direction"]: r for r in _report(data, engine, by_direction,
                                               by=["direction"])}
    assert rows["outbound"]["offered"] == 0 and rows["outbound"]["received"] == 0
    assert rows["outbound"]["handled"] == 2
    assert rows["outbound"]["aht"] == pytest.approx(135.0)
    assert rows["inbound"]["service_level"] == pytest.approx(0.5)
    assert rows["inbound"]["aht"] == pytest.approx(300.0)


def test_all_inbound_reads_as_before(tmp_path: Path) -> None:
    """The same rows all inbound (the loader then folds the rule away) give the old
    figures: every contact offered, o2 and o3 waiting with no answer."""
    folder = dataset(tmp_path, contacts=inbound_and_outbound("inbound"))
    row = omnikpi.report_result(folder, metrics=["received", "offered", "answered",
                                                 "handled", "aht"],
                                as_of="2024-03-05T12:00:00Z").rows[0]
    assert row == pytest.approx({"received": 6, "offered": 4, "answered": 2, "handled": 2,
                                 "aht": (300 + 240) / 2})


def test_the_drill_says_why_an_outbound_contact_is_not_offered(data: Path) -> None:
    rows = drill(omnikpi.load_dataset(data), "offered", {}, as_of="2024-03-05T12:00:00Z"
                 ).everything("excluded", None, False)
    reasons = dict(zip(rows["contact_id"], rows[REASON], strict=True))
    assert reasons == {"i3": "not_flag|offered", "o1": "outbound", "o2": "outbound",
                       "o3": "outbound"}

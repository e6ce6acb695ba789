"""IVR metrics of catalog v1.2 — hand-computed, on every engine.

Contacts (voice, 5 March 2024, UTC):
- c1 queue cards, site kyiv, tenant bank: arrives 10:01:00, answered 10:01:30 (wait 30 s)
- c2 queue loans, site lviv, tenant telco: arrives 10:03:00, answered 10:04:00 (wait 60 s)
- c3 queue cards, site lviv, tenant telco: arrives 10:06:00, abandoned 10:06:20
- c4 queue cards, site kyiv, tenant bank: arrives 10:10:00, answered 10:10:20 (wait 20 s),
  reached the queue without an IVR session

IVR sessions (time in the IVR; the site/tenant/queue they are cut by):
- s1 10:00:00–10:01:00   60 s  to_queue → c1; nothing of its own  → kyiv / bank / cards
- s2 10:01:30–10:03:00   90 s  to_queue → c2; own site kyiv (wins) → kyiv / telco / loans
- s3 10:04:00–10:06:00  120 s  to_queue → c3                      → lviv / telco / cards
- s4 10:07:00–10:09:00  120 s  self_served, own lviv / bank      → lviv / bank / –
- s5 10:08:00–10:08:30   30 s  self_served, own kyiv / bank      → kyiv / bank / –
- s6 10:11:00–10:11:45   45 s  abandoned, own lviv / telco       → lviv / telco / –
- s7 10:12:00–10:12:15   15 s  error, own kyiv / telco           → kyiv / telco / –
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import omnikpi
from omnikpi.errors import DataError, UsageError

from ..builders import call, dataset

IVR = ["ivr_sessions", "ivr_containment_rate", "ivr_abandon_rate", "avg_ivr_time"]
DAY = "2024-03-05T"


def at(clock: str) -> str:
    return f"{DAY}{clock}Z"


def session(session_id: str, entered: str, left: str, result: str, contact: str | None = None,
            **own: Any) -> dict[str, Any]:
    return {"session_id": session_id, "entered_at": at(entered), "left_at": at(left),
            "result": result, "contact_id": contact, **own}


CONTACTS = [
    call("c1", at("10:01:00"), queue="cards", site="kyiv", tenant="bank",
         answered=at("10:01:30"), ended=at("10:05:00")),
    call("c2", at("10:03:00"), queue="loans", site="lviv", tenant="telco",
         answered=at("10:04:00"), ended=at("10:08:00")),
    call("c3", at("10:06:00"), queue="cards", site="lviv", tenant="telco",
         abandoned=at("10:06:20")),
    call("c4", at("10:10:00"), queue="cards", site="kyiv", tenant="bank",
         answered=at("10:10:20"), ended=at("10:12:00")),
]
SESSIONS = [
    session("s1", "10:00:00", "10:01:00", "to_queue", "c1"),
    session("s2", "10:01:30", "10:03:00", "to_queue", "c2", site="kyiv"),
    session("s3", "10:04:00", "10:06:00", "to_queue", "c3"),
    session("s4", "10:07:00", "10:09:00", "self_served", channel="voice", site="lviv",
            tenant="bank"),
    session("s5", "10:08:00", "10:08:30", "self_served", channel="voice", site="kyiv",
            tenant="bank"),
    session("s6", "10:11:00", "10:11:45", "abandoned", channel="voice", site="lviv",
            tenant="telco"),
    session("s7", "10:12:00", "10:12:15", "error", channel="voice", site="kyiv",
            tenant="telco"),
]


@pytest.fixture
def ivr_data(tmp_path: Path) -> Path:
    return dataset(tmp_path / "ivr", contacts=CONTACTS, ivr_sessions=SESSIONS)


def report(data: Path, engine: str, metrics: list[str], dimension: str | None = None,
           **kwargs: Any) -> dict[Any, dict[str, Any]]:
    rows = omnikpi.report_result(data, engine=engine, metrics=metrics,
                                 by=[dimension] if dimension else [], **kwargs).rows
    return {(r[dimension] if dimension else "total"): {m: r[m] for m in metrics}
            for r in rows}


def test_ivr_sessions_total_by_site_and_by_tenant(ivr_data: Path, engine: str) -> None:
    # total: 7 sessions; self-served s4, s5; abandoned s6;
    # IVR time 60 + 90 + 120 + 120 + 30 + 45 + 15 = 480 s
    assert report(ivr_data, engine, IVR) == {"total": {
        "ivr_sessions": 7, "ivr_containment_rate": pytest.approx(2 / 7),
        "ivr_abandon_rate": pytest.approx(1 / 7), "avg_ivr_time": pytest.approx(480 / 7)}}
    # kyiv: s1, s2 (its own site wins over c2's lviv), s5, s7 — 1 self-served, none
    # abandoned, (60 + 90 + 30 + 15) / 4 = 48.75 s; lviv: s3, s4, s6 — 1 self-served,
    # 1 abandoned, (120 + 120 + 45) / 3 = 95 s
    assert report(ivr_data, engine, IVR, "site") == {
        "kyiv": {"ivr_sessions": 4, "ivr_containment_rate": pytest.approx(1 / 4),
                 "ivr_abandon_rate": 0.0, "avg_ivr_time": pytest.approx(48.75)},
        "lviv": {"ivr_sessions": 3, "ivr_containment_rate": pytest.approx(1 / 3),
                 "ivr_abandon_rate": pytest.approx(1 / 3), "avg_ivr_time": pytest.approx(95.0)},
    }
    # bank: s1 (c1's tenant), s4, s5 — 2 self-served, (60 + 120 + 30) / 3 = 70 s;
    # telco: s2, s3 (their contacts'), s6, s7 — none self-served, 1 abandoned,
    # (90 + 120 + 45 + 15) / 4 = 67.5 s
    assert report(ivr_data, engine, IVR, "tenant") == {
        "bank": {"ivr_sessions": 3, "ivr_containment_rate": pytest.approx(2 / 3),
                 "ivr_abandon_rate": 0.0, "avg_ivr_time": pytest.approx(70.0)},
        "telco": {"ivr_sessions": 4, "ivr_containment_rate": 0.0,
                  "ivr_abandon_rate": pytest.approx(1 / 4), "avg_ivr_time": pytest.approx(67.5)},
    }


def test_ivr_sessions_by_queue_of_their_contact(ivr_data: Path, engine: str) -> None:
    # cards: s1 (c1), s3 (c3); loans: s2 (c2); no queue: s4–s7 (no contact)
    counts = report(ivr_data, engine, ["ivr_sessions", "ivr_abandon_rate"], "queue")
    assert counts == {"cards": {"ivr_sessions": 2, "ivr_abandon_rate": 0.0},
                      "loans": {"ivr_sessions": 1, "ivr_abandon_rate": 0.0},
                      None: {"ivr_sessions": 4, "ivr_abandon_rate": pytest.approx(1 / 4)}}
    # a filter on the session's dimensions: voice sessions = s1–s3 (their contacts' channel)
    # and s4–s7 (their own); lviv: s3, s4, s6
    assert report(ivr_data, engine, ["ivr_sessions"], where={"channel": ["voice"]}) == \
        {"total": {"ivr_sessions": 7}}
    assert report(ivr_data, engine, ["ivr_sessions"], where={"site": ["lviv"]}) == \
        {"total": {"ivr_sessions": 3}}


def test_avg_wait_with_ivr(ivr_data: Path, engine: str) -> None:
    # answered contacts: c1 60 s IVR (s1) + 30 s wait = 90; c2 90 (s2) + 60 = 150;
    # c4 no session: 0 + 20 = 20; c3 was not answered. Total 260 / 3.
    assert report(ivr_data, engine, ["avg_wait_with_ivr", "asa"]) == {"total": {
        "avg_wait_with_ivr": pytest.approx(260 / 3), "asa": pytest.approx(110 / 3)}}
    # cut by the contact's own site and tenant (a contact metric): kyiv/bank c1, c4 →
    # (90 + 20) / 2 = 55; lviv/telco c2 → 150
    expected = {"avg_wait_with_ivr": pytest.approx(55.0)}
    assert report(ivr_data, engine, ["avg_wait_with_ivr"], "site") == {
        "kyiv": expected, "lviv": {"avg_wait_with_ivr": pytest.approx(150.0)}}
    assert report(ivr_data, engine, ["avg_wait_with_ivr"], "tenant") == {
        "bank": expected, "telco": {"avg_wait_with_ivr": pytest.approx(150.0)}}


def test_avg_wait_with_ivr_without_sessions_is_asa(tmp_path: Path, engine: str) -> None:
    # no ivr_sessions table: every contact adds 0 IVR time → (30 + 60 + 20) / 3
    data = dataset(tmp_path, contacts=CONTACTS)
    assert report(data, engine, ["avg_wait_with_ivr"]) == {
        "total": {"avg_wait_with_ivr": pytest.approx(110 / 3)}}


def test_sessions_without_contacts_and_as_of(tmp_path: Path, engine: str) -> None:
    # no contacts table: sessions keep their own dimensions, no queue. No site: s1, s3;
    # kyiv: s2, s5, s7; lviv: s4, s6
    data = dataset(tmp_path, ivr_sessions=SESSIONS)
    assert report(data, engine, ["ivr_sessions"], "site") == {
        None: {"ivr_sessions": 2}, "kyiv": {"ivr_sessions": 3}, "lviv": {"ivr_sessions": 2}}
    # as of 10:11:30, s6 is still in the IVR (left 10:11:45) and s7 has not entered yet:
    # 5 sessions, 2 self-served, (60 + 90 + 120 + 120 + 30) / 5 = 84 s
    assert report(data, engine, IVR, as_of=at("10:11:30")) == {"total": {
        "ivr_sessions": 5, "ivr_containment_rate": pytest.approx(2 / 5),
        "ivr_abandon_rate": 0.0, "avg_ivr_time": pytest.approx(84.0)}}


def test_sessions_are_booked_at_entry(tmp_path: Path, engine: str) -> None:
    # entered 23:59:30 on 5 March, left 00:00:30 on 6 March: a session of 5 March (60 s);
    # the next one, 6 March 08:00:00–08:00:10, is abandoned
    data = dataset(tmp_path, ivr_sessions=[
        {"session_id": "a", "entered_at": "2024-03-05T23:59:30Z",
         "left_at": "2024-03-06T00:00:30Z", "result": "to_queue"},
        {"session_id": "b", "entered_at": "2024-03-06T08:00:00Z",
         "left_at": "2024-03-06T08:00:10Z", "result": "abandoned"}])
    rows = omnikpi.report_result(data, engine=engine, grain="day",
                                 metrics=["ivr_sessions", "avg_ivr_time", "ivr_abandon_rate"]
                                 ).rows
    assert [(r["period_start"][:10], r["ivr_sessions"], r["avg_ivr_time"],
             r["ivr_abandon_rate"]) for r in rows] == [
        ("2024-03-05", 1, pytest.approx(60.0), 0.0), ("2024-03-06", 1, pytest.approx(10.0), 1.0)]


def test_ivr_metrics_need_their_table(tmp_path: Path) -> None:
    data = dataset(tmp_path, contacts=CONTACTS)
    with pytest.raises(DataError, match="needs the table 'ivr_sessions'"):
        omnikpi.report_result(data, metrics=["ivr_containment_rate"])


def test_ivr_sessions_cannot_be_cut_by_agent(ivr_data: Path) -> None:
    with pytest.raises(UsageError, match="cannot be cut by agent_id"):
        omnikpi.report_result(ivr_data, metrics=["ivr_sessions"], by=["agent_id"])

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


def test_outbound_rates_and_sales_by_the_site_and_tenant_of_the_agents_time(
        tmp_path: Path, engine: str) -> None:
    """a1 (Kyiv, bank) was available 09:00–10:00 and dialed d1 (right party, sale) and
    d2; a2 (Lviv, telco) 09:00–11:00, four attempts, two right-party, one sale; c1 an
    inbound sale at Kyiv. By site: Kyiv 2 attempts / 1 h = 2.0, 1 RPC / 1 h, sales c1 + d1
    = 2 → 2.0 per hour; Lviv a2's 4 and a3's 1 (a3 has no state then: the roster's
    place) / 2 h = 2.5, 2 / 2 h = 1.0, sales d6 → 0.5 per hour (the rates refused the
    cut, "can be cut only by agent_id", and the dialer's sales were the empty site's)."""
    def state(agent: str, end: str, site: str, tenant: str) -> dict[str, Any]:
        return {"agent_id": agent, "state": "available", "start": "2024-03-05T09:00:00Z",
                "end": end, "channel": "voice", "site": site, "tenant": tenant}

    def dial(number: int, minute: int, agent: str, result: str = "connected",
             rpc: bool = False, sale: bool = False) -> dict[str, Any]:
        return {"attempt_id": f"d{number}", "campaign": "k1", "lead_id": f"L{number}",
                "dialed_at": f"2024-03-05T09:{minute:02d}:00Z", "agent_id": agent,
                "result": result, "right_party": rpc, "converted": sale}

    data = dataset(
        tmp_path / "sites",
        agent_states=[state("a1", "2024-03-05T10:00:00Z", "kyiv", "bank"),
                      state("a2", "2024-03-05T11:00:00Z", "lviv", "telco")],
        roster=[{"agent_id": "a3", "hired_on": "2020-01-01", "site": "lviv",
                 "tenant": "telco"}],
        dial_attempts=[dial(1, 0, "a1", rpc=True, sale=True), dial(2, 10, "a1"),
                       dial(3, 20, "a2", rpc=True), dial(4, 30, "a2", "no_answer"),
                       dial(5, 40, "a2", "busy"), dial(6, 50, "a2", rpc=True, sale=True),
                       dial(7, 55, "a3", "no_answer")],
        contacts=[{"contact_id": "c1", "channel": "voice", "queue": "q1", "site": "kyiv",
                   "tenant": "bank", "arrived_at": "2024-03-05T09:00:00Z",
                   "accepted_at": "2024-03-05T09:00:10Z",
                   "first_response_at": "2024-03-05T09:00:10Z",
                   "ended_at": "2024-03-05T09:05:00Z", "agent_id": "a1", "outcome": "sale"}])
    rows = omnikpi.report_result(data, engine=engine, by=["site"], metrics=[
        "attempts", "attempts_per_hour", "rpc_per_hour", "sales", "sales_per_hour"]).rows
    assert rows == [
        {"site": "kyiv", "attempts": 2, "attempts_per_hour": 2.0, "rpc_per_hour": 1.0,
         "sales": 2, "sales_per_hour": 2.0},
        {"site": "lviv", "attempts": 5, "attempts_per_hour": 2.5, "rpc_per_hour": 1.0,
         "sales": 1, "sales_per_hour": 0.5}]
    bank = omnikpi.report_result(data, engine=engine, where={"tenant": ["bank"]},
                                 metrics=["attempts", "connection_rate"]).rows
    assert bank == [{"attempts": 2, "connection_rate": 1.0}]


def test_a_dialers_attempts_that_reached_nobody_belong_to_their_campaigns_client(
        tmp_path: Path, engine: str) -> None:
    """A predictive dialer gives an agent only the attempts that connect: the bank's
    client saw its connected attempts alone, a connection rate of 100 % and a dialer
    abandon rate of 0 %. Campaign k1 is dialed for the bank only (a1): its two agent-less
    attempts (no answer, dropped) are the bank's. Campaign k2 is dialed for the bank (a1)
    and telco (a2): its agent-less attempt stays with no tenant. The bank: k1's 4 and a1's
    d5, 3 connected of 5 = 60 %; telco d6, 1 of 1; no tenant d7, 0 of 1."""
    def state(agent: str, site: str, tenant: str) -> dict[str, Any]:
        return {"agent_id": agent, "state": "available", "start": "2024-03-05T09:00:00Z",
                "end": "2024-03-05T10:00:00Z", "channel": "voice", "site": site,
                "tenant": tenant}

    def dial(number: int, campaign: str, agent: str | None, result: str) -> dict[str, Any]:
        return {"attempt_id": f"d{number}", "campaign": campaign, "lead_id": f"L{number}",
                "dialed_at": f"2024-03-05T09:{number:02d}:00Z", "agent_id": agent,
                "result": result}

    data = dataset(
        tmp_path / "dialer",
        agent_states=[state("a1", "kyiv", "bank"), state("a2", "lviv", "telco")],
        dial_attempts=[dial(1, "k1", "a1", "connected"), dial(2, "k1", "a1", "connected"),
                       dial(3, "k1", None, "no_answer"), dial(4, "k1", None, "dropped"),
                       dial(5, "k2", "a1", "connected"), dial(6, "k2", "a2", "connected"),
                       dial(7, "k2", None, "busy")])
    whole = omnikpi.report_result(data, engine=engine, by=["tenant"], metrics=[
        "attempts", "connection_rate"]).rows
    assert whole == [{"tenant": "bank", "attempts": 5, "connection_rate": 0.6},
                     {"tenant": "telco", "attempts": 1, "connection_rate": 1.0},
                     {"tenant": None, "attempts": 1, "connection_rate": 0.0}]
    by_site = omnikpi.report_result(data, engine=engine, by=["site"],
                                    metrics=["attempts"]).rows
    assert by_site == [{"site": "kyiv", "attempts": 5}, {"site": "lviv", "attempts": 1},
                       {"site": None, "attempts": 1}]

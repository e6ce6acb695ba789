"""Metrics added by catalog v1.2 (resolution, cost, sales, dialer abandons, agent-days),
hand-computed by site, by tenant and in total, on every engine.

The data (5 March 2024, UTC; all contacts voice):
- c1 kyiv/bank, inbound, customer A, 10:00 → answered 10:00:10, ends 10:05, outcome
  sale, agent a1, resolved 12:00 (7,200 s after arrival);
- c2 kyiv/bank, inbound, customer A, 11:00 → 11:00:10, ends 11:10, outcome callback, a1,
  resolved 7 March 11:00 (172,800 s);
- c3 lviv/telco, inbound, no customer id, 10:30 → 10:30:05, ends 10:40, outcome "Sale",
  a2, resolved 11:30 (3,600 s);
- c4 lviv/telco, OUTBOUND, customer B, 10:45 → 10:45:05, ends 10:50, outcome sale, a2;
- c5 lviv/telco, inbound, customer B, 10:50, abandoned 10:51 (not handled), outcome sale.
Dial attempts (campaign X, agent a3): d1 connected, right party, converted; d2 dropped;
d3 connected; d4 no answer.
Agent time: a1 (kyiv/bank) available 10:00–12:00 on the 5th; a2 (lviv/telco) 10:00–11:00
on the 5th and 09:00–10:00 on the 6th; a3 (no site) 10:00–11:00 on the 5th.
Costs for the 5th: bank 300, telco 100.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import omnikpi
from omnikpi.errors import UsageError

from ..builders import call, dataset

DAY = "2024-03-05T"


def contact(cid: str, site: str, tenant: str, arrived: str, **kw: Any) -> dict[str, Any]:
    return call(cid, DAY + arrived, site=site, tenant=tenant, **kw)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("v12")
    state = {"state": "available"}
    return dataset(
        folder,
        contacts=[
            contact("c1", "kyiv", "bank", "10:00:00", answered=DAY + "10:00:10",
                    ended=DAY + "10:05:00", customer_id="A", outcome="sale", agent_id="a1",
                    resolved_at=DAY + "12:00:00"),
            contact("c2", "kyiv", "bank", "11:00:00", answered=DAY + "11:00:10",
                    ended=DAY + "11:10:00", customer_id="A", outcome="callback",
                    agent_id="a1", resolved_at="2024-03-07T11:00:00"),
            contact("c3", "lviv", "telco", "10:30:00", answered=DAY + "10:30:05",
                    ended=DAY + "10:40:00", outcome="Sale", agent_id="a2",
                    resolved_at=DAY + "11:30:00"),
            contact("c4", "lviv", "telco", "10:45:00", answered=DAY + "10:45:05",
                    ended=DAY + "10:50:00", customer_id="B", outcome="sale", agent_id="a2",
                    direction="outbound"),
            contact("c5", "lviv", "telco", "10:50:00", abandoned=DAY + "10:51:00",
                    customer_id="B", outcome="sale"),
        ],
        dial_attempts=[
            {"attempt_id": f"d{i}", "campaign": "X", "lead_id": f"l{i}", "agent_id": "a3",
             "dialed_at": f"{DAY}10:{i}0:00", "result": result, **extra}
            for i, (result, extra) in enumerate([
                ("connected", {"right_party": "true", "converted": "true"}),
                ("dropped", {}), ("connected", {}), ("no_answer", {})], start=1)
        ],
        agent_states=[
            {"agent_id": "a1", **state, "start": DAY + "10:00:00", "end": DAY + "12:00:00",
             "site": "kyiv", "tenant": "bank"},
            {"agent_id": "a2", **state, "start": DAY + "10:00:00", "end": DAY + "11:00:00",
             "site": "lviv", "tenant": "telco"},
            {"agent_id": "a2", **state, "start": "2024-03-06T09:00:00",
             "end": "2024-03-06T10:00:00", "site": "lviv", "tenant": "telco"},
            {"agent_id": "a3", **state, "start": DAY + "10:00:00", "end": DAY + "11:00:00"},
        ],
        costs=[
            {"period_start": DAY + "00:00:00", "period_end": "2024-03-06T00:00:00",
             "tenant": tenant, "category": "staff", "amount": amount}
            for tenant, amount in (("bank", 300), ("telco", 100))
        ],
    )


def values(data: Path, engine: str, metric: str, by: str | None,
           **kwargs: Any) -> dict[Any, Any]:
    rows = omnikpi.report_result(data, engine=engine, metrics=[metric],
                                 by=[by] if by else [], **kwargs).rows
    return {(r[by] if by else "total"): r[metric] for r in rows}


CASES = {
    # Σ (resolved − arrived) / resolved: (7200 + 172800 + 3600) / 3; kyiv c1, c2; lviv c3
    "resolution_time": ({"total": 61200.0}, {"kyiv": 90000.0, "lviv": 3600.0},
                        {"bank": 90000.0, "telco": 3600.0}),
    # resolved within 24 h: c1, c3 (not c2): 2/3; kyiv 1/2, lviv 1/1
    "resolved_within": ({"total": 2 / 3}, {"kyiv": 0.5, "lviv": 1.0},
                        {"bank": 0.5, "telco": 1.0}),
    # inbound handled c1, c2, c3; sale outcomes c1, c3 ("Sale": case-insensitive)
    "cross_sell_rate": ({"total": 2 / 3}, {"kyiv": 0.5, "lviv": 1.0},
                        {"bank": 0.5, "telco": 1.0}),
    # c1, c3 and the converted d1 (no site or tenant: the empty group)
    "sales": ({"total": 3}, {"kyiv": 1, "lviv": 1, None: 1},
              {"bank": 1, "telco": 1, None: 1}),
    # sales / logged-in hours: 3 / 5 h; kyiv 1 / 2 h, lviv 1 / 2 h, a3 1 / 1 h
    "sales_per_hour": ({"total": 0.6}, {"kyiv": 0.5, "lviv": 0.5, None: 1.0},
                       {"bank": 0.5, "telco": 0.5, None: 1.0}),
}


@pytest.mark.parametrize("metric", sorted(CASES))
def test_by_site_by_tenant_and_total(data: Path, engine: str, metric: str) -> None:
    total, by_site, by_tenant = CASES[metric]
    assert values(data, engine, metric, None) == pytest.approx(total)
    assert values(data, engine, metric, "site") == pytest.approx(by_site)
    assert values(data, engine, metric, "tenant") == pytest.approx(by_tenant)


def test_transactions_per_agent_day(data: Path, engine: str) -> None:
    # handled c1, c2, c3, c4 / agent-days a1 (5th), a2 (5th, 6th), a3 (5th) = 4 / 4;
    # kyiv 2 handled / 1 agent-day, lviv 2 / 2, no site 0 / 1
    per = {"params": {"transactions_per_hour.per": "agent_day"}}
    assert values(data, engine, "transactions_per_hour", None, **per) == {"total": 1.0}
    assert values(data, engine, "transactions_per_hour", "site", **per) == {
        "kyiv": 2.0, "lviv": 1.0, None: 0.0}
    daily = omnikpi.report_result(data, engine=engine, metrics=["transactions_per_hour"],
                                  grain="day", **per).rows
    assert [(r["period_start"][:10], r["transactions_per_hour"]) for r in daily] == [
        ("2024-03-05", 4 / 3), ("2024-03-06", 0.0)]
    with pytest.raises(UsageError, match="whole days"):
        omnikpi.report_result(data, engine=engine, metrics=["transactions_per_hour"],
                              grain="hour", **per)


def test_costs_and_customers_served(data: Path, engine: str) -> None:
    assert values(data, engine, "total_cost", None) == pytest.approx({"total": 400.0})
    assert values(data, engine, "total_cost", "tenant") == pytest.approx(
        {"bank": 300.0, "telco": 100.0})
    # distinct customers of handled contacts: A (c1, c2), c3 without id (counts once),
    # B (c4); bank: A alone; telco: c3 and B
    assert values(data, engine, "cost_per_customer_served", None) == pytest.approx(
        {"total": 400 / 3})
    assert values(data, engine, "cost_per_customer_served", "tenant") == pytest.approx(
        {"bank": 300.0, "telco": 50.0})
    with pytest.raises(UsageError, match="cannot be cut by site"):
        values(data, engine, "total_cost", "site")


def test_dialer_abandon_rate(data: Path, engine: str) -> None:
    # dropped / (connected + dropped) = 1 / (2 + 1)
    assert values(data, engine, "dialer_abandon_rate", None) == pytest.approx(
        {"total": 1 / 3})
    assert values(data, engine, "dialer_abandon_rate", "campaign") == pytest.approx(
        {"X": 1 / 3})


def test_fcr_by_site_and_tenant(data: Path, engine: str) -> None:
    # Questions with a 24 h window (elapsed by the as-of, 7 March 11:00): c1, c2 (customer
    # A, kyiv/bank) and c4 (B, lviv/telco); c3 has no customer id. A calls again at 11:00
    # (c2), within c1's window: c1 repeated; c2 resolved. c5 (B, 10:50) repeats c4.
    # fcr = 1/3; kyiv 1/2, lviv 0/1.
    window = {"params": {"fcr.window_hours": 24}}
    assert values(data, engine, "fcr", None, **window) == pytest.approx({"total": 1 / 3})
    assert values(data, engine, "fcr", "site", **window) == pytest.approx(
        {"kyiv": 0.5, "lviv": 0.0})
    assert values(data, engine, "fcr", "tenant", **window) == pytest.approx(
        {"bank": 0.5, "telco": 0.0})

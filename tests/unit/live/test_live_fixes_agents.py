"""Busy agents count for the queue rows of their own tenant and site only."""

from __future__ import annotations

from typing import Any

from omnikpi.live.agents import agents_for


def agent(tenant: str | None, site: str | None) -> dict[str, Any]:
    return {"agent_id": "k1", "state": "handling", "tenant": tenant, "site": site,
            "channel": "voice", "contact": {"queue": "sales", "channel": "voice"},
            "held": [{"queue": "sales", "channel": "voice"}]}


def row(tenant: str | None, site: str | None) -> dict[str, Any]:
    return {"tenant": tenant, "site": site, "queue": "sales", "channel": "voice"}


def test_a_contact_held_in_one_tenants_queue_is_not_busy_in_anothers() -> None:
    busy = agent("bank", "kyiv")
    assert agents_for(row("bank", "kyiv"), [busy])["agents_busy"] == 1
    assert agents_for(row("telco", "lviv"), [busy])["agents_busy"] == 0
    assert agents_for(row("bank", "lviv"), [busy])["agents_busy"] == 0


def test_an_unknown_tenant_or_site_matches_either_way() -> None:
    assert agents_for(row(None, None), [agent("bank", "kyiv")])["agents_busy"] == 1
    assert agents_for(row("bank", "kyiv"), [agent(None, None)])["agents_busy"] == 1

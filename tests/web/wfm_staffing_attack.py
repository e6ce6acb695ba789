"""Tenant attacks on the staffing calculator (/wfm/staffing): its measured busiest interval
is tenant A's alone for tenant A's supervisor, whatever the filters name; clients and
agents are refused. Called from test_tenant_isolation.py on its two-tenant folder."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.web.conftest import log_in
from tests.web.tenants import MARK

WFM_STAFFING_ROUTES = {"/wfm/staffing"}
BUSIEST = re.compile(r"had (\d+) contacts")


def _busiest(client: TestClient, query: str = "") -> int | None:
    page = client.get(f"/wfm/staffing?lang=en&{query}")
    assert page.status_code == 200, page.text
    found = BUSIEST.search(page.text)
    return None if found is None else int(found.group(1))


def attack_wfm_staffing(app: FastAPI, password: str) -> None:
    """Voice arrivals of 09:00–09:30: tenant A's a-1, a-2, a-3 and tenant B's first call —
    4 for an administrator, 3 for tenant A's supervisor."""
    assert _busiest(log_in(TestClient(app), "root", password)) == 4
    supervisor = log_in(TestClient(app), "sup-a", password)
    assert _busiest(supervisor) == 3
    assert MARK not in supervisor.get("/wfm/staffing?lang=en").text
    for attack in ("tenant=B", f"queue=q-{MARK}", f"site=site-{MARK}",
                   f"agent_id=agent-{MARK}"):
        assert _busiest(supervisor, attack) is None, attack
    for user in ("client-a", "agent-a"):
        other = log_in(TestClient(app), user, password)
        assert other.get("/wfm/staffing").status_code == 403, user

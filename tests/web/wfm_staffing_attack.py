"""Tenant attacks on the staffing calculator (/wfm/staffing): its measured busiest interval
is tenant A's alone for tenant A's supervisor, whatever the filters name; clients and
agents are refused. Called from test_tenant_isolation.py on its two-tenant folder."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.web.conftest import log_in
from tests.web.tenants import MARK

WFM_STAFFING_ROUTES = {"/wfm/staffing", "/wfm/staffing/plan.csv"}
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
    # the day plan reads the caller's scope: the one day of history is too short for a
    # plan for everyone, and tenant B's day is none at all for tenant A's supervisor
    plan = "kind=day&days=1&interval_minutes=30&lang=en"
    admin = log_in(TestClient(app), "root", password)
    short = "holds 1 day(s) of history"
    assert short in admin.get(f"/wfm/staffing?{plan}&tenant=B").text
    assert short in supervisor.get(f"/wfm/staffing?{plan}").text
    # (the filter typed is shown back in the form: only the answer is checked)
    for attack in ("tenant=B", f"queue=q-{MARK}"):
        refused = supervisor.get(f"/wfm/staffing?{plan}&{attack}").text
        assert "has no contacts to forecast from" in refused, attack
        csv_answer = supervisor.get(f"/wfm/staffing/plan.csv?{plan}&{attack}")
        assert csv_answer.status_code == 400, attack
        assert "has no contacts to forecast from" in csv_answer.text, attack
    for user in ("client-a", "agent-a"):
        other = log_in(TestClient(app), user, password)
        for path in ("/wfm/staffing", f"/wfm/staffing/plan.csv?{plan}"):
            assert other.get(path).status_code == 403, (user, path)

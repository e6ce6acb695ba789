"""Alert history is scoped by each firing's own stored subject, never by its rule.

A rule of every tenant fired about agents of tenants A and B and of no tenant; an
administrator then narrowed it to tenant A (an ordinary edit: a rule keeps its firings).
A's accounts listed B's firing and the one of no tenant, and A's supervisor acknowledged
B's. A bounded account now sees (and acknowledges) a firing only when its stored subject
(``alert_event_details.subject_tenant`` / ``subject_site``) is in their scope; a firing
with no stored subject (recorded before revision 0007) only an unbounded account sees.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from omnikpi.auth.accounts import create_user
from omnikpi.store.db import session_scope
from omnikpi.store.models import AlertEvent
from omnikpi.store.models_live import AlertEventDetail
from tests.web.conftest import bearer_client, log_in
from tests.web.tenants import MARK, write_two_tenants

PASSWORD = "alert-history-pw-1"
RULE = {"name": "NR global", "kind": "not_ready_over", "threshold": 60, "minutes": 0}


def _fired(url: str, rule_id: int, subject: dict[str, str] | None, message: str) -> int:
    """A firing of the rule as the monitor records it (``subject`` None: a firing from
    before revision 0007, without details); its id."""
    with session_scope(url) as session:
        event = AlertEvent(rule_id=rule_id, subject=" / ".join((subject or {}).values()),
                           message=message)
        session.add(event)
        session.flush()
        if subject is not None:
            session.add(AlertEventDetail(event_id=event.id, kind="not_ready_over",
                                         facts=json.dumps({"subject": subject})))
        return int(event.id)


@pytest.fixture()
def history(make_app: Callable[..., FastAPI], tmp_path: Path
            ) -> tuple[FastAPI, TestClient, dict[str, int]]:
    """The app, its administrator and the firings of a rule narrowed to tenant A after
    they fired: ``a`` (agent a1, A at kyiv), ``b`` (tenant B's agent), ``none`` (a back
    office agent at kyiv of no tenant), ``old`` (no stored subject)."""
    app = make_app(write_two_tenants(tmp_path / "data"), auth_required=True,
                   live_updates=False, scheduler=False)
    url = app.state.omnikpi.database_url
    with session_scope(url) as session:
        create_user(session, "boss", PASSWORD, "admin")
        create_user(session, "client-a", PASSWORD, "client", tenant="A")
        create_user(session, "sup-a", PASSWORD, "supervisor", tenant="A")
        create_user(session, "sup-kyiv", PASSWORD, "supervisor", sites=["kyiv"])
        create_user(session, "agent-a1", PASSWORD, "agent", tenant="A", agent_id="a1")
    boss = bearer_client(app, "boss", PASSWORD)
    made = boss.post("/api/v1/alerts", json=RULE)
    assert made.status_code == 200, made.text
    rule_id = made.json()["id"]
    fired = {
        "old": _fired(url, rule_id, None, "Not ready on agent old-01"),
        "a": _fired(url, rule_id, {"tenant": "A", "site": "kyiv", "agent_id": "a1"},
                    "Not ready on agent a1 (kyiv, A)"),
        "b": _fired(url, rule_id, {"tenant": "B", "site": f"site-{MARK}",
                                   "agent_id": f"agent-{MARK}"},
                    f"Not ready on agent agent-{MARK} (site-{MARK}, B)"),
        "none": _fired(url, rule_id, {"site": "kyiv", "agent_id": "backoffice-01"},
                       "Not ready on agent backoffice-01 (kyiv)"),
    }
    narrowed = boss.put(f"/api/v1/alerts/{rule_id}", json={**RULE, "tenant": "A"})
    assert narrowed.status_code == 200 and narrowed.json()["tenant"] == "A"
    return app, boss, fired


def _listed(client: TestClient) -> list[int]:
    answer = client.get("/api/v1/alerts")
    assert answer.status_code == 200, answer.text
    return [e["id"] for e in answer.json()["events"]]


def test_a_narrowed_rule_s_firings_are_listed_by_their_own_subject(
        history: tuple[FastAPI, TestClient, dict[str, int]]) -> None:
    app, boss, fired = history
    assert _listed(boss) == [fired["none"], fired["b"], fired["a"], fired["old"]]
    # tenant A's accounts: A's firing only (the rule is theirs now, B's firing is not)
    for user in ("client-a", "sup-a"):
        client = bearer_client(app, user, PASSWORD)
        assert _listed(client) == [fired["a"]], user
        assert MARK not in client.get("/api/v1/alerts").text
    # the kyiv supervisor (no tenant): the firings about kyiv, not B's nor the unplaced one
    assert _listed(bearer_client(app, "sup-kyiv", PASSWORD)) == [fired["none"], fired["a"]]
    # an agent: the firing about themselves
    assert _listed(bearer_client(app, "agent-a1", PASSWORD)) == [fired["a"]]
    # the alerts page says the same
    page = log_in(TestClient(app), "sup-a", PASSWORD).get("/alerts?lang=en")
    assert page.status_code == 200
    assert "Not ready on agent a1 (kyiv, A)" in page.text
    for other in (MARK, "backoffice-01", "old-01"):
        assert other not in page.text, other


def test_a_bounded_supervisor_acknowledges_only_firings_about_their_scope(
        history: tuple[FastAPI, TestClient, dict[str, int]]) -> None:
    app, boss, fired = history
    lead = bearer_client(app, "sup-a", PASSWORD)
    for key in ("b", "none", "old"):
        refused = lead.post(f"/api/v1/alerts/events/{fired[key]}/ack")
        assert refused.status_code == 404, key
        assert MARK not in refused.text
    acked = lead.post(f"/api/v1/alerts/events/{fired['a']}/ack")
    assert acked.status_code == 200 and acked.json()["acknowledged_by"] == "sup-a"
    kyiv = bearer_client(app, "sup-kyiv", PASSWORD)
    assert kyiv.post(f"/api/v1/alerts/events/{fired['b']}/ack").status_code == 404
    assert kyiv.post(f"/api/v1/alerts/events/{fired['old']}/ack").status_code == 404
    assert kyiv.post(f"/api/v1/alerts/events/{fired['none']}/ack").status_code == 200
    by = {e["id"]: e["acknowledged_by"] for e in boss.get("/api/v1/alerts").json()["events"]}
    assert by == {fired["a"]: "sup-a", fired["b"]: None, fired["none"]: "sup-kyiv",
                  fired["old"]: None}
    # the administrator acknowledges the unplaced old firing
    assert boss.post(f"/api/v1/alerts/events/{fired['old']}/ack").status_code == 200

"""A client viewer of tenant A tries to read tenant B's data through every route.

The oracle for numbers: what A's viewer gets equals what an administrator gets on a dataset
that holds only A's rows, at the center's as-of (a viewer reads the center's clock: the
data is complete up to its latest event for every tenant). The oracle for leaks: every
identifier of tenant B contains ``bsecret``; it must not appear in any answer. A last test
checks that every route of the app is attacked here, so a new route cannot skip isolation.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook

import omnikpi
from omnikpi.auth.accounts import create_user
from omnikpi.errors import OmniKPIError
from omnikpi.metrics.base import all_metrics
from omnikpi.store.db import session_scope
from tests.web.conftest import csrf, log_in
from tests.web.schedules_attack import SCHEDULE_ROUTES, attack_schedules
from tests.web.tenants import MARK, write_two_tenants
from tests.web.wfm_schedule_attack import WFM_SCHEDULE_ROUTES, attack_wfm_schedule
from tests.web.wfm_staffing_attack import WFM_STAFFING_ROUTES, attack_wfm_staffing
from tests.web.wfm_whatif_attack import WFM_WHATIF_ROUTES, attack_wfm_whatif

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("tenants")
    return write_two_tenants(root / "both"), write_two_tenants(root / "only_a", only_a=True)


@pytest.fixture(scope="module")
def app(make_app: Callable[..., FastAPI], folders: tuple[Path, Path]) -> FastAPI:
    # no background scheduler: the schedules attack runs its instants itself
    application = make_app(folders[0], auth_required=True, scheduler=False)
    with session_scope(application.state.omnikpi.database_url) as session:
        create_user(session, "root", PASSWORD, "admin")
        create_user(session, "client-a", PASSWORD, "client", tenant="A")
        create_user(session, "sup-a", PASSWORD, "supervisor", tenant="A")
        create_user(session, "agent-a", PASSWORD, "agent", tenant="A", agent_id="a1")
        create_user(session, "sup-kyiv", PASSWORD, "supervisor", sites=["kyiv"])
        create_user(session, "sup-b", PASSWORD, "supervisor", tenant="B")
    return application


def _token(client: TestClient, user: str) -> str:
    answer = client.post("/api/v1/auth/token", data={"username": user, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["token_type"] == "bearer"
    return str(body["access_token"])


@pytest.fixture(scope="module")
def admin(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        client.headers["Authorization"] = f"Bearer {_token(client, 'root')}"
        yield client


@pytest.fixture(scope="module")
def viewer(app: FastAPI) -> Iterator[TestClient]:
    """Tenant A's client viewer, with a bearer token (API) — see ``browser_viewer``."""
    with TestClient(app) as client:
        client.headers["Authorization"] = f"Bearer {_token(client, 'client-a')}"
        yield client


@pytest.fixture(scope="module", params=["client-a"])
def api_viewer(app: FastAPI, request: pytest.FixtureRequest) -> Iterator[TestClient]:
    """Tenant A's client viewer with a bearer token (an agent sees less: its own rows,
    ``test_an_agent_sees_only_their_own_rows_on_every_route``)."""
    with TestClient(app) as client:
        client.headers["Authorization"] = f"Bearer {_token(client, str(request.param))}"
        yield client


@pytest.fixture(scope="module")
def browser_viewer(app: FastAPI) -> Iterator[TestClient]:
    """Tenant A's client viewer logged in through the login form (session cookie)."""
    with TestClient(app) as client:
        yield log_in(client, "client-a", PASSWORD)


def no_leak(text: str) -> None:
    assert MARK not in text


def pdf_text(body: bytes) -> str:
    """The text of a PDF as a reader extracts it (the export embeds a Unicode font, whose
    text is glyph ids in the content stream, not plain bytes)."""
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


# -- the attacks, one per route ------------------------------------------------------------


def _metric_groups() -> list[list[str]]:
    """The catalog's metrics grouped by the fact sources they read: one request per group
    runs the same scoped queries as one request per metric, in a fraction of the time."""
    groups: dict[tuple[str, str | None], list[str]] = {}
    for metric in all_metrics():
        groups.setdefault((metric.source, metric.denominator_source), []).append(metric.id)
    return list(groups.values())


def on_the_center_s_clock(folders: tuple[Path, Path]) -> Any:
    """A's rows alone, read on the whole center's clock (its as-of and its plans), as a
    bounded viewer reads them."""
    only_a = omnikpi.load_dataset(folders[1])
    only_a.owner = omnikpi.load_dataset(folders[0])
    return only_a


def attack_report(viewer: TestClient, admin: TestClient, folders: tuple[Path, Path]) -> None:
    """Every metric of the catalog: A's viewer = an administrator on A's data alone, at the
    center's as-of."""
    only_a = on_the_center_s_clock(folders)  # loaded once: the oracle for every metric
    for group in _metric_groups():
        try:
            oracle = omnikpi.report_result(only_a, metrics=group).to_json()
        except OmniKPIError:
            if len(group) > 1:  # a metric of the group cannot run here: ask one by one
                for metric in group:
                    _attack_metrics(viewer, only_a, [metric])
                continue
            oracle = None
        _attack_metrics(viewer, only_a, group, oracle)
    cut = viewer.get("/api/v1/report", params={"metrics": "offered,aht,csat",
                                               "by": "queue,agent_id,tenant,site"})
    no_leak(cut.text)
    assert {r["tenant"] for r in cut.json()["rows"]} == {"A"}


def _attack_metrics(viewer: TestClient, only_a: Any, metrics: list[str],
                    oracle: dict[str, Any] | None = None) -> None:
    """The viewer's report of ``metrics`` equals the oracle's; tenant B gives nothing."""
    ids = ",".join(metrics)
    if oracle is None:
        try:
            oracle = omnikpi.report_result(only_a, metrics=metrics).to_json()
        except OmniKPIError:
            oracle = None
    mine = viewer.get("/api/v1/report", params={"metrics": ids})
    no_leak(mine.text)
    if oracle is None:
        assert mine.status_code in (400, 422), (ids, mine.text)
    else:
        assert mine.status_code == 200, (ids, mine.text)
        assert mine.json()["rows"] == oracle["rows"], ids
    other = viewer.get("/api/v1/report", params={"metrics": ids, "tenant": "B"})
    no_leak(other.text)
    if other.status_code == 200:
        for metric in metrics:
            values = [r[metric] for r in other.json()["rows"]]
            assert all(v in (None, 0, 0.0) for v in values), (metric, values)


def attack_contacts(viewer: TestClient, admin: TestClient, folders: tuple[Path, Path]) -> None:
    everyone = viewer.get("/api/v1/contacts", params={"size": 1000})
    no_leak(everyone.text)
    assert everyone.status_code == 200, (everyone.status_code, everyone.text)
    assert everyone.json()["total"] == 5
    assert {r["tenant"] for r in everyone.json()["rows"]} == {"A"}
    for attack in ({"tenant": "B"}, {"agent_id": f"agent-{MARK}"}, {"queue": f"q-{MARK}"},
                   {"metric": "abandoned", "part": "numerator", "tenant": "B"}):
        answer = viewer.get("/api/v1/contacts", params=attack)
        assert answer.status_code == 200 and answer.json()["total"] == 0, attack
    assert admin.get("/api/v1/contacts", params={"tenant": "B"}).json()["total"] == 3


def _drill_metrics() -> list[str]:
    """One metric per fact source (numerator's and denominator's): every source builder the
    drill-down reads runs on the caller's scoped data."""
    chosen: dict[str, str] = {}
    for metric in sorted(all_metrics(), key=lambda m: m.id):
        for source in (metric.source, metric.denominator_source):
            if source and source not in chosen:
                chosen[source] = metric.id
    return sorted(set(chosen.values()))


DRILL_PARAMS = {"param": "cost_per_customer.customer_base=10"}
DRILL_ATTACKS = ({"tenant": "B"}, {"agent_id": f"agent-{MARK}"}, {"queue": f"q-{MARK}"})
"""Filters that name tenant B's rows: none may widen a viewer's scope."""


def attack_drill(viewer: TestClient, admin: TestClient, folders: tuple[Path, Path]) -> None:
    """The rows behind any figure: A's viewer gets what an administrator gets on A's data
    alone (the figure, the count), never a row of B — whatever the filters ask."""
    from omnikpi.engine.drill import drill

    only_a = on_the_center_s_clock(folders)
    for number, metric in enumerate(_drill_metrics()):
        mine = viewer.get("/api/v1/drill", params={"metric": metric, "size": 1000,
                                                   **DRILL_PARAMS})
        no_leak(mine.text)
        try:
            oracle = drill(only_a, metric, {"cost_per_customer.customer_base": 10})
            expected = oracle.figure.value, oracle.counts()["all"]
        except OmniKPIError:
            assert mine.status_code in (400, 422), (metric, mine.text)
            continue
        assert mine.status_code == 200, (metric, mine.text)
        body = mine.json()
        assert (body["figure"]["value"], body["counts"]["all"]) == pytest.approx(expected), \
            metric
        # one attack per source, in turn: the viewer's rows are cut to their scope in the
        # dataset every source reads (the figure above, equal to the oracle's, proves each
        # source scoped), and a filter is applied on top; the three kinds of attack each
        # meet a third of the sources
        attack = DRILL_ATTACKS[number % len(DRILL_ATTACKS)]
        other = viewer.get("/api/v1/drill", params={"metric": metric, **attack,
                                                    **DRILL_PARAMS})
        no_leak(other.text)
        if other.status_code == 200 and not other.json()["ignored_filters"]:
            assert other.json()["total"] == 0, (metric, attack)
    assert admin.get("/api/v1/drill", params={"metric": "offered", "tenant": "B"}
                     ).json()["counts"]["numerator"] == 3


def attack_audit(viewer: TestClient, admin: TestClient, folders: tuple[Path, Path]) -> None:
    assert viewer.get("/api/v1/audit").status_code == 403
    log = admin.get("/api/v1/audit").json()
    # the viewer's own sign-in is there (client-a or agent-a: whichever this test runs as)
    assert any(e["action"] == "login" and e["actor"] in ("client-a", "agent-a") for e in log)


def attack_catalog(viewer: TestClient, admin: TestClient, folders: tuple[Path, Path]) -> None:
    answer = viewer.get("/api/v1/catalog")
    assert answer.status_code == 200 and len(answer.json()) == len(all_metrics())


def _post_today(admin: TestClient) -> None:
    """Live rows of both tenants for today (the wallboard shows today only)."""
    now = datetime.now(UTC)
    rows = [{"contact_id": f"live-{tenant}-{MARK if tenant == 'B' else 'a'}",
             "channel": "voice", "queue": f"q-{MARK}" if tenant == "B" else "sales",
             "site": f"site-{MARK}" if tenant == "B" else "kyiv", "tenant": tenant,
             "arrived_at": (now - timedelta(seconds=40)).isoformat()} for tenant in "AB"]
    posted = admin.post("/api/v1/events", json={"table": "contacts", "rows": rows})
    assert posted.status_code == 200 and posted.json()["accepted"] == 2, posted.text
    states = [{"agent_id": f"agent-{MARK}", "state": "not_ready", "reason": f"r-{MARK}",
               "start": (now - timedelta(minutes=5)).isoformat(), "tenant": "B",
               "site": f"site-{MARK}"}]
    assert admin.post("/api/v1/events", json={"table": "agent_states", "rows": states}
                      ).json()["accepted"] == 1
    everyone = admin.get("/api/v1/live").json()
    assert {q["tenant"] for q in everyone["queues"]} == {"A", "B"}


def attack_live(viewer: TestClient, admin: TestClient, folders: tuple[Path, Path]) -> None:
    _post_today(admin)
    for params in ({}, {"tenant": "B"}, {"site": f"site-{MARK}"}, {"tenant": "A,B"},
                   {"queue": f"q-{MARK}"}, {"channel": "voice", "tenant": "B"}):
        answer = viewer.get("/api/v1/live", params=params)
        assert answer.status_code == 200
        no_leak(answer.text)
        assert all(q["tenant"] == "A" for q in answer.json()["queues"])
        assert answer.json()["agents"] == [] and answer.json()["agent_list"] == []
    assert viewer.get("/api/v1/live").json()["totals"]["waiting"] == 1


def attack_stream(viewer: TestClient, admin: TestClient, folders: tuple[Path, Path]) -> None:
    _post_today(admin)
    with viewer.stream("GET", "/api/v1/live/stream", params={"tenant": "B"}) as stream:
        for line in stream.iter_lines():
            if line.startswith("data:"):
                no_leak(line)
                assert json.loads(line[5:])["queues"] == []
                break


def attack_events(viewer: TestClient, admin: TestClient, folders: tuple[Path, Path]) -> None:
    row = {"contact_id": "x", "channel": "voice", "queue": "q", "tenant": "B",
           "arrived_at": "2026-11-02T09:00:00Z"}
    answer = viewer.post("/api/v1/events", json={"table": "contacts", "rows": [row]})
    assert answer.status_code == 403


def attack_alerts(viewer: TestClient, admin: TestClient, folders: tuple[Path, Path]) -> None:
    made = admin.post("/api/v1/alerts", json={"name": f"rule-{MARK}", "kind": "sl_below",
                                              "threshold": 0.8, "tenant": "B",
                                              "queue": f"q-{MARK}"})
    assert made.status_code == 200, made.text
    mine = viewer.get("/api/v1/alerts")
    assert mine.status_code == 200 and mine.json()["rules"] == []
    no_leak(mine.text)
    # a whole rule (a rule without its threshold is refused before anyone's rights)
    assert viewer.post("/api/v1/alerts", json={"name": "x", "kind": "sl_below",
                                               "threshold": 0.8}).status_code == 403
    assert viewer.put(f"/api/v1/alerts/{made.json()['id']}", json={
        "name": "x", "kind": "sl_below", "threshold": 0.8}).status_code == 403
    with TestClient(admin.app) as supervisor:  # tenant A's: B's rule is not there
        supervisor.headers["Authorization"] = f"Bearer {_token(supervisor, 'sup-a')}"
        changed = supervisor.put(f"/api/v1/alerts/{made.json()['id']}", json={
            "name": "x", "kind": "sl_below", "threshold": 0.1})
        assert changed.status_code == 404
        no_leak(changed.text)
    rule = next(r for r in admin.get("/api/v1/alerts").json()["rules"]
                if r["id"] == made.json()["id"])
    assert (rule["name"], rule["threshold"]) == (f"rule-{MARK}", 0.8)
    # the viewer's own tenant's rule: read, but not whom it e-mails (the supervisor
    # who manages the tenant's rules does see them)
    ours = admin.post("/api/v1/alerts", json={"name": "ours", "kind": "sl_below",
                                              "threshold": 0.8, "tenant": "A",
                                              "emails": ["boss@a.example"],
                                              "enabled": False})  # never fires here
    assert ours.status_code == 200, ours.text
    seen = next(r for r in viewer.get("/api/v1/alerts").json()["rules"] if r["name"] == "ours")
    assert (seen["emails"], seen["has_emails"]) == ([], True)
    with TestClient(admin.app) as supervisor:
        supervisor.headers["Authorization"] = f"Bearer {_token(supervisor, 'sup-a')}"
        theirs = next(r for r in supervisor.get("/api/v1/alerts").json()["rules"]
                      if r["name"] == "ours")
        assert theirs["emails"] == ["boss@a.example"]
    from omnikpi.store.models import AlertRule
    from omnikpi.store.models_live import AlertRuleOptions

    with session_scope(admin.app.state.omnikpi.database_url) as session:  # type: ignore[attr-defined]
        session.delete(session.get(AlertRuleOptions, ours.json()["id"]))
        session.delete(session.get(AlertRule, ours.json()["id"]))  # the next attack's clean


def _b_firing(admin: TestClient) -> int:
    """A firing of a tenant-B rule, written straight into the history."""
    from omnikpi.store.models import AlertEvent, AlertRule

    with session_scope(admin.app.state.omnikpi.database_url) as session:  # type: ignore[attr-defined]
        rule = AlertRule(name=f"ack-{MARK}", kind="sl_below", threshold=0.8, tenant="B")
        session.add(rule)
        session.flush()
        event = AlertEvent(rule_id=rule.id, subject=f"B / q-{MARK}", message=f"m-{MARK}")
        session.add(event)
        session.flush()
        return int(event.id)


def attack_ack(viewer: TestClient, admin: TestClient, folders: tuple[Path, Path]) -> None:
    event_id = _b_firing(admin)
    assert viewer.post(f"/api/v1/alerts/events/{event_id}/ack").status_code == 403
    with TestClient(admin.app) as supervisor:
        supervisor.headers["Authorization"] = f"Bearer {_token(supervisor, 'sup-a')}"
        answer = supervisor.post(f"/api/v1/alerts/events/{event_id}/ack")
        assert answer.status_code == 404
        no_leak(answer.text)
        assert supervisor.get("/api/v1/alerts").json()["events"] == []
    events = admin.get("/api/v1/alerts").json()["events"]
    assert next(e for e in events if e["id"] == event_id)["acknowledged_by"] is None


def attack_boards(viewer: TestClient, admin: TestClient, folders: tuple[Path, Path]) -> None:
    made = admin.post("/api/v1/boards", json={"name": f"board-{MARK}", "shared": True,
                                              "tenant": ["B"], "queue": [f"q-{MARK}"]})
    assert made.status_code == 200, made.text
    mine = viewer.get("/api/v1/boards")
    assert mine.status_code == 200
    no_leak(mine.text)
    # a viewer's own board naming tenant B is refused (it would show nothing of B)
    own = viewer.post("/api/v1/boards", json={"name": "peek", "tenant": ["B"]})
    assert own.status_code == 403
    no_leak(own.text)
    _post_today(admin)
    answer = viewer.get("/api/v1/live", params={"tenant": "B"})
    no_leak(answer.text)


def attack_boards_pages(viewer: TestClient, admin: TestClient) -> None:
    """A board of the operator's staff is not the client's to open, show on a TV or
    delete; the TV mode and the wallboard show only the viewer's tenant."""
    made = admin.post("/api/v1/boards", json={"name": f"tv-{MARK}", "shared": True,
                                              "queue": [f"q-{MARK}"]}).json()
    for path in (f"/wallboard?board={made['id']}", f"/tv?boards={made['id']}"):
        answer = viewer.get(path)
        assert answer.status_code == 404, path
        no_leak(answer.text)
    for path in ("/tv", "/wallboard?tenant=B&queue=q"):
        answer = viewer.get(path)
        assert answer.status_code == 200
        no_leak(answer.text)
    token = csrf(viewer)
    assert viewer.post(f"/wallboard/boards/{made['id']}/delete",
                       data={"csrf_token": token}).status_code == 404
    saved = viewer.post("/wallboard/boards", data={"csrf_token": token, "name": "mine",
                                                   "tenant": "B"}, follow_redirects=False)
    assert saved.status_code == 403  # a board of another tenant is not the viewer's
    no_leak(saved.text)
    saved = viewer.post("/wallboard/boards", data={"csrf_token": token, "name": "mine"},
                        follow_redirects=False)
    assert saved.status_code == 303
    page = viewer.get(saved.headers["location"])
    assert page.status_code == 200
    no_leak(page.text)
    event_id = _b_firing(admin)
    assert viewer.post(f"/alerts/events/{event_id}/ack",
                       data={"csrf_token": token}).status_code == 403


def attack_alerts_page(viewer: TestClient, admin: TestClient,
                       folders: tuple[Path, Path]) -> None:
    assert viewer.get("/alerts").status_code == 403
    assert viewer.post("/alerts", data={"name": "x", "kind": "sl_below"}).status_code == 403
    # a rule of tenant B of its own: the test does not rely on another test's rule
    made = admin.post("/api/v1/alerts", json={"name": f"page-{MARK}", "kind": "sl_below",
                                              "threshold": 0.8, "tenant": "B"})
    assert made.status_code == 200, made.text
    rules = admin.get("/api/v1/alerts").json()["rules"]
    assert viewer.post(f"/alerts/{rules[0]['id']}/delete").status_code == 403
    assert len(admin.get("/api/v1/alerts").json()["rules"]) == len(rules) >= 1
    theirs = made.json()["id"]
    assert viewer.get(f"/alerts?edit={theirs}").status_code == 403
    for action in ("edit", "pause", "resume"):
        assert viewer.post(f"/alerts/{theirs}/{action}", data={
            "name": "x", "kind": "sl_below"}).status_code == 403, action
    with TestClient(admin.app) as supervisor:  # tenant A's supervisor, on the page
        supervisor.headers["Authorization"] = f"Bearer {_token(supervisor, 'sup-a')}"
        peek = supervisor.get(f"/alerts?edit={theirs}")
        assert peek.status_code == 404 and f"page-{MARK}" not in peek.text
        for action in ("edit", "pause"):
            assert supervisor.post(f"/alerts/{theirs}/{action}", data={
                "name": "x", "kind": "sl_below", "threshold": "0.1"}).status_code == 404
    rule = next(r for r in admin.get("/api/v1/alerts").json()["rules"] if r["id"] == theirs)
    assert (rule["name"], rule["enabled"]) == (f"page-{MARK}", True)


def attack_pages(client: TestClient, folders: tuple[Path, Path]) -> None:
    """The session-cookie pages: dashboard, drill-down, builder, agents, wallboard."""
    for path in ("/", "/?tenant=B", "/?site=site-x&queue=q", "/drill?metric=offered",
                 "/drill?metric=offered&tenant=B", "/drill?metric=occupancy&part=numerator",
                 "/drill?metric=csat", "/drill?metric=accs", "/drill?metric=utilization",
                 "/drill?metric=fcr&as_of=2026-12-01", "/drill?metric=time_in_state",
                 "/drill?metric=cost_per_contact&part=excluded",
                 "/drill?metric=offered&part=excluded&sort=queue&dir=desc",
                 "/builder?metrics=offered,aht&by=queue,agent_id",
                 "/agents", "/wallboard", "/wallboard?tenant=B"):
        page = client.get(path)
        assert page.status_code == 200, path
        no_leak(page.text)
    # the source files' problems and counts concern every tenant: not a client's page
    # (a tenant's supervisor sees it without them: tests/web/test_data_quality.py)
    assert client.get("/data").status_code == 403
    # the audit log names every tenant's people and addresses: administrators only
    for path in ("/audit", "/audit.csv", "/audit?actor=root"):
        answer = client.get(path)
        assert answer.status_code == 403, path
        no_leak(answer.text)
    # another tenant's agent is not there for this viewer (a page of empty figures once
    # confirmed the id existed somewhere); their own agent's page is
    agent = client.get(f"/agents/agent-{MARK}")
    assert agent.status_code == 404
    assert f"lunch-{MARK}" not in agent.text and f"site-{MARK}" not in agent.text
    assert client.get("/agents/a1").status_code == 200


def attack_exports(client: TestClient, folders: tuple[Path, Path]) -> None:
    query = "metrics=offered,aht,cost_per_contact&by=queue"
    csv_text = client.get(f"/export.csv?{query}").text
    no_leak(csv_text)
    assert csv_text.count("\n") >= 2
    book = load_workbook(io.BytesIO(client.get(f"/export.xlsx?{query}").content))
    cells = " ".join(str(c.value) for row in book["report"].iter_rows() for c in row)
    no_leak(cells)
    assert "sales" in cells
    for metric in ("offered", "csat", "occupancy", "cost_per_contact"):
        drill_csv = client.get(f"/drill.csv?metric={metric}")
        assert drill_csv.status_code == 200, metric
        no_leak(drill_csv.text)
    assert "a-1" in client.get("/drill.csv?metric=offered").text
    drill_book = load_workbook(io.BytesIO(client.get("/drill.xlsx?metric=aht").content))
    drill_cells = " ".join(str(c.value) for row in drill_book["drill"].iter_rows()
                           for c in row)
    no_leak(drill_cells)
    assert "a-1" in drill_cells
    no_leak(client.get("/drill.csv?metric=offered&tenant=B").text)
    pdf = pdf_text(client.get(f"/export.pdf?{query}&tenant=B").content)
    no_leak(pdf)
    assert "Offered" in pdf  # the text is read (a leak would be seen)


def attack_saved(client: TestClient, admin: TestClient) -> None:
    """Saved reports are per tenant: A cannot open the operator's, nor see it listed."""
    # "Replace it" ticked: the module's app may hold the report from another test
    staff = admin.post("/builder/save", data={"name": f"staff {MARK}",
                                              "query": "metrics=offered&tenant=B",
                                              "replace": "true"},
                       follow_redirects=False)
    assert staff.status_code == 303
    assert client.get(f"/builder/definition/staff-{MARK}.toml").status_code == 404
    assert client.get(f"/builder?definition=staff-{MARK}").status_code == 404
    no_leak(client.get("/builder").text)
    saved = client.post("/builder/save", data={"name": "A weekly",
                                               "query": "metrics=offered&tenant=B",
                                               "csrf_token": csrf(client, "/builder")},
                        follow_redirects=False)
    assert saved.status_code == 303
    toml = client.get("/builder/definition/a-weekly.toml")
    assert toml.status_code == 200 and 'tenant = ["B"]' in toml.text
    # the saved filter asks for B, but running it as A's viewer still shows nothing of B
    no_leak(client.get("/builder?definition=a-weekly", follow_redirects=True).text)
    assert admin.get("/builder/definition/a-weekly.toml").status_code == 404


def attack_qa(app: FastAPI, admin: TestClient, viewer: TestClient,
              browser_viewer: TestClient) -> None:
    """QA: a client sees none of it; tenant A's supervisor sees none of B's evaluations."""
    made = admin.post("/qa/forms", data={"key": "f", "name": "F", "items": "G | x | X | 1"},
                      follow_redirects=False)
    assert made.status_code == 303
    form_id = made.headers["location"].rsplit("/", 1)[1]
    drawn = admin.post("/qa/samples", data={"name": "all", "rate": "1", "seed": "1"},
                       follow_redirects=False)
    sample_id = drawn.headers["location"].rsplit("/", 1)[1]
    page = admin.get(f"/qa/samples/{sample_id}").text
    assert MARK in page  # the administrator's sample covers tenant B
    items = dict(re.findall(r"<tr><td[^>]*>([^<]+)</td><td[^>]*>[^<]*</td><td[^>]*>[^<]*</td>"
                            r"<td[^>]*>[^<]*</td><td[^>]*>[^<]*</td><td>pending</td>\s*"
                            r"<td><a class=\"evaluate\" href=\"/qa/evaluate/(\d+)\"", page))
    b_item = next(i for c, i in items.items() if MARK in c)
    b_page = admin.get(f"/qa/evaluate/{b_item}").text
    item_field = re.search(r'name="(item_\d+)"', b_page)
    assert item_field
    evaluated = admin.post(f"/qa/evaluate/{b_item}", data={
        "form_id": form_id, item_field.group(1): "0",
        item_field.group(1).replace("item_", "kind_"): "process"}, follow_redirects=False)
    assert evaluated.status_code == 303
    b_eval = evaluated.headers["location"].rsplit("/", 1)[1]
    with session_scope(app.state.omnikpi.database_url) as session:
        create_user(session, "sup-all", PASSWORD, "supervisor", all_tenants=True)
    calibration = admin.post("/qa/calibrations", data={
        "name": f"cal {MARK}", "form_id": form_id, "contacts": f"{MARK}-1",
        "evaluators": "root sup-all", "reference": "root"}, follow_redirects=False)
    assert calibration.status_code == 303, calibration.text
    cal_id = calibration.headers["location"].rsplit("/", 1)[1]
    coached = admin.post("/qa/coaching", data={
        "subject": b_eval, "held_on": "2026-11-03", "item": ["x"],
        "actions": f"actions {MARK}"}, follow_redirects=False)
    assert coached.status_code == 303, coached.text
    b_coaching = coached.headers["location"].rsplit("/", 1)[1]
    assert MARK in admin.get("/qa/errors").text and MARK in admin.get("/qa/coaching").text
    # a client viewer: no QA at all
    for path in ("/qa", f"/qa/forms/{form_id}", f"/qa/samples/{sample_id}",
                 f"/qa/evaluate/{b_item}", f"/qa/evaluations/{b_eval}",
                 f"/qa/calibrations/{cal_id}", f"/qa/calibrations/{cal_id}/evaluate/{MARK}-1",
                 "/qa/calibrations/new", "/qa/errors", "/qa/coaching",
                 f"/qa/coaching/{b_coaching}"):
        assert browser_viewer.get(path).status_code == 403, path
    # a client account sees only the calibration sessions it is invited to
    invited = browser_viewer.get("/qa/calibrations")
    assert invited.status_code == 200
    no_leak(invited.text)
    for path in ("/api/v1/qa/evaluations", f"/api/v1/qa/calibrations/{cal_id}"):
        assert viewer.get(path).status_code == 403, path
    token = csrf(browser_viewer)
    for path, data in (("/qa/forms", {"key": "g", "name": "G", "items": "G | y | Y"}),
                       ("/qa/samples", {"name": "s", "rate": "1", "seed": "1"}),
                       (f"/qa/evaluate/{b_item}", {"form_id": form_id}),
                       (f"/qa/evaluations/{b_eval}/respond", {"action": "acknowledge"}),
                       ("/qa/calibrations", {"name": "c", "form_id": form_id,
                                             "contacts": "a-1", "evaluators": "a b",
                                             "reference": "a"}),
                       (f"/qa/calibrations/{cal_id}/evaluate/{MARK}-1", {"form_id": form_id}),
                       ("/qa/coaching", {"subject": b_eval, "held_on": "2026-11-03",
                                         "item": "x", "actions": "a"})):
        answer = browser_viewer.post(path, data={"csrf_token": token, **data})
        assert answer.status_code == 403, path
    # tenant A's supervisor: evaluates A, never sees B
    supervisor = log_in(TestClient(app), "sup-a", PASSWORD)
    for path in ("/qa", f"/qa/samples/{sample_id}", "/api/v1/qa/evaluations",
                 "/qa/calibrations", "/qa/calibrations/new", "/qa/errors",
                 "/qa/errors?kind=operator", "/qa/coaching", f"/qa/coaching?subject={b_eval}"):
        answer = supervisor.get(path)
        assert answer.status_code == 200, path
        no_leak(answer.text)
    for path in (f"/qa/evaluate/{b_item}", f"/qa/evaluations/{b_eval}",
                 f"/qa/calibrations/{cal_id}", f"/api/v1/qa/calibrations/{cal_id}",
                 f"/qa/calibrations/{cal_id}/evaluate/{MARK}-1", f"/qa/coaching/{b_coaching}"):
        assert supervisor.get(path).status_code == 404, path
    token = csrf(supervisor, "/qa")
    own = supervisor.post("/qa/samples", data={"csrf_token": token, "name": "mine",
                                               "rate": "1", "seed": "2"},
                          follow_redirects=False)
    mine = supervisor.get(own.headers["location"]).text
    no_leak(mine)
    assert "a-1" in mine
    # the administrator's sample of both tenants: A's rows, not the count of B's contacts
    # it was drawn from; B's supervisor's sample (and its volume) is not A's to open
    shared = supervisor.get(f"/qa/samples/{sample_id}").text
    summary = re.search(r'<p id="sample-summary">(.*?)</p>', shared, re.S)
    assert summary and " of " not in summary.group(1)
    other = log_in(TestClient(app), "sup-b", PASSWORD)
    theirs = other.post("/qa/samples", data={"csrf_token": csrf(other, "/qa"),
                                            "name": f"secret {MARK}", "rate": "1",
                                            "seed": "3"}, follow_redirects=False)
    assert theirs.status_code == 303
    assert supervisor.get(theirs.headers["location"]).status_code == 404
    no_leak(supervisor.get("/qa").text)
    forged = supervisor.post(f"/qa/evaluate/{b_item}", data={
        "csrf_token": token, "form_id": form_id, item_field.group(1): "0"})
    assert forged.status_code == 404
    cal_b = supervisor.post("/qa/calibrations", data={
        "csrf_token": token, "name": "peek", "form_id": form_id,
        "contacts": f"{MARK}-1", "evaluators": "sup-a x", "reference": "sup-a"})
    assert cal_b.status_code == 400 and "unknown contact" in cal_b.text
    coach_b = supervisor.post("/qa/coaching", data={
        "csrf_token": token, "subject": b_eval, "held_on": "2026-11-03", "item": "x",
        "actions": "peek"})
    assert coach_b.status_code == 404
    # tenant A's agent: their own coaching history only
    agent = log_in(TestClient(app), "agent-a", PASSWORD)
    for path in ("/qa/coaching", "/qa"):
        answer = agent.get(path)
        assert answer.status_code == 200, path
        no_leak(answer.text)
    assert agent.get(f"/qa/coaching/{b_coaching}").status_code == 404


def attack_recordings(viewer: TestClient, admin: TestClient,
                      folders: tuple[Path, Path]) -> None:
    """A call recording is reached through its contact: tenant B's is a 404 for A's
    viewer (audio, range requests, waveform), A's own plays; names never climb out."""
    for path in (f"/recordings/{MARK}-1/audio", f"/recordings/{MARK}-1/peaks.json",
                 "/recordings/..%2f..%2fcontacts.csv/audio", "/recordings/%2e%2e/audio"):
        for headers in ({}, {"Range": "bytes=0-9"}):
            answer = viewer.get(path, headers=headers)
            assert answer.status_code == 404, (path, answer.status_code)
            no_leak(answer.text)
    assert admin.get(f"/recordings/{MARK}-1/audio").status_code == 200
    own = viewer.get("/recordings/a-1/audio", headers={"Range": "bytes=0-9"})
    assert own.status_code == 206 and len(own.content) == 10
    peaks = viewer.get("/recordings/a-1/peaks.json")
    assert peaks.status_code == 200 and set(peaks.json()["peaks"]) == {"customer", "agent"}


# -- the tests -----------------------------------------------------------------------------


API_ATTACKS = {
    "/api/v1/report": attack_report,
    "/api/v1/contacts": attack_contacts,
    "/api/v1/drill": attack_drill,
    "/api/v1/audit": attack_audit,
    "/api/v1/catalog": attack_catalog,
    "/api/v1/live": attack_live,
    "/api/v1/live/stream": attack_stream,
    "/api/v1/events": attack_events,
    "/api/v1/alerts": attack_alerts,
    "/api/v1/alerts/{rule_id}": attack_alerts,
    "/api/v1/alerts/events/{event_id}/ack": attack_ack,
    "/api/v1/boards": attack_boards,
    "/recordings/{contact_id}/audio": attack_recordings,
    "/recordings/{contact_id}/peaks.json": attack_recordings,
}
PAGE_ROUTES = {"/", "/drill", "/builder", "/agents", "/agents/{agent:path}", "/agent/{agent:path}",
               "/wallboard", "/export.{fmt}", "/builder/save", "/builder/definition/{name}.toml",
               "/alerts", "/alerts/{rule_id}/delete", "/alerts/{rule_id}/edit",
               "/alerts/{rule_id}/pause", "/alerts/{rule_id}/resume", "/drill.{fmt}",
               "/alerts/events/{event_id}/ack", "/wallboard/boards",
               "/wallboard/boards/{board_id}/delete", "/tv", "/data", "/audit",
               "/audit.csv"}
QA_ROUTES = {"/qa", "/qa/forms", "/qa/forms/{form_id}", "/qa/samples",
             "/qa/samples/{sample_id}", "/qa/evaluate/{item_id}",
             "/qa/evaluations/{evaluation_id}", "/qa/evaluations/{evaluation_id}/respond",
             "/qa/calibrations", "/qa/calibrations/{calibration_id}",
             "/qa/calibrations/{calibration_id}/evaluate/{contact_id}",
             "/qa/calibrations/new", "/qa/errors", "/qa/coaching",
             "/qa/coaching/{session_id}",
             "/api/v1/qa/evaluations", "/api/v1/qa/calibrations/{calibration_id}"}
"""Attacked by ``attack_qa``."""
NO_DATA = {"/login", "/logout", "/api/v1/auth/token", "/static/plotly.min.js", "/favicon.ico",
           "/healthz"}


def test_an_agent_sees_only_their_own_rows_on_every_route(app: FastAPI,
                                                          admin: TestClient) -> None:
    """Agent a1 of tenant A: the report API, the contacts API and the drill-downs give a1's
    own rows, never a colleague's (a2's chat, their states, their evaluations) — before,
    an agent read the whole tenant there while the agent pages showed only themselves."""
    with TestClient(app) as agent:
        agent.headers["Authorization"] = f"Bearer {_token(agent, 'agent-a')}"
        report = agent.get("/api/v1/report", params={"metrics": "handled,aht,occupancy",
                                                     "by": "agent_id"})
        assert report.status_code == 200, report.text
        assert {r["agent_id"] for r in report.json()["rows"]} == {"a1"}
        oracle = admin.get("/api/v1/report", params={"metrics": "handled,aht,occupancy",
                                                     "agent_id": "a1", "tenant": "A"})
        mine = agent.get("/api/v1/report", params={"metrics": "handled,aht,occupancy"})
        assert mine.json()["rows"] == oracle.json()["rows"]
        contacts = agent.get("/api/v1/contacts", params={"size": 100}).json()
        assert sorted(r["contact_id"] for r in contacts["rows"]) == ["a-1", "a-2"]
        for metric in ("occupancy", "qa_score", "aht"):
            rows = agent.get("/api/v1/drill", params={"metric": metric, "size": 100})
            assert rows.status_code == 200, (metric, rows.text)
            agents = {r.get("agent_id") for r in rows.json()["rows"]}
            assert agents <= {"a1"}, (metric, agents)
        no_leak(agent.get("/drill.csv", params={"metric": "occupancy"}).text)
        assert "a2" not in agent.get("/drill.csv", params={"metric": "occupancy"}).text


def test_a_tenants_qa_form_is_theirs(app: FastAPI) -> None:
    """B's supervisor saved a form under the key A's supervisor used: A's /qa then listed
    only B's version, and it became the default of A's samples and calibrations; every
    tenant read every form. Now each tenant has its own shelf beside the operator's."""
    def client_of(user: str) -> TestClient:
        client = TestClient(app)
        client.headers["Authorization"] = f"Bearer {_token(client, user)}"
        return client

    def create(client: TestClient, name: str) -> int:
        answer = client.post("/qa/forms", data={
            "key": "voice-std", "name": name, "items": "Greeting | greet | 1"},
            follow_redirects=False)
        assert answer.status_code == 303, answer.text
        return int(answer.headers["location"].rsplit("/", 1)[1])

    root, sup_a, sup_b = client_of("root"), client_of("sup-a"), client_of("sup-b")
    shared = create(root, "Operator standard")
    mine = create(sup_a, "A's own standard")
    theirs = create(sup_b, f"Hijacked by {MARK}")
    listed = sup_a.get("/qa").text
    assert "A&#39;s own standard" in listed or "A's own standard" in listed
    assert "Operator standard" in listed and MARK not in listed
    assert sup_a.get(f"/qa/forms/{theirs}").status_code == 404
    assert sup_b.get(f"/qa/forms/{mine}").status_code == 404
    assert sup_b.get(f"/qa/forms/{shared}").status_code == 200
    assert root.get(f"/qa/forms/{theirs}").status_code == 200  # the operator sees all
    calibration = sup_a.post("/qa/calibrations", data={
        "name": "c", "form_id": str(theirs), "contacts": "a-1",
        "evaluators": "sup-a root", "reference": "sup-a"}, follow_redirects=False)
    assert calibration.status_code in (400, 404) and MARK not in calibration.text


def test_saved_reports_stay_on_their_shelf_and_with_their_owner(app: FastAPI) -> None:
    """An agent overwrote the client's monthly report (no owner check), and a supervisor of
    one site read and overwrote the administrators' definitions (one shelf for everyone
    without a tenant, filters on other tenants' agents included)."""
    def client_of(user: str) -> TestClient:
        client = TestClient(app)
        client.headers["Authorization"] = f"Bearer {_token(client, user)}"
        return client

    def save(client: TestClient, name: str, query: str) -> int:
        """Save with "Replace it" ticked: whose report may be replaced is the question."""
        return client.post("/builder/save", data={"name": name, "query": query,
                                                  "replace": "true"},
                           follow_redirects=False).status_code

    root, viewer, agent, sup_a, sup_kyiv = (client_of(u) for u in (
        "root", "client-a", "agent-a", "sup-a", "sup-kyiv"))
    assert save(viewer, "a-monthly", "metrics=offered&grain=month") == 303
    assert save(agent, "a-monthly", "metrics=answered&agent_id=nobody") == 400
    refused = agent.post("/builder/save?lang=uk", data={"name": "a-monthly",
                                                        "query": "metrics=aht"})
    assert "Звіт «a-monthly» зберіг інший користувач" in refused.text
    assert 'metrics = ["offered"]' in viewer.get("/builder/definition/a-monthly.toml").text
    assert save(agent, "my own", "metrics=aht") == 303
    assert save(agent, "my own", "metrics=asa") == 303  # their own, replaced
    assert save(sup_a, "a-monthly", "metrics=offered,answered&grain=month") == 303  # manages A's
    assert save(root, "vip-watch", f"metrics=offered&tenant=B&agent_id=agent-{MARK}") == 303
    assert sup_kyiv.get("/builder/definition/vip-watch.toml").status_code == 404
    assert "vip-watch" not in sup_kyiv.get("/builder").text
    assert save(sup_kyiv, "vip-watch", "metrics=aht") == 303  # their own shelf's report
    assert "agent-" + MARK in root.get("/builder/definition/vip-watch.toml").text


@pytest.mark.parametrize("route", sorted(API_ATTACKS))
def test_api_route_never_shows_another_tenant(route: str, api_viewer: TestClient,
                                              admin: TestClient,
                                              folders: tuple[Path, Path]) -> None:
    API_ATTACKS[route](api_viewer, admin, folders)


def test_pages_and_exports_never_show_another_tenant(browser_viewer: TestClient,
                                                     admin: TestClient,
                                                     folders: tuple[Path, Path]) -> None:
    attack_pages(browser_viewer, folders)
    attack_exports(browser_viewer, folders)
    attack_saved(browser_viewer, admin)
    attack_alerts_page(browser_viewer, admin, folders)
    attack_boards_pages(browser_viewer, admin)


def test_a_clients_dashboard_says_what_its_tenant_cannot_have(browser_viewer: TestClient,
                                                             admin: TestClient) -> None:
    """The client of A read "Dial attempts 0" and dashes where the administrator's
    ``tenant=A`` page said the dial tiles were not available for tenant A. Dial attempts
    belong to their agent's tenant when dialed now (B's agent dialed the only one): both
    pages give every tile the same figure, or say the same "not available"."""
    tile = re.compile(r'id="tile-\d+-(\w+)"[^>]*?data-(na|raw)="([^"]*)"')
    as_admin = {m[0]: m[1:] for m in tile.findall(admin.get("/?tenant=A").text)}
    as_client = {m[0]: m[1:] for m in tile.findall(browser_viewer.get("/").text)}
    assert as_admin["attempts"] == ("raw", "0") and as_admin["aht"][0] == "raw"
    assert as_client == as_admin
    assert as_admin != {m[0]: m[1:] for m in tile.findall(admin.get("/?tenant=B").text)}


def test_quality_assurance_never_shows_another_tenant(app: FastAPI, admin: TestClient,
                                                      viewer: TestClient,
                                                      browser_viewer: TestClient) -> None:
    attack_qa(app, admin, viewer, browser_viewer)


def test_schedules_never_show_another_tenant(app: FastAPI, admin: TestClient,
                                             browser_viewer: TestClient,
                                             tmp_path: Path) -> None:
    agent = log_in(TestClient(app), "agent-a", PASSWORD)
    attack_schedules(app, browser_viewer, admin, agent, tmp_path / "out")


def test_work_schedule_never_shows_another_tenant(app: FastAPI,
                                                  folders: tuple[Path, Path]) -> None:
    attack_wfm_schedule(app, folders[0], PASSWORD)


def test_staffing_calculator_never_shows_another_tenant(app: FastAPI) -> None:
    attack_wfm_staffing(app, PASSWORD)


def test_whatif_page_holds_no_tenant_data(app: FastAPI) -> None:
    attack_wfm_whatif(app, PASSWORD)


def test_every_route_is_attacked(app: FastAPI) -> None:
    def paths(routes: list[Any]) -> set[str]:
        found: set[str] = set()
        for route in routes:
            router = getattr(route, "original_router", None)  # an included router
            if router is not None:
                found |= paths(router.routes)  # their paths include the prefix
            else:
                found.add(getattr(route, "path", ""))
        return found

    routes = paths(app.routes)
    # the API reference, its schema and assets and the static files hold no data
    routes -= {"/static", "/openapi.json", "/docs", "/docs/assets/{name}"}
    assert routes == set(API_ATTACKS) | PAGE_ROUTES | QA_ROUTES | NO_DATA | SCHEDULE_ROUTES | \
        WFM_SCHEDULE_ROUTES | WFM_STAFFING_ROUTES | WFM_WHATIF_ROUTES


def test_anonymous_requests_are_refused(app: FastAPI) -> None:
    with TestClient(app) as anonymous:
        assert anonymous.get("/api/v1/report?metrics=offered").status_code == 401
        page = anonymous.get("/?tenant=B", follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"].startswith("/login?next=")
        assert anonymous.post("/api/v1/events", json={"table": "contacts", "rows": []}
                              ).status_code == 401
        forged = anonymous.get("/api/v1/report", headers={"Authorization": "Bearer forged"})
        assert forged.status_code == 401


def _run(client: TestClient, query: str) -> Any:
    return client.get(f"/api/v1/report?{query}").json()


def test_an_unreadable_contacts_table_is_no_traceback_for_a_bounded_viewer(
        make_app: Callable[..., FastAPI], tmp_path: Path) -> None:
    """contacts.csv that cannot be used (no arrived_at column): the scoped views of the
    tables seen through contacts (messages, surveys) referred to a view that was never
    made, and every request of a client or supervisor ended in a traceback."""
    data = write_two_tenants(tmp_path / "data")
    lines = (data / "contacts.csv").read_text().splitlines()
    header = lines[0].split(",")
    drop = header.index("arrived_at")
    (data / "contacts.csv").write_text("\n".join(
        ",".join(c for i, c in enumerate(line.split(",")) if i != drop) for line in lines)
        + "\n")
    application = make_app(data, auth_required=True)
    with session_scope(application.state.omnikpi.database_url) as session:
        create_user(session, "client-a", PASSWORD, "client", tenant="A")
    with TestClient(application) as client:
        client.headers["Authorization"] = f"Bearer {_token(client, 'client-a')}"
        for path in ("/api/v1/report?metrics=art", "/api/v1/report?metrics=csat",
                     "/api/v1/report?metrics=occupancy"):
            answer = client.get(path)
            assert answer.status_code in (200, 400, 422), (path, answer.text[-500:])
            no_leak(answer.text)
        occupancy = client.get("/api/v1/report?metrics=occupancy").json()
        assert occupancy["rows"][0]["occupancy"] is not None  # agent time still reads

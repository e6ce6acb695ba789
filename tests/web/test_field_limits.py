"""Every string a request stores has a length limit (``omnikpi.web.limits``): a queue name
of half a megabyte posted live, such a QA comment, an alert rule named so
are refused with a 4xx naming the field and its limit, and nothing of them is stored."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from omnikpi.auth.accounts import create_user
from omnikpi.cli.main import app as cli
from omnikpi.store.db import session_scope
from omnikpi.store.models import (
    AlertRule,
    LoginAttempt,
    QaCalibration,
    QaEvaluation,
    QaForm,
    QaSample,
    SavedReport,
    User,
)
from omnikpi.web.limits import LONG_TEXT_CHARS, NAME_CHARS
from tests.web.conftest import bearer_client
from tests.web.tenants import t, write_two_tenants

PASSWORD = "limits-password-1"
HUGE = "q" * (512 * 1024)
"""Half a megabyte: far over every limit, under the body limit (16 MiB) and under the size
of one form field that Starlette's parser refuses by itself (1 MiB)."""
ITEMS = "Style | greet | Greets the customer | 1 | no | no\n"


@pytest.fixture(scope="module")
def app(make_app: Callable[..., FastAPI], tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    folder = write_two_tenants(tmp_path_factory.mktemp("limits") / "data")
    application = make_app(folder, auth_required=True)
    with session_scope(application.state.omnikpi.database_url) as session:
        create_user(session, "root", PASSWORD, "admin")
        create_user(session, "agent-a", PASSWORD, "agent", tenant="A", agent_id="a1")
    return application


def _client(app: FastAPI, user: str) -> TestClient:
    return bearer_client(app, user, PASSWORD)


@pytest.fixture(scope="module")
def admin(app: FastAPI) -> Iterator[TestClient]:
    with _client(app, "root") as client:
        yield client


def count(app: FastAPI, model: type) -> int:
    with session_scope(app.state.omnikpi.database_url) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def refused(answer: object, field: str, limit: int) -> None:
    """A 4xx whose message names the field and the limit, without echoing the value."""
    status = getattr(answer, "status_code", 0)
    text = getattr(answer, "text", "")
    assert status in (400, 422), (status, text[:300])
    assert field in text and (f"{limit:,}" in text or str(limit) in text), text[:500]
    assert len(text) < 10_000, "the answer echoes the value back"


def stored_text(folder: Path) -> str:
    return "".join(p.read_text(errors="replace") for p in folder.rglob("*.jsonl"))


def test_a_huge_queue_name_posted_live_is_refused_and_not_stored(app: FastAPI,
                                                                 admin: TestClient) -> None:
    row = {"contact_id": "huge-1", "channel": "voice", "queue": HUGE, "tenant": "A",
           "arrived_at": t("09:00:00"), "first_response_at": t("09:00:05"),
           "ended_at": t("09:03:00")}
    ok = {**row, "contact_id": "fine-1", "queue": "sales"}
    answer = admin.post("/api/v1/events", json={"table": "contacts", "rows": [ok, row]})
    refused(answer, "rows[1].queue", NAME_CHARS)
    folder = app.state.omnikpi.data_path
    assert "huge-1" not in stored_text(folder) and "fine-1" not in stored_text(folder)
    # an open row (kept in .live/open.jsonl) and a long column name are refused alike
    waiting = {k: v for k, v in row.items() if k not in ("first_response_at", "ended_at")}
    refused(admin.post("/api/v1/events", json={"table": "contacts", "rows": [waiting]}),
            "rows[0].queue", NAME_CHARS)
    named = {**ok, "contact_id": "fine-2", "x" * 1000: "1"}
    answer = admin.post("/api/v1/events", json={"table": "contacts", "rows": [named]})
    assert answer.status_code in (400, 422) and "column name" in answer.text
    nested = {**ok, "contact_id": "fine-3", "queue": {"deep": HUGE}}
    answer = admin.post("/api/v1/events", json={"table": "contacts", "rows": [nested]})
    assert answer.status_code in (400, 422) and "rows[0].queue" in answer.text
    assert len(answer.text) < 10_000
    assert "fine-" not in stored_text(folder)
    # within the limits the same row is accepted
    fine = admin.post("/api/v1/events", json={"table": "contacts", "rows": [
        {**ok, "queue": "q" * NAME_CHARS}]})
    assert fine.status_code == 200 and fine.json()["accepted"] == 1, fine.text


def test_alert_rules_have_length_limits(app: FastAPI, admin: TestClient) -> None:
    before = count(app, AlertRule)
    refused(admin.post("/api/v1/alerts", json={"name": HUGE, "kind": "sl_below"}),
            "name", NAME_CHARS)
    refused(admin.post("/api/v1/alerts", json={"name": "r", "kind": "sl_below",
                                               "queue": HUGE}), "queue", NAME_CHARS)
    refused(admin.post("/alerts", data={"name": "r", "kind": "sl_below", "tenant": HUGE}),
            "tenant", NAME_CHARS)
    assert count(app, AlertRule) == before


def test_an_alert_rule_s_scope_is_one_it_can_have(app: FastAPI, admin: TestClient) -> None:
    """An agent alert narrowed to a queue fired for every agent (an agent has no queue):
    refused, on the API and in the page's language; a control character in a rule's
    field (refused by the boards' filters) is refused too."""
    before = count(app, AlertRule)
    answer = admin.post("/api/v1/alerts", json={
        "name": "r", "kind": "not_ready_over", "threshold": 600, "queue": "sales"})
    assert answer.status_code == 422 and "leave the queue empty" in answer.text
    answer = admin.post("/api/v1/alerts", json={
        "name": "r", "kind": "sl_below", "threshold": 0.8, "queue": "\u0000"})
    assert answer.status_code == 400 and "control character" in answer.text
    page = admin.post("/alerts?lang=ru", data={
        "name": "late\tnight", "kind": "sl_below", "threshold": "0.8"})
    assert page.status_code == 400 and "управляющий символ" in page.text
    assert 'value="late\tnight"' in page.text  # the form as typed
    page = admin.post("/alerts?lang=uk", data={
        "name": "r", "kind": "not_ready_over", "threshold": "600", "queue": "sales"})
    assert page.status_code == 422
    assert "залиште чергу порожньою" in page.text
    assert count(app, AlertRule) == before
    fine = admin.post("/api/v1/alerts", json={
        "name": "r", "kind": "not_ready_over", "threshold": 600, "channel": "voice"})
    assert fine.status_code == 200, fine.text


def _form(admin: TestClient) -> str:
    made = admin.post("/qa/forms", data={"key": "calls", "name": "Calls", "items": ITEMS},
                      follow_redirects=False)
    assert made.status_code == 303, made.text
    return str(made.headers["location"].rsplit("/", 1)[1])


def test_qa_forms_samples_and_calibrations_have_length_limits(app: FastAPI,
                                                              admin: TestClient) -> None:
    forms = count(app, QaForm)
    refused(admin.post("/qa/forms", data={"key": "k", "name": HUGE, "items": ITEMS}),
            "name", NAME_CHARS)
    refused(admin.post("/qa/forms", data={"key": "k", "name": "n",
                                          "items": f"G | k | {HUGE}"}),
            "items", LONG_TEXT_CHARS)
    refused(admin.post("/qa/forms", data={"key": "k", "name": "n",
                                          "items": f"{'g' * 1000} | k | text"}),
            "group", NAME_CHARS)
    assert count(app, QaForm) == forms
    samples = count(app, QaSample)
    refused(admin.post("/qa/samples", data={"name": HUGE, "rate": "1", "seed": "1"}),
            "name", NAME_CHARS)
    refused(admin.post("/qa/samples", data={"name": "s", "rate": "1", "seed": "1",
                                            "evaluator": HUGE}), "evaluator", NAME_CHARS)
    assert count(app, QaSample) == samples
    form_id = _form(admin)
    calibrations = count(app, QaCalibration)
    refused(admin.post("/qa/calibrations", data={
        "name": HUGE, "form_id": form_id, "contacts": "a-1", "evaluators": "root x",
        "reference": "root"}), "name", NAME_CHARS)
    refused(admin.post("/qa/calibrations", data={
        "name": "c", "form_id": form_id, "contacts": "a-1", "evaluators": HUGE,
        "reference": "root"}), "evaluators", LONG_TEXT_CHARS)
    assert count(app, QaCalibration) == calibrations


def test_qa_comments_and_disputes_have_length_limits(app: FastAPI,
                                                     admin: TestClient) -> None:
    form_id = _form(admin)
    drawn = admin.post("/qa/samples", data={"name": "all", "rate": "1", "seed": "1",
                                            "form_id": form_id}, follow_redirects=False)
    assert drawn.status_code == 303, drawn.text
    page = admin.get(drawn.headers["location"]).text
    item_id = next(i for c, i in re.findall(
        r"<tr><td[^>]*>([^<]+)</td>.*?href=\"/qa/evaluate/(\d+)\"", page, re.S) if c == "a-1")
    field = re.search(r'name="(item_\d+)"', admin.get(f"/qa/evaluate/{item_id}").text)
    assert field
    evaluations = count(app, QaEvaluation)
    answer = admin.post(f"/qa/evaluate/{item_id}", data={
        "form_id": form_id, field.group(1): "1", "comment": HUGE})
    refused(answer, "comment", LONG_TEXT_CHARS)
    assert count(app, QaEvaluation) == evaluations
    done = admin.post(f"/qa/evaluate/{item_id}", data={
        "form_id": form_id, field.group(1): "1", "comment": "c" * LONG_TEXT_CHARS},
        follow_redirects=False)
    assert done.status_code == 303, done.text
    evaluation = done.headers["location"].rsplit("/", 1)[1]
    with _client(app, "agent-a") as agent:
        answer = agent.post(f"/qa/evaluations/{evaluation}/respond",
                            data={"action": "dispute", "comment": HUGE})
        refused(answer, "comment", LONG_TEXT_CHARS)
    with session_scope(app.state.omnikpi.database_url) as session:
        stored = session.get(QaEvaluation, int(evaluation))
        assert stored is not None and stored.status == "submitted"
        assert stored.agent_comment == ""


def test_saved_reports_and_logins_have_length_limits(app: FastAPI, admin: TestClient) -> None:
    saved = count(app, SavedReport)
    refused(admin.post("/builder/save", data={"name": "weekly", "query": "metrics=" + HUGE}),
            "query", LONG_TEXT_CHARS)
    assert count(app, SavedReport) == saved
    attempts = count(app, LoginAttempt)
    with TestClient(app) as anonymous:
        refused(anonymous.post("/api/v1/auth/token", data={"username": HUGE,
                                                          "password": "x"}),
                "username", NAME_CHARS)
    assert count(app, LoginAttempt) == attempts


def test_accounts_and_keys_have_length_limits(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'accounts.db'}"
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "upgrade", "--database-url", url]).exit_code == 0
    long_name = "u" * (NAME_CHARS + 1)
    for args in (["users", "add", long_name, "--role", "admin"],
                 ["users", "add", "viewer", "--role", "client", "--tenant", long_name],
                 ["users", "add", "lead", "--role", "supervisor", "--site", long_name],
                 ["apikeys", "add", long_name]):
        result = runner.invoke(cli, [*args, "--database-url", url], input="plum tractor velvet\n")
        assert result.exit_code == 2, (args, result.output)
        assert f"at most {NAME_CHARS}" in result.output and "Traceback" not in result.output
    with session_scope(url) as session:
        assert session.scalar(select(func.count()).select_from(User)) == 0

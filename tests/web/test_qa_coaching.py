"""Sampling, calibration and coaching in the web app, on the two-tenant dataset
(tenant A: site kyiv, agents a1 and a2; tenant B: everything named ``bsecret``).

Hand-worked numbers: a calibration of a-1 and a-2 with the kyiv site supervisor as the
reference (greet ✓, correct ✓ on both) and the client's quality lead (greet ✗ on both,
correct ✓): the lead's deviation is −1.00 on greet and +0.00 on correct. Coaching of a1
on greet: one evaluation 10 days before (greet ✗ = 0 %), one after (greet ✓ = 100 %).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update

from omnikpi.auth.accounts import create_user
from omnikpi.store.db import session_scope
from omnikpi.store.models import QaEvaluation
from tests.web.conftest import csrf, log_in
from tests.web.tenants import MARK, write_two_tenants

PASSWORD = "coaching-pass-1"
ITEMS = ("Style | greet | Greets by the standard | 1 | no | no\n"
         "Content | correct | Gives correct information | 3 | yes | no\n")


@pytest.fixture(scope="module")
def app(make_app: Callable[..., FastAPI], tmp_path_factory: pytest.TempPathFactory
        ) -> FastAPI:
    data = write_two_tenants(tmp_path_factory.mktemp("coaching") / "data")
    application = make_app(data, auth_required=True, live_updates=False)
    with session_scope(application.state.omnikpi.database_url) as session:
        create_user(session, "lead", PASSWORD, "admin")
        create_user(session, "kyiv-sup", PASSWORD, "supervisor", tenant="A", sites=["kyiv"])
        create_user(session, "lviv-sup", PASSWORD, "supervisor", tenant="A", sites=["lviv"])
        create_user(session, "a-quality", PASSWORD, "client", tenant="A")
        create_user(session, "a-viewer", PASSWORD, "client", tenant="A")
        create_user(session, "a1-person", PASSWORD, "agent", tenant="A", agent_id="a1")
        create_user(session, "a2-person", PASSWORD, "agent", tenant="A", agent_id="a2")
    lead = log_in(TestClient(application), "lead", PASSWORD)
    made = lead.post("/qa/forms", data={"csrf_token": csrf(lead, "/qa"), "key": "calls",
                                        "name": "Calls", "items": ITEMS},
                     follow_redirects=False)
    assert made.status_code == 303
    return application


def login(app: FastAPI, user: str) -> TestClient:
    return log_in(TestClient(app), user, PASSWORD)


def fields(page: str) -> dict[str, str]:
    """Item key → the answer field's name on an evaluation page."""
    return {k: n for n, k in re.findall(r'name="(item_\d+)" value="0" data-key="([^"]+)"',
                                        page)}


def answer(client: TestClient, url: str, scores: dict[str, str],
           kinds: dict[str, str] | None = None) -> TestClient:
    page = client.get(url)
    assert page.status_code == 200, page.text
    names = fields(page.text)
    form_id = re.search(r'name="form_id" value="(\d+)"', page.text)
    assert form_id
    data = {"csrf_token": csrf(client, url), "form_id": form_id.group(1),
            **{names[k]: v for k, v in scores.items()},
            **{names[k].replace("item_", "kind_"): v for k, v in (kinds or {}).items()}}
    return client.post(url, data=data, follow_redirects=False)  # type: ignore[return-value]


def calibrate(kyiv: TestClient, name: str, evaluators: list[str]) -> tuple[str, str]:
    """A calibration session of a1's contacts a-1 and a-2 started by ``kyiv`` (the
    reference) with ``evaluators``: its address and the form's id."""
    found = kyiv.get("/qa/calibrations/new?agent=a1").text
    form_id = re.search(r'name="form_id"><option value="(\d+)"', found)
    assert form_id
    made = kyiv.post("/qa/calibrations", data={
        "csrf_token": csrf(kyiv, "/qa/calibrations/new?agent=a1"), "name": name,
        "form_id": form_id.group(1), "reference": "kyiv-sup",
        "contact": ["a-1", "a-2"], "evaluator": evaluators}, follow_redirects=False)
    assert made.status_code == 303, made.text
    return made.headers["location"], form_id.group(1)


def sample_items(client: TestClient) -> dict[str, int]:
    """Contact → sample item id of a new 100 % sample drawn by ``client``."""
    drawn = client.post("/qa/samples", data={"csrf_token": csrf(client, "/qa"), "name": "all",
                                             "rate": "1", "seed": "1"},
                        follow_redirects=False)
    page = client.get(drawn.headers["location"]).text
    return {c: int(i) for c, i in re.findall(
        r'<tr><td[^>]*>([^<]+)</td>.*?href="/qa/evaluate/(\d+)"', page, re.S)}


def test_the_form_starts_unanswered_and_refuses_a_missing_item(app: FastAPI) -> None:
    lead = login(app, "lead")
    items = sample_items(lead)
    page = lead.get(f"/qa/evaluate/{items['a-1']}").text
    assert "checked" not in page.split('id="evaluation-form"')[1].split("</form>")[0]
    refused = answer(lead, f"/qa/evaluate/{items['a-1']}", {"greet": "1"})
    assert refused.status_code == 400 and "Gives correct information" in refused.text
    assert "score every item" in refused.text


def test_error_kinds_feed_the_process_report_and_coaching(app: FastAPI) -> None:
    lead = login(app, "lead")
    items = sample_items(lead)
    done = answer(lead, f"/qa/evaluate/{items['a-4']}", {"greet": "0", "correct": "0"},
                  {"greet": "operator", "correct": "process"})
    assert done.status_code == 303, done.text
    evaluation = lead.get(done.headers["location"]).text
    assert "process error" in evaluation and "operator error" in evaluation
    report = lead.get("/qa/errors").text
    rows = re.findall(r"<tr><td><span[^>]*>([^<]+)</span>.*?</td><td[^>]*>([^<]+)</td>"
                      r"<td>(\d+)</td><td>(\d+)</td><td>([^<]+)</td></tr>", report)
    assert rows == [("Gives correct information", "web", "1", "1", "100 %")]
    operator = lead.get("/qa/errors?kind=operator").text
    assert "Greets by the standard" in operator and "Gives correct information" not in operator
    # the operator error is proposed (ticked) when coaching a2
    subject = re.search(r'<option value="(\d+)"[^>]*>a2', lead.get("/qa/coaching").text)
    assert subject
    proposal = lead.get(f"/qa/coaching?subject={subject.group(1)}").text
    assert "operator errors: 1" in proposal  # a count after a label: no "1 … errors"
    # offered by form and key (calls/greet), as exported: forms share keys
    assert re.search(r'value="calls/greet" checked', proposal)
    assert not re.search(r'value="calls/correct" checked', proposal)
    assert lead.get("/qa/errors?kind=nobody").status_code == 400
    # a superscript two is a digit to isdigit() and none to int(): the page said 500
    for odd, status in (("²", 400), ("9" * 30, 400), ("0", 400), ("9" * 5000, 422)):
        refused = lead.get("/qa/coaching", params={"subject": odd})
        assert refused.status_code == status, (odd[:5], refused.status_code)


def test_calibration_by_a_site_supervisor_with_the_clients_quality_lead(app: FastAPI
                                                                        ) -> None:
    kyiv = login(app, "kyiv-sup")
    for field, word in (("agent", "Agent"), ("queue", "Queue")):
        # a NUL in the search was a 500 (DuckDB's parser)
        refused = kyiv.get(f"/qa/calibrations/new?{field}=a%00b")
        assert refused.status_code == 400
        assert f"“{word}”: the value holds a NUL" in refused.text.replace("&#34;", '"')
    found = kyiv.get("/qa/calibrations/new?agent=a1").text
    assert re.findall(r'name="contact" value="([^"]+)"', found) == ["a-2", "a-1"]
    people = re.findall(r'name="evaluator" value="([^"]+)"', found)
    assert {"kyiv-sup", "a-quality", "lead"} <= set(people) and "lviv-sup" not in people
    assert MARK not in kyiv.get("/qa/calibrations/new").text
    url, form_id = calibrate(kyiv, "kyiv week", ["kyiv-sup", "a-quality"])
    assert kyiv.get(url).status_code == 200  # was 404 for a site supervisor
    assert login(app, "lviv-sup").get(url).status_code == 404
    assert login(app, "a-viewer").get(url).status_code == 403  # not invited
    quality = login(app, "a-quality")
    invited = quality.get("/qa/calibrations").text
    assert "kyiv week" in invited and '<a href="/qa/calibrations">Calibration</a>' in invited
    for contact in ("a-1", "a-2"):
        assert answer(kyiv, f"{url}/evaluate/{contact}",
                      {"greet": "1", "correct": "1"}).status_code == 303
    # the quality lead has scored nothing yet: the others' scores and results stay hidden
    blind = quality.get(url).text
    assert 'id="calibration-blind"' in blind and 'id="score-alpha"' not in blind
    assert 'id="calibration-items"' not in blind and "100.0" not in blind
    # and the API as hidden (it returned the reference's scores and the results)
    api = "/api/v1" + url
    hidden = quality.get(api).json()
    assert hidden["blind"] is True and hidden["scores"] == {
        "a-quality": {"a-1": None, "a-2": None}}
    assert hidden["scored"] == {"kyiv-sup": ["a-1", "a-2"], "a-quality": []}
    assert not {"items", "score_alpha", "versus_reference", "deviations"} & set(hidden)
    assert kyiv.get(api).json()["blind"] is False  # the reference has scored them all
    for contact in ("a-1", "a-2"):
        assert answer(quality, f"{url}/evaluate/{contact}",
                      {"greet": "0", "correct": "1"}).status_code == 303
    assert 'id="calibration-blind"' not in quality.get(url).text
    whole = quality.get(api).json()
    assert whole["blind"] is False and whole["scores"]["kyiv-sup"] == {"a-1": 100.0,
                                                                       "a-2": 100.0}
    # each contact is scored once: a second score (after seeing the others') is refused
    again = quality.get(f"{url}/evaluate/a-1", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == url
    form = {"csrf_token": csrf(quality, url), "form_id": form_id, "comment": ""}
    second = quality.post(f"{url}/evaluate/a-1", data=form)
    assert second.status_code == 400 and "already scored" in second.text
    report = kyiv.get(f"/api/v1/qa/calibrations/{url.rsplit('/', 1)[1]}").json()
    assert report["deviations"] == {"a-quality": {"greet": -1.0, "correct": 0.0}}
    assert report["evaluations"] == report["expected"] == 4
    page = kyiv.get(url).text
    assert "−1.00" in page or "-1.00" in page
    # the items by their text (the key in its title), not by their key alone, in the
    # deviation table's headers too
    assert re.search(r'<td translate="no" title="greet">[^<]+</td>', page)
    assert '<td translate="no" title="greet">greet</td>' not in page
    assert '<th translate="no" title="greet">Greets by the standard</th>' in page
    assert "−1,00" in kyiv.get(url, params={"lang": "ru"}).text.replace("-1,00", "−1,00")
    # an account that may not see the contacts cannot be invited
    refused = kyiv.post("/qa/calibrations", data={
        "csrf_token": csrf(kyiv, "/qa"), "name": "x", "form_id": form_id,
        "reference": "kyiv-sup", "contact": ["a-1"], "evaluator": ["lviv-sup"]})
    assert refused.status_code == 400 and "lviv-sup" in refused.text
    # the same form sent by a browser (it asks for HTML): a page saying so, not JSON
    shown = kyiv.post("/qa/calibrations", headers={"Accept": "text/html,*/*;q=0.8"}, data={
        "csrf_token": csrf(kyiv, "/qa"), "name": "x", "form_id": form_id,
        "reference": "kyiv-sup", "contact": ["a-1"], "evaluator": ["lviv-sup"]})
    assert shown.status_code == 400 and shown.headers["content-type"].startswith("text/html")
    assert "lviv-sup" in shown.text and '"detail"' not in shown.text


def test_a_calibration_without_two_accounts_says_what_it_needs(
        make_app: Callable[..., FastAPI], tmp_path_factory: pytest.TempPathFactory) -> None:
    """The demo without logins has no accounts: the new session's page says a calibration
    needs two accounts (before, an empty list and a form refused with raw JSON)."""
    demo = TestClient(make_app(write_two_tenants(tmp_path_factory.mktemp("data"))))
    page = demo.get("/qa/calibrations/new?agent=a1")
    assert page.status_code == 200
    assert 'id="calibration-needs-accounts"' in page.text
    assert 'id="calibration-form"' not in page.text
    russian = demo.get("/qa/calibrations/new?agent=a1&lang=ru").text
    assert "нужны как минимум две учётные записи" in russian


def test_coaching_shows_item_scores_before_and_after(app: FastAPI) -> None:
    lead = login(app, "lead")
    items = sample_items(lead)
    before = answer(lead, f"/qa/evaluate/{items['a-1']}", {"greet": "0", "correct": "1"})
    assert before.status_code == 303
    before_id = int(before.headers["location"].rsplit("/", 1)[1])
    with session_scope(app.state.omnikpi.database_url) as session:
        session.execute(update(QaEvaluation).where(QaEvaluation.id == before_id).values(
            evaluated_at=datetime.now(UTC) - timedelta(days=10)))
    after = answer(lead, f"/qa/evaluate/{items['a-2']}", {"greet": "1", "correct": "1"})
    assert after.status_code == 303
    subject = re.search(r'<option value="(\d+)"[^>]*>a1', lead.get("/qa/coaching").text)
    assert subject
    held = date.today() - timedelta(days=5)
    made = lead.post("/qa/coaching", data={
        "csrf_token": csrf(lead, "/qa/coaching"), "subject": subject.group(1),
        "held_on": held.isoformat(), "follow_up_on": date.today().isoformat(),
        "item": ["calls/greet"], "actions": "Use the standard greeting"},
        follow_redirects=False)
    assert made.status_code == 303, made.text
    page = lead.get(made.headers["location"]).text
    row = re.search(r'data-item="calls/greet">.*?class="before">([^<]+)</td><td>(\d+)</td>\s*'
                    r'<td class="after">([^<]+)</td><td>(\d+)</td>\s*<td[^>]*>([^<]+)</td>',
                    page, re.S)
    assert row and row.groups() == ("0 %", "1", "100 %", "1", "+100")
    # the agent sees their history and the session; another agent does not
    mine = login(app, "a1-person")
    history = mine.get("/qa/coaching").text
    assert "Use the standard greeting" not in history and "greet" in history
    assert mine.get(made.headers["location"]).status_code == 200
    assert login(app, "a2-person").get(made.headers["location"]).status_code == 404
    assert "coaching-form" not in history  # an agent cannot create sessions
    refused = mine.post("/qa/coaching", data={
        "csrf_token": csrf(mine, "/qa/coaching"), "subject": subject.group(1),
        "held_on": held.isoformat(), "item": ["greet"], "actions": "x"})
    assert refused.status_code == 403
    bad = lead.post("/qa/coaching", data={
        "csrf_token": csrf(lead, "/qa/coaching"), "subject": subject.group(1),
        "held_on": held.isoformat(), "follow_up_on": (held - timedelta(days=1)).isoformat(),
        "item": ["greet"], "actions": "x"})
    assert bad.status_code == 400 and "follow-up" in bad.text


def test_a_risk_weighted_sample_from_the_page(app: FastAPI) -> None:
    lead = login(app, "lead")
    drawn = lead.post("/qa/samples", data={"csrf_token": csrf(lead, "/qa"), "name": "risky",
                                           "rate": "0.01", "seed": "4", "min_per_agent": "1",
                                           "risk": "1"}, follow_redirects=False)
    assert drawn.status_code == 303, drawn.text
    page = lead.get(drawn.headers["location"]).text
    # one contact per agent (a1, a2, agent-bsecret); a1's negative survey (a-2) weighs 4×
    assert len(re.findall(r'href="/qa/evaluate/\d+"', page)) == 3




def test_the_cli_reads_the_same_errors_and_coaching(app: FastAPI) -> None:
    """After the tests above: one process error (correct, queue web), one coaching session
    of a1 on greet with 0 → 1."""
    from typer.testing import CliRunner

    from omnikpi.cli.main import app as cli

    url = app.state.omnikpi.database_url
    errors = CliRunner().invoke(cli, ["qa", "errors", "--format", "json",
                                      "--database-url", url])
    assert errors.exit_code == 0, errors.output
    assert json.loads(errors.output) == [{"item": "correct", "text":
                                          "Gives correct information", "queue": "web",
                                          "errors": 1, "evaluations": 1}]
    coaching = CliRunner().invoke(cli, ["qa", "coaching", "--agent", "a1", "--format",
                                        "json", "--database-url", url])
    assert coaching.exit_code == 0, coaching.output
    [session] = json.loads(coaching.output)
    assert (session["agent_id"], session["tenant"]) == ("a1", "A")  # ids repeat per client
    table = CliRunner().invoke(cli, ["qa", "coaching", "--agent", "a1", "--database-url",
                                     url], env={"COLUMNS": "200"})
    assert re.search(r"│ a1\s+│ A\s+│", table.output), table.output
    # a misspelt agent printed an empty table and no word
    nobody = CliRunner().invoke(cli, ["qa", "coaching", "--agent", "nobody",
                                      "--database-url", url])
    assert nobody.exit_code == 0 and "┏" not in nobody.output
    assert "no coaching session of agent 'nobody'" in " ".join(nobody.output.split())
    assert session["items"] == [{"item": "calls/greet", "text": "Greets by the standard",
                                 "before": 0.0, "before_count": 1, "after": 1.0,
                                 "after_count": 1}]
    wrong = CliRunner().invoke(cli, ["qa", "errors", "--kind", "nobody", "--database-url",
                                     url])
    assert wrong.exit_code != 0 and "operator" in wrong.output
    drawn = CliRunner().invoke(cli, ["qa", "sample", "--data",
                                     str(app.state.omnikpi.data_path), "--rate", "0.01",
                                     "--seed", "4", "--risk", "--format", "json"])
    assert drawn.exit_code == 0, drawn.output
    body = json.loads(drawn.output)
    assert len(body["sample"]) == 3 and body["population"] == 6
    assert set(body["flags"]) == set(body["sample"])


def test_a_calibrations_scores_are_hidden_from_the_blind_and_from_the_agent(
        app: FastAPI) -> None:
    """The session page hid the others' scores from an evaluator still scoring, but the
    evaluations API listed them, /qa/evaluations/ID opened them, and the agent whose
    contacts were calibrated saw them and could dispute an exercise."""
    kyiv, lead = login(app, "kyiv-sup"), login(app, "lead")
    url, _ = calibrate(kyiv, "blind week", ["kyiv-sup", "lead"])
    for contact in ("a-1", "a-2"):
        assert answer(kyiv, f"{url}/evaluate/{contact}",
                      {"greet": "1", "correct": "1"}).status_code == 303

    by_kyiv = [e["id"] for e in kyiv.get("/api/v1/qa/evaluations").json()
               if e["calibration"] and e["evaluator"] == "kyiv-sup"]
    newest = sorted(by_kyiv)[-2:]  # this session's two (the list is newest first)
    assert len(newest) == 2
    listed_to_lead = {e["id"] for e in lead.get("/api/v1/qa/evaluations").json()}
    assert not set(newest) & listed_to_lead
    for evaluation_id in newest:
        assert lead.get(f"/qa/evaluations/{evaluation_id}").status_code == 404
        assert kyiv.get(f"/qa/evaluations/{evaluation_id}").status_code == 200
    person = login(app, "a1-person")
    assert not [e for e in person.get("/api/v1/qa/evaluations").json() if e["calibration"]]
    disputed = person.post(f"/qa/evaluations/{newest[0]}/respond", data={
        "csrf_token": csrf(person, "/qa"), "action": "dispute", "comment": "not mine"},
        follow_redirects=False)
    assert disputed.status_code == 404
    for contact in ("a-1", "a-2"):  # scored: no longer blind
        assert answer(lead, f"{url}/evaluate/{contact}",
                      {"greet": "0", "correct": "1"}).status_code == 303
    listed_to_lead = {e["id"] for e in lead.get("/api/v1/qa/evaluations").json()}
    assert set(newest) <= listed_to_lead
    assert lead.get(f"/qa/evaluations/{newest[0]}").status_code == 200


def test_coaching_before_any_evaluation_says_what_it_needs(
        make_app: Callable[..., FastAPI], tmp_path: Path) -> None:
    """No evaluation yet: the page showed an empty agent list with "Choose", which sent
    ``?subject=`` and answered 422 ("subject: «» is not a whole number")."""
    application = make_app(write_two_tenants(tmp_path / "data"), auth_required=True,
                           live_updates=False)
    with session_scope(application.state.omnikpi.database_url) as session:
        create_user(session, "lead", PASSWORD, "admin")
    lead = login(application, "lead")
    page = lead.get("/qa/coaching?lang=uk")
    assert page.status_code == 200
    assert 'id="coaching-agent"' not in page.text
    assert "Жоден оператор ще не має надісланої оцінки" in page.text
    assert lead.get("/qa/coaching?subject=").status_code == 200

"""A calibration session keeps its contact ids whole, a space in one included.

The session stored its contacts joined with spaces and every reader split on them: a
contact id with a space ("o 1", which the data model allows), ticked on the set-up page,
became the contacts "o" and "1" that do not exist — a bounded evaluator was refused the
session, nobody could score "o 1", and the report counted 2 of 6 evaluations. The ids are
kept as a JSON array now; a session saved before (ids separated by spaces) reads as before.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from omnikpi.auth.accounts import create_user
from omnikpi.store.db import session_scope
from omnikpi.store.models import QaCalibration
from tests.web.conftest import csrf, log_in

PASSWORD = "calibration-ids-pw"
ITEMS = ("Style | greet | Greets by the standard | 1 | no | no\n"
         "Style | close | Closes by the standard | 1 | no | no\n")
HEADER = re.compile(r'<table class="contacts" id="calibration-scores"><thead><tr>'
                    r"<th>[^<]*</th>(.*?)</tr></thead>", re.S)
ANSWER = re.compile(r'name="(item_\d+)" value="0" data-key="([^"]+)"')


def _data(folder: Path) -> Path:
    """Three handled calls of tenant A at site kyiv; one id has a space."""
    folder.mkdir(parents=True)
    rows = [f"{cid},voice,sales,kyiv,A,cust-{n},2026-11-02T09:0{n}:00Z,"
            f"2026-11-02T09:0{n}:10Z,2026-11-02T09:0{n}:50Z,a1"
            for n, cid in enumerate(("o 1", "c1", "c2"), start=1)]
    (folder / "contacts.csv").write_text(
        "contact_id,channel,queue,site,tenant,customer_id,arrived_at,first_response_at,"
        "ended_at,agent_id\n" + "".join(r + "\n" for r in rows))
    return folder


@pytest.fixture
def app(make_app: Callable[..., FastAPI], tmp_path: Path) -> FastAPI:
    made = make_app(_data(tmp_path / "data"), auth_required=True, live_updates=False,
                    scheduler=False)
    with session_scope(made.state.omnikpi.database_url) as session:
        create_user(session, "lead", PASSWORD, "admin")
        create_user(session, "e1", PASSWORD, "supervisor", sites=["kyiv"])  # bounded
    lead = log_in(TestClient(made), "lead", PASSWORD)
    assert lead.post("/qa/forms", data={"csrf_token": csrf(lead, "/qa"), "key": "calls",
                                        "name": "Calls", "pass_score": "70",
                                        "items": ITEMS}, follow_redirects=False
                     ).status_code == 303
    return made


def _contacts_shown(client: TestClient, url: str) -> list[str]:
    page = client.get(url)
    assert page.status_code == 200, page.text
    header = HEADER.search(page.text)
    assert header, page.text
    return re.findall(r'<th translate="no">([^<]*)</th>', header.group(1))


def _score(client: TestClient, session_url: str, contact: str, greet: str,
           close: str) -> None:
    url = f"{session_url}/evaluate/{quote(contact)}"
    page = client.get(url)
    assert page.status_code == 200, page.text
    assert f'<span translate="no">{contact}</span>' in page.text
    keys = {key: name for name, key in ANSWER.findall(page.text)}
    assert set(keys) == {"greet", "close"}
    done = client.post(url, data={"csrf_token": csrf(client, "/qa/calibrations"),
                                  "form_id": "1", keys["greet"]: greet,
                                  keys["close"]: close}, follow_redirects=False)
    assert done.status_code == 303, done.text


def test_a_contact_id_with_a_space_stays_one_contact_of_the_session(app: FastAPI) -> None:
    lead = log_in(TestClient(app), "lead", PASSWORD)
    setup = lead.get("/qa/calibrations/new")
    assert setup.status_code == 200
    ticked = re.findall(r'<input type="checkbox" name="contact" value="([^"]*)"', setup.text)
    assert "o 1" in ticked and "c2" in ticked
    made = lead.post("/qa/calibrations", data={
        "csrf_token": csrf(lead, "/qa/calibrations/new"), "name": "spaces", "form_id": "1",
        "reference": "lead", "contact": ["o 1", "c2"], "evaluator": ["lead", "e1"]},
        follow_redirects=False)
    assert made.status_code == 303, made.text
    session_url = made.headers["location"]
    number = int(session_url.rsplit("/", 1)[1])

    e1 = log_in(TestClient(app), "e1", PASSWORD)
    # the bounded evaluator lists it, and is told they are invited
    assert re.search(r'translate="no">spaces</a> · you are invited</li>',
                     e1.get("/qa/calibrations").text)
    for client in (lead, e1):
        assert _contacts_shown(client, session_url) == ["o 1", "c2"]
    assert lead.get(f"{session_url}/evaluate/o").status_code == 404
    assert "contact 1 / 2" in lead.get(f"{session_url}/evaluate/{quote('o 1')}").text

    # lead: "o 1" both items met (100), c2 greet only (50);
    # e1:   "o 1" both met (100), c2 neither (0)
    _score(lead, session_url, "o 1", "1", "1")
    _score(lead, session_url, "c2", "1", "0")
    _score(e1, session_url, "o 1", "1", "1")
    _score(e1, session_url, "c2", "0", "0")

    page = lead.get(session_url)
    assert page.status_code == 200 and "4 / 4" in page.text
    report = lead.get(f"/api/v1/qa/calibrations/{number}").json()
    assert report["blind"] is False
    assert report["contacts"] == ["o 1", "c2"]
    assert (report["evaluations"], report["expected"]) == (4, 4)
    assert report["scores"] == {"lead": {"o 1": 100.0, "c2": 50.0},
                                "e1": {"o 1": 100.0, "c2": 0.0}}
    items = {r["item"]: r["spread"] for r in report["items"]}
    # greet: "o 1" 1,1 → sd 0; c2 1,0 → sd 0.5; mean 0.25. close: 1,1 and 0,0 → 0
    assert items == {"greet": pytest.approx(0.25), "close": pytest.approx(0.0)}
    (versus,) = report["versus_reference"]
    # |100 − 100| and |0 − 50| → 25; verdicts (pass ≥ 70): pass/fail both times
    assert versus == {"evaluator": "e1", "contacts": 2,
                      "mean_abs_difference": pytest.approx(25.0), "same_verdict": 1.0}
    # e1 − lead per item: greet (0 + −1) / 2, close (0 + 0) / 2
    assert report["deviations"] == {"e1": {"greet": pytest.approx(-0.5),
                                           "close": pytest.approx(0.0)}}
    with session_scope(app.state.omnikpi.database_url) as session:
        stored = session.get(QaCalibration, number)  # the same column, a JSON array
        assert stored is not None and json.loads(stored.contact_ids) == ["o 1", "c2"]


def test_a_session_saved_with_space_separated_ids_reads_as_before(app: FastAPI) -> None:
    with session_scope(app.state.omnikpi.database_url) as session:
        old = QaCalibration(name="legacy", form_id=1, contact_ids="c1 c2",
                            evaluators="lead e1", reference="lead", tenant="A")
        session.add(old)
        session.flush()
        session_url = f"/qa/calibrations/{old.id}"
        number = old.id
    e1 = log_in(TestClient(app), "e1", PASSWORD)
    assert _contacts_shown(e1, session_url) == ["c1", "c2"]
    assert "contact 2 / 2" in e1.get(f"{session_url}/evaluate/c2").text
    _score(e1, session_url, "c2", "1", "0")
    report = e1.get(f"/api/v1/qa/calibrations/{number}").json()
    assert report["contacts"] == ["c1", "c2"]
    assert (report["evaluations"], report["expected"]) == (1, 4)
    assert report["scores"] == {"e1": {"c1": None, "c2": 50.0}}  # blind: their own only


def test_an_evaluator_whose_name_has_a_space_stays_one_evaluator(app: FastAPI) -> None:
    """An account named "anna k" (a name may hold a space) was stored joined with spaces
    and read back as the evaluators "anna" and "k": the session waited for three
    evaluators and refused anna k's scores (403, "not an evaluator of this session")."""
    with session_scope(app.state.omnikpi.database_url) as session:
        create_user(session, "anna k", PASSWORD, "supervisor", sites=["kyiv"])
    lead = log_in(TestClient(app), "lead", PASSWORD)
    made = lead.post("/qa/calibrations", data={
        "csrf_token": csrf(lead, "/qa/calibrations/new"), "name": "names", "form_id": "1",
        "reference": "lead", "contact": ["c1"], "evaluator": ["lead", "anna k"]},
        follow_redirects=False)
    assert made.status_code == 303, made.text
    session_url = made.headers["location"]
    number = int(session_url.rsplit("/", 1)[1])
    anna = log_in(TestClient(app), "anna k", PASSWORD)
    listed = anna.get("/qa/calibrations").text
    assert re.search(r'translate="no">names</a> · you are invited</li>', listed), listed
    _score(anna, session_url, "c1", "1", "0")
    _score(lead, session_url, "c1", "1", "1")
    report = lead.get(f"/api/v1/qa/calibrations/{number}").json()
    assert report["evaluators"] == ["lead", "anna k"]
    assert (report["evaluations"], report["expected"]) == (2, 2)
    assert report["scores"] == {"lead": {"c1": 100.0}, "anna k": {"c1": 50.0}}
    with session_scope(app.state.omnikpi.database_url) as session:
        stored = session.get(QaCalibration, number)
        assert stored is not None and json.loads(stored.evaluators) == ["lead", "anna k"]


def test_names_with_a_space_typed_or_shown_again_stay_whole(app: FastAPI) -> None:
    """Typed "lead, anna k" read as the accounts lead, anna and k; a refused form shown
    again joined the names with spaces, so sending it again failed the same way. A
    field with a comma is split on commas; names with a space are shown again so."""
    from omnikpi.web.routes.qa import shown_again, typed_names

    assert typed_names("lead, anna k") == ["lead", "anna k"]
    assert typed_names("lead  ann") == ["lead", "ann"]  # no comma: spaces separate
    for typed, ticked in (("lead", ["anna k"]), ("", ["lead", "ann"]), ("o 1,", ["c2"])):
        assert typed_names(shown_again(typed, ticked)) == [*typed_names(typed), *ticked]
    assert shown_again("a-1  b-2", []) == "a-1  b-2"  # as typed
    with session_scope(app.state.omnikpi.database_url) as session:
        create_user(session, "anna k", PASSWORD, "supervisor", sites=["kyiv"])
    lead = log_in(TestClient(app), "lead", PASSWORD)
    token = csrf(lead, "/qa")
    fields = {"csrf_token": token, "name": "typed", "form_id": "1", "reference": "lead",
              "contacts": "c1, nobody", "evaluators": "lead, anna k"}
    again = lead.post("/qa/calibrations", data=fields, headers={"Accept": "text/html"})
    assert again.status_code == 400 and "nobody" in again.text
    assert 'value="lead, anna k"' in again.text  # shown again as it reads
    made = lead.post("/qa/calibrations", data={**fields, "contacts": "c1"},
                     follow_redirects=False)
    assert made.status_code == 303, made.text
    number = int(made.headers["location"].rsplit("/", 1)[1])
    report = lead.get(f"/api/v1/qa/calibrations/{number}").json()
    assert report["evaluators"] == ["lead", "anna k"]


def test_the_scores_grid_never_rounds_across_the_pass_score(app: FastAPI) -> None:
    """Weights 6,999.6 and 3,000.4, the first met: 69.996 against a pass score of 70 is a
    fail, and the session's grid showed it 70.0 (one decimal, rounded up) beside the
    evaluation page's "Failed: 69.99". It shows 69.99, as that page does."""
    lead = log_in(TestClient(app), "lead", PASSWORD)
    made = lead.post("/qa/forms", data={
        "csrf_token": csrf(lead, "/qa"), "key": "close", "name": "Close", "pass_score": "70",
        "items": "S | a | A | 6999.6 | no | no\nS | b | B | 3000.4 | no | no\n"},
        follow_redirects=False)
    assert made.status_code == 303
    form_id = made.headers["location"].rsplit("/", 1)[1]
    session = lead.post("/qa/calibrations", data={
        "csrf_token": csrf(lead, "/qa/calibrations/new"), "name": "close one",
        "form_id": form_id, "reference": "lead", "contact": ["c1"],
        "evaluator": ["lead", "e1"]}, follow_redirects=False)
    assert session.status_code == 303, session.text
    url = f"{session.headers['location']}/evaluate/c1"
    page = lead.get(url).text
    keys = {key: name for name, key in ANSWER.findall(page)}
    done = lead.post(url, data={"csrf_token": csrf(lead, "/qa/calibrations"),
                                "form_id": form_id, keys["a"]: "1", keys["b"]: "0"},
                     follow_redirects=False)
    assert done.status_code == 303, done.text
    grid = lead.get(session.headers["location"]).text
    row = re.search(r'<tr><td translate="no">lead</td><td>\s*([^<\s]+)', grid)
    assert row is not None and row.group(1) == "69.99", grid[-3000:]

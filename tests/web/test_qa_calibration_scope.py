"""A calibration session is opened by a bounded evaluator only while its contacts are in
their scope *now*.

Invitations are checked against the evaluators' scopes when a session is made; then
``may_open`` let an invited supervisor in whatever their scope became: moved from kyiv to
another site, they still listed the kyiv session and read its page and its JSON (contact
ids, every evaluator's scores, the agreement), while scoring in it answered 404.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from omnikpi.auth.accounts import set_scope
from omnikpi.store.db import session_scope
from tests.web.conftest import csrf, log_in
from tests.web.tenants import MARK, write_two_tenants

PASSWORD = "calibration-scope-pw"
ITEMS = "Style | greet | Greets by the standard | 1 | no | no\n"


def _score(client: TestClient, url: str) -> None:
    page = client.get(url)
    assert page.status_code == 200, page.text
    answers = {n: "1" for n in re.findall(r'name="(item_\d+)" value="0"', page.text)}
    done = client.post(url, data={"csrf_token": csrf(client, "/qa/calibrations"),
                                  "form_id": "1", **answers}, follow_redirects=False)
    assert done.status_code == 303, done.text


def test_an_evaluator_moved_to_another_site_no_longer_opens_the_old_site_s_session(
        make_app: Callable[..., FastAPI], tmp_path: Path) -> None:
    from omnikpi.auth.accounts import create_user

    app = make_app(write_two_tenants(tmp_path / "data"), auth_required=True,
                   live_updates=False, scheduler=False)
    url = app.state.omnikpi.database_url
    with session_scope(url) as session:
        create_user(session, "lead", PASSWORD, "admin")
        create_user(session, "kyiv-lead", PASSWORD, "supervisor", sites=["kyiv"])
        create_user(session, "kyiv-other", PASSWORD, "supervisor", sites=["kyiv"])
        create_user(session, "client-a", PASSWORD, "client", tenant="A")
    lead = log_in(TestClient(app), "lead", PASSWORD)
    token = csrf(lead, "/qa")
    assert lead.post("/qa/forms", data={"csrf_token": token, "key": "calls",
                                        "name": "Calls", "pass_score": "70",
                                        "items": ITEMS}, follow_redirects=False
                     ).status_code == 303
    made = lead.post("/qa/calibrations", data={
        "csrf_token": token, "name": "kyiv-session", "form_id": "1", "contacts": "a-1 a-2",
        "evaluators": "lead kyiv-lead client-a", "reference": "lead"},
        follow_redirects=False)
    assert made.status_code == 303, made.text
    session_url = made.headers["location"]
    number = session_url.rsplit("/", 1)[1]
    _score(lead, f"{session_url}/evaluate/a-1")
    mover = log_in(TestClient(app), "kyiv-lead", PASSWORD)
    _score(mover, f"{session_url}/evaluate/a-1")
    assert "kyiv-session" in mover.get("/qa/calibrations").text

    # the supervisor is moved to tenant B's site, and logs in again
    with session_scope(url) as session:
        set_scope(session, "kyiv-lead", "supervisor", sites=[f"site-{MARK}"])
    mover = log_in(TestClient(app), "kyiv-lead", PASSWORD)
    listed = mover.get("/qa/calibrations")
    assert listed.status_code == 200 and "kyiv-session" not in listed.text
    for path in (session_url, f"/api/v1/qa/calibrations/{number}",
                 f"{session_url}/evaluate/a-2"):
        answer = mover.get(path)
        assert answer.status_code == 404, path
        assert "a-1" not in answer.text and "a-2" not in answer.text

    # those whose scope still holds the contacts open it as before: the administrator,
    # an uninvited supervisor of kyiv, the invited client of tenant A
    for user in ("lead", "kyiv-other", "client-a"):
        reader = log_in(TestClient(app), user, PASSWORD)
        assert "kyiv-session" in reader.get("/qa/calibrations").text, user
        assert reader.get(session_url).status_code == 200, user
    report = lead.get(f"/api/v1/qa/calibrations/{number}")
    assert report.status_code == 200
    assert report.json()["scored"] == {"lead": ["a-1"], "kyiv-lead": ["a-1"], "client-a": []}

    # the client moved to tenant B: its invitation to tenant A's session opens nothing
    with session_scope(url) as session:
        set_scope(session, "client-a", "client", tenant="B")
    moved_client = log_in(TestClient(app), "client-a", PASSWORD)
    assert "kyiv-session" not in moved_client.get("/qa/calibrations").text
    assert moved_client.get(session_url).status_code == 403

"""A demo app with people and QA work in it, for the tests that visit every page.

The admin ``lead``, a second supervisor, an agent account ``person`` (the demo's first agent
with a tenant), a QA form, a sample, one evaluation and a calibration session: every QA page
then has something to show.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

import omnikpi
from omnikpi.auth.accounts import create_user
from omnikpi.store.db import session_scope
from tests.web.conftest import csrf, log_in

QA_ITEMS = ("Style | greet | Greets by the standard | 1 | no | no\n"
            "Content | correct | Gives correct information | 3 | yes | no\n")


@dataclass
class QaSite:
    lead: TestClient
    """Logged in as the admin."""
    agent_id: str
    pages: dict[str, str]
    """Page name → path of the QA pages (form, sample, evaluate, evaluation, calibration)."""


def people_and_qa(app: FastAPI, data: Path, password: str) -> QaSite:
    """Accounts, then a form, a 5 % sample, an evaluation of its first item and a
    calibration session of two contacts, made through the app's own forms."""
    agent_id, tenant = (str(v) for v in omnikpi.load_dataset(data).con.execute(
        "SELECT agent_id, tenant FROM contacts WHERE agent_id IS NOT NULL "
        "AND tenant IS NOT NULL ORDER BY 1 LIMIT 1").fetchone() or ())
    with session_scope(app.state.omnikpi.database_url) as session:
        create_user(session, "lead", password, "admin")
        create_user(session, "second", password, "supervisor", all_tenants=True)
        create_user(session, "person", password, "agent", tenant=tenant, agent_id=agent_id)
    lead = log_in(TestClient(app), "lead", password)
    token = csrf(lead, "/qa")
    form = lead.post("/qa/forms", data={"csrf_token": token, "key": "calls", "name": "Calls",
                                        "channel_kind": "any", "pass_score": "70",
                                        "items": QA_ITEMS}, follow_redirects=False)
    sample = lead.post("/qa/samples", data={"csrf_token": token, "name": "week",
                                            "rate": "0.05", "seed": "3", "min_per_agent": "1",
                                            "evaluator": "lead"}, follow_redirects=False)
    items = re.findall(r'href="/qa/evaluate/(\d+)"', lead.get(sample.headers["location"]).text)
    page = lead.get(f"/qa/evaluate/{items[0]}").text
    form_id = re.search(r'name="form_id" value="(\d+)"', page)
    assert form_id
    answers = {n: "1" for n in re.findall(r'name="(item_\d+)" value="0"', page)}
    first = next(iter(answers))  # greet: not met, a process error (the error report)
    answers |= {first: "0", first.replace("item_", "kind_"): "process"}
    evaluation = lead.post(f"/qa/evaluate/{items[0]}", data={
        "csrf_token": token, "form_id": form_id.group(1), "comment": "ok", **answers},
        follow_redirects=False)
    contacts = [str(c) for (c,) in omnikpi.load_dataset(data).con.execute(
        "SELECT contact_id FROM contacts WHERE agent_id IS NOT NULL ORDER BY 1 LIMIT 2"
    ).fetchall()]
    calibration = lead.post("/qa/calibrations", data={
        "csrf_token": token, "name": "calibration", "form_id": form_id.group(1),
        "contacts": " ".join(contacts), "evaluators": "lead second", "reference": "lead"},
        follow_redirects=False)
    evaluation_id = evaluation.headers["location"].rsplit("/", 1)[1]
    coaching = lead.post("/qa/coaching", data={
        "csrf_token": token, "subject": evaluation_id, "held_on": "2026-11-02",
        "item": ["greet"], "actions": "Greets by the standard"}, follow_redirects=False)
    for made in (form, sample, evaluation, calibration, coaching):
        assert made.status_code == 303, made.text
    session_url = calibration.headers["location"]
    return QaSite(lead, agent_id, {
        "qa-form": form.headers["location"], "qa-sample": sample.headers["location"],
        "qa-evaluate": f"/qa/evaluate/{items[1]}",
        "qa-evaluation": evaluation.headers["location"],
        "qa-calibration": session_url, "qa-calibrate": f"{session_url}/evaluate/{contacts[0]}",
        "qa-calibration-new": "/qa/calibrations/new", "qa-calibrations": "/qa/calibrations",
        "qa-errors": "/qa/errors", "qa-coaching": f"/qa/coaching?subject={evaluation_id}",
        "qa-coaching-session": coaching.headers["location"]})

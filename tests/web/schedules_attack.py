"""Tenant attacks on the schedules pages (run from test_tenant_isolation.py with its
two-tenant app): a client viewer sees, runs and downloads only its own schedules, whose
runs hold its tenant's rows only."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from omnikpi.schedules.runner import run_due
from omnikpi.store.db import session_scope
from omnikpi.store.models import AuditEntry
from omnikpi.store.models_schedules import ReportSchedule
from omnikpi.web.routes.schedules import server_datasets
from tests.web.conftest import csrf
from tests.web.tenants import MARK

SCHEDULE_ROUTES = {"/schedules", "/schedules/{schedule_id}/delete",
                   "/schedules/{schedule_id}/edit", "/schedules/{schedule_id}/pause",
                   "/schedules/{schedule_id}/resume",
                   "/schedules/runs/{run_id}/file", "/schedules/runs/{run_id}/retry"}


def attack_schedules(app: FastAPI, viewer: TestClient, admin: TestClient,
                     agent: TestClient, out: Path) -> None:
    """``viewer``: tenant A's client (session cookie); ``admin``: bearer token."""
    state = app.state.omnikpi
    # "Replace it" ticked: the module's app may hold these reports from an earlier test
    saved = admin.post("/builder/save", data={
        "name": f"staff {MARK}", "query": "metrics=offered,answered&by=tenant",
        "replace": "true"}, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    staff = admin.post("/schedules", data={
        "name": f"staff {MARK}", "report": f"staff-{MARK}", "when": "daily", "tz": "UTC",
        "format": "csv", "channel": "folder", "target": str(out)}, follow_redirects=False)
    assert staff.status_code == 303, staff.text

    token = csrf(viewer, "/builder")
    mine = viewer.post("/builder/save", data={
        "name": "A daily", "query": "metrics=offered,answered&by=tenant", "csrf_token": token,
        "replace": "true"}, follow_redirects=False)
    assert mine.status_code == 303, mine.text
    token = csrf(viewer, "/schedules")
    form = {"csrf_token": token, "name": "A volume", "report": "a-daily", "when": "daily",
            "tz": "UTC", "format": "csv", "channel": "email", "target": "a@example.com"}
    # another tenant's saved report, a server folder: refused with a sentence
    peek = viewer.post("/schedules", data={**form, "report": f"staff-{MARK}"})
    assert peek.status_code == 400 and "Choose one of your saved reports" in peek.text
    folder = viewer.post("/schedules", data={**form, "channel": "folder",
                                             "target": str(out)})
    assert folder.status_code == 400 and "Only an administrator" in folder.text
    added = viewer.post("/schedules", data=form, follow_redirects=False)
    assert added.status_code == 303, added.text

    with session_scope(state.database_url) as session:
        session.execute(update(ReportSchedule).values(
            created_at=datetime.fromisoformat("2026-11-01T00:00:00+00:00")))
    outcomes = run_due(state.database_url, datetime.fromisoformat("2026-11-03T09:00:00+00:00"),
                       state.config, server_datasets(state))
    assert sorted(o.schedule for o in outcomes) == ["A volume", f"staff {MARK}"]
    # no SMTP server is configured: the e-mail fails, the file is kept all the same
    status = {o.schedule: o.status for o in outcomes}
    assert status == {"A volume": "failed", f"staff {MARK}": "ok"}

    page = viewer.get("/schedules").text
    assert MARK not in page and "A volume" in page
    links = _files(page)
    assert len(links) == 1
    body = viewer.get(f"/schedules/runs/{links[0]}/file")
    assert body.status_code == 200
    assert list(csv.DictReader(io.StringIO(body.text))) == [
        {"tenant": "A", "offered": "5", "answered": "4"}]
    # the download is an export in the audit log (it was the one file not logged)
    with session_scope(state.database_url) as session:
        logged = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "export").order_by(AuditEntry.id.desc())).first()
        assert logged is not None and json.loads(logged.detail)["run"] == int(links[0])
        assert json.loads(logged.detail)["what"] == "scheduled report run"

    staff_page = admin.get("/schedules").text
    staff_runs = set(_files(staff_page))
    assert len(staff_runs) == 2 and MARK in staff_page
    other = (staff_runs - set(links)).pop()
    assert "B,3,2" in admin.get(f"/schedules/runs/{other}/file").text
    assert viewer.get(f"/schedules/runs/{other}/file").status_code == 404
    # "Send again" of another tenant's run is no run at all (before whether it failed)
    assert viewer.post(f"/schedules/runs/{other}/retry",
                       data={"csrf_token": token}).status_code == 404
    ids = re.findall(r'action="/schedules/(\d+)/delete"', staff_page)
    theirs = [i for i in ids if i not in re.findall(r'action="/schedules/(\d+)/delete"', page)]
    assert len(theirs) == 1
    refused = viewer.post(f"/schedules/{theirs[0]}/delete", data={"csrf_token": token})
    assert refused.status_code == 404
    peek = viewer.get(f"/schedules?edit={theirs[0]}")
    assert peek.status_code == 404 and MARK not in peek.text
    for action in ("edit", "pause", "resume"):
        answer = viewer.post(f"/schedules/{theirs[0]}/{action}", data={
            **form, "name": "taken over", "report": ""})
        assert answer.status_code == 404, action
        assert MARK not in answer.text
    assert MARK in admin.get("/schedules").text
    with session_scope(state.database_url) as session:
        staff_row = session.get(ReportSchedule, int(theirs[0]))
        assert staff_row is not None
        assert (staff_row.name, staff_row.enabled) == (f"staff {MARK}", True)
    # agents have no schedules at all
    assert agent.get("/schedules").status_code == 403
    assert agent.get(f"/schedules/runs/{links[0]}/file").status_code == 403
    assert agent.post(f"/schedules/runs/{links[0]}/retry").status_code == 403
    assert agent.post(f"/schedules/{theirs[0]}/pause").status_code == 403


def _files(page: str) -> list[str]:
    """The run files of the history table for 2 November (the attack's runs)."""
    return [found.group(1) for row in re.findall(r"<tr class=\"run-.*?</tr>", page, re.S)
            if '<td translate="no">2026-11-02</td>' in row
            for found in [re.search(r'href="/schedules/runs/(\d+)/file"', row)] if found]

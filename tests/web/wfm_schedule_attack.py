"""Tenant attacks on the schedule page (/wfm/schedule), its roster export and the break
move: tenant A's supervisor sees and moves only tenant A's schedule; clients and agents
are refused. Called from test_tenant_isolation.py on its two-tenant folder."""

from __future__ import annotations

import io
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.web.conftest import csrf, log_in
from tests.web.tenants import DAY, MARK

WFM_SCHEDULE_ROUTES = {"/wfm/schedule", "/wfm/schedule/roster.xlsx", "/wfm/schedule/move"}


def attack_wfm_schedule(app: FastAPI, folder: Path, password: str) -> None:
    from openpyxl import load_workbook

    supervisor = log_in(TestClient(app), "sup-a", password)
    page = supervisor.get("/wfm/schedule")
    assert page.status_code == 200 and "a1" in page.text
    assert MARK not in page.text and "training" not in page.text
    roster = supervisor.get("/wfm/schedule/roster.xlsx")
    assert roster.status_code == 200
    sheet = load_workbook(io.BytesIO(roster.content)).active
    assert sheet is not None
    cells = " ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row)
    assert "a1" in cells and MARK not in cells
    before = (folder / "shift_activities.csv").read_text(encoding="utf-8")
    token = csrf(supervisor, "/wfm/schedule")
    # tenant B's training, by its exact agent and start: not there for tenant A
    moved = supervisor.post("/wfm/schedule/move", data={
        "agent_id": f"agent-{MARK}", "start": f"{DAY}T13:00:00Z",
        "new_start": f"{DAY}T14:00:00Z", "csrf_token": token})
    assert moved.status_code == 404 and MARK not in moved.text
    assert (folder / "shift_activities.csv").read_text(encoding="utf-8") == before
    for user in ("client-a", "agent-a"):
        other = log_in(TestClient(app), user, password)
        for path in ("/wfm/schedule", "/wfm/schedule/roster.xlsx"):
            assert other.get(path).status_code == 403, (user, path)
        refused = other.post("/wfm/schedule/move", data={
            "agent_id": "a1", "start": f"{DAY}T11:00:00Z",
            "new_start": f"{DAY}T12:00:00Z", "csrf_token": csrf(other)})
        assert refused.status_code == 403
    assert (folder / "shift_activities.csv").read_text(encoding="utf-8") == before

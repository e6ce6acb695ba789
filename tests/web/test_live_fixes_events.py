"""Posting a contact the imported dataset already holds is a duplicate, not a second row."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from omnikpi.auth.accounts import create_api_key
from omnikpi.store.db import session_scope


def ago(seconds: float) -> str:
    return (datetime.now(UTC) - timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_an_imported_contact_posted_again_is_a_duplicate(
        make_app: Callable[..., FastAPI], tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    arrived, answered, ended = ago(3600), ago(3590), ago(3300)
    (data / "contacts.csv").write_text(
        "contact_id,channel,queue,arrived_at,accepted_at,first_response_at,ended_at,agent_id\n"
        f"imp1,voice,sales,{arrived},{answered},{answered},{ended},a1\n")
    app = make_app(data, auth_required=True)
    with session_scope(app.state.omnikpi.database_url) as session:
        key = create_api_key(session, "pbx")
    again = {"contact_id": " imp1", "channel": "voice", "queue": "sales",
             "arrived_at": arrived, "abandoned_at": answered}
    new = {**again, "contact_id": "new1"}
    bad = {**again, "contact_id": "bad1", "arrived_at": "bad"}
    with TestClient(app) as client:
        answer = client.post("/api/v1/events", headers={"X-API-Key": key},
                             json={"table": "contacts", "rows": [again, new, bad]})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["accepted"], body["duplicates"]) == (1, 1)
    assert [(r["row"], r["column"]) for r in body["rejected"]] == [(2, "arrived_at")]
    written = "".join(p.read_text() for p in (data / "contacts").glob("ingest-*.jsonl"))
    assert "new1" in written and "imp1" not in written

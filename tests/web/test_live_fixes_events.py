"""Posting a contact the imported dataset already holds is a duplicate, not a second row."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from omnikpi.auth.accounts import create_api_key
from omnikpi.auth.scope import UNBOUNDED
from omnikpi.store.db import session_scope


def ago(seconds: float) -> str:
    return (datetime.now(UTC) - timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _imported(make_app: Callable[..., FastAPI], tmp_path: Path, name: str, text: str
              ) -> tuple[Path, FastAPI, str]:
    """A served folder holding one imported file, and an API key of every tenant."""
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    (data / name).write_text(text)
    app = make_app(data, auth_required=True)
    with session_scope(app.state.omnikpi.database_url) as session:
        key = create_api_key(session, "pbx")
    return data, app, key


def test_an_imported_contact_posted_again_is_a_duplicate(
        make_app: Callable[..., FastAPI], tmp_path: Path) -> None:
    arrived, answered, ended = ago(3600), ago(3590), ago(3300)
    data, app, key = _imported(make_app, tmp_path, "contacts.csv", (
        "contact_id,channel,queue,arrived_at,accepted_at,first_response_at,ended_at,agent_id\n"
        f"imp1,voice,sales,{arrived},{answered},{answered},{ended},a1\n"))
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


def test_a_state_overlapping_an_imported_state_is_refused(
        make_app: Callable[..., FastAPI], tmp_path: Path) -> None:
    """An imported file's state and a posted one that overlaps it: the post was accepted,
    then the loader quarantined one of the two (the imported break when it sorted later),
    so the agent's time in the reports depended on file names. The post is refused with
    the loader's reason; the imported state posted again is a duplicate; a state after it
    is taken; another tenant's key is not told the imported state's times."""
    start, end = ago(3600), ago(1800)
    data, app, key = _imported(make_app, tmp_path, "agent_states.csv", (
        "agent_id,state,start,end,tenant\n"
        f"a1,available,{start},{end},bank\n"))
    with session_scope(app.state.omnikpi.database_url) as session:
        telco_key = create_api_key(session, "telco pbx", tenant="telco")
    inside = {"agent_id": " a1", "state": "not_ready", "start": ago(3000),
              "end": ago(2400), "tenant": "bank"}
    again = {"agent_id": "a1", "state": "available", "start": start, "end": end,
             "tenant": "bank"}
    later = {**inside, "start": end, "end": ago(1200)}
    still_open = {"agent_id": "a1", "state": "handling", "start": ago(2000)}
    with TestClient(app) as client:
        answer = client.post("/api/v1/events", headers={"X-API-Key": key}, json={
            "table": "agent_states", "rows": [inside, again, later, still_open]})
        telco = client.post("/api/v1/events", headers={"X-API-Key": telco_key}, json={
            "table": "agent_states", "rows": [{**inside, "tenant": "telco"}]})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["accepted"], body["duplicates"]) == (1, 1)
    opening = "overlaps an earlier agent_states row of agent_id 'a1' ("
    assert [(r["row"], r["column"], r["message"][:len(opening)])
            for r in body["rejected"]] == [(0, "start", opening), (3, "start", opening)]
    assert "imported): an agent is in one state at a time" in body["rejected"][0]["message"]
    assert telco.json()["rejected"] == [{
        "row": 0, "column": "agent_id",
        "message": "the agent_id is in a state of another tenant's at that time: an agent "
                   "is in one state at a time"}]
    written = "".join(p.read_text() for p in (data / "agent_states").glob("ingest-*.jsonl"))
    assert len(written.splitlines()) == 1 and f'"start": "{end}"' in written


def test_a_tenant_bound_keys_tenant_is_read_trimmed(make_app: Callable[..., FastAPI],
                                                    tmp_path: Path) -> None:
    """``"tenant": " bank "`` is the tenant bank to the loader; a bank key's request
    holding it was refused whole (403, "is not this key's tenant")."""
    data, app, _ = _imported(make_app, tmp_path, "contacts.csv",
                             "contact_id,channel,queue,arrived_at\n")
    with session_scope(app.state.omnikpi.database_url) as session:
        bank_key = create_api_key(session, "bank pbx", tenant="bank")
    row = {"contact_id": "t1", "channel": "voice", "queue": "sales", "tenant": " bank ",
           "arrived_at": ago(60), "abandoned_at": ago(30)}
    with TestClient(app) as client:
        answer = client.post("/api/v1/events", headers={"X-API-Key": bank_key},
                             json={"table": "contacts", "rows": [row]})
    assert answer.status_code == 200, answer.text
    assert answer.json()["accepted"] == 1
    written = "".join(p.read_text() for p in (data / "contacts").glob("ingest-*.jsonl"))
    assert '"tenant": "bank"' in written


def test_the_answer_names_the_columns_no_figure_reads(make_app: Callable[..., FastAPI],
                                                       tmp_path: Path) -> None:
    """A misspelt ``abandonned_at`` was accepted without a word, and the abandoned call
    showed as waiting. The row is kept (extra columns are, as in a file), and the answer
    names the column; a misspelt key of the body itself is refused."""
    _, app, key = _imported(make_app, tmp_path, "contacts.csv",
                            "contact_id,channel,queue,arrived_at\n")
    row = {"contact_id": "t1", "channel": "voice", "queue": "sales",
           "arrived_at": ago(120), "abandonned_at": ago(60), "crm_case": "77"}
    with TestClient(app) as client:
        answer = client.post("/api/v1/events", headers={"X-API-Key": key},
                             json={"table": "contacts", "rows": [row]})
        assert answer.status_code == 200, answer.text
        assert answer.json()["accepted"] == 1
        assert answer.json()["unknown_columns"] == ["abandonned_at", "crm_case"]
        clean = {k: v for k, v in row.items() if k not in ("abandonned_at", "crm_case")}
        assert client.post("/api/v1/events", headers={"X-API-Key": key}, json={
            "table": "contacts", "rows": [{**clean, "contact_id": "t3"}]}).json()[
            "unknown_columns"] == []
        misspelt = client.post("/api/v1/events", headers={"X-API-Key": key},
                               json={"table": "contacts", "row": [row]})
        assert misspelt.status_code == 422 and "row" in misspelt.text


def test_one_request_s_unreadable_rows_do_not_reject_another_s(
        make_app: Callable[..., FastAPI], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Requests of the same tenth of a second are stored in one pass: a pass that could
    not be read as a whole (a column name with a NUL did it) rejected every client's
    rows, each with that one client's error. Now each request is tried alone then; and
    a column name with a control character is refused before it gets that far."""
    from concurrent.futures import Future

    from omnikpi.live.ingest import BatchResult

    _, app, key = _imported(make_app, tmp_path, "agents.csv", "agent_id\na1\n")
    row = {"channel": "voice", "queue": "sales", "arrived_at": ago(10)}
    with TestClient(app) as client:
        refused = client.post("/api/v1/events", headers={"X-API-Key": key}, json={
            "table": "contacts", "rows": [{**row, "contact_id": "n1", "\u0000": 1}]})
        assert refused.status_code == 400 and "control character" in refused.text
        hub = app.state.omnikpi.live
        # the pass of two requests the reader cannot read as a whole (the NUL key,
        # past the route's check): each request is then stored alone
        good: Future[BatchResult] = Future()
        bad: Future[BatchResult] = Future()
        hub._accept_group("contacts", [
            ("contacts", [{**row, "contact_id": "good"}], good),
            ("contacts", [{**row, "contact_id": "nul", "\u0000": 1}], bad)])
        assert good.result(timeout=30).accepted == 1
        assert bad.result(timeout=30).accepted == 0
        # a store that fails on one request's rows: the other's are stored
        accept_rows = hub.store.accept_rows

        def unreadable_with_poison(table: str, rows: list[dict[str, object]]) -> object:
            if any(r.get("contact_id") == "poison" for r in rows):
                raise ValueError("the pass could not be read")
            return accept_rows(table, rows)

        monkeypatch.setattr(hub.store, "accept_rows", unreadable_with_poison)
        good, bad = Future(), Future()
        hub._accept_group("contacts", [
            ("contacts", [{**row, "contact_id": "good-2"}], good),
            ("contacts", [{**row, "contact_id": "poison"}], bad)])
        assert good.result(timeout=30).accepted == 1
        with pytest.raises(ValueError, match="could not be read"):
            bad.result(timeout=30)


def test_a_contact_a_dropped_file_ended_is_not_made_to_wait_again(
        make_app: Callable[..., FastAPI], tmp_path: Path) -> None:
    """A file dropped after the server started ends call f1; the platform's late
    "waiting" post of f1 was accepted (the loaded dataset, refreshed only by reports,
    did not hold f1) and the board showed f1 waiting again, SL 0, until a restart. Now
    it is a duplicate, as is a final version posted after the file's."""
    arrived, answered, ended = ago(300), ago(290), ago(100)
    (tmp_path / "data" / "contacts").mkdir(parents=True)
    data, app, key = _imported(make_app, tmp_path, "contacts/export-0.csv", (
        "contact_id,channel,queue,arrived_at,abandoned_at\n"
        f"z0,voice,q,{ago(4000)},{ago(3990)}\n"))
    with TestClient(app) as client:
        hub = app.state.omnikpi.live
        (data / "contacts" / "export-1.csv").write_text(
            "contact_id,channel,queue,arrived_at,accepted_at,first_response_at,ended_at,"
            f"tenant\nf1,voice,q,{arrived},{answered},{answered},{ended},A\n")
        assert hub.monitor.poll_files() == 1
        waiting = {"contact_id": "f1", "channel": "voice", "queue": "q",
                   "arrived_at": arrived}
        for late in (waiting, {**waiting, "abandoned_at": ago(50)}):
            answer = client.post("/api/v1/events", headers={"X-API-Key": key},
                                 json={"table": "contacts", "rows": [late]}).json()
            assert (answer["accepted"], answer["duplicates"]) == (0, 1), answer
        # client B's key posting A's contact id: refused as another tenant's, not
        # answered "duplicate" (B would take its call for stored)
        with session_scope(app.state.omnikpi.database_url) as session:
            b_key = create_api_key(session, "pbx-b", tenant="B")
        answer = client.post("/api/v1/events", headers={"X-API-Key": b_key},
                             json={"table": "contacts", "rows": [waiting]}).json()
        assert (answer["accepted"], answer["duplicates"]) == (0, 0)
        assert [r["column"] for r in answer["rejected"]] == ["contact_id"]
        totals = hub.snapshot(UNBOUNDED)["totals"]
        assert (totals["answered"], totals["waiting"]) == (1, 0)
    assert not list((data / "contacts").glob("ingest-*.jsonl"))  # no second row of f1


def test_an_invalid_row_does_not_tell_whether_another_tenant_has_its_id(
        make_app: Callable[..., FastAPI], tmp_path: Path) -> None:
    """Another tenant's id was checked before the row's own rules: a row from the year 2099
    read "another tenant's contact" for an id the telco had and "in the future" for one
    nobody had, so a client's key counted the telco's contacts without storing a row."""
    _, app, _ = _imported(make_app, tmp_path, "contacts.csv", (
        "contact_id,channel,queue,tenant,arrived_at\n"
        f"support-000038,voice,support,telco,{ago(3600)}\n"))
    with session_scope(app.state.omnikpi.database_url) as session:
        bank_key = create_api_key(session, "bank pbx", tenant="bank")
    future = "2099-01-01T00:00:00Z"
    rows = [{"contact_id": "support-000038", "channel": "voice", "queue": "x",
             "arrived_at": future},
            {"contact_id": "support-999999", "channel": "voice", "queue": "x",
             "arrived_at": future},
            {"contact_id": "support-000038", "channel": "voice", "queue": "x",
             "arrived_at": ago(60)}]
    with TestClient(app) as client:
        answer = client.post("/api/v1/events", headers={"X-API-Key": bank_key},
                             json={"table": "contacts", "rows": rows}).json()
    said = {r["row"]: (r["column"], r["message"]) for r in answer["rejected"]}
    assert said[0] == said[1]  # the same answer, whoever has the id
    assert said[0][0] == "arrived_at" and "is in the future" in said[0][1]
    # a valid row is still refused as another tenant's
    assert said[2] == ("contact_id", "the contact_id of another tenant's contact: a contact "
                                     "id is never reused across tenants")
    assert answer["accepted"] == 0


def test_another_tenants_imported_state_of_the_same_start_is_no_duplicate(
        make_app: Callable[..., FastAPI], tmp_path: Path) -> None:
    """The bank's state of a1 posted by the telco's key at the same start was answered
    "duplicate": the telco learnt the bank's agent had a state then. It is refused as
    another tenant's, without its times; invalid on its own, it says why instead."""
    start, end = ago(3600), ago(1800)
    _, app, _ = _imported(make_app, tmp_path, "agent_states.csv", (
        "agent_id,state,start,end,tenant\n"
        f"a1,available,{start},{end},bank\n"))
    with session_scope(app.state.omnikpi.database_url) as session:
        telco_key = create_api_key(session, "telco pbx", tenant="telco")
    same = {"agent_id": "a1", "state": "available", "start": start, "end": end}
    invalid = {**same, "state": "dancing"}
    with TestClient(app) as client:
        answer = client.post("/api/v1/events", headers={"X-API-Key": telco_key}, json={
            "table": "agent_states", "rows": [same, invalid]}).json()
    assert (answer["accepted"], answer["duplicates"]) == (0, 0)
    said = {r["row"]: (r["column"], r["message"]) for r in answer["rejected"]}
    assert said[0] == ("agent_id", "the agent_id is in a state of another tenant's at "
                                   "that time: an agent is in one state at a time")
    assert said[1][0] == "state" and "dancing" in said[1][1]

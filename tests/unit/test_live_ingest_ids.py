"""Live ingest compares ids as the loader reads them: ``12345`` and ``"12345"`` were two
contacts to ingest, both written, and one contact to ``omnikpi validate``, which then
quarantined the second as a duplicate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from omnikpi.live.ingest import LiveStore
from omnikpi.schema.dataset import load_dataset


def ended_contact(cid: object) -> dict[str, Any]:
    return {"contact_id": cid, "channel": "voice", "queue": "sales",
            "arrived_at": "2026-11-24T09:00:00Z", "abandoned_at": "2026-11-24T09:01:00Z",
            "ended_at": "2026-11-24T09:02:00Z"}


def ingested(folder: Path, table: str) -> list[dict[str, Any]]:
    return [json.loads(line) for path in sorted((folder / table).glob("ingest-*.jsonl"))
            for line in path.read_text().splitlines()]


def loaded(folder: Path, table: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """What ``omnikpi validate`` says about the table (its problems) and keeps of it."""
    dataset = load_dataset(folder, cache=False)
    problems = [p.message for p in dataset.problems if p.table == table]
    columns = {"contacts": "contact_id", "agent_states": "agent_id, start",
               "availability": "channel, queue, start, status"}[table]
    rows = dataset.con.execute(f"SELECT {columns} FROM {table}").fetchall()
    dataset.close()
    return problems, rows


def test_a_number_id_is_the_contact_its_text_names(tmp_path: Path) -> None:
    store = LiveStore(tmp_path)
    first = store.accept("contacts", [ended_contact(12345)])
    assert (first.accepted, first.duplicates) == (1, 0)
    again = store.accept("contacts", [ended_contact("12345")])
    assert (again.accepted, again.duplicates, again.rejected) == (0, 1, [])
    spaced = store.accept("contacts", [ended_contact(" 12345 ")])  # the loader trims
    assert (spaced.accepted, spaced.duplicates) == (0, 1)
    assert [r["contact_id"] for r in ingested(tmp_path, "contacts")] == ["12345"]  # as text
    assert loaded(tmp_path, "contacts") == ([], [("12345",)])
    restarted = LiveStore(tmp_path)
    assert restarted.accept("contacts", [ended_contact(12345)]).duplicates == 1


def test_a_file_written_with_a_number_id_is_known_after_a_restart(tmp_path: Path) -> None:
    """Rows stored before ids were read as text hold the number: still the same contact."""
    folder = tmp_path / "contacts"
    folder.mkdir()
    (folder / "ingest-2026-11-24.jsonl").write_text(json.dumps(ended_contact(777)) + "\n")
    result = LiveStore(tmp_path).accept("contacts", [ended_contact("777")])
    assert (result.accepted, result.duplicates) == (0, 1)


def test_open_versions_with_a_number_and_a_text_id_are_one_contact(tmp_path: Path) -> None:
    store = LiveStore(tmp_path)
    waiting = {"contact_id": 42, "channel": "voice", "queue": "sales",
               "arrived_at": "2026-11-24T09:00:00Z"}
    answered = {**waiting, "contact_id": "42", "first_response_at": "2026-11-24T09:00:20Z"}
    assert store.accept("contacts", [waiting]).accepted == 1
    assert store.accept("contacts", [answered]).accepted == 1
    assert store.open_rows("contacts") == [answered]
    stale = store.accept("contacts", [waiting])  # knows less than the answered version
    assert (stale.accepted, stale.duplicates) == (0, 1)


def test_an_agent_state_is_known_by_its_agent_and_instant(tmp_path: Path) -> None:
    """``agent_id`` 7 and ``"7"``, a start written ``Z`` or ``+01:00``: one state to the
    loader (which quarantined the second as an overlap), one to ingest."""
    store = LiveStore(tmp_path)
    state = {"agent_id": 7, "state": "available", "start": "2026-11-24T09:00:00Z",
             "end": "2026-11-24T09:10:00Z"}
    same = {**state, "agent_id": "7", "start": "2026-11-24T10:00:00+01:00",
            "end": "2026-11-24T10:10:00+01:00"}
    assert store.accept("agent_states", [state]).accepted == 1
    again = store.accept("agent_states", [same])
    assert (again.accepted, again.duplicates, again.rejected) == (0, 1, [])
    assert [r["agent_id"] for r in ingested(tmp_path, "agent_states")] == ["7"]
    assert loaded(tmp_path, "agent_states") == ([], [("7", 1795510800000000)])


def test_an_availability_row_is_known_as_the_loader_reads_it(tmp_path: Path) -> None:
    """The loader reads channel and status in lower case and a queue 5 as ``"5"``."""
    store = LiveStore(tmp_path)
    row = {"channel": "Voice", "queue": 5, "status": "Planned",
           "start": "2026-11-24T09:00:00Z", "end": "2026-11-24T10:00:00Z"}
    same = {**row, "channel": "voice", "queue": "5", "status": "planned",
            "start": "2026-11-24T09:00:00+00:00"}
    assert store.accept("availability", [row]).accepted == 1
    again = store.accept("availability", [same])
    assert (again.accepted, again.duplicates) == (0, 1)
    assert loaded(tmp_path, "availability") == (
        [], [("voice", "5", 1795510800000000, "planned")])


def test_a_closed_entry_of_an_older_open_log_still_closes_its_row(tmp_path: Path) -> None:
    """``open.jsonl`` written when keys were the posted text (a start ``…Z``): the
    ``closed`` entry still matches the open row it closed after a restart."""
    state = {"agent_id": "a1", "state": "available", "start": "2026-11-24T09:00:00Z"}
    log = tmp_path / ".live" / "open.jsonl"
    log.parent.mkdir()
    log.write_text(json.dumps({"table": "agent_states", "row": state}) + "\n"
                   + json.dumps({"table": "agent_states",
                                 "closed": json.dumps(["a1", "2026-11-24T09:00:00Z"])}) + "\n")
    assert LiveStore(tmp_path).open_rows("agent_states") == []

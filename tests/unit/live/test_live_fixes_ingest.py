"""Live ingest refuses what the loader could not read or would count wrong: a timestamp
sent as a number, an end in the future, a repeat of an imported contact, an overlapping
agent state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from omnikpi.live.ingest import LiveStore
from omnikpi.schema.dataset import load_dataset


def ago(seconds: float) -> str:
    return (datetime.now(UTC) - timedelta(seconds=seconds)).isoformat()


def contact(cid: str, **times: Any) -> dict[str, Any]:
    return {"contact_id": cid, "channel": "voice", "queue": "sales",
            "arrived_at": ago(60), **times}


def test_a_numeric_end_is_refused_as_unreadable_and_the_correction_accepted(
        tmp_path: Path) -> None:
    store = LiveStore(tmp_path)
    epoch = int(datetime.now(UTC).timestamp()) - 40
    outcomes, _, _ = store.accept_rows("contacts", [contact("n1", abandoned_at=epoch)])
    assert outcomes[0].status == "rejected" and outcomes[0].column == "abandoned_at"
    assert outcomes[0].message is not None
    assert outcomes[0].message.startswith("cannot read a number as timestamp")
    assert not (tmp_path / "contacts").exists()  # nothing written
    fixed, _, _ = store.accept_rows("contacts", [contact("n1", abandoned_at=ago(40))])
    assert fixed[0].status == "accepted"


def test_a_numeric_arrival_is_unreadable_not_missing(tmp_path: Path) -> None:
    store = LiveStore(tmp_path)
    now = int(datetime.now(UTC).timestamp())
    outcomes, _, _ = store.accept_rows("contacts", [contact("n2", arrived_at=now)])
    assert outcomes[0].status == "rejected" and outcomes[0].column == "arrived_at"
    assert outcomes[0].message is not None and "cannot read" in outcomes[0].message


def test_validate_says_a_numeric_timestamp_cannot_be_read(tmp_path: Path) -> None:
    (tmp_path / "contacts.jsonl").write_text(
        '{"contact_id":"a","channel":"voice","queue":"q","arrived_at":1796468404}\n'
        '{"contact_id":"b","channel":"voice","queue":"q",'
        '"arrived_at":"2026-12-01T10:00:00Z","ended_at":1796468404}\n')
    dataset = load_dataset(tmp_path)
    try:
        found = sorted((p.row, p.column, p.message) for p in dataset.problems)
    finally:
        dataset.close()
    assert [(row, column) for row, column, _ in found] == [(1, "arrived_at"),
                                                          (2, "ended_at")]
    assert all(m.startswith("cannot read") and "as timestamp" in m for _, _, m in found)


def test_blank_end_text_is_not_final(tmp_path: Path) -> None:
    """A blank ``ended_at`` is empty to the loader: the row stays open, not written."""
    store = LiveStore(tmp_path)
    outcomes, _, _ = store.accept_rows("contacts", [contact("b1", ended_at="  ")])
    assert outcomes[0].status == "accepted"
    assert not (tmp_path / "contacts").exists()
    assert [r["contact_id"] for r in store.open_rows("contacts")] == ["b1"]


def ahead(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()


def test_an_end_days_ahead_is_refused_like_a_start(tmp_path: Path) -> None:
    """Every instant of a live row is held to the server's clock, not only the first."""
    store = LiveStore(tmp_path)
    ended_later = contact("f1", agent_id="a1", accepted_at=ago(50), first_response_at=ago(50),
                          ended_at=ahead(2 * 86400))
    outcomes, canonical, _ = store.accept_rows("contacts", [ended_later, contact("f2")])
    assert [o.status for o in outcomes] == ["rejected", "accepted"]
    assert outcomes[0].column == "ended_at"
    assert outcomes[0].message is not None and "in the future" in outcomes[0].message
    assert canonical is not None and canonical.column("contact_id").to_pylist() == ["f2"]
    assert not (tmp_path / "contacts").exists()
    state = {"agent_id": "a1", "state": "available", "start": ago(100), "end": ahead(3 * 86400)}
    refused, _, _ = store.accept_rows("agent_states", [state])
    assert (refused[0].status, refused[0].column) == ("rejected", "end")
    soon = {**state, "end": ahead(60)}  # clocks differ a little
    assert store.accept_rows("agent_states", [soon])[0][0].status == "accepted"


def test_a_state_overlapping_one_posted_before_is_refused(tmp_path: Path) -> None:
    """In one request two overlapping states of an agent are refused; in two requests the
    second was accepted, then dropped from the reports by the loader's overlap rule (and
    its agent's time with it). It is refused as in one request — also after a restart —
    while a state that starts where the other ended is taken."""
    def state(name: str, start: float, end: float | None) -> dict[str, Any]:
        row = {"agent_id": "a2", "state": name, "channel": "voice", "start": ago(start)}
        return row if end is None else {**row, "end": ago(end)}

    store = LiveStore(tmp_path)
    assert store.accept("agent_states", [state("available", 300, 60)]).accepted == 1
    clash = store.accept("agent_states", [state("acw", 120, 30)])
    assert clash.accepted == 0
    assert [(r["column"], r["message"][:55]) for r in clash.to_json()["rejected"]] == [
        ("start", "overlaps an earlier agent_states row of agent_id 'a2' (")]
    assert store.accept("agent_states", [state("acw", 60, 30)]).accepted == 1  # touching
    restarted = LiveStore(tmp_path)
    assert restarted.accept("agent_states", [state("handling", 45, None)]).accepted == 0
    assert restarted.accept("agent_states", [state("handling", 30, None)]).accepted == 1
    copy = load_dataset(tmp_path)
    assert copy.problem_count == 0 and copy.loads["agent_states"].rows_loaded == 2


def test_a_state_of_the_same_agent_id_for_another_tenant_is_refused_without_its_times(
        tmp_path: Path) -> None:
    """The loader finds overlaps by ``agent_id`` alone (a person is in one state at a
    time, whichever client it is for). Ingest grouped states by tenant and agent: a state
    of agent a3 for the telco overlapping a3's bank state was accepted, then the loader
    dropped one of them. It is refused, without the bank's times."""
    bank = {"agent_id": "a3", "state": "available", "start": ago(300), "end": ago(60),
            "tenant": "bank"}
    telco = {**bank, "state": "not_ready", "start": ago(200), "end": ago(100),
             "tenant": "telco"}
    store = LiveStore(tmp_path)
    assert store.accept("agent_states", [bank]).accepted == 1
    clash = store.accept("agent_states", [telco])
    assert [(r["column"], r["message"]) for r in clash.to_json()["rejected"]] == [
        ("agent_id", "the agent_id is in a state of another tenant's at that time: an "
                     "agent is in one state at a time")]
    after = store.accept("agent_states", [{**telco, "start": ago(60), "end": ago(30)}])
    assert after.accepted == 1
    copy = load_dataset(tmp_path)
    assert copy.problem_count == 0 and copy.loads["agent_states"].rows_loaded == 2


def test_a_start_without_an_offset_is_the_same_start_in_utc(tmp_path: Path) -> None:
    """A state posted open with its start written without an offset (UTC, as the loader
    reads it), then closed with the same start written with ``Z``: one state, closed.
    The two spellings were two keys, and the open one stayed open in ``open.jsonl``
    (and in the overlap checks) after its end was posted."""
    start = (datetime.now(UTC) - timedelta(minutes=5)).replace(microsecond=0)
    naive = start.replace(tzinfo=None).isoformat()
    store = LiveStore(tmp_path)
    row = {"agent_id": "ag1", "state": "available", "channel": "voice"}
    opened, _, _ = store.accept_rows("agent_states", [{**row, "start": naive}])
    assert opened[0].status == "accepted"
    closed, _, _ = store.accept_rows("agent_states", [{
        **row, "start": naive + "Z", "end": ago(60)}])
    assert closed[0].status == "accepted"
    assert store.open_rows("agent_states") == []
    assert LiveStore(tmp_path).open_rows("agent_states") == []  # after a restart too


def test_an_empty_row_is_refused_in_words(tmp_path: Path) -> None:
    """``{}`` alone in a batch was rejected with the reader's own error ("Binder Error:
    json_read expected records…"), beside another row with "missing value"."""
    store = LiveStore(tmp_path)
    alone, _, _ = store.accept_rows("contacts", [{}])
    assert [(o.status, o.message) for o in alone] == [
        ("rejected", "an empty row: it has no column")]
    beside, _, _ = store.accept_rows("contacts", [contact("e1"), {}])
    assert [(o.status, o.message) for o in beside] == [
        ("accepted", None), ("rejected", "an empty row: it has no column")]

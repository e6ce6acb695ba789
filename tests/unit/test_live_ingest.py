"""Live ingest on its own: versions of a row in one batch, finals persisted once, open rows
kept across a restart."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from omnikpi.errors import UsageError
from omnikpi.live.ingest import LiveStore


def contact(cid: str, **times: str) -> dict[str, str]:
    return {"contact_id": cid, "channel": "voice", "queue": "q",
            "arrived_at": "2026-11-24T09:00:00Z", **times}


def test_versions_in_one_batch_are_one_update(tmp_path: Path) -> None:
    store = LiveStore(tmp_path)
    started = store.seq
    rows = [contact("c1"), contact("c1", first_response_at="2026-11-24T09:00:30Z"),
            contact("c2", ended_at="2026-11-24T08:00:00Z"), {"contact_id": "c3"}]
    outcomes, canonical, seq = store.accept_rows("contacts", rows)
    # one update: the version left aside is a duplicate of the one kept
    assert [o.status for o in outcomes] == ["duplicate", "accepted", "rejected", "rejected"]
    assert outcomes[2].column == "ended_at"  # ends before it arrived
    assert canonical is not None and canonical.column("contact_id").to_pylist() == ["c1"]
    assert canonical.column("first_response_at").to_pylist() == [1795510830000000]
    assert seq == started + 1 and store.open_rows("contacts") == [rows[1]]


def test_final_rows_are_written_once_and_repeats_are_duplicates(tmp_path: Path) -> None:
    store = LiveStore(tmp_path)
    done = contact("c1", first_response_at="2026-11-24T09:00:05Z",
                   ended_at="2026-11-24T09:03:00Z")
    assert store.accept("contacts", [contact("c1")]).accepted == 1
    assert store.accept("contacts", [done]).accepted == 1
    again = store.accept("contacts", [done, contact("c9")])
    assert (again.accepted, again.duplicates) == (1, 1)
    files = list((tmp_path / "contacts").glob("ingest-*.jsonl"))
    assert len(files) == 1
    assert [json.loads(line)["contact_id"] for line in files[0].read_text().splitlines()] \
        == ["c1"]
    # a restarted server knows both: c1 is final, c9 still open
    restarted = LiveStore(tmp_path)
    assert restarted.accept("contacts", [done]).duplicates == 1
    assert [r["contact_id"] for r in restarted.open_rows("contacts")] == ["c9"]


def test_agent_state_without_end_is_open(tmp_path: Path) -> None:
    store = LiveStore(tmp_path)
    state = {"agent_id": "a1", "state": "available", "start": "2026-11-24T09:00:00Z"}
    result = store.accept("agent_states", [state])
    assert result.accepted == 1 and result.canonical is not None
    assert result.canonical.column("end").to_pylist() == [None]
    assert not (tmp_path / "agent_states").exists()
    closed = store.accept("agent_states", [{**state, "end": "2026-11-24T09:10:00Z"}])
    assert closed.accepted == 1 and store.open_rows("agent_states") == []
    assert (tmp_path / "agent_states").is_dir()


def test_only_live_tables(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot be posted live"):
        LiveStore(tmp_path).accept("surveys", [{}])


def _waiting(i: int) -> dict[str, str]:
    return {"contact_id": f"w{i}", "channel": "voice", "queue": "q",
            "arrived_at": f"2026-06-15T09:{i // 60:02d}:{i % 60:02d}Z"}


def test_open_rows_survive_a_restart_through_the_append_log(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Open rows are appended to ``open.jsonl`` (not rewritten each batch); the log is
    compacted when it outgrows them; a restart finds exactly the rows still open."""
    import omnikpi.live.ingest as ingest

    monkeypatch.setattr(ingest, "COMPACT_LINES", 10)
    store = LiveStore(tmp_path)
    for i in range(8):  # 8 open contacts, one a batch: appended, 8 lines
        store.accept("contacts", [_waiting(i)])
    assert store.open_lines == 8
    assert len(store.open_path.read_text().splitlines()) == 8
    # w0..w5 end: six closing lines would make 14 > max(10, 4 × 2): compacted to the 2 left
    ended = [{**_waiting(i), "first_response_at": f"2026-06-15T09:{i // 60:02d}:"
              f"{i % 60 + 1:02d}Z", "ended_at": "2026-06-15T10:00:00Z"} for i in range(6)]
    store.accept("contacts", ended)
    lines = store.open_path.read_text().splitlines()
    assert [json.loads(line)["row"]["contact_id"] for line in lines] == ["w6", "w7"]
    store.accept("contacts", [{**_waiting(6), "queue": "q2"}])  # a newer version: appended
    store.accept("contacts", [{**_waiting(7), "abandoned_at": "2026-06-15T09:30:00Z"}])
    assert len(store.open_path.read_text().splitlines()) == 4  # 2 + version + closed
    again = LiveStore(tmp_path)
    assert again.open_rows("contacts") == [{**_waiting(6), "queue": "q2"}]


def test_a_torn_last_line_of_the_open_log_is_skipped_with_a_warning(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = LiveStore(tmp_path)
    store.accept("contacts", [_waiting(1)])
    store.accept("contacts", [_waiting(2)])
    text = store.open_path.read_text()
    store.open_path.write_text(text[:-20])  # the server died while appending w2
    with caplog.at_level("WARNING", logger="omnikpi.live"):
        again = LiveStore(tmp_path)
    assert [r["contact_id"] for r in again.open_rows("contacts")] == ["w1"]
    assert "line 2 is not a whole open row" in caplog.text


def test_a_late_retry_of_an_earlier_version_never_undoes_a_later_one(tmp_path: Path) -> None:
    """A platform retried its "waiting" post after the call had ended: the last version in
    the batch won, so the ended call stayed waiting for ever and was never written. Now
    the version that knows more of the contact's life wins; a later batch that knows
    less is an old repeat (a duplicate)."""
    store = LiveStore(tmp_path)
    done = contact("c1", first_response_at="2026-11-24T09:00:10Z",
                   ended_at="2026-11-24T09:03:00Z")
    outcomes, canonical, _ = store.accept_rows("contacts", [done, contact("c1")])
    assert [o.status for o in outcomes] == ["accepted", "duplicate"]
    assert canonical is not None and canonical.column("ended_at").to_pylist() == [
        1795510980000000]
    assert store.open_rows("contacts") == []
    written = next((tmp_path / "contacts").glob("ingest-*.jsonl")).read_text()
    assert json.loads(written)["ended_at"] == "2026-11-24T09:03:00Z"

    answered = contact("c2", first_response_at="2026-11-24T09:00:20Z")
    assert store.accept("contacts", [answered]).accepted == 1
    stale = store.accept("contacts", [contact("c2")])
    assert (stale.accepted, stale.duplicates) == (0, 1)
    assert store.open_rows("contacts") == [answered]
    # a version that knows as much (a new queue after a transfer) still updates
    moved = {**answered, "queue": "q2"}
    assert store.accept("contacts", [moved]).accepted == 1
    assert store.open_rows("contacts") == [moved]


def test_an_event_from_the_future_is_refused(tmp_path: Path) -> None:
    """A sender whose clock ran two days ahead moved the wallboard's and the reports'
    as-of: a live row more than five minutes ahead of the server is refused, saying why."""
    from datetime import UTC, datetime, timedelta

    soon = (datetime.now(UTC) + timedelta(minutes=2)).isoformat()
    ahead = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    store = LiveStore(tmp_path)
    rows = [{"contact_id": "c1", "channel": "voice", "queue": "q", "arrived_at": soon},
            {"contact_id": "c2", "channel": "voice", "queue": "q", "arrived_at": ahead}]
    outcomes, canonical, _ = store.accept_rows("contacts", rows)
    assert [o.status for o in outcomes] == ["accepted", "rejected"]
    assert outcomes[1].column == "arrived_at"
    assert outcomes[1].message is not None and "in the future" in outcomes[1].message
    assert canonical is not None and canonical.column("contact_id").to_pylist() == ["c1"]


def _strict_json(line: str) -> dict[str, object]:
    """A line as JSON proper reads it (no NaN, no Infinity)."""
    def refuse(name: str) -> object:
        raise ValueError(f"{name} is not JSON")
    value: dict[str, object] = json.loads(line, parse_constant=refuse)
    return value


def _ingested(folder: Path, table: str = "contacts") -> list[dict[str, object]]:
    return [_strict_json(line) for path in sorted((folder / table).glob("ingest-*.jsonl"))
            for line in path.read_text().splitlines()]


def test_versions_in_one_batch_add_up_like_versions_across_batches(tmp_path: Path) -> None:
    """[final, waiting] of one contact answered accepted 2 though only the final one was
    stored, while the same waiting row posted later was a duplicate: the version left
    aside in a batch is a duplicate too, so accepted counts what was stored."""
    store = LiveStore(tmp_path)
    final = contact("live-4", first_response_at="2026-11-24T09:00:10Z",
                    ended_at="2026-11-24T09:03:00Z")
    waiting = contact("live-4")
    together = store.accept("contacts", [final, waiting])
    assert (together.accepted, together.duplicates, together.rejected) == (1, 1, [])
    assert _ingested(tmp_path) == [final]
    later = store.accept("contacts", [waiting])
    assert (later.accepted, later.duplicates) == (0, 1)
    twice = store.accept("contacts", [contact("live-5", ended_at="2026-11-24T09:01:00Z")] * 2)
    assert (twice.accepted, twice.duplicates) == (1, 1)
    assert [r["contact_id"] for r in _ingested(tmp_path)] == ["live-4", "live-5"]
    assert store.open_rows("contacts") == []


def test_nan_is_refused_and_never_written(tmp_path: Path) -> None:
    """``"hold_seconds": NaN`` (Python's JSON reader accepts it) was accepted and written as
    a bare NaN, which is not JSON; it is refused like Infinity, with a reason, and the
    rows beside it are kept."""
    from omnikpi.schema.dataset import load_dataset

    store = LiveStore(tmp_path)
    ended = {"ended_at": "2026-11-24T09:03:00Z"}
    rows: list[dict[str, Any]] = [
        {**contact("n1", **ended), "hold_seconds": float("nan")},
        {**contact("n2", **ended), "tenant": float("inf")},
        contact("ok", **ended),
        {**contact("n3", **ended), "hold_seconds": float("nan")},
        contact("n3")]  # a NaN version does not sink the sound one beside it
    result = store.accept("contacts", rows)
    assert (result.accepted, result.duplicates) == (2, 0)
    assert [(r["row"], r["column"]) for r in result.rejected] == [
        (0, "hold_seconds"), (1, "tenant"), (3, "hold_seconds")]
    assert "not a number" in result.rejected[0]["message"]
    assert result.rejected[1]["message"] == "infinite value"
    assert [r["contact_id"] for r in _ingested(tmp_path)] == ["ok"]
    assert [r["contact_id"] for r in store.open_rows("contacts")] == ["n3"]
    dataset = load_dataset(tmp_path, cache=False)
    assert [p.message for p in dataset.problems if p.table == "contacts"] == []
    assert dataset.con.execute("SELECT contact_id FROM contacts").fetchall() == [("ok",)]

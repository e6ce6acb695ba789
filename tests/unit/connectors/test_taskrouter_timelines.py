"""The TaskRouter mapping's worker timelines on random events (hypothesis): whatever the
order of the reservations, the chats at once and the activity changes, a worker's states
tile the time from their first change to their last without a gap or an overlap, the
handling time is the time at least one reservation was being handled, and the wrap-up
time the rest of the time at least one was wrapping up.

The oracle walks the timeline second by second in Python (a test may; the import may not).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from omnikpi.cli.importer import shipped_mapping
from omnikpi.connectors.mapped_table import import_mapped

START = datetime(2024, 3, 5, 9, tzinfo=UTC)
WORKER = "olena@example.com"

RESERVATIONS = st.lists(
    st.tuples(st.integers(0, 600), st.integers(1, 300), st.one_of(st.none(),
                                                                  st.integers(1, 120))),
    min_size=0, max_size=5)
"""(accepted at, handled for, wrap-up or none) in seconds from the start."""
ACTIVITIES = st.lists(st.tuples(st.integers(0, 900), st.sampled_from(
    ["Available", "Break", "Unavailable", "Offline"])), min_size=1, max_size=5)


def _event(sid: int, second: int, kind: str, data: dict[str, str]) -> dict[str, Any]:
    at = START + timedelta(seconds=second)
    return {"sid": f"EV{sid:032d}", "event_type": kind,
            "event_date": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "event_date_ms": int(at.timestamp() * 1000),
            "resource_type": kind.split(".")[0], "event_data": data}


def _events(reservations: list[tuple[int, int, int | None]],
            activities: list[tuple[int, str]]) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    for i, (accepted, handled, wrapup) in enumerate(reservations):
        task = {"task_sid": f"WT{i:032d}", "task_channel_unique_name": "chat",
                "task_queue_name": "Chat", "worker_name": WORKER,
                "reservation_sid": f"WR{i:032d}", "worker_activity_name": "Available"}
        events.append(_event(len(events), accepted, "reservation.accepted", task))
        if wrapup is not None:
            events.append(_event(len(events), accepted + handled, "reservation.wrapup", task))
        events.append(_event(len(events), accepted + handled + (wrapup or 0),
                             "reservation.completed", task))
    for second, name in activities:
        events.append(_event(len(events), second, "worker.activity.update",
                             {"worker_name": WORKER, "worker_activity_name": name}))
    return events


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(reservations=RESERVATIONS, activities=ACTIVITIES)
def test_a_workers_states_tile_their_time(tmp_path_factory: Any,
                                          reservations: list[tuple[int, int, int | None]],
                                          activities: list[tuple[int, str]]) -> None:
    folder = tmp_path_factory.mktemp("taskrouter")
    events = _events(reservations, activities)
    page = folder / "events.json"
    page.write_text(json.dumps({"events": events[::-1], "meta": {}}))
    summaries = import_mapped([page], shipped_mapping("twilio-taskrouter"), folder / "out")
    states_summary = next(s for s in summaries if s.table == "agent_states")
    assert states_summary.read == sum(states_summary.filtered.values()) + states_summary.written
    path = Path(folder / "out" / "agent_states.parquet")
    states = sorted(pq.read_table(path).to_pylist(), key=lambda s: s["start"]) \
        if path.exists() else []
    changes = sorted({_second(e) for e in events})
    # the states tile the time from the first change to the last (whose state has no end)
    assert [(_s(s["start"]), _s(s["end"])) for s in states] == list(
        pairwise(changes))
    expected: dict[str, int] = {}
    for second in range(changes[0], changes[-1]):
        state = _oracle(reservations, activities, second)
        expected[state] = expected.get(state, 0) + 1
    got: dict[str, int] = {}
    for row in states:
        got[row["state"]] = got.get(row["state"], 0) + _s(row["end"]) - _s(row["start"])
    assert got == expected


def _oracle(reservations: list[tuple[int, int, int | None]],
            activities: list[tuple[int, str]], second: int) -> str:
    """The worker's state during ``second``: handling while a reservation is handled,
    else acw while one wraps up, else the last activity set (Available before any: the
    reservations' events say so)."""
    if any(a <= second < a + h for a, h, _ in reservations):
        return "handling"
    if any(a + h <= second < a + h + w for a, h, w in reservations if w):
        return "acw"
    set_by_then = [(at, i, name) for i, (at, name) in enumerate(activities) if at <= second]
    name = max(set_by_then)[2] if set_by_then else "Available"
    return {"Available": "available", "Offline": "logged_out"}.get(name, "not_ready")


def _second(event: dict[str, Any]) -> int:
    return int(event["event_date_ms"] / 1000 - START.timestamp())


def _s(at: datetime) -> int:
    return int(at.replace(tzinfo=UTC).timestamp() - START.timestamp())


FIXTURES = Path(__file__).parent / "fixtures" / "platforms" / "twilio_taskrouter"


def _states(folder: Path) -> list[tuple[Any, ...]]:
    return sorted(tuple(r.values()) for r in
                  pq.read_table(folder / "agent_states.parquet").to_pylist())


def _page_alone_then_together_is_once(pages: list[Path], mapping: Path,
                                      tmp_path: Path) -> None:
    """Page 1 alone then both pages, and both then page 1 again, give the states of both
    imported once (``tmp_path / "once"``), and validation finds no problem."""
    import omnikpi

    for order, imports in {"page 1 first": [pages[:1], pages],
                           "both first": [pages, pages[:1]]}.items():
        out = tmp_path / order.replace(" ", "_")
        for files in imports:
            import_mapped(files, mapping, out)
        assert _states(out) == _states(tmp_path / "once"), order
        loaded = omnikpi.load_dataset(out, cache=False)
        assert loaded.problem_count == 0, [str(p) for p in loaded.problems]
        loaded.close()


def test_the_earlier_events_imported_together_later_give_the_clean_timeline(
        tmp_path: Path) -> None:
    """Page 1 alone (the API lists the newest events first) does not know a reservation
    olena accepted on page 2: its wrap-up and completion are left out, so her handling
    from 09:51 runs to her next known change, 09:58. Imported again with page 2 — as the
    summary advises — the handling ends at 09:55. The first form stayed beside the new
    rows (the key is worker, start and state), and validation quarantined the two right
    rows as overlapping. The form ending sooner is the newer, in either order."""
    mapping = shipped_mapping("twilio-taskrouter")
    pages = [FIXTURES / "events-page-1.json", FIXTURES / "events-page-2.json"]
    import_mapped(pages, mapping, tmp_path / "once")
    _page_alone_then_together_is_once(pages, mapping, tmp_path)


def test_a_state_read_differently_from_a_page_alone_is_replaced_by_the_whole_view(
        tmp_path: Path) -> None:
    """Page 2 (older): olena Available at 09:00, accepts chat R1 at 09:20. Page 1
    (newer): Break at 09:30 (while chatting: still handling), R1 wrapped up at 09:35 and
    completed at 09:36, Available at 10:00, Offline at 10:30. Page 1 alone does not know
    R1, so it reads the 09:30 change as not_ready until 10:00; the whole view reads it as
    handling until 09:35. The two forms start together but differ in state: keyed by
    worker, start and state, the stale not_ready stayed beside the right rows (validation
    quarantined three, occupancy fell). One agent is in one state at an instant: the
    key is the worker and the start, and the form ending sooner is the newer."""
    chat = {"task_sid": "WT1", "task_channel_unique_name": "chat", "task_queue_name": "Chat",
            "worker_name": WORKER, "reservation_sid": "WR1",
            "worker_activity_name": "Available"}

    def activity(name: str) -> dict[str, str]:
        return {"worker_name": WORKER, "worker_activity_name": name}

    older = [_event(1, 0, "worker.activity.update", activity("Available")),
             _event(2, 1200, "reservation.accepted", chat)]
    newer = [_event(3, 1800, "worker.activity.update", activity("Break")),
             _event(4, 2100, "reservation.wrapup", chat),
             _event(5, 2160, "reservation.completed", chat),
             _event(6, 3600, "worker.activity.update", activity("Available")),
             _event(7, 5400, "worker.activity.update", activity("Offline"))]
    pages = []
    for number, events in ((1, newer), (2, older)):  # the API lists the newest first
        page = tmp_path / f"events-page-{number}.json"
        page.write_text(json.dumps({"events": events[::-1]}))
        pages.append(page)
    mapping = shipped_mapping("twilio-taskrouter")
    import_mapped(pages, mapping, tmp_path / "once")
    rows = [(state, _s(start), _s(end)) for _, state, _, start, end, *_ in
            _states(tmp_path / "once")]
    assert sorted(rows, key=lambda r: r[1]) == [
        ("available", 0, 1200), ("handling", 1200, 1800), ("handling", 1800, 2100),
        ("acw", 2100, 2160), ("not_ready", 2160, 3600), ("available", 3600, 5400)]
    _page_alone_then_together_is_once(pages, mapping, tmp_path)

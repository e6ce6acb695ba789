"""The monitor's reused SQL gives exactly what the engine computes afresh, at any instant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omnikpi.auth.scope import UNBOUNDED
from omnikpi.config import Config
from omnikpi.engine.run import run_report
from omnikpi.engine.timezones import to_datetime
from omnikpi.live.ingest import LiveStore, validate_rows
from omnikpi.live.monitor import LIVE_BY, SO_FAR_TODAY, LiveMonitor

US = 1_000_000
NOON = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)
"""The tests' "now": 12:00 in Kyiv, hours from midnight in every zone used here."""


def fixed_clock(at: datetime = NOON) -> int:
    return int(at.timestamp() * US)


@pytest.fixture(scope="module")
def monitor(tmp_path_factory: pytest.TempPathFactory) -> LiveMonitor:
    folder = tmp_path_factory.mktemp("live")
    store = LiveStore(folder)
    live = LiveMonitor(folder, Config(), "Europe/Kyiv", store, None, clock=fixed_clock)
    now = NOON
    rows = []
    for i in range(40):
        arrived = now - timedelta(seconds=5 + 37 * i)
        row = {"contact_id": f"c{i}", "channel": ["voice", "chat", "email"][i % 3],
               "queue": f"q{i % 4}", "site": "kyiv", "tenant": "A",
               "arrived_at": arrived.isoformat()}
        if i % 5 == 1:
            row["abandoned_at"] = (arrived + timedelta(seconds=3 + i)).isoformat()
        elif i % 5 in (2, 3):
            row["first_response_at"] = (arrived + timedelta(seconds=i)).isoformat()
        rows.append(row)
    result = store.accept("contacts", rows)
    assert result.accepted == 40
    live.apply_ingest("contacts", result.canonical, result.seq)
    return live


@settings(max_examples=15, deadline=None)
@given(offset=st.integers(min_value=0, max_value=3_600 * US))
def test_reused_sql_equals_a_fresh_report(monitor: LiveMonitor, offset: int) -> None:
    now_us = fixed_clock() - offset
    assert now_us > monitor.day_start_us
    dataset = monitor._dataset(now_us)
    for by in (LIVE_BY, []):
        reused = monitor._so_far(dataset, by, now_us)
        fresh = run_report(dataset, SO_FAR_TODAY, by=by, tz="Europe/Kyiv",
                           from_=to_datetime(monitor.day_start_us).isoformat(),
                           as_of=to_datetime(now_us).isoformat(), config=monitor.config)
        assert reused == fresh.rows
        # and of the same types (a count stays an int on the screen: ``3``, not ``3.0``)
        assert [{k: type(v) for k, v in row.items()} for row in reused] == \
            [{k: type(v) for k, v in row.items()} for row in fresh.rows]
    assert all(t is not None for t in monitor.templates.values()), "SQL was not reused"


def test_waiting_contacts_count_late_only_after_the_threshold(tmp_path: Path) -> None:
    store = LiveStore(tmp_path)
    live = LiveMonitor(tmp_path, Config(), "UTC", store, None, clock=fixed_clock)
    now = NOON
    rows = [{"contact_id": "early", "channel": "voice", "queue": "q",
             "arrived_at": (now - timedelta(seconds=5)).isoformat()},
            {"contact_id": "late", "channel": "voice", "queue": "q",
             "arrived_at": (now - timedelta(seconds=25)).isoformat()},
            # an agent's call being dialled for 40 s: nobody waits in the queue for it
            {"contact_id": "dialling", "channel": "voice", "queue": "q",
             "direction": "outbound", "arrived_at": (now - timedelta(seconds=40)).isoformat()}]
    result = store.accept("contacts", rows)
    live.apply_ingest("contacts", result.canonical, result.seq)
    snap = live.snapshot(UNBOUNDED, int(now.timestamp() * US))
    totals = snap.data["totals"]
    # offered 2; the call waiting 5 s is still within the 20 s threshold: left out of SL;
    # the one waiting 25 s is already late: SL = 0 / 1
    assert totals["offered"] == 2 and totals["waiting"] == 2
    assert totals["service_level"] == 0.0
    assert totals["longest_wait_s"] == pytest.approx(25.0)



def test_a_contact_left_open_for_days_is_not_waiting(tmp_path: Path) -> None:
    """A contact whose end never came stayed "waiting" through every midnight and
    restart ("Longest wait 244,769.7 h"): one open for more than a day before today
    began is dropped; one waiting since late yesterday still counts."""
    store = LiveStore(tmp_path)
    rows = [{"contact_id": "lost", "channel": "voice", "queue": "q",
             "arrived_at": (NOON - timedelta(days=3)).isoformat()},
            {"contact_id": "overnight", "channel": "voice", "queue": "q",
             "arrived_at": (NOON - timedelta(hours=10)).isoformat()}]
    assert store.accept("contacts", rows).accepted == 2
    live = LiveMonitor(tmp_path, Config(), "UTC", store, None, clock=fixed_clock)
    totals = live.snapshot(UNBOUNDED, fixed_clock()).data["totals"]
    assert totals["waiting"] == 1
    assert totals["longest_wait_s"] == pytest.approx(10 * 3600)
    # two days on, at midnight: the overnight one is dropped too
    later = fixed_clock(NOON + timedelta(days=2))
    live.roll_day(later)
    assert live.snapshot(UNBOUNDED, later).data["totals"]["waiting"] == 0


def test_midnight_forgets_yesterday_s_finished_contacts(tmp_path: Path) -> None:
    """An answered call has no abandoned_at, an abandoned one no ended_at: the day's
    condition was NULL on them, ``NOT NULL`` is NULL, and no finished row of any earlier
    day was ever deleted (memory grew with uptime)."""
    store = LiveStore(tmp_path)
    yesterday = NOON - timedelta(days=1)
    rows = [{"contact_id": "answered", "channel": "voice", "queue": "q",
             "arrived_at": yesterday.isoformat(),
             "first_response_at": (yesterday + timedelta(seconds=5)).isoformat(),
             "ended_at": (yesterday + timedelta(minutes=1)).isoformat()},
            {"contact_id": "abandoned", "channel": "voice", "queue": "q",
             "arrived_at": yesterday.isoformat(),
             "abandoned_at": (yesterday + timedelta(seconds=35)).isoformat()},
            {"contact_id": "today", "channel": "voice", "queue": "q",
             "arrived_at": (NOON - timedelta(minutes=5)).isoformat()}]
    live = LiveMonitor(tmp_path, Config(), "UTC", store, None,
                       clock=lambda: fixed_clock(yesterday + timedelta(hours=2)))
    result = store.accept("contacts", rows)
    live.apply_ingest("contacts", result.canonical, result.seq)
    live.roll_day(fixed_clock())
    left = live.con.execute("SELECT contact_id FROM live_contacts").fetchall()
    assert left == [("today",)]


def test_the_day_starts_at_the_first_of_two_midnights(tmp_path: Path) -> None:
    """America/Havana went back from 01:00 to 00:00 on 2026-11-01, so its midnight came
    twice (04:00Z and 05:00Z). In the hour after the second, today began at it and the
    call answered at 00:10 of the first was no longer offered today."""
    store = LiveStore(tmp_path)
    first_midnight = datetime(2026, 11, 1, 4, 0, tzinfo=UTC)
    row = {"contact_id": "c", "channel": "voice", "queue": "q",
           "arrived_at": (first_midnight + timedelta(minutes=10)).isoformat(),
           "first_response_at": (first_midnight + timedelta(minutes=10, seconds=5))
           .isoformat(),
           "ended_at": (first_midnight + timedelta(minutes=12)).isoformat()}
    clock = [first_midnight + timedelta(minutes=50)]  # 00:50, the first time
    live = LiveMonitor(tmp_path, Config(), "America/Havana", store, None,
                       clock=lambda: fixed_clock(clock[0]))
    result = store.accept("contacts", [row])
    live.apply_ingest("contacts", result.canonical, result.seq)
    for minutes in (50, 90, 150):  # 00:50 the first time, 00:30 the second, 01:30
        clock[0] = first_midnight + timedelta(minutes=minutes)
        snap = live.snapshot(UNBOUNDED, fixed_clock(clock[0])).data
        assert live.day_start_us == fixed_clock(first_midnight), minutes
        assert snap["totals"]["offered"] == 1, minutes


def test_a_bounded_viewer_is_told_availability_is_not_theirs(monitor: LiveMonitor) -> None:
    """The availability table has no tenant: a client's viewer got an empty list, and the
    board said "Every channel is available" without anyone having looked."""
    from omnikpi.auth.scope import Scope

    assert monitor.snapshot(UNBOUNDED, fixed_clock()).data["availability_known"] is True
    bounded = monitor.snapshot(Scope(("A",)), fixed_clock()).data
    assert bounded["availability_known"] is False and bounded["unavailable"] == []


def test_an_agents_latest_open_state_stands_after_a_restart(tmp_path: Path) -> None:
    """An agent posted "available" and, in a later request, "handling", neither ended yet:
    the board showed "handling" (the latest), but after a restart "available" — the open
    states were checked together and the newer one dropped as overlapping."""
    store = LiveStore(tmp_path)
    for state, ago in (("available", 200), ("handling", 20)):
        row = {"agent_id": "a1", "state": state, "channel": "voice",
               "start": (NOON - timedelta(seconds=ago)).isoformat()}
        assert store.accept("agent_states", [row]).accepted == 1
    for attempt in range(2):  # the running server's view, then the restarted one's
        live = LiveMonitor(tmp_path, Config(), "UTC", LiveStore(tmp_path) if attempt
                           else store, None, clock=fixed_clock)
        agents = live.snapshot(UNBOUNDED, fixed_clock()).data["agent_list"]
        assert [(a["agent_id"], a["state"]) for a in agents] == [("a1", "handling")]


def _file_contacts(folder: Path, *lines: str) -> None:
    """``contacts/export.csv`` in ``folder``: a connector's file of final rows."""
    (folder / "contacts").mkdir(parents=True, exist_ok=True)
    (folder / "contacts" / "export.csv").write_text(
        "contact_id,channel,queue,arrived_at,accepted_at,first_response_at,ended_at,"
        "agent_id,outcome\n" + "".join(line + "\n" for line in lines))


def _at(seconds_ago: int) -> str:
    return (NOON - timedelta(seconds=seconds_ago)).isoformat()


def test_a_call_closed_as_lost_is_not_waiting_nor_in_hand(tmp_path: Path) -> None:
    """Asterisk restarted (QUEUESTART): the queue_log connector writes the calls it forgot
    as final rows with outcome ``lost`` and no end. The board read them as still going on:
    "Waiting now 1", its wait growing for a day, and the agent who had the other call shown
    available with it in hand."""
    from omnikpi.schema.dataset import load_dataset

    _file_contacts(tmp_path,
                   f"q9,voice,sales,{_at(30)},,,,,lost",
                   f"q10,voice,sales,{_at(25)},{_at(20)},{_at(20)},,1002,lost",
                   f"q11,voice,sales,{_at(15)},,,,,")  # still waiting, 15 s
    (tmp_path / "agent_states").mkdir()
    (tmp_path / "agent_states" / "states.csv").write_text(
        f"agent_id,state,start,end\n1002,available,{_at(2)},{_at(-60)}\n")
    base = load_dataset(tmp_path)
    live = LiveMonitor(tmp_path, Config(), "UTC", LiveStore(tmp_path), base,
                       clock=fixed_clock)
    data = live.snapshot(UNBOUNDED, fixed_clock()).data
    assert (data["totals"]["offered"], data["totals"]["waiting"]) == (3, 1)
    assert data["totals"]["longest_wait_s"] == pytest.approx(15.0)
    assert [(a["agent_id"], a["contact"]) for a in data["agent_list"]] == [("1002", None)]


def test_a_contact_a_file_finished_stays_finished_after_a_restart(tmp_path: Path) -> None:
    """A contact posted waiting, then answered and ended in a dropped file: right until the
    server restarted, when the store's open row (still waiting) replaced the file's and the
    board said waiting 1, SL 0 % where the report said answered in 10 s, SL 100 %."""
    from omnikpi.schema.dataset import load_dataset

    store = LiveStore(tmp_path)
    posted = {"contact_id": "z9", "channel": "voice", "queue": "drop", "arrived_at": _at(40)}
    assert store.accept("contacts", [posted]).accepted == 1
    _file_contacts(tmp_path, f"z9,voice,drop,{_at(40)},{_at(30)},{_at(30)},{_at(5)},a1,")
    live = LiveMonitor(tmp_path, Config(), "UTC", LiveStore(tmp_path), load_dataset(tmp_path),
                       clock=fixed_clock)
    totals = live.snapshot(UNBOUNDED, fixed_clock()).data["totals"]
    assert (totals["waiting"], totals["offered"], totals["answered"]) == (0, 1, 1)
    assert totals["service_level"] == 1.0


def test_chat_sessions_are_counted_per_client_s_agent(tmp_path: Path) -> None:
    """Clients A and B each have an agent c1 with three chats open: two agents within
    their capacity of 4, not one agent holding six (over capacity, alerted)."""
    store = LiveStore(tmp_path)
    live = LiveMonitor(tmp_path, Config(), "UTC", store, None, clock=fixed_clock)
    rows = [{"contact_id": f"{tenant}{i}", "channel": "chat", "queue": "web",
             "tenant": tenant, "agent_id": "c1",
             "arrived_at": (NOON - timedelta(minutes=10)).isoformat(),
             "accepted_at": (NOON - timedelta(minutes=9)).isoformat()}
            for tenant in ("A", "B") for i in range(3)]
    result = store.accept("contacts", rows)
    live.apply_ingest("contacts", result.canonical, result.seq)
    chat = live.snapshot(UNBOUNDED, fixed_clock()).data["chat"]
    assert sorted((c["tenant"], c["agent_id"], c["sessions"]) for c in chat) == [
        ("A", "c1", 3), ("B", "c1", 3)]


def test_an_open_version_never_replaces_a_finished_contact(tmp_path: Path) -> None:
    """A finished contact, then its open version applied after it (a late post that
    reached the monitor): the contact stays answered, not waiting again."""
    store = LiveStore(tmp_path)
    live = LiveMonitor(tmp_path, Config(), "UTC", store, None, clock=fixed_clock)
    arrived = NOON - timedelta(minutes=5)
    ended = {"contact_id": "f1", "channel": "voice", "queue": "q",
             "arrived_at": arrived.isoformat(),
             "first_response_at": (arrived + timedelta(seconds=10)).isoformat(),
             "ended_at": (arrived + timedelta(minutes=2)).isoformat()}
    waiting = {k: ended[k] for k in ("contact_id", "channel", "queue", "arrived_at")}
    for row in (ended, waiting):
        canonical, rejected = validate_rows("contacts", [row])
        assert not rejected and canonical is not None
        live.apply_ingest("contacts", canonical.drop_columns(["__index"]), 0)
    totals = live.snapshot(UNBOUNDED, fixed_clock()).data["totals"]
    assert (totals["answered"], totals["waiting"]) == (1, 0)

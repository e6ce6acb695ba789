"""The board's agents and waiting contacts are what the events say *now*:

- an agent is in one state at a time: a state posted without an end is over once the
  agent's next state starts (the earlier open state came back when the later one ended,
  "available for 600 s" while the agent had been handling since T-300);
- every field of the agent's row comes from its latest state (the reason of an earlier
  state showed beside a later state without one: "available / lunch");
- ingest checks a state against the agent's open states too: an ended state spanning an
  open one's start is refused (it was accepted, then the open state's end was refused and
  the agent stayed "handling" for ever), another tenant's key may not change the agent
  while another tenant's state is going on, and a batch of state changes without ends is
  accepted whole;
- a contact or a state left open for days is not "now" (a contact posted three days after
  it arrived waited 72 h on the board until a restart);
- a restart keeps the calls that arrived before midnight and ended after it (live AHT left
  the report's).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from omnikpi.auth.scope import UNBOUNDED, Scope
from omnikpi.config import Config
from omnikpi.live.ingest import ANOTHER_TENANTS_AGENT, LiveStore
from omnikpi.live.monitor import LiveMonitor
from omnikpi.schema.dataset import load_dataset

US = 1_000_000
NOW = datetime.now(UTC).replace(microsecond=0)
"""The tests' now (ingest checks instants against the server's clock)."""


def at(seconds_ago: float) -> str:
    return (NOW - timedelta(seconds=seconds_ago)).isoformat()


def clock() -> int:
    return int(NOW.timestamp() * US)


def state(agent: str, name: str, start: float, end: float | None = None,
          **extra: Any) -> dict[str, Any]:
    row = {"agent_id": agent, "state": name, "start": at(start), **extra}
    if end is not None:
        row["end"] = at(end)
    return row


def post(store: LiveStore, live: LiveMonitor, table: str, rows: list[dict[str, Any]]
         ) -> list[str]:
    result = store.accept(table, rows)
    live.apply_ingest(table, result.canonical, result.seq)
    return ["rejected" if i in {r["row"] for r in result.rejected} else "kept"
            for i in range(len(rows))]


def board(live: LiveMonitor) -> list[tuple[Any, ...]]:
    return [(a["agent_id"], a["state"], a["reason"], a["channel"], a["in_state_s"])
            for a in live.snapshot(UNBOUNDED, clock()).data["agent_list"]]


@pytest.fixture
def store(tmp_path: Path) -> LiveStore:
    return LiveStore(tmp_path)


@pytest.fixture
def live(tmp_path: Path, store: LiveStore) -> LiveMonitor:
    return LiveMonitor(tmp_path, Config(), "UTC", store, None, clock=clock)


def test_an_open_state_is_over_once_the_next_one_starts(store: LiveStore,
                                                        live: LiveMonitor) -> None:
    post(store, live, "agent_states", [state("a1", "available", 600)])
    post(store, live, "agent_states", [state("a1", "handling", 300)])
    assert board(live) == [("a1", "handling", None, None, 300.0)]
    post(store, live, "agent_states", [state("a1", "handling", 300, end=60)])
    assert board(live) == []  # nothing known since T-60: not "available since T-600"


def test_every_field_comes_from_the_latest_state(store: LiveStore,
                                                 live: LiveMonitor) -> None:
    post(store, live, "agent_states", [state("a2", "not_ready", 600, reason="lunch",
                                             channel="voice")])
    post(store, live, "agent_states", [state("a2", "available", 300)])
    assert board(live) == [("a2", "available", None, None, 300.0)]
    people = live.snapshot(UNBOUNDED, clock()).data["agents"]
    assert people == [{"site": None, "state": "available", "reason": None, "agents": 1}]


def test_not_ready_time_is_the_spell_s_not_the_reason_s(store: LiveStore,
                                                        live: LiveMonitor) -> None:
    """Break at T-900, lunch from T-420 without a gap: not ready for 900 s (the alert on
    not-ready time fired again, with a second notice, when the reason changed), in the
    state "lunch" for 420 s. After a gap (available between), a new spell."""
    post(store, live, "agent_states", [
        state("a6", "not_ready", 900, end=420, reason="break"),
        state("a6", "not_ready", 420, reason="lunch"),
        state("a7", "not_ready", 900, end=600, reason="break"),
        state("a7", "available", 600, end=300),
        state("a7", "not_ready", 300, reason="lunch")])
    agents = {a["agent_id"]: a for a in live.snapshot(UNBOUNDED, clock()).data["agent_list"]}
    assert (agents["a6"]["reason"], agents["a6"]["in_state_s"],
            agents["a6"]["not_ready_s"]) == ("lunch", 420.0, 900.0)
    assert (agents["a7"]["in_state_s"], agents["a7"]["not_ready_s"]) == (300.0, 300.0)
    # a file's break that ends half a second after the lunch starts: one spell still
    break_end = NOW - timedelta(seconds=299.5)
    live._apply("agent_states", pa.table({
        "agent_id": ["a8", "a8"], "state": ["not_ready", "not_ready"],
        "reason": ["break", "lunch"],
        "start": [int((NOW - timedelta(seconds=s)).timestamp() * US) for s in (600, 300)],
        "end": [int(break_end.timestamp() * US), None]}))
    agents = {a["agent_id"]: a for a in live.snapshot(UNBOUNDED, clock()).data["agent_list"]}
    assert (agents["a8"]["in_state_s"], agents["a8"]["not_ready_s"]) == (300.0, 600.0)



def test_a_batch_of_state_changes_without_ends_is_accepted_whole(
        store: LiveStore, live: LiveMonitor) -> None:
    kept = post(store, live, "agent_states", [state("a3", "available", 600),
                                               state("a3", "handling", 300),
                                               state("a3", "acw", 100)])
    assert kept == ["kept", "kept", "kept"]
    assert board(live) == [("a3", "acw", None, None, 100.0)]


def test_an_ended_state_spanning_an_open_ones_start_is_refused(
        store: LiveStore, live: LiveMonitor) -> None:
    post(store, live, "agent_states", [state("a4", "handling", 300)])
    result = store.accept("agent_states", [state("a4", "available", 600, end=240)])
    assert result.accepted == 0
    assert result.rejected[0]["message"] == (
        f"overlaps an earlier agent_states row of agent_id 'a4' (from "
        f"{datetime.fromisoformat(at(300)).isoformat()}, still going on, posted before): "
        "an agent is in one state at a time")
    # the open state's own end is taken, and what came before it too
    assert store.accept("agent_states", [state("a4", "handling", 300, end=60)]).accepted == 1
    assert store.accept("agent_states", [state("a4", "available", 600, end=300)]
                        ).accepted == 1


def test_another_tenants_key_cannot_change_an_agent_in_a_state_of_theirs(
        store: LiveStore, live: LiveMonitor) -> None:
    post(store, live, "agent_states", [state("sales-02", "available", 600, tenant="bank")])
    for row in (state("sales-02", "not_ready", 30, tenant="telco"),   # after its start
                state("sales-02", "available", 600, tenant="telco"),  # its very start
                state("sales-02", "handling", 900, end=500, tenant="telco")):  # over it
        result = store.accept("agent_states", [row])
        assert result.accepted == 0
        assert result.rejected[0]["message"] == ANOTHER_TENANTS_AGENT
    # what ended before the bank's state began is the agent's telco history
    assert store.accept("agent_states", [state("sales-02", "handling", 900, end=700,
                                               tenant="telco")]).accepted == 1
    live_rows = board(live)
    assert live_rows == [("sales-02", "available", None, None, 600.0)]


def test_states_and_contacts_open_for_days_are_not_now(store: LiveStore,
                                                       live: LiveMonitor) -> None:
    three_days = 3 * 86_400
    post(store, live, "agent_states", [state("old-01", "available", three_days)])
    # waiting since a minute before midnight: nothing offered today on its queue yet
    since_midnight = (NOW - NOW.replace(hour=0, minute=0, second=0)).total_seconds()
    post(store, live, "contacts", [{"contact_id": "OLD", "channel": "voice",
                                    "queue": "support", "arrived_at": at(three_days)},
                                   {"contact_id": "NIGHT", "channel": "voice",
                                    "queue": "support", "arrived_at": at(since_midnight + 60)}])
    snapshot = live.snapshot(UNBOUNDED, clock()).data
    assert snapshot["agent_list"] == []
    assert snapshot["totals"]["waiting"] == 1
    assert snapshot["totals"]["longest_wait_s"] == pytest.approx(since_midnight + 60)
    row = snapshot["queues"][0]
    assert (row["offered"], row["answered"], row["abandoned"]) == (0, 0, 0)
    assert all(type(row[k]) is int for k in ("offered", "answered", "abandoned"))


def test_a_restart_keeps_a_call_that_crossed_midnight(tmp_path: Path) -> None:
    """Shanghai's midnight is 16:00 UTC: Y1 arrived at 15:50, ended at 16:02 (710 s
    handled), Y3 arrived 16:01, handled 120 s: today's AHT, booked at the end, is
    (710 + 120) / 2 = 415 s, before and after a restart."""
    (tmp_path / "contacts.csv").write_text(
        "contact_id,channel,queue,arrived_at,accepted_at,first_response_at,ended_at\n"
        "Y1,voice,q,2026-12-05T15:50:00Z,2026-12-05T15:50:10Z,2026-12-05T15:50:10Z,"
        "2026-12-05T16:02:00Z\n"
        "Y3,voice,q,2026-12-05T16:01:00Z,2026-12-05T16:01:05Z,2026-12-05T16:01:05Z,"
        "2026-12-05T16:03:05Z\n")
    noon = int(datetime(2026, 12, 5, 18, 0, tzinfo=UTC).timestamp() * US)
    base = load_dataset(tmp_path, cache=False)
    try:
        restarted = LiveMonitor(tmp_path, Config(), "Asia/Shanghai", LiveStore(tmp_path),
                                base, clock=lambda: noon)
    finally:
        base.close()
    totals = restarted.snapshot(UNBOUNDED, noon).data["totals"]
    assert totals["aht"] == pytest.approx(415.0)


def test_the_batch_number_only_grows_across_a_restart(tmp_path: Path) -> None:
    """``seq`` started at 1 after a restart: a client tracking it saw it go back."""
    store = LiveStore(tmp_path)
    before = store.accept("contacts", [{"contact_id": "s1", "channel": "voice",
                                        "queue": "q", "arrived_at": at(30)}]).seq
    restarted = LiveStore(tmp_path)
    live = LiveMonitor(tmp_path, Config(), "UTC", restarted, None, clock=clock)
    assert live.snapshot(UNBOUNDED, clock()).seq > before
    after = restarted.accept("contacts", [{"contact_id": "s2", "channel": "voice",
                                           "queue": "q", "arrived_at": at(20)}]).seq
    assert after > before


def test_an_agent_holding_a_contact_without_a_state_is_counted_handling(
        store: LiveStore, live: LiveMonitor) -> None:
    """A platform that posts contacts but not agent states: the queue row counted the
    agent busy while "agents by state" left them out, so the two tables disagreed."""
    post(store, live, "agent_states", [state("a1", "available", 600)])
    post(store, live, "contacts", [{"contact_id": "c1", "channel": "voice", "queue": "sales",
                                    "agent_id": "a9", "arrived_at": at(90),
                                    "accepted_at": at(60)}])
    snapshot = live.snapshot(UNBOUNDED, clock()).data
    assert [(r["state"], r["agents"]) for r in snapshot["agents"]] == [
        ("available", 1), ("handling", 1)]
    row = snapshot["queues"][0]
    assert (row["agents_busy"], row["agents_available"]) == (1, 1)


def test_another_tenants_contact_of_the_same_agent_id_leaves_this_agent_free(
        store: LiveStore, live: LiveMonitor) -> None:
    """Agent ids repeat across a provider's clients: the bank's call held by the bank's
    support-01 made telco's support-01 busy on the administrator's board (0 available on
    telco's queue, and telco's "available below 1" alert fired), while telco's own board
    said 1. A contact is held by the agent of its own tenant."""
    post(store, live, "agent_states", [state("support-01", "available", 60, tenant="telco",
                                             site="lviv", channel="voice")])
    post(store, live, "contacts", [
        {"contact_id": "T-WAIT", "channel": "voice", "queue": "support", "tenant": "telco",
         "site": "lviv", "arrived_at": at(20)},
        {"contact_id": "BK-S1", "channel": "voice", "queue": "sales", "tenant": "bank",
         "site": "kyiv", "arrived_at": at(60), "accepted_at": at(30),
         "first_response_at": at(30), "agent_id": "support-01"}])
    data = live.snapshot(UNBOUNDED, clock()).data
    people = {(a["tenant"], a["agent_id"]): (a["state"], a["contact"] and a["contact"]["queue"])
              for a in data["agent_list"]}
    assert people == {("telco", "support-01"): ("available", None),
                      ("bank", "support-01"): (None, "sales")}
    rows = {(q["tenant"], q["queue"]): q for q in data["queues"]}
    assert rows["telco", "support"]["agents_available"] == 1
    telco = live.snapshot(Scope(("telco",)), clock()).data
    assert [q["agents_available"] for q in telco["queues"]
            if q["queue"] == "support"] == [1]


def test_an_agent_with_contacts_of_several_tenants_is_one_row_when_they_are_its(
        store: LiveStore, live: LiveMonitor) -> None:
    """A state feed without tenants beside contacts with them (the usual ACD) is one agent
    holding both clients' chats; and a contact without a tenant is its agent's state's:
    neither splits the agent into two rows (counted twice, sessions halved)."""
    post(store, live, "agent_states", [state("c1", "handling", 60, channel="chat"),
                                       state("c2", "handling", 60, tenant="bank",
                                             channel="chat")])
    chats = [{"contact_id": f"K{i}", "channel": "chat", "queue": queue, "tenant": tenant,
              "arrived_at": at(50), "accepted_at": at(40), "first_response_at": at(40),
              "agent_id": agent}
             for i, (agent, queue, tenant) in enumerate((
                 ("c1", "q1", "bank"), ("c1", "q2", "telco"),
                 ("c2", "q1", "bank"), ("c2", "q3", None)))]
    post(store, live, "contacts", chats)
    people = [(a["agent_id"], a["sessions"], [h["queue"] for h in a["held"]])
              for a in live.snapshot(UNBOUNDED, clock()).data["agent_list"]]
    assert people == [("c1", 2, ["q1", "q2"]), ("c2", 2, ["q1", "q3"])]

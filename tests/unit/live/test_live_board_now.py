"""The board's "now" read as the engine and the docs read it (audit of the live monitor):

- a chat agent with chats of several queues is busy in each of them (counted busy for the
  queue of the chat taken last only), and once in the totals;
- chat capacity is the agent's own, else its chats' queue's, else their channel's, else
  the default (the board used the default where the report used the channel's 2);
- a queue's own ``mode`` decides whether its contacts wait or are backlog;
- an e-mail accepted but not replied to is still backlog;
- an answer or end a few minutes ahead of now has not happened yet;
- the day of grace is the previous local day (after a 25-hour day, 24 hours fell short).

Every number is worked out by hand in the comments; "now" is a fixed clock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from omnikpi.auth.scope import UNBOUNDED
from omnikpi.config import Config
from omnikpi.live.ingest import LiveStore
from omnikpi.live.monitor import LiveMonitor, Where
from omnikpi.schema.dataset import load_dataset

US = 1_000_000
NOON = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
"""The tests' now (UTC board): 12:00, well after midnight and before the next."""


def at(seconds_ago: float, now: datetime = NOON) -> str:
    return (now - timedelta(seconds=seconds_ago)).isoformat()


def us(moment: datetime) -> int:
    return int(moment.timestamp() * US)


def monitor(folder: Path, config: Config | None = None, tz: str = "UTC",
            now: datetime = NOON) -> tuple[LiveStore, LiveMonitor]:
    store = LiveStore(folder)
    live = LiveMonitor(folder, config or Config(), tz, store, None, clock=lambda: us(now))
    return store, live


def post(store: LiveStore, live: LiveMonitor, table: str,
         rows: list[dict[str, Any]]) -> None:
    result = store.accept(table, rows)
    assert result.accepted == len(rows), result.rejected
    live.apply_ingest(table, result.canonical, result.seq)


def chat(contact_id: str, queue: str, agent: str, accepted_ago: float,
         **extra: Any) -> dict[str, Any]:
    """An open chat of ``agent``, accepted ``accepted_ago`` seconds before now."""
    return {"contact_id": contact_id, "channel": "chat", "queue": queue, "site": "lviv",
            "tenant": "A", "agent_id": agent, "arrived_at": at(accepted_ago + 10),
            "accepted_at": at(accepted_ago), "first_response_at": at(accepted_ago - 5),
            **extra}


def snapshot(live: LiveMonitor, where: Where | None = None,
             now: datetime = NOON) -> dict[str, Any]:
    return live.snapshot(UNBOUNDED, us(now), where).data


def rows_by_queue(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {q["queue"]: q for q in data["queues"]}


def test_a_chat_agent_is_busy_in_every_queue_it_holds_a_chat_of(tmp_path: Path) -> None:
    """x1 holds c1 and c2 of support and c3 of vip (taken last). Busy: support 1, vip 1,
    on the whole board and on a board cut to both queues; the totals count x1 once."""
    store, live = monitor(tmp_path)
    post(store, live, "agent_states", [
        {"agent_id": "x1", "state": "handling", "channel": "chat", "site": "lviv",
         "tenant": "A", "start": at(900)}])
    post(store, live, "contacts", [chat("c1", "support", "x1", 600),
                                   chat("c2", "support", "x1", 300),
                                   chat("c3", "vip", "x1", 60)])
    for where in (None, {"queue": ("support", "vip")}, {"queue": ("support",)}):
        data = snapshot(live, where)
        busy = {q: row["agents_busy"] for q, row in rows_by_queue(data).items()}
        assert busy == ({"support": 1} if where == {"queue": ("support",)}
                        else {"support": 1, "vip": 1}), where
        assert data["agents"] == [{"site": "lviv", "state": "handling", "reason": None,
                                   "agents": 1}]
    person = snapshot(live)["agent_list"][0]
    assert person["contact"]["queue"] == "vip"  # the one taken last, shown in the table
    assert person["held"] == [{"queue": "support", "channel": "chat"},
                              {"queue": "vip", "channel": "chat"}]
    assert person["sessions"] == 3


def test_chat_capacity_is_the_agents_then_queues_then_channels_then_default(
        tmp_path: Path) -> None:
    """[channels.chat] 2, [queues.vip] 1, [agents.capacity] x9 = 5, default 4:
    x1 (3 support chats) 2 — over capacity; x2 (support + vip) min(2, 1) = 1;
    x9 (a vip chat) 5, its own; x3 (on chat, none open) 2, its channel's;
    v1 (voice) 4, the default."""
    config = Config.model_validate({
        "channels": {"chat": {"chat_capacity": 2}},
        "queues": {"vip": {"chat_capacity": 1}},
        "agents": {"capacity": {"x9": 5}}})
    store, live = monitor(tmp_path, config)
    post(store, live, "agent_states", [
        {"agent_id": "x3", "state": "available", "channel": "chat", "start": at(600)},
        {"agent_id": "v1", "state": "available", "channel": "voice", "start": at(600)}])
    post(store, live, "contacts", [
        chat("a", "support", "x1", 500), chat("b", "support", "x1", 400),
        chat("c", "support", "x1", 300), chat("d", "support", "x2", 200),
        chat("e", "vip", "x2", 100), chat("f", "vip", "x9", 100)])
    data = snapshot(live)
    capacity = {a["agent_id"]: (a["sessions"], a["capacity"]) for a in data["agent_list"]}
    assert capacity == {"x1": (3, 2), "x2": (2, 1), "x9": (1, 5), "x3": (0, 2),
                        "v1": (0, 4)}
    assert [(c["agent_id"], c["sessions"], c["capacity"]) for c in data["chat"]] == \
        [("x1", 3, 2), ("x2", 2, 1), ("x9", 1, 5)]


def test_a_queues_own_mode_decides_waiting_or_backlog(tmp_path: Path) -> None:
    """[queues.dm] mode = "continuous", threshold 30 s: its post s1, 120 s old, waits (as
    the engine's SL judges it: late, 0/1; abandon rate 0, not null); the e-mail m1, 60 s
    old, is backlog. Waiting 1, longest 120 s; backlog 1, oldest 60 s."""
    config = Config.model_validate({"queues": {"dm": {"mode": "continuous",
                                                      "threshold_seconds": 30}}})
    store, live = monitor(tmp_path, config)
    post(store, live, "contacts", [
        {"contact_id": "s1", "channel": "social", "queue": "dm", "arrived_at": at(120)},
        {"contact_id": "m1", "channel": "email", "queue": "mail", "arrived_at": at(60)}])
    data = snapshot(live)
    dm = rows_by_queue(data)["dm"]
    assert (dm["mode"], dm["service_level"], dm["abandon_rate"]) == ("continuous", 0.0, 0.0)
    assert rows_by_queue(data)["mail"]["mode"] == "discrete"
    totals = data["totals"]
    assert (totals["waiting"], totals["longest_wait_s"]) == (1, 120.0)
    assert (totals["backlog"], totals["oldest_backlog_s"]) == (1, 60.0)


def test_an_email_accepted_but_not_replied_to_is_backlog(tmp_path: Path) -> None:
    """em1 arrived yesterday 13:00 and was accepted at 14:00; em2 arrived 01:00, accepted
    02:00; em3 arrived 03:00, untouched; em4 was replied to at 05:30 (not owed). The voice
    call vc1, accepted without an answer, is not waiting (a continuous contact waits until
    accepted). Backlog 3, oldest 12:00 − yesterday 13:00 = 23 h = 82,800 s; waiting 0."""
    store, live = monitor(tmp_path)
    day = NOON.replace(hour=0)

    def mail(contact_id: str, arrived: datetime, **extra: datetime) -> dict[str, Any]:
        return {"contact_id": contact_id, "channel": "email", "queue": "mail",
                "agent_id": "eg1", "arrived_at": arrived.isoformat(),
                **{k: v.isoformat() for k, v in extra.items()}}

    hour = timedelta(hours=1)
    post(store, live, "contacts", [
        mail("em1", day - 11 * hour, accepted_at=day - 10 * hour),
        mail("em2", day + hour, accepted_at=day + 2 * hour),
        {"contact_id": "em3", "channel": "email", "queue": "mail",
         "arrived_at": (day + 3 * hour).isoformat()},
        mail("em4", day + 4 * hour, accepted_at=day + 5 * hour,
             first_response_at=day + 5.5 * hour),
        {"contact_id": "vc1", "channel": "voice", "queue": "sales", "agent_id": "a1",
         "arrived_at": at(60), "accepted_at": at(30)}])
    totals = snapshot(live)["totals"]
    assert (totals["backlog"], totals["oldest_backlog_s"]) == (3, 82_800.0)
    assert (totals["waiting"], totals["longest_wait_s"]) == (0, 0.0)


def test_an_answer_or_end_ahead_of_now_has_not_happened_yet(tmp_path: Path) -> None:
    """Ingest takes instants up to 5 minutes ahead of its clock. At 12:00:
    v10 arrived 11:45, answered 12:10 — still waiting, 900 s; v11 arrived 11:59:30,
    abandoned 12:01 — still waiting, 30 s; em arrived 11:00, replied 12:01 — still
    backlog, 3,600 s; c1's chat, accepted 11:55, ends 12:02 — still in c1's hand, a
    session. Waiting 2, longest 900 s; backlog 1, oldest 3,600 s."""
    store, live = monitor(tmp_path)
    post(store, live, "contacts", [
        {"contact_id": "v10", "channel": "voice", "queue": "sales", "agent_id": "a1",
         "arrived_at": at(900), "accepted_at": at(-600), "first_response_at": at(-600),
         "ended_at": at(-900)},
        {"contact_id": "v11", "channel": "voice", "queue": "sales",
         "arrived_at": at(30), "abandoned_at": at(-60)},
        {"contact_id": "em", "channel": "email", "queue": "mail", "agent_id": "e1",
         "arrived_at": at(3600), "first_response_at": at(-60), "ended_at": at(-60)},
        chat("c1", "support", "c1", 300, ended_at=at(-120))])
    data = snapshot(live)
    totals = data["totals"]
    assert (totals["waiting"], totals["longest_wait_s"]) == (2, 900.0)
    assert (totals["backlog"], totals["oldest_backlog_s"]) == (1, 3600.0)
    people = {a["agent_id"]: a for a in data["agent_list"]}
    assert list(people) == ["c1"]  # a1 and e1 have not taken theirs yet
    assert (people["c1"]["contact"]["queue"], people["c1"]["sessions"]) == ("support", 1)
    assert [(c["agent_id"], c["sessions"]) for c in data["chat"]] == [("c1", 1)]


KYIV_NOW = datetime(2026, 10, 26, 8, 0, tzinfo=UTC)
"""10:00 in Kyiv on 26 October 2026, the day after the 25-hour 25 October (clocks went
back at 04:00): 25 October began at 2026-10-24T21:00Z, 26 October at 2026-10-25T22:00Z."""


def test_the_day_of_grace_is_the_previous_local_day_after_a_25_hour_day(
        tmp_path: Path) -> None:
    """d1 arrived 00:30 and d2 01:30 on 25 October (local), d0 at 23:30 on the 24th; none
    ended. On the 26th d1 and d2 still wait (their day's next day has not ended), d0 not:
    waiting 2, longest 08:00Z (26th) − 21:30Z (24th) = 34.5 h = 124,200 s. Twenty-four
    hours before midnight (22:00Z on the 24th) dropped d1: waiting 1, 120,600 s.

    The same on a board running since the 25th (posted then, the day rolled over), after
    a restart (the store's open rows), and from a file in the dataset folder."""
    rows = [{"contact_id": c, "channel": "voice", "queue": "q1", "arrived_at": t}
            for c, t in (("d0", "2026-10-24T20:30:00Z"), ("d1", "2026-10-24T21:30:00Z"),
                         ("d2", "2026-10-24T22:30:00Z"))]
    evening = datetime(2026, 10, 25, 20, 0, tzinfo=UTC)  # 22:00 local on the 25th

    def running(folder: Path) -> LiveMonitor:
        store, live = monitor(folder, tz="Europe/Kyiv", now=evening)
        post(store, live, "contacts", rows)
        return live

    def restarted(folder: Path) -> LiveMonitor:
        assert LiveStore(folder).accept("contacts", rows).accepted == 3
        return monitor(folder, tz="Europe/Kyiv", now=KYIV_NOW)[1]

    def from_a_file(folder: Path) -> LiveMonitor:
        (folder / "contacts").mkdir()
        (folder / "contacts" / "export.csv").write_text(
            "contact_id,channel,queue,arrived_at\n"
            + "".join(f"{r['contact_id']},voice,q1,{r['arrived_at']}\n" for r in rows))
        return LiveMonitor(folder, Config(), "Europe/Kyiv", LiveStore(folder),
                           load_dataset(folder), clock=lambda: us(KYIV_NOW))

    ways: list[Callable[[Path], LiveMonitor]] = [running, restarted, from_a_file]
    for way in ways:
        folder = tmp_path / way.__name__
        folder.mkdir()
        live = way(folder)
        totals = snapshot(live, now=KYIV_NOW)["totals"]
        assert (totals["waiting"], totals["longest_wait_s"]) == (2, 124_200.0), \
            way.__name__


@pytest.mark.parametrize("mode", ["discrete", "continuous"])
def test_a_reply_given_by_now_ends_the_wait_either_way(tmp_path: Path, mode: str) -> None:
    """A social post replied to 10 s ago is neither waiting nor backlog, whichever mode its
    queue has (the as-of reading keeps past instants as they were)."""
    config = Config.model_validate({"queues": {"dm": {"mode": mode}}})
    store, live = monitor(tmp_path, config)
    post(store, live, "contacts", [
        {"contact_id": "s1", "channel": "social", "queue": "dm", "agent_id": "a1",
         "arrived_at": at(120), "accepted_at": at(10), "first_response_at": at(10)}])
    totals = snapshot(live)["totals"]
    assert (totals["waiting"], totals["backlog"]) == (0, 0)


def test_an_agent_in_acw_stays_on_the_board_cut_to_the_queue_of_the_call_just_ended(
        tmp_path: Path) -> None:
    """a1 wraps up (ACW) after a sales call that ended 30 s ago; a2 after a support call,
    though a2 took a sales call this morning; a3 handles a sales call. Cut to sales:
    busy 2 (a1, a3) and the agents table acw 1, handling 1 — the uncut board's sales row
    says busy 2 as well, its table acw 2, handling 1. Cut to
    support: busy 1 (a2). The agent's last call is read from every queue: a2's sales
    call of the morning does not place a2 on the sales board."""
    store, live = monitor(tmp_path)

    def call(contact_id: str, queue: str, agent: str, ended_ago: float) -> dict[str, Any]:
        return {"contact_id": contact_id, "channel": "voice", "queue": queue,
                "site": "lviv", "tenant": "A", "agent_id": agent,
                "arrived_at": at(ended_ago + 200), "accepted_at": at(ended_ago + 180),
                "ended_at": at(ended_ago)}

    post(store, live, "contacts", [call("v1", "sales", "a1", 30),
                                   call("v0", "sales", "a2", 3600),
                                   call("v2", "support", "a2", 20),
                                   {**call("v3", "sales", "a3", 0), "ended_at": None}])
    post(store, live, "agent_states", [
        {"agent_id": a, "state": s, "channel": "voice", "site": "lviv", "tenant": "A",
         "start": at(since)}
        for a, s, since in (("a1", "acw", 30), ("a2", "acw", 20), ("a3", "handling", 180))])

    def board(where: Where | None) -> tuple[dict[str, int], dict[str, int]]:
        data = snapshot(live, where)
        busy = {q: row["agents_busy"] for q, row in rows_by_queue(data).items()}
        return busy, {row["state"]: row["agents"] for row in data["agents"]}

    assert board({"queue": ("sales",)}) == ({"sales": 2}, {"acw": 1, "handling": 1})
    assert board({"queue": ("support",)}) == ({"support": 1}, {"acw": 1})
    assert board(None) == ({"sales": 2, "support": 1}, {"acw": 2, "handling": 1})

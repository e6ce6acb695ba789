"""Alerts on hand-made event streams: canonical rows applied to a live monitor whose clock
the test moves minute by minute, its snapshots judged by the alert engine. Each kind has
its own queue (or agent, or channel) so that one stream serves them all; every rule holds
2 minutes both ways. Adherence, read from the day's schedule, has its own stream."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from omnikpi.auth.scope import UNBOUNDED
from omnikpi.config import Config
from omnikpi.live.alerts import AlertEngine, Notice
from omnikpi.live.ingest import LiveStore
from omnikpi.live.monitor import LiveMonitor
from omnikpi.schema.dataset import load_dataset
from omnikpi.store.db import session_scope, upgrade
from omnikpi.store.models import AlertRule
from omnikpi.store.models_live import AlertRuleOptions

US = 1_000_000
NOON = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)  # 12:00 in Kyiv
HOLD_MINUTES = 2

# kind → (threshold, where the rule looks, minute it fires, minute it clears)
EXPECTED: dict[str, tuple[float, dict[str, str], int, int]] = {
    "waiting_over": (1, {"queue": "k-waiting"}, 2, 6),
    "longest_wait_over": (30, {"queue": "k-wait"}, 2, 6),
    "sl_below": (0.8, {"queue": "k-sl"}, 2, 6),
    "abandon_over": (0.2, {"queue": "k-abandon"}, 2, 6),
    "aht_over": (300, {"queue": "k-aht"}, 2, 6),
    "available_below": (1, {"queue": "k-staff"}, 2, 6),
    "not_ready_over": (120, {"site": "k-break"}, 5, 8),     # > 120 s from minute 3
    "backlog_age_over": (3600, {"queue": "k-mail"}, 2, 6),
    "widget_unavailable": (0, {"channel": "sms"}, 2, 7),    # its end (minute 4) still counts
    "agent_over_capacity": (0, {"site": "k-chat"}, 2, 6),
}


def at(minute: float, seconds: float = 0) -> str:
    return (NOON + timedelta(minutes=minute, seconds=seconds)).isoformat()


def contact(cid: str, queue: str, arrived: str, channel: str = "voice",
            **more: Any) -> dict[str, Any]:
    return {"contact_id": cid, "channel": channel, "queue": queue, "arrived_at": arrived,
            **more}


def fast(queue: str, n: int, minute: float) -> list[dict[str, Any]]:
    """``n`` calls answered within 5 s, 60 s long, ended before ``minute``."""
    return [contact(f"{queue}-ok{i}", queue, at(minute, -90), first_response_at=at(
        minute, -85), accepted_at=at(minute, -85), ended_at=at(minute, -25),
        handle_seconds=60, agent_id="x") for i in range(n)]


def first_events() -> dict[str, list[dict[str, Any]]]:
    """Minute 0: every condition goes bad."""
    return {"contacts": [
        contact("w1", "k-waiting", at(0)), contact("w2", "k-waiting", at(0)),
        contact("l1", "k-wait", at(0, -60)),
        contact("s1", "k-sl", at(-5), first_response_at=at(-5, 100), ended_at=at(-1),
                agent_id="x"),
        contact("a1", "k-abandon", at(-2), abandoned_at=at(-1)),
        contact("h1", "k-aht", at(-15), first_response_at=at(-15, 5),
                accepted_at=at(-15, 5), ended_at=at(-5), handle_seconds=600, agent_id="x"),
        contact("p1", "k-staff", at(0), site="k-staff-site"),
        contact("m1", "k-mail", at(-120), channel="email"),
        *[contact(f"c{i}", "k-chats", at(-1), channel="chat", site="k-chat",
                  first_response_at=at(-1, 10), accepted_at=at(-1, 10), agent_id="c1")
          for i in range(5)],
    ], "agent_states": [
        {"agent_id": "s1", "state": "not_ready", "start": at(-1), "site": "k-staff-site"},
        {"agent_id": "b1", "state": "not_ready", "reason": "break", "start": at(0),
         "site": "k-break"},
    ], "availability": [
        {"channel": "sms", "queue": "k-sms", "start": at(0), "status": "unavailable"},
    ]}


def later_events(minute: int) -> dict[str, list[dict[str, Any]]]:
    """Minute 4 (6 for the break): every condition recovers."""
    if minute == 6:
        return {"agent_states": [
            {"agent_id": "b1", "state": "not_ready", "reason": "break", "start": at(0),
             "end": at(6), "site": "k-break"},
            {"agent_id": "b1", "state": "available", "start": at(6), "site": "k-break"}]}
    return {"contacts": [
        *[contact(f"w{i}", "k-waiting", at(0), first_response_at=at(4), agent_id="x")
          for i in (1, 2)],
        contact("l1", "k-wait", at(0, -60), first_response_at=at(4), agent_id="x"),
        *fast("k-sl", 9, 4), *fast("k-abandon", 9, 4), *fast("k-aht", 9, 4),
        contact("m1", "k-mail", at(-120), channel="email", first_response_at=at(4),
                agent_id="x"),
        *[contact(f"c{i}", "k-chats", at(-1), channel="chat", site="k-chat",
                  first_response_at=at(-1, 10), accepted_at=at(-1, 10), agent_id="c1",
                  ended_at=at(4)) for i in range(2)],
    ], "agent_states": [
        {"agent_id": "s1", "state": "not_ready", "start": at(-1), "end": at(4),
         "site": "k-staff-site"},
        {"agent_id": "s1", "state": "available", "start": at(4), "site": "k-staff-site"},
    ], "availability": [
        {"channel": "sms", "queue": "k-sms", "start": at(0), "end": at(4),
         "status": "unavailable"},
    ]}


@pytest.fixture(scope="module")
def replay(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple[int, str]]]:
    """Minute by minute from 0 to 10: which rule fired or cleared when."""
    folder = tmp_path_factory.mktemp("stream")
    url = f"sqlite:///{folder / 'alerts.db'}"
    upgrade(url)
    with session_scope(url) as session:
        for kind, (threshold, where, _, _) in EXPECTED.items():
            rule = AlertRule(name=kind, kind=kind, threshold=threshold,
                             minutes=HOLD_MINUTES, **where)
            session.add(rule)
            session.flush()  # e-mail addresses: each firing and clearing is sent
            session.add(AlertRuleOptions(rule_id=rule.id, emails="floor@example.com"))
    (folder / "data").mkdir()
    clock = {"now": int(NOON.timestamp() * US)}
    store = LiveStore(folder / "data")
    monitor = LiveMonitor(folder / "data", Config(), "Europe/Kyiv", store, None,
                          clock=lambda: clock["now"])
    sent: list[tuple[int, Notice]] = []
    minute = 0
    engine = AlertEngine(url, send=lambda notice: sent.append((minute, notice)))

    def post(events: dict[str, list[dict[str, Any]]]) -> None:
        for table, rows in events.items():
            result = store.accept(table, rows)
            assert result.rejected == [], result.rejected
            monitor.apply_ingest(table, result.canonical, result.seq)

    for minute in range(11):
        clock["now"] = int((NOON + timedelta(minutes=minute)).timestamp() * US)
        if minute == 0:
            post(first_events())
        elif minute in (4, 6):
            post(later_events(minute))
        snap = monitor.snapshot(UNBOUNDED, clock["now"])
        engine.evaluate(snap.data, clock["now"])
    out: dict[str, list[tuple[int, str]]] = {}
    for when, notice in sent:
        out.setdefault(notice.rule.kind, []).append((when, notice.payload["status"]))
    return out


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_each_kind_fires_and_clears_once_on_an_event_stream(
        replay: dict[str, list[tuple[int, str]]], kind: str) -> None:
    _, _, fires, clears = EXPECTED[kind]
    assert replay.get(kind) == [(fires, "firing"), (clears, "cleared")]


def test_every_kind_is_replayed() -> None:
    from omnikpi.live.alert_kinds import KINDS

    assert set(KINDS) - set(EXPECTED) == {"adherence_below"}  # the test below


def test_adherence_below_fires_and_clears_on_the_day_s_schedule(
        tmp_path: Path) -> None:
    """Scheduled work 11:00–13:00; available 11:00–11:40, then not ready (break), back at
    12:30. Adherence so far: 12:00 → 40/60 min, 12:30 → 40/90 (< 0.5: fires at once, no
    hold), 13:00 → 70/120 (≥ 0.5: clears)."""
    base_dir = tmp_path / "base"
    base_dir.mkdir()
    (base_dir / "shifts.csv").write_text(
        f"agent_id,start,end,site\nd1,{at(-60)},{at(60)},k-plan\n")
    (base_dir / "shift_activities.csv").write_text(
        f"agent_id,activity,start,end\nd1,work,{at(-60)},{at(60)}\n")
    (base_dir / "contacts.csv").write_text("contact_id,channel,queue,arrived_at\n")
    url = f"sqlite:///{tmp_path / 'a.db'}"
    upgrade(url)
    with session_scope(url) as session:
        rule = AlertRule(name="adh", kind="adherence_below", threshold=0.5, minutes=0)
        session.add(rule)
        session.flush()
        session.add(AlertRuleOptions(rule_id=rule.id, emails="floor@example.com"))
    store = LiveStore(tmp_path / "live")
    (tmp_path / "live").mkdir()
    base = load_dataset(base_dir)
    monitor = LiveMonitor(tmp_path / "live", Config(), "Europe/Kyiv", store, base,
                          clock=lambda: int(NOON.timestamp() * US))
    base.close()
    sent: list[Notice] = []
    engine = AlertEngine(url, send=sent.append)

    def post(rows: list[dict[str, Any]]) -> None:
        result = store.accept("agent_states", rows)
        assert result.rejected == []
        monitor.apply_ingest("agent_states", result.canonical, result.seq)

    post([{"agent_id": "d1", "state": "available", "start": at(-60), "end": at(-20),
           "site": "k-plan"},
          {"agent_id": "d1", "state": "not_ready", "reason": "break", "start": at(-20),
           "site": "k-plan"}])
    seen = []
    for minute in (0, 30, 60):
        now = int((NOON + timedelta(minutes=minute)).timestamp() * US)
        if minute == 30:
            post([{"agent_id": "d1", "state": "not_ready", "reason": "break",
                   "start": at(-20), "end": at(30), "site": "k-plan"},
                  {"agent_id": "d1", "state": "available", "start": at(30),
                   "site": "k-plan"}])
        data = monitor.snapshot(UNBOUNDED, now).data
        person = next(a for a in data["agent_list"] if a["agent_id"] == "d1")
        seen.append(round(person["adherence"], 4))
        engine.evaluate(data, now)
    assert seen == [round(40 / 60, 4), round(40 / 90, 4), round(70 / 120, 4)]
    assert [n.payload["status"] for n in sent] == ["firing", "cleared"]
    assert sent[0].payload["text"] == "Adherence 44.4 % < 50 % on agent d1 (k-plan)"


def test_adherence_follows_a_schedule_changed_while_the_server_runs(tmp_path: Path) -> None:
    """The agent is available 11:00–11:40 and on a break since. At 12:00 against the
    first schedule (work 11:00–13:00) adherence is 40/60; the planner then moves the shift
    to 11:20–13:00 (the file is rewritten, as `wfm schedule` or a moved break does) and the
    next poll gives 20/40; the files removed, no adherence is shown at all."""
    data = tmp_path / "data"
    data.mkdir()

    def plan(start: int) -> None:
        (data / "shifts.csv").write_text(
            f"agent_id,start,end,site\nd1,{at(start)},{at(60)},k-plan\n")
        (data / "shift_activities.csv").write_text(
            f"agent_id,activity,start,end\nd1,work,{at(start)},{at(60)}\n")

    plan(-60)
    (data / "contacts.csv").write_text("contact_id,channel,queue,arrived_at\n")
    store = LiveStore(data)
    base = load_dataset(data)
    monitor = LiveMonitor(data, Config(), "Europe/Kyiv", store, base,
                          clock=lambda: int(NOON.timestamp() * US))
    base.close()
    result = store.accept("agent_states", [
        {"agent_id": "d1", "state": "available", "start": at(-60), "end": at(-20),
         "site": "k-plan"},
        {"agent_id": "d1", "state": "not_ready", "reason": "break", "start": at(-20),
         "site": "k-plan"}])
    monitor.apply_ingest("agent_states", result.canonical, result.seq)

    def adherence() -> float | None:
        data_now = monitor.snapshot(UNBOUNDED).data
        person = next(a for a in data_now["agent_list"] if a["agent_id"] == "d1")
        value = person.get("adherence")
        return None if value is None else round(value, 4)

    assert adherence() == round(40 / 60, 4)
    plan(-40)
    monitor.poll_files()
    assert adherence() == round(20 / 40, 4)
    (data / "shifts.csv").unlink()
    (data / "shift_activities.csv").unlink()
    monitor.poll_files()
    assert adherence() is None

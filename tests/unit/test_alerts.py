"""Alert rules on hand-made snapshots: each kind, scopes, the hold time, firing once, end."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from omnikpi.live.alerts import AlertEngine, conditions
from omnikpi.store.db import session_scope, upgrade
from omnikpi.store.models import AlertEvent, AlertRule

US = 1_000_000


def snapshot(sl: float | None = 0.7, wait: float | None = 95.0, sessions: int = 5,
             closed: bool = True) -> dict[str, Any]:
    return {
        "queues": [
            {"tenant": "A", "site": "kyiv", "queue": "sales", "channel": "voice",
             "service_level": sl, "longest_wait_s": wait},
            {"tenant": "A", "site": "lviv", "queue": "sales", "channel": "voice",
             "service_level": 0.95, "longest_wait_s": 10.0},
        ],
        "chat": [{"agent_id": "c1", "site": "kyiv", "sessions": sessions, "capacity": 4}],
        "unavailable": [{"channel": "chat", "queue": "web"}] if closed else [],
    }


def test_each_kind_on_a_snapshot() -> None:
    data = snapshot()
    sl = AlertRule(id=1, name="sl", kind="sl_below", threshold=0.8, queue="sales")
    assert [c.subject for c in conditions(sl, data)] == ["A / kyiv / sales / voice"]
    wait = AlertRule(id=2, name="w", kind="longest_wait_over", threshold=60, site="lviv")
    assert conditions(wait, data) == []
    closed = AlertRule(id=3, name="c", kind="widget_unavailable", channel="chat")
    assert [c.subject for c in conditions(closed, data)] == ["chat/web"]
    over = AlertRule(id=4, name="o", kind="agent_over_capacity", threshold=0)
    assert [c.message for c in conditions(over, data)] == ["5 chats open, capacity 4"]
    assert conditions(over, snapshot(sessions=4)) == []
    assert conditions(sl, snapshot(sl=None)) == []  # no SL yet today: nothing to judge


def test_fires_after_the_hold_time_once_and_ends(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    upgrade(url)
    with session_scope(url) as session:
        session.add(AlertRule(name="sl", kind="sl_below", threshold=0.8, minutes=5,
                              queue="sales"))
    engine = AlertEngine(url)
    start = 1_800_000_000 * US
    assert engine.evaluate(snapshot(), start) == []                  # pending
    assert engine.evaluate(snapshot(), start + 4 * 60 * US) == []    # 4 min: not yet
    firing = engine.evaluate(snapshot(), start + 5 * 60 * US)        # 5 min: fires
    assert [a.subject for a in firing] == ["A / kyiv / sales / voice"]
    assert len(engine.evaluate(snapshot(), start + 9 * 60 * US)) == 1  # still the same one
    with session_scope(url) as session:
        events = session.scalars(select(AlertEvent)).all()
        assert len(events) == 1 and events[0].ended_at is None
    assert engine.evaluate(snapshot(sl=0.9), start + 10 * 60 * US) == []  # recovered
    with session_scope(url) as session:
        assert session.scalars(select(AlertEvent)).one().ended_at is not None
    # a new dip starts a new hold time
    assert engine.evaluate(snapshot(), start + 11 * 60 * US) == []

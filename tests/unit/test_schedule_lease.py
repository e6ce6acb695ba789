"""Two server processes on one database send a scheduled report once, however long its
delivery lasts: the lease holder renews its lease and its run's heartbeat while the run
goes on, and a run is judged cut off by its own heartbeat, not by who holds the lease.

Reproduced from the audit: a webhook that timed out four times (127 s) outlasted the
90-s lease renewed only once per check; the other worker took the lease, marked the run
still being sent "interrupted" and sent it again ("try 2: ok"). Here the delivery blocks
until the test lets it go, a fake clock jumps past the lease while it blocks, and the
heartbeat runs every 20 ms: no 90-s wait.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from omnikpi.config import Config
from omnikpi.definitions import ReportDefinition
from omnikpi.schedules import runner, scheduler
from omnikpi.schedules.runner import folder_datasets, run_due
from omnikpi.schedules.scheduler import LEASE, Scheduler, lease_holder
from omnikpi.schedules.store import NewSchedule, add_schedule
from omnikpi.store.db import session_scope, upgrade
from omnikpi.store.models_schedules import ReportSchedule, ScheduleRun
from tests.web.tenants import write_two_tenants

T0 = datetime(2026, 11, 3, 8, 0, 30, tzinfo=UTC)
VOLUME = ReportDefinition(name="Volume", metrics=["offered"], by=["tenant"])


class SlowDelivery:
    """``runner.deliver`` whose first call blocks until ``release`` (a receiver that takes
    minutes to answer); every call is counted."""

    def __init__(self) -> None:
        self.calls = 0
        self.entered = threading.Event()
        self.release = threading.Event()

    def __call__(self, *args: Any, **kwargs: Any) -> str:
        self.calls += 1
        if self.calls == 1:
            self.entered.set()
            assert self.release.wait(10), "the test never released the delivery"
        return "sent"


@pytest.fixture()
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)
    data = write_two_tenants(tmp_path / "data")
    with session_scope(url) as session:
        add_schedule(session, NewSchedule("Long", VOLUME, "0 8 * * *", "UTC", "folder",
                                          [str(tmp_path / "out")], "csv",
                                          data_path=str(data),
                                          since=T0 - timedelta(hours=1)), None)
    delivery = SlowDelivery()
    monkeypatch.setattr(runner, "deliver", delivery)
    # the heartbeat every 20 ms of real time (raising=False: the test also runs, and must
    # fail, against a scheduler that has no heartbeat)
    monkeypatch.setattr(scheduler, "HEARTBEAT_SECONDS", 0.02, raising=False)
    yield {"url": url, "delivery": delivery}
    delivery.release.set()


def _runs(url: str) -> list[tuple[str, int]]:
    with session_scope(url) as session:
        return [(r.status, r.attempts) for r in session.scalars(select(ScheduleRun))]


def test_a_run_longer_than_the_lease_is_sent_once(world: dict[str, Any]) -> None:
    url, delivery = world["url"], world["delivery"]
    clock = [T0]
    first = Scheduler(url, Config(), folder_datasets(), clock=lambda: clock[0])
    second = Scheduler(url, Config(), folder_datasets(), clock=lambda: clock[0])
    checking = threading.Thread(target=first.check)
    checking.start()
    try:
        assert delivery.entered.wait(5), "the run did not start"
        # the delivery lasts longer than the lease (and the heartbeat limit) after its
        # start: 200 s on the clocks of both processes
        clock[0] = T0 + timedelta(seconds=200)
        beats = getattr(first, "beats", 0)
        deadline = time.monotonic() + 2
        while getattr(first, "beats", 0) < beats + 2 and time.monotonic() < deadline:
            time.sleep(0.01)

        assert second.check() == []  # the lease is still the first process's
        # a second holder (the first one's database stalled past the lease) finds the
        # run alive by its heartbeat, and neither closes nor sends it
        assert run_due(url, clock[0], Config(), folder_datasets(), second.holder) == []
        assert delivery.calls == 1
        assert _runs(url) == [("running", 1)]
        holder = lease_holder(url)
        assert holder == (first.holder, clock[0] + LEASE)
    finally:
        delivery.release.set()
        checking.join(10)
    assert [(o.status, o.message) for o in first.outcomes] == [
        ("ok", "sent")]
    assert second.outcomes == []
    assert delivery.calls == 1
    assert _runs(url) == [("ok", 1)]


def test_a_run_whose_heartbeat_stopped_is_tried_again_by_the_next_holder(
        world: dict[str, Any]) -> None:
    """The other side: a process that dies during a run stops its heartbeat, and the next
    lease holder tries the run again once the heartbeat is older than the lease."""
    url, delivery = world["url"], world["delivery"]
    delivery.calls = 1  # deliveries do not block in this test
    died = T0 - timedelta(seconds=30)
    with session_scope(url) as session:  # what a server killed during its 08:00 run left
        schedule_id = session.scalars(select(ReportSchedule.id)).one()
        session.add(ScheduleRun(
            schedule_id=schedule_id, due_at=datetime(2026, 11, 3, 8, 0, tzinfo=UTC),
            started_at=died, status="running", period_from="2026-11-02T00:00:00+00:00",
            period_to="2026-11-03T00:00:00+00:00",
            message=f"running on dead-host:1:gone, alive {died.isoformat()}"))
        session.execute(update(ReportSchedule).values(
            last_due_at=datetime(2026, 11, 3, 8, 0, tzinfo=UTC)))
    clock = [T0]
    other = Scheduler(url, Config(), folder_datasets(), clock=lambda: clock[0])
    assert other.check() == []  # the heartbeat is 30 s old: the run may still go on
    assert _runs(url) == [("running", 1)]
    clock[0] = died + LEASE + timedelta(seconds=1)
    assert [(o.status, o.message) for o in other.check()] == [
        ("ok", "try 2: sent")]
    assert _runs(url) == [("ok", 2)]


def test_a_run_claimed_late_in_a_check_is_marked_alive_when_claimed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two schedules due at 08:00; the first one's delivery takes 200 s. The second run,
    claimed after it, was marked alive at the check's start (08:00:30): any other process
    then judged it cut off (its heartbeat 200 s old, past the lease) before the first
    beat, and sent it again. It is marked alive when claimed: the check's instant moved
    on by the time the check took."""
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)
    data = write_two_tenants(tmp_path / "data")
    with session_scope(url) as session:
        for name in ("First", "Second"):
            add_schedule(session, NewSchedule(name, VOLUME, "0 8 * * *", "UTC", "folder",
                                              [str(tmp_path / name)], "csv",
                                              data_path=str(data),
                                              since=T0 - timedelta(hours=1)), None)
    clock = {"t": 1000.0}
    monkeypatch.setattr(runner.time, "monotonic", lambda: clock["t"])
    marks: list[str] = []

    def slow(*args: Any, **kwargs: Any) -> str:
        with session_scope(url) as session:
            marks.extend(r.message or "" for r in session.scalars(
                select(ScheduleRun).where(ScheduleRun.status == "running")))
        clock["t"] += 200.0  # four webhook timeouts
        return "sent"

    monkeypatch.setattr(runner, "deliver", slow)
    run_due(url, T0, Config(), folder_datasets(), holder="server-a")
    stamps = [datetime.fromisoformat(m.rpartition(runner.ALIVE)[2]) for m in marks]
    assert stamps == [T0, T0 + timedelta(seconds=200)]

"""The scheduler inside ``omnikpi serve``: one thread per server process, and one process
at a time doing the work.

Several worker processes (``uvicorn --workers``, several servers on one database) each
start this thread. Every ``CHECK_SECONDS`` a thread tries to take or renew the lease row
(``scheduler_lease``); only the holder runs what is due. A holder that dies stops
renewing and another process takes over once the lease expires. Even two holders at
once (a clock jump) would not send twice: each scheduled instant is claimed by a unique
row (see :mod:`.runner`). The first check happens at start, so a run missed while the
server was down is sent then, once.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from omnikpi.config import Config
from omnikpi.schedules.runner import DatasetSource, Outcome, run_due
from omnikpi.schedules.store import utc
from omnikpi.store.db import session_scope
from omnikpi.store.models_schedules import SchedulerLease
from omnikpi.store.retention import Pruned, prune

log = logging.getLogger("omnikpi.schedules")

CHECK_SECONDS = 30.0
LEASE = timedelta(seconds=90)
LEASE_NAME = "schedules"


def take_lease(database_url: str | None, holder: str, now: datetime) -> bool:
    """Whether ``holder`` holds the lease until ``now + LEASE`` (taken or renewed)."""
    expires = now + LEASE
    with session_scope(database_url) as session:
        taken = session.execute(
            update(SchedulerLease)
            .where(SchedulerLease.name == LEASE_NAME,
                   (SchedulerLease.holder == holder) | (SchedulerLease.expires_at < now))
            .values(holder=holder, expires_at=expires))
        if taken.rowcount:  # type: ignore[attr-defined]
            return True
        if session.scalar(select(SchedulerLease.name).where(
                SchedulerLease.name == LEASE_NAME)) is not None:
            return False
    try:
        with session_scope(database_url) as session:
            session.execute(insert(SchedulerLease).values(name=LEASE_NAME, holder=holder,
                                                          expires_at=expires))
        return True
    except IntegrityError:  # another process created it at the same moment
        return False


def release_lease(database_url: str | None, holder: str) -> None:
    with session_scope(database_url) as session:
        session.execute(update(SchedulerLease).where(
            SchedulerLease.name == LEASE_NAME, SchedulerLease.holder == holder)
            .values(expires_at=datetime(1970, 1, 1, tzinfo=UTC)))


def lease_holder(database_url: str | None) -> tuple[str, datetime] | None:
    with session_scope(database_url) as session:
        row = session.get(SchedulerLease, LEASE_NAME)
        return None if row is None else (row.holder, utc(row.expires_at))


class Scheduler:
    """The background thread; ``start`` at server start, ``stop`` at shutdown."""

    def __init__(self, database_url: str | None, config: Config, datasets: DatasetSource,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 check_seconds: float = CHECK_SECONDS) -> None:
        self.database_url = database_url
        self.config = config
        self.datasets = datasets
        self.clock = clock
        self.check_seconds = check_seconds
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.outcomes: list[Outcome] = []
        self.checks = 0
        self.pruned_on: date | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def check(self) -> list[Outcome]:
        """One round: take the lease, run what is due (nothing without the lease)."""
        now = self.clock().astimezone(UTC)
        if not take_lease(self.database_url, self.holder, now):
            return []
        outcomes = run_due(self.database_url, now, self.config, self.datasets, self.holder)
        self.outcomes.extend(outcomes)
        if self.pruned_on != now.date():
            self.prune(now)
        return outcomes

    def prune(self, now: datetime) -> Pruned:
        """Apply ``[retention]`` (once a day, by the lease holder, so by one process)."""
        with session_scope(self.database_url) as session:
            pruned = prune(session, self.config.retention, now, actor="server")
        self.pruned_on = now.date()
        if pruned.total:
            log.info("retention: deleted %s", pruned)
        return pruned

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.check()
            except Exception:  # the database away for a moment: try again next round
                log.exception("the scheduler's check failed")
            self.checks += 1
            self._stop.wait(self.check_seconds)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="omnikpi-scheduler",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        try:
            release_lease(self.database_url, self.holder)
        except Exception:
            log.exception("the scheduler's lease could not be released")

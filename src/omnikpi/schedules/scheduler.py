"""The scheduler inside ``omnikpi serve``: one thread per server process, and one process
at a time doing the work.

Several worker processes (``uvicorn --workers``, several servers on one database) each
start this thread. Every ``CHECK_SECONDS`` a thread tries to take or renew the lease row
(``scheduler_lease``); only the holder runs what is due. While it runs, a heartbeat
thread renews the lease and the heartbeat of its running runs every
``HEARTBEAT_SECONDS``: a run may last longer than the lease (a webhook that times out
four times takes over two minutes), and the lease renewed only at each check expired
during it, so another process took over and sent the run again. A holder that dies stops
renewing and another process takes over once the lease expires; it tries again the runs
whose heartbeat stopped. Even two holders at once (a clock jump) would not send twice:
each scheduled instant is claimed by a unique row (see :mod:`.runner`), and a run is
judged cut off by its own heartbeat, not by who holds the lease. The first check happens
at start, so a run missed while the server was down is sent then, once.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from omnikpi.config import Config
from omnikpi.schedules.runner import DatasetSource, Outcome, beat, run_due
from omnikpi.schedules.store import utc
from omnikpi.store.db import session_scope
from omnikpi.store.models_schedules import SchedulerLease
from omnikpi.store.retention import Pruned, prune

log = logging.getLogger("omnikpi.schedules")

CHECK_SECONDS = 30.0
LEASE = timedelta(seconds=90)
HEARTBEAT_SECONDS = 15.0
"""How often the holder renews its lease and its runs' heartbeat while it runs them: well
within ``LEASE``, so a slow database moment or two does not lose either."""
LEASE_NAME = "schedules"


def take_lease(database_url: str | None, holder: str, now: datetime,
               lease: timedelta = LEASE) -> bool:
    """Whether ``holder`` holds the lease until ``now + lease`` (taken or renewed)."""
    expires = now + lease
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
                 check_seconds: float = CHECK_SECONDS, lease: timedelta = LEASE,
                 heartbeat_seconds: float | None = None) -> None:
        self.database_url = database_url
        self.config = config
        self.datasets = datasets
        self.clock = clock
        self.check_seconds = check_seconds
        self.lease = lease
        self.heartbeat_seconds = HEARTBEAT_SECONDS if heartbeat_seconds is None \
            else heartbeat_seconds
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.outcomes: list[Outcome] = []
        self.checks = 0
        self.beats = 0
        self.pruned_on: date | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def check(self) -> list[Outcome]:
        """One round: take the lease, run what is due (nothing without the lease), the
        lease and the runs' heartbeat renewed while they last (:meth:`heartbeat`)."""
        now = self.clock().astimezone(UTC)
        if not take_lease(self.database_url, self.holder, now, self.lease):
            return []
        with self.heartbeat():
            outcomes = run_due(self.database_url, now, self.config, self.datasets,
                               self.holder, lost_after=self.lease)
            self.outcomes.extend(outcomes)
            if self.pruned_on != now.date():
                self.prune(now)
        return outcomes

    def beat(self) -> None:
        """Renew the lease and the heartbeat of the runs this process is running. The
        heartbeat is renewed even when the lease was lost (a database that stalled longer
        than the lease): the run is still being sent here, and the new holder must not
        send it again."""
        now = self.clock().astimezone(UTC)
        try:
            if not take_lease(self.database_url, self.holder, now, self.lease):
                log.warning("the scheduler's lease went to another process during a run; "
                            "the run goes on here")
            beat(self.database_url, self.holder, now)
        except Exception:  # the database away for a moment: the next beat tries again
            log.exception("the scheduler's heartbeat failed")
        self.beats += 1

    @contextmanager
    def heartbeat(self) -> Iterator[None]:
        """A thread that calls :meth:`beat` every ``heartbeat_seconds`` while the block
        runs: a run that outlasts the lease (a webhook timing out four times, a slow mail
        server) keeps both, and no other process sends it a second time."""
        done = threading.Event()

        def beating() -> None:
            while not done.wait(self.heartbeat_seconds):
                self.beat()

        thread = threading.Thread(target=beating, name="omnikpi-scheduler-heartbeat",
                                  daemon=True)
        thread.start()
        try:
            yield
        finally:
            done.set()
            thread.join()

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

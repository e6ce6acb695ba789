"""A bounded, fair pool for the heavy work of requests: reports, drill-downs, exports.

Request handlers run on the server's request threads. Left to themselves, fifty people
opening fifty uncached reports would run fifty DuckDB queries at once on two cores, every
one slow, and the light requests (the catalog, a cached dashboard, the login page) would
wait behind them. So the heavy part of a request is handed to a few workers (about one
per core):

- at most ``max_waiting`` requests wait; the next one is answered ``503`` with a
  ``Retry-After`` at once, and so is one that waited ``wait_seconds`` without a worker
  (time behind its own caller's earlier pages not counted: one caller's jobs run page by
  page, ``Requester.page``);
- the workers are shared fairly between callers (a signed-in user, an API key, or the
  client's address without logins): the next job goes to the caller with the fewest jobs
  running, then to the one served least recently (callers take turns), so one person's
  script queueing fifty reports delays another person's one report by at most the jobs
  already running;
- one caller may have at most ``max_waiting_per_caller`` jobs waiting (more is a 503 for
  them alone), and a caller whose job has run ``long_seconds`` does not take the last free
  worker while it lasts: two slow reports of one person cannot hold every worker while
  someone else waits (unless their next job has waited half of ``wait_seconds``: the rule
  keeps a worker for others, it never makes a lone user time out);
- identical requests that arrive while the first is computing wait for its result
  instead of computing it again;
- a query running longer than ``run_seconds`` is interrupted on its own DuckDB
  connection (a statement timeout) and answered with a clear error;
- ``close`` (server shutdown) interrupts the running queries and fails the waiting ones,
  so SIGTERM stops the server within seconds.

The workers are daemon threads: nothing they do can keep the process alive at exit.
"""

from __future__ import annotations

import itertools
import math
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import duckdb

from omnikpi.errors import OmniKPIError, UsageError
from omnikpi.schema.dataset import Dataset

T = TypeVar("T")

@dataclass(frozen=True)
class Requester:
    """Who asks for work, as the pool shares its workers: an account, an API key, or (on
    a server without logins) a client address."""

    name: str
    capped: bool = True
    """Whether ``max_waiting_per_caller`` applies. Not to a client address: without
    logins, everyone behind one proxy or on one machine shares an address."""
    page: int = field(default=0, compare=False)
    """Which of the caller's requests asks (their arrival order): one caller's jobs run
    page by page. A browser restoring ten dashboards queued their parts interleaved, each
    page had a part still waiting after ``wait_seconds``, and all ten were answered 503;
    taken page by page, the first pages are whole and only the last may wait too long."""


ANONYMOUS = Requester("anonymous", capped=False)
"""The caller of work submitted without one (internal work)."""


class Overloaded(OmniKPIError):
    """The server has more work queued than it can start soon: try again later (503)."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TooLong(UsageError):
    """A report ran past the server's time limit and was stopped (a narrower one may fit)."""


def _env_number(name: str, default: float) -> float:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        number = float(value)
    except ValueError as exc:
        raise UsageError(f"{name}={value!r}: expected a number") from exc
    if not math.isfinite(number) or number <= 0:
        raise UsageError(f"{name}={value!r}: expected a positive number")
    return number


@dataclass(frozen=True)
class PoolLimits:
    """How much heavy work the server runs and queues (``omnikpi serve`` options and the
    ``OMNIKPI_WEB_*`` variables)."""

    workers: int = max(2, os.cpu_count() or 2)
    max_waiting: int = 200
    wait_seconds: float = 30.0
    run_seconds: float = 60.0
    max_waiting_per_caller: int = 60
    """Jobs of one caller waiting at once, counted when a page asks for its first (the
    rest of an admitted page's parts are let in: ``_page_admitted``); a script rarely
    needs more, and two callers at the limit leave room for everyone else."""
    long_seconds: float = 5.0
    """A job running this long makes its caller wait for the last free worker."""

    @classmethod
    def from_environment(cls) -> PoolLimits:
        default = cls()
        return cls(
            workers=int(_env_number("OMNIKPI_WEB_WORKERS", default.workers)),
            max_waiting=int(_env_number("OMNIKPI_WEB_MAX_WAITING", default.max_waiting)),
            wait_seconds=_env_number("OMNIKPI_WEB_WAIT_SECONDS", default.wait_seconds),
            run_seconds=_env_number("OMNIKPI_WEB_RUN_SECONDS", default.run_seconds),
            max_waiting_per_caller=int(_env_number("OMNIKPI_WEB_MAX_WAITING_PER_CALLER",
                                                   default.max_waiting_per_caller)),
            long_seconds=_env_number("OMNIKPI_WEB_LONG_SECONDS", default.long_seconds),
        )


@dataclass(eq=False)
class _Job(Generic[T]):
    work: Callable[[], T]
    dataset: Dataset | None
    key: Hashable | None
    caller: Requester
    order: int = 0
    queued_at: float = 0.0
    started: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)
    result: T | None = None
    error: BaseException | None = None
    connection: duckdb.DuckDBPyConnection | None = None
    began_at: float = 0.0
    interrupted: bool = False


class WorkPool:
    """Runs heavy request work on a few worker threads (see the module docstring)."""

    def __init__(self, limits: PoolLimits | None = None) -> None:
        self.limits = limits or PoolLimits()
        self._cond = threading.Condition()
        self._waiting = 0
        """Requests waiting for a result (a shared job counts each of its requests)."""
        self._queued: dict[Requester, deque[_Job[Any]]] = {}
        """Jobs no worker has started, per caller, in arrival order."""
        self._running: set[_Job[Any]] = set()
        self._inflight: dict[Hashable, _Job[Any]] = {}
        self._threads: list[threading.Thread] = []
        self._closed = False
        self._arrivals = itertools.count()
        self._starts = itertools.count()
        self._last_start: dict[Requester, int] = {}
        """When each caller with work queued or running last had a job started."""
        self._mean_seconds = 0.2
        self.completed = 0
        self.rejected = 0

    # -- the request side ---------------------------------------------------------------

    def run(self, work: Callable[[], T], dataset: Dataset | None = None,
            key: Hashable | None = None, caller: Requester | None = None) -> T:
        """Run ``work`` on a worker and return its result (or raise its error).

        ``dataset`` is the one the work queries (its worker connection is the one a
        statement timeout interrupts); ``key`` names the work, so that identical
        requests arriving together share one computation; ``caller`` is who asks (the
        workers are shared fairly between callers).
        """
        job = self._submit(work, dataset, key, ANONYMOUS if caller is None else caller)
        try:
            if not self._wait_for_a_worker(job) and self._abandon(job):
                self.rejected += 1
                raise Overloaded(
                    f"the server is busy: this report waited {self.limits.wait_seconds:g} s "
                    "for a free worker; try again shortly", self._retry_after())
            # a started job ends within the run limit (the watchdog interrupts it)
            if not job.done.wait(self.limits.run_seconds + 30):
                raise TooLong(self._too_long_message())
        finally:
            with self._cond:
                self._waiting -= 1
        if job.error is not None:
            raise job.error
        return job.result  # type: ignore[return-value]

    def _wait_for_a_worker(self, job: _Job[Any]) -> bool:
        """Whether ``job`` started within ``wait_seconds`` of the last time its caller's
        earlier pages were being served: the limit is on waiting for the server, not on
        one's own work (dashboards restored at once are served one after another instead
        of a 503 for all but the first three). An earlier page that is itself only queued
        is waiting for the server too, and does not hold the clock: counted, page N of a
        caller on a busy server got its 503 after N × ``wait_seconds``."""
        deadline = time.monotonic() + self.limits.wait_seconds
        while not job.started.wait(min(0.25, max(0.0, deadline - time.monotonic()))):
            now = time.monotonic()
            with self._cond:
                if self._behind_own_page(job):
                    deadline = now + self.limits.wait_seconds
            if now >= deadline:
                return job.started.is_set()
        return True

    def _behind_own_page(self, job: _Job[Any]) -> bool:
        """Whether a worker is running an earlier page of the job's caller (under the
        lock). Not for a caller known by address only (uncapped): behind one address are
        many people, and one person's pages must not hold another's clock."""
        if not job.caller.capped or job.caller.page == 0:
            return False
        return any(j.caller == job.caller and j.caller.page < job.caller.page
                   for j in self._running)

    def _submit(self, work: Callable[[], T], dataset: Dataset | None,
                key: Hashable | None, caller: Requester) -> _Job[T]:
        with self._cond:
            if self._closed:
                raise Overloaded("the server is shutting down", 5)
            shared = self._inflight.get(key) if key is not None else None
            if shared is not None:
                self._waiting += 1
                return shared
            if self._waiting >= self.limits.max_waiting:
                self.rejected += 1
                raise Overloaded(
                    f"the server is busy ({self._waiting} reports waiting); try again shortly",
                    self._retry_after())
            mine = self._queued.get(caller)
            if caller.capped and mine is not None and \
                    len(mine) >= self.limits.max_waiting_per_caller and \
                    not self._page_admitted(caller, mine):
                self.rejected += 1
                raise Overloaded(
                    f"you have {len(mine)} reports waiting, the most one person may queue; "
                    "try again when they are done", self._retry_after())
            self._waiting += 1
            job: _Job[T] = _Job(work, dataset, key, caller, next(self._arrivals),
                                time.monotonic())
            if key is not None:
                self._inflight[key] = job
            self._queued.setdefault(caller, deque()).append(job)
            self._start_threads()
            self._cond.notify()
        return job

    def _page_admitted(self, caller: Requester, mine: deque[_Job[Any]]) -> bool:
        """Whether another part of the caller's page is in the pool already (under the
        lock): the cap counts whole pages in, not parts. Ten dashboards restored at once
        ask their parts interleaved; capped by parts, every page had some part refused
        and all but one or two pages were answered 503."""
        if caller.page == 0:
            return False
        return any(j.caller.page == caller.page for j in mine) or any(
            j.caller == caller and j.caller.page == caller.page for j in self._running)

    def _abandon(self, job: _Job[Any]) -> bool:
        """Give up a job no worker has started (it leaves the queue)."""
        with self._cond:
            if job.started.is_set():
                return False
            mine = self._queued.get(job.caller)
            if mine is not None and job in mine:
                mine.remove(job)
                if not mine:
                    del self._queued[job.caller]
            if job.key is not None and self._inflight.get(job.key) is job:
                del self._inflight[job.key]
            return True

    def _retry_after(self) -> int:
        backlog = self._waiting / max(1, self.limits.workers)
        return max(1, min(120, math.ceil(backlog * self._mean_seconds)))

    def _too_long_message(self) -> str:
        return (f"the report ran longer than the server's limit of "
                f"{self.limits.run_seconds:g} s and was stopped: ask for a shorter period, a "
                "coarser grain or fewer groups")

    # -- choosing the next job (under the lock) -----------------------------------------

    def _next_job(self, now: float) -> _Job[Any] | None:
        """The job a free worker starts now, or ``None`` (see the module docstring)."""
        free = self.limits.workers - len(self._running)
        if free <= 0 or not self._queued:
            return None
        running: dict[Requester, int] = {}
        holding_long: set[Requester] = set()
        for job in self._running:
            running[job.caller] = running.get(job.caller, 0) + 1
            if now - job.began_at >= self.limits.long_seconds:
                holding_long.add(job.caller)
        best: tuple[int, int, int] | None = None
        chosen: Requester | None = None
        for caller, jobs in self._queued.items():
            head = min(jobs, key=lambda j: (j.caller.page, j.order))
            if (free == 1 and self.limits.workers > 1 and caller in holding_long
                    and now - head.queued_at < self.limits.wait_seconds / 2):
                continue  # the last worker is kept for someone else meanwhile
            rank = (running.get(caller, 0), self._last_start.get(caller, -1), head.order)
            if best is None or rank < best:
                best, chosen = rank, caller
        if chosen is None:
            return None
        jobs = self._queued[chosen]
        job = min(jobs, key=lambda j: (j.caller.page, j.order))
        jobs.remove(job)
        if not jobs:
            del self._queued[chosen]
        self._last_start[chosen] = next(self._starts)
        return job

    # -- the worker side ----------------------------------------------------------------

    def _start_threads(self) -> None:
        if self._threads:
            return
        for number in range(self.limits.workers):
            thread = threading.Thread(target=self._work, name=f"omnikpi-report-{number}",
                                      daemon=True)
            thread.start()
            self._threads.append(thread)
        watchdog = threading.Thread(target=self._watch, name="omnikpi-report-watchdog",
                                    daemon=True)
        watchdog.start()
        self._threads.append(watchdog)

    def _take(self) -> _Job[Any] | None:
        """Wait for a job this worker may start; ``None`` when the pool closes."""
        with self._cond:
            while True:
                if self._closed:
                    return None
                job = self._next_job(time.monotonic())
                if job is not None:
                    job.started.set()
                    job.began_at = time.monotonic()
                    self._running.add(job)
                    return job
                # a job held back for fairness may become startable as time passes
                self._cond.wait(0.25 if self._queued else None)

    def _work(self) -> None:
        while True:
            job = self._take()
            if job is None:
                return
            try:
                if job.dataset is not None:
                    job.connection = job.dataset.con  # this worker's own connection
                job.result = job.work()
            except duckdb.InterruptException:
                job.error = TooLong(self._too_long_message()) if not self._closed else \
                    Overloaded("the server is shutting down", 5)
            except BaseException as exc:  # handed to the waiting request
                job.error = exc
            with self._cond:
                self._running.discard(job)
                if job.caller not in self._queued and \
                        not any(other.caller == job.caller for other in self._running):
                    self._last_start.pop(job.caller, None)  # back to a newcomer's turn
                elapsed = time.monotonic() - job.began_at
                self._mean_seconds = 0.9 * self._mean_seconds + 0.1 * elapsed
                self.completed += 1
                self._finish(job)
                self._cond.notify_all()

    def _finish(self, job: _Job[Any]) -> None:
        if job.key is not None and self._inflight.get(job.key) is job:
            del self._inflight[job.key]
        job.started.set()
        job.done.set()

    def _watch(self) -> None:
        """Interrupt queries that run past the limit (DuckDB has no statement timeout)."""
        while not self._closed:
            time.sleep(0.25)
            now = time.monotonic()
            with self._cond:
                late = [job for job in self._running if not job.interrupted
                        and now - job.began_at > self.limits.run_seconds]
            for job in late:
                _interrupt(job)

    def close(self) -> None:
        """Stop: fail waiting work, interrupt running queries, let the workers end."""
        with self._cond:
            self._closed = True
            running = list(self._running)
            for jobs in self._queued.values():
                for job in jobs:
                    job.error = Overloaded("the server is shutting down", 5)
                    self._finish(job)
            self._queued.clear()
            self._cond.notify_all()
        for job in running:
            _interrupt(job)

    @property
    def closed(self) -> bool:
        return self._closed

    def busy(self) -> bool:
        """Whether every worker is busy and the queue full (a new request gets 503)."""
        with self._cond:
            return self._waiting >= self.limits.max_waiting


def _interrupt(job: _Job[Any]) -> None:
    """Stop the query a running job has on its DuckDB connection (it then fails)."""
    job.interrupted = True
    if job.connection is not None:
        job.connection.interrupt()

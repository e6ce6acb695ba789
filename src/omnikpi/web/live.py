"""The live hub of a running app: ingest, the monitor, alerts, and server-sent events.

One background task recomputes a snapshot whenever something changed (an event posted, a
file dropped into the dataset folder) or at least every ``IDLE_SECONDS`` (waits grow while
nothing happens), once per scope that has a wallboard open, and pushes it to every
subscriber of that scope. Snapshots carry the ingest sequence number they include, so a
client can measure event-to-screen latency.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import queue
import threading
import time
from collections import Counter
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omnikpi.auth.scope import UNBOUNDED, Scope
from omnikpi.config import Config
from omnikpi.errors import UsageError
from omnikpi.live.alert_kinds import sentence
from omnikpi.live.alerts import AlertEngine
from omnikpi.live.ingest import MAX_BATCH, BatchResult, LiveStore, check_table
from omnikpi.live.monitor import LiveMonitor, Snapshot, Where
from omnikpi.metrics.display import wallboard_metrics
from omnikpi.schema.dataset import Dataset
from omnikpi.web.alert_banner import banner_lines
from omnikpi.web.goals import judge
from omnikpi.web.i18n import LANGUAGES, translator

TICK_SECONDS = 0.02
MIN_INTERVAL_SECONDS = 0.25
"""Snapshots start at least this far apart (start to start: an event that arrives while
one is computed waits for the next, not for a pause after it as well)."""
REST_SHARE = 0.5
"""After a snapshot that took ``d`` seconds the next waits at least ``REST_SHARE × d``:
under a stream of events, computing back to back would starve ingest of the CPU."""
BATCH_PERIOD_SECONDS = 0.1
"""Validation batches start at least this far apart. One loader pass costs about the same
for one row as for a hundred (~25 ms on a quiet core, mostly fixed), so under a stream of
events back-to-back passes of two or three rows each kept a core busy and starved the
snapshots; pacing them adds at most this much to an event's way to the screen."""
IDLE_SECONDS = 2.0
FILE_POLL_SECONDS = 1.0
LOG = logging.getLogger("omnikpi.live")


@dataclass(eq=False)
class Subscriber:
    """One open wallboard (compared by identity)."""

    scope: Scope
    where: Where = field(default_factory=dict)
    """The board's own queues and channels."""
    queue: asyncio.Queue[str] = field(default_factory=lambda: asyncio.Queue(maxsize=1))
    loop: asyncio.AbstractEventLoop = field(default_factory=asyncio.get_running_loop)
    """Fed only by the runner of its own event loop (asyncio queues are not thread-safe)."""
    owner: str = ""
    """The account (or API key) watching: its open streams are counted."""


class LiveHub:
    def __init__(self, data: Path, config: Config, tz: str, base: Dataset,
                 database_url: str | None) -> None:
        self.store = LiveStore(data)
        self.monitor = LiveMonitor(data, config, tz, self.store, base)
        self.config = config
        self.alerts = AlertEngine(database_url, config.alerts.webhook_allowed_hosts, config)
        self.subscribers: set[Subscriber] = set()
        self.opening: Counter[str] = Counter()
        """Streams each owner is opening (their first snapshot being computed): counted
        with the open ones, so a burst of requests cannot all pass the limit at once."""
        self.latest: dict[str, tuple[int, float, str]] = {}
        """The last message of each view and the change count it was computed at: a screen
        that connects meanwhile gets it at once (200 screens connecting after a restart
        would otherwise compute 200 snapshots of the same view)."""
        self.computed_changes = -1
        self.computed_at = 0.0
        """When the last snapshot started (monotonic seconds)."""
        self.next_at = 0.0
        """The earliest start of the next snapshot."""
        self.polled_at = 0.0
        self.tasks: dict[asyncio.AbstractEventLoop, asyncio.Task[None]] = {}
        self.dirty = False
        self.pending: queue.Queue[tuple[str, list[dict[str, Any]], Future[BatchResult]]] = \
            queue.Queue()
        threading.Thread(target=self._batch_loop, name="omnikpi-ingest", daemon=True).start()

    # -- ingest -----------------------------------------------------------------------------

    def ingest(self, table: str, rows: list[dict[str, Any]]) -> BatchResult:
        """Validate and apply one request's rows now (the batcher groups requests)."""
        result = self.store.accept(table, rows)
        self.monitor.apply_ingest(table, result.canonical, result.seq)
        return result

    def submit(self, table: str, rows: list[dict[str, Any]]) -> Future[BatchResult]:
        """Queue one request's rows; requests that arrive while a batch is being validated
        are validated together (one loader pass costs ~25 ms whatever its size)."""
        check_table(table)
        if len(rows) > MAX_BATCH:
            raise UsageError(f"at most {MAX_BATCH} rows per request")
        future: Future[BatchResult] = Future()
        self.pending.put((table, rows, future))
        return future

    def _batch_loop(self) -> None:
        started = 0.0
        while True:
            items = [self.pending.get()]
            time.sleep(max(0.0, started + BATCH_PERIOD_SECONDS - time.monotonic()))
            started = time.monotonic()
            while True:
                try:
                    items.append(self.pending.get_nowait())
                except queue.Empty:
                    break
            for table in dict.fromkeys(item[0] for item in items):
                self._accept_group(table, [item for item in items if item[0] == table])
            self.dirty = True

    def _accept_group(self, table: str,
                      group: list[tuple[str, list[Any], Future[BatchResult]]]) -> None:
        """Store and apply the requests of ``group`` (one table's, of the same tenth of
        a second) in one pass; when the store could not read the pass as a whole, each
        request alone: a row of one client's request that no reader can read rejected
        every other client's rows of that pass, with that client's error."""
        if not self._accept(table, group, alone=len(group) == 1):
            for item in group:
                self._accept(table, [item], alone=True)

    def _accept(self, table: str, group: list[tuple[str, list[Any], Future[BatchResult]]],
                alone: bool) -> bool:
        """Store and apply the rows of the requests in ``group`` and answer each
        request; False (nothing stored, nobody answered) when the store could not read
        the pass as a whole and the requests are not ``alone``."""
        combined = [row for _, rows, _ in group for row in rows]
        try:
            outcomes, canonical, seq = self.store.accept_rows(table, combined)
        except Exception as exc:
            if not alone:
                return False
            for _, _, future in group:
                future.set_exception(exc)
            return True
        if canonical is None and combined and not alone and \
                all(o.status == "rejected" for o in outcomes):
            return False  # nothing stored: the pass as a whole could not be read
        try:  # the rows are stored: answered as stored whatever the board makes of them
            self.monitor.apply_ingest(table, canonical, seq)
        except Exception as exc:
            for _, _, future in group:
                future.set_exception(exc)
            return True
        offset = 0
        for _, rows, future in group:
            future.set_result(BatchResult.of(outcomes[offset:offset + len(rows)], seq))
            offset += len(rows)
        return True

    # -- snapshots --------------------------------------------------------------------------

    def streams_of(self, owner: str) -> int:
        """The live streams ``owner`` holds open or is opening."""
        return self.opening[owner] + sum(s.owner == owner for s in list(self.subscribers))

    def first_message(self, scope: Scope, where: Where) -> str:
        """The stream's first message: the view's last one if nothing changed since, else
        a fresh snapshot."""
        cached = self.latest.get(view_key(scope, where))
        if cached is not None and cached[0] == self.monitor.changes and \
                time.monotonic() - cached[1] < IDLE_SECONDS:
            return cached[2]
        return json.dumps(self.snapshot(scope, where), default=str)

    def snapshot(self, scope: Scope, where: Where | None = None) -> dict[str, Any]:
        """A fresh snapshot for one scope and cut (the JSON endpoint and the first SSE
        message)."""
        snap = self.monitor.snapshot(scope, where=where)
        return self._with_alerts(snap, scope, where or {})

    def _with_alerts(self, snap: Snapshot, scope: Scope, where: Where) -> dict[str, Any]:
        """The snapshot with its figures judged against their goals and the alerts firing
        in its scope and cut, each alert's sentence in every interface language."""
        firing = [a.to_json(snap.at_us) for a in self.alerts.firing()
                  if (scope.unbounded or scope.allows(a.tenant, a.site))
                  and (scope.agent is None or a.subject.get("agent_id") == scope.agent)
                  and all(a.subject.get(k) in (None, *v) for k, v in where.items() if v)]
        for alert in firing:
            alert["text"] = {lang: sentence(alert["facts"], translator(lang))
                             for lang in LANGUAGES}
        return {**judged(snap.data, self.config), "alerts": firing,
                "banner": banner_lines(firing)}

    def _recompute(self) -> dict[str, dict[str, Any]]:
        """Snapshots of every scope watched (the unbounded one always: alerts use it)."""
        now = time.monotonic()
        if now - self.polled_at >= FILE_POLL_SECONDS:
            self.polled_at = now
            try:
                self.monitor.poll_files()
            except Exception:
                LOG.exception("reading new files of the dataset folder failed")
        views = {view_key(s.scope, s.where): (s.scope, s.where)
                 for s in list(self.subscribers)}
        views[view_key(UNBOUNDED, {})] = (UNBOUNDED, {})
        base = self.monitor.snapshot(UNBOUNDED)
        self.alerts.evaluate(base.data, base.at_us)
        out = {}
        for key, (scope, where) in views.items():
            snap = base if scope.unbounded and not any(where.values()) else \
                self.monitor.snapshot(scope, base.at_us, where)
            out[key] = self._with_alerts(snap, scope, where)
        return out

    def _timed_recompute(self) -> tuple[dict[str, dict[str, Any]], float]:
        began = time.monotonic()
        snapshots = self._recompute()
        return snapshots, time.monotonic() - began

    def _poll_files(self) -> None:
        try:
            self.monitor.poll_files()
        except Exception:
            LOG.exception("reading new files of the dataset folder failed")

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(TICK_SECONDS)
            self.dirty = False
            if time.monotonic() - self.polled_at >= FILE_POLL_SECONDS:
                self.polled_at = time.monotonic()
                await asyncio.to_thread(self._poll_files)
            started = time.monotonic()
            if started < self.next_at:
                continue
            changed = self.monitor.changes != self.computed_changes
            idle = started - self.computed_at >= IDLE_SECONDS
            if not (changed or idle) or (not self.subscribers and not self.alerts.rules):
                continue
            changes = self.monitor.changes
            try:
                snapshots, took = await asyncio.to_thread(self._timed_recompute)
            except Exception:
                LOG.exception("computing the live snapshot failed")
                await asyncio.sleep(1.0)
                continue
            self.computed_changes = changes
            self.computed_at = started
            # the rest counts the computation itself, not the wait for this loop to resume
            self.next_at = max(started + MIN_INTERVAL_SECONDS,
                               time.monotonic() + REST_SHARE * took)
            messages = {key: json.dumps(data, default=str) for key, data in snapshots.items()}
            self.latest = {key: (changes, self.computed_at, message)
                           for key, message in messages.items()}
            for subscriber in [s for s in self.subscribers if s.loop is loop]:
                message = messages.get(view_key(subscriber.scope, subscriber.where))
                if message is None:
                    continue
                if subscriber.queue.full():
                    with contextlib.suppress(asyncio.QueueEmpty):
                        subscriber.queue.get_nowait()  # a slow screen gets the newest only
                subscriber.queue.put_nowait(message)

    def notify(self) -> None:
        self.dirty = True

    def start(self) -> None:
        """Run the update loop in the calling event loop (one per server)."""
        loop = asyncio.get_running_loop()
        self.tasks[loop] = loop.create_task(self.run())

    async def stop(self) -> None:
        task = self.tasks.pop(asyncio.get_running_loop(), None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def view_key(scope: Scope, where: Where) -> str:
    """One snapshot per scope and cut, shared by every board that shows it."""
    cut = ";".join(f"{k}={','.join(sorted(v))}" for k, v in sorted(where.items()) if v)
    return f"{scope.key()}|{cut}"


def judged(data: dict[str, Any], config: Config) -> dict[str, Any]:
    """Each so-far-today figure of the totals and the queue rows with its status against
    the goal (``good``/``bad``: the configuration's target for the queue or channel, else
    the metric's declared one) and the goal as text: the board colours from these."""
    def marks(row: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for metric in wallboard_metrics():
            status, goal = judge(config, metric, row.get(metric.id), row.get("queue"),
                                 row.get("channel"))
            if goal is not None:  # one snapshot serves every language: the goal in each
                out[metric.id] = {"status": status, "goal": goal, "goal_text": {
                    lang: judge(config, metric, None, row.get("queue"), row.get("channel"),
                                lang)[1] for lang in LANGUAGES}}
        return out

    totals = dict(data.get("totals") or {})
    totals["goals"] = marks(totals)
    queues = [{**q, "goals": marks(q)} for q in data.get("queues") or []]
    return {**data, "totals": totals, "queues": queues}

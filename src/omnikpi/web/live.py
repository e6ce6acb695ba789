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
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omnikpi.auth.scope import UNBOUNDED, Scope
from omnikpi.config import Config
from omnikpi.errors import UsageError
from omnikpi.live.alerts import AlertEngine
from omnikpi.live.ingest import MAX_BATCH, BatchResult, LiveStore, check_table
from omnikpi.live.monitor import LiveMonitor, Snapshot
from omnikpi.schema.dataset import Dataset

TICK_SECONDS = 0.02
MIN_INTERVAL_SECONDS = 0.15
"""Snapshots are at least this far apart: under a stream of events, computing back to
back would starve ingest of the CPU."""
IDLE_SECONDS = 2.0
FILE_POLL_SECONDS = 1.0
LOG = logging.getLogger("omnikpi.live")


@dataclass(eq=False)
class Subscriber:
    """One open wallboard (compared by identity)."""

    scope: Scope
    queue: asyncio.Queue[str] = field(default_factory=lambda: asyncio.Queue(maxsize=1))
    loop: asyncio.AbstractEventLoop = field(default_factory=asyncio.get_running_loop)
    """Fed only by the runner of its own event loop (asyncio queues are not thread-safe)."""


class LiveHub:
    def __init__(self, data: Path, config: Config, tz: str, base: Dataset,
                 database_url: str | None) -> None:
        self.store = LiveStore(data)
        self.monitor = LiveMonitor(data, config, tz, self.store, base)
        self.alerts = AlertEngine(database_url, config.alerts.webhook_allowed_hosts)
        self.subscribers: set[Subscriber] = set()
        self.latest: dict[str, Snapshot] = {}
        self.computed_changes = -1
        self.computed_at = 0.0
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
        while True:
            items = [self.pending.get()]
            while True:
                try:
                    items.append(self.pending.get_nowait())
                except queue.Empty:
                    break
            for table in dict.fromkeys(item[0] for item in items):
                group = [item for item in items if item[0] == table]
                combined = [row for _, rows, _ in group for row in rows]
                try:
                    outcomes, canonical, seq = self.store.accept_rows(table, combined)
                    self.monitor.apply_ingest(table, canonical, seq)
                except Exception as exc:
                    for _, _, future in group:
                        future.set_exception(exc)
                    continue
                offset = 0
                for _, rows, future in group:
                    future.set_result(BatchResult.of(outcomes[offset:offset + len(rows)], seq))
                    offset += len(rows)
            self.dirty = True

    # -- snapshots --------------------------------------------------------------------------

    def snapshot(self, scope: Scope) -> dict[str, Any]:
        """A fresh snapshot for one scope (the JSON endpoint and the first SSE message)."""
        snap = self.monitor.snapshot(scope)
        return self._with_alerts(snap, scope)

    def _with_alerts(self, snap: Snapshot, scope: Scope) -> dict[str, Any]:
        firing = [a.to_json() for a in self.alerts.firing()
                  if scope.unbounded or scope.allows(a.tenant, a.site)]
        return {**snap.data, "alerts": firing}

    def _recompute(self) -> dict[str, dict[str, Any]]:
        """Snapshots of every scope watched (the unbounded one always: alerts use it)."""
        now = time.monotonic()
        if now - self.polled_at >= FILE_POLL_SECONDS:
            self.polled_at = now
            try:
                self.monitor.poll_files()
            except Exception:
                LOG.exception("reading new files of the dataset folder failed")
        scopes = {s.scope.key(): s.scope for s in list(self.subscribers)}
        scopes[UNBOUNDED.key()] = UNBOUNDED
        base = self.monitor.snapshot(UNBOUNDED)
        self.alerts.evaluate(base.data, base.at_us)
        out = {}
        for key, scope in scopes.items():
            snap = base if scope.unbounded else self.monitor.snapshot(scope, base.at_us)
            out[key] = self._with_alerts(snap, scope)
        return out

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
            since = time.monotonic() - self.computed_at
            if since < MIN_INTERVAL_SECONDS:
                continue
            changed = self.monitor.changes != self.computed_changes
            idle = since >= IDLE_SECONDS
            if not (changed or idle) or (not self.subscribers and not self.alerts.rules):
                continue
            changes = self.monitor.changes
            try:
                snapshots = await asyncio.to_thread(self._recompute)
            except Exception:
                LOG.exception("computing the live snapshot failed")
                await asyncio.sleep(1.0)
                continue
            self.computed_changes = changes
            self.computed_at = time.monotonic()
            messages = {key: json.dumps(data, default=str) for key, data in snapshots.items()}
            for subscriber in [s for s in self.subscribers if s.loop is loop]:
                message = messages.get(subscriber.scope.key())
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

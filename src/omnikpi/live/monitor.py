"""The state of *now* for the wallboard: today's contacts and agent states, kept current.

The monitor holds today's rows of ``contacts``, ``agent_states`` and ``availability`` in its
own small in-memory DuckDB database. Posted events are applied directly; files that appear
in the dataset folder (``omnikpi import asterisk-queue-log --follow``, or a platform's export
dropped there) are read by the canonical loader and applied too. A snapshot runs the KPI
engine on these tables for "so far today" (service level, abandonment, ASA: the catalog's
own definitions, in the scope of the viewer) and adds what exists only *now*: contacts
waiting and the longest wait, the e-mail backlog, agents by state, chat sessions per agent
against capacity, channels switched off.
"""

from __future__ import annotations

import json
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from omnikpi.auth.scope import Scope, scoped_dataset
from omnikpi.config import CHAT_CHANNELS, Config
from omnikpi.engine.compile import table_keys
from omnikpi.engine.local_duckdb import LocalDuckDB
from omnikpi.engine.result import empty_period_row
from omnikpi.engine.run import ReportPlan, plan_report, run_report
from omnikpi.engine.timezones import to_datetime, zone
from omnikpi.instants import MICROS, day_start_us
from omnikpi.live.agents import (
    BUSY_STATES,
    UNFINISHED_SQL,
    agent_list,
    agents_for,
    by_state,
    chat_capacity,
    not_yet,
    places,
    session_capacity_sql,
    unfinished_sql,
)
from omnikpi.live.ingest import LIVE_TABLES, LiveStore, latest_open_states, validate_rows
from omnikpi.metrics.base import get_metric
from omnikpi.metrics.display import wallboard_metrics
from omnikpi.schema.convert import SQL_TYPES, quote, sql_str
from omnikpi.schema.dataset import Dataset, TableLoad, add_empty_tables, load_dataset
from omnikpi.schema.files import find_table_files
from omnikpi.schema.tables import INBOUND_SQL, TABLES

SO_FAR_TODAY = [m.id for m in wallboard_metrics()] + ["aht"]
"""The wallboard's so-far-today figures (``Metric.wallboard`` in the declarations), and the
average handling time an alert may watch."""
COUNTS = {m: get_metric(m).is_count for m in SO_FAR_TODAY}
"""Each so-far figure and whether it is a count (0 on a row with nothing so far)."""
LIVE_BY = ["tenant", "site", "queue", "channel"]
US = MICROS
SCHEDULE_TABLES = ("shifts", "shift_activities")
"""Today's schedule, for per-agent adherence so far: read from the dataset at start, and
again when its files change (a new schedule, a moved break) or the day turns."""
Where = dict[str, tuple[str, ...]]
"""A wallboard's own cut: ``queue`` and ``channel`` values (the scope cuts tenant and
site)."""


def _now_us() -> int:
    return int(time.time() * US)


@dataclass
class Snapshot:
    """What a wallboard shows at one instant, for one scope."""

    at_us: int
    seq: int
    data: dict[str, Any]


class LiveMonitor:
    def __init__(self, data: Path, config: Config, tz: str, store: LiveStore,
                 base: Dataset | None, clock: Callable[[], int] = _now_us) -> None:
        """``clock`` gives now in microseconds since the epoch (tests pass a fixed one, so
        that no test depends on the hour it runs at)."""
        self.data = Path(data)
        self.clock = clock
        self.config = config
        self.tz = tz
        self.store = store
        self.lock = threading.RLock()
        self.con = duckdb.connect(":memory:")
        self.con.execute("SET TimeZone = 'UTC'")
        self.seq = store.seq
        """The newest ingest sequence number applied (snapshots report it; the store's
        start before the first)."""
        self.changes = 0
        self.files: dict[Path, tuple[int, int]] = {}
        self.open_files: dict[Path, tuple[int, int]] = {}
        """Connectors' files of rows in progress, as last applied (none at start)."""
        self.templates: dict[tuple[Any, ...], tuple[ReportPlan, str, int] | None] = {}
        self.day_start_us = self._day_start(clock())
        for table in LIVE_TABLES:
            columns = ", ".join(f"{quote(c.name)} {SQL_TYPES[c.type]}"
                                for c in TABLES[table].columns)
            self.con.execute(f"CREATE TABLE {quote('live_' + table)} ({columns})")
        self.schedules = False
        for table in SCHEDULE_TABLES:
            columns = ", ".join(f"{quote(c.name)} {SQL_TYPES[c.type]}"
                                for c in TABLES[table].columns)
            self.con.execute(f"CREATE TABLE {quote('live_' + table)} ({columns})")
        if base is not None:
            for table in LIVE_TABLES:
                if base.has(table):
                    self._apply(table, self._today_rows(base.con, table))
            self._load_schedules(base)
        self.schedule_files = self._schedule_files()
        for table in LIVE_TABLES:
            rows = store.open_rows(table)
            if table == "agent_states":
                rows = latest_open_states(rows)
            if rows:
                canonical, _ = validate_rows(table, rows)
                if canonical is not None:
                    canonical = canonical.drop_columns(["__index"])
                    if table == "contacts":  # one left open for days is not waiting
                        arrived = pc.field("arrived_at")
                        canonical = canonical.filter(
                            arrived >= self._grace(self.day_start_us))
                    self._apply(table, self._not_finished(table, canonical))
        self._remember_files()

    def _not_finished(self, table: str, rows: pa.Table, keep_finished: bool = False
                      ) -> pa.Table:
        """``rows`` less those whose row the monitor holds finished (``keep_finished``:
        less only the open ones among them). The store's open rows at a start: a contact
        posted waiting, then answered and ended in a dropped file, came back as waiting
        after a restart (the open row replaced the file's), its wait growing while the
        report said answered. Posted rows: a late "waiting" after a dropped file ended
        the call showed it waiting again until a restart."""
        keys = LIVE_TABLES[table]
        match = " AND ".join(f"t.{quote(k)} = o.{quote(k)}" for k in keys)
        # unqualified, the columns of the outer condition are the posted row's
        kept = f" OR {FINISHED_SQL[table]}" if keep_finished else ""
        self.con.register("__open", rows)
        try:
            return self.con.execute(
                f"SELECT * FROM __open o WHERE NOT EXISTS (SELECT 1 FROM "
                f"{quote('live_' + table)} t WHERE {match} AND {FINISHED_SQL[table]})"
                f"{kept}").to_arrow_table()
        finally:
            self.con.unregister("__open")

    # -- keeping the tables current -------------------------------------------------------

    def _day_start(self, now_us: int) -> int:
        """The first instant of the local day ``now_us`` is in, as a report's day starts
        (:func:`omnikpi.instants.local_midnight_us`): where the clocks go back from 01:00
        to 00:00 (America/Havana) midnight comes twice and the day starts at the first;
        read off the hour after it, the day started at the second, and the first hour's
        calls left "so far today" for an hour."""
        return day_start_us(to_datetime(now_us).astimezone(zone(self.tz)).date(), self.tz)

    def _grace(self, day_start_us: int) -> int:
        """The day of grace of the day starting at ``day_start_us``: the start of the local
        day before it. A contact (or agent state) still open counts until a day after the
        day it arrived (started) has ended: it is dropped when it arrived before this.
        Not 24 hours before midnight: after the 25-hour day a DST change makes, that left
        out the first hour of it (a call waiting since 00:30 on that day vanished)."""
        return self._day_start(day_start_us - 1)

    def _today_rows(self, con: duckdb.DuckDBPyConnection, table: str) -> pa.Table:
        since = self.day_start_us
        condition = {
            "contacts": today_contacts(since, self._grace(since)),
            "agent_states": f'"end" > {since}',
            "availability": f'"end" IS NULL OR "end" > {since}',
        }[table]
        columns = ", ".join(quote(c.name) for c in TABLES[table].columns)
        return con.execute(f"SELECT {columns} FROM {quote(table)} WHERE {condition}"
                           ).to_arrow_table()

    def _load_schedules(self, base: Dataset) -> None:
        """Today's shifts and activities (those that end after midnight and start before
        tomorrow's), for adherence so far today."""
        if not all(base.has(t) for t in SCHEDULE_TABLES):
            return
        since, until = self.day_start_us, self.day_start_us + 36 * 3600 * US
        for table in SCHEDULE_TABLES:
            columns = ", ".join(quote(c.name) for c in TABLES[table].columns)
            rows = base.con.execute(f'SELECT {columns} FROM {quote(table)} WHERE "end" > '
                                    f"{since} AND start < {until}").to_arrow_table()
            self.con.register("__rows", rows)
            try:
                self.con.execute(f"INSERT INTO {quote('live_' + table)} SELECT * FROM __rows")
            finally:
                self.con.unregister("__rows")
            self.schedules = self.schedules or rows.num_rows > 0

    def _schedule_files(self) -> dict[Path, tuple[int, int]]:
        found = find_table_files(self.data, set(SCHEDULE_TABLES))
        return {f.path: (f.path.stat().st_size, f.path.stat().st_mtime_ns)
                for files in found.values() for f in files}

    def _reload_schedules(self) -> None:
        """Today's schedule read afresh from the folder's files (validated as any load)."""
        found = find_table_files(self.data, set(SCHEDULE_TABLES))
        with tempfile.TemporaryDirectory(prefix="omnikpi-schedule-") as tmp:
            for table, files in found.items():
                folder = Path(tmp) / table
                folder.mkdir()
                for index, file in enumerate(files):
                    (folder / f"{index}-{file.path.name}").symlink_to(file.path.resolve())
            part = load_dataset(tmp) if found else None
            with self.lock:
                for table in SCHEDULE_TABLES:
                    self.con.execute(f"DELETE FROM {quote('live_' + table)}")
                self.schedules = False
                if part is not None:
                    self._load_schedules(part)
                self.changes += 1
            if part is not None:
                part.close()

    def _apply(self, table: str, rows: pa.Table) -> None:
        """Upsert rows by the table's identity (a later version replaces an earlier one)."""
        if rows.num_rows == 0:
            return
        known = [c.name for c in TABLES[table].columns]
        present = [c for c in known if c in rows.column_names]
        batch = rows.select(present)
        keys = LIVE_TABLES[table]
        target = quote("live_" + table)
        with self.lock:
            self.con.register("__batch", batch)
            try:
                match = " AND ".join(f"t.{quote(k)} = b.{quote(k)}" for k in keys)
                self.con.execute(f"DELETE FROM {target} t WHERE EXISTS "
                                 f"(SELECT 1 FROM __batch b WHERE {match})")
                names = ", ".join(quote(c) for c in present)
                self.con.execute(f"INSERT INTO {target} ({names}) "
                                 f"SELECT DISTINCT ON ({', '.join(quote(k) for k in keys)}) "
                                 f"{names} FROM __batch")
            finally:
                self.con.unregister("__batch")
            self.changes += 1

    def finished_contacts(self, ids: list[str]) -> dict[str, str | None]:
        """Which of the contact ids ``ids`` the monitor holds finished (a dropped file's
        answered call, or a posted end), with each one's tenant: an open version of one
        posted after it is an old one, a duplicate (another tenant's post of it is a
        claim of another tenant's id)."""
        if not ids:
            return {}
        marks = ", ".join("?" for _ in ids)
        with self.lock:
            return {str(c): t for c, t in self.con.execute(
                f"SELECT contact_id, tenant FROM live_contacts WHERE contact_id IN "
                f"({marks}) AND {FINISHED_SQL['contacts']}", ids).fetchall()}

    def apply_ingest(self, table: str, rows: pa.Table | None, seq: int) -> None:
        """Apply posted rows and their sequence number at once: a snapshot that shows
        the rows also reports the number. A posted open row never replaces a finished
        one (a late "waiting" after a dropped file ended the call showed it waiting
        again, SL falling, until a restart)."""
        with self.lock:
            if rows is not None and table == "contacts" and rows.num_rows:
                rows = self._not_finished(table, rows, keep_finished=True)
            if rows is not None:
                self._apply(table, rows)
            self.seq = max(self.seq, seq)
            self.changes += 1

    def _open_files(self) -> dict[Path, tuple[int, int]]:
        """Rows in progress written by connectors (``.live/*-open.jsonl``, e.g. the calls
        a followed queue_log has not closed yet); ``open.jsonl`` is the ingest's own."""
        folder = self.data / ".live"
        if not folder.is_dir():
            return {}
        return {p: (p.stat().st_size, p.stat().st_mtime_ns)
                for p in sorted(folder.glob("*-open.jsonl"))}

    def _apply_open_file(self, path: Path) -> None:
        by_table: dict[str, list[dict[str, Any]]] = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                if item.get("table") in LIVE_TABLES:
                    by_table.setdefault(item["table"], []).append(item["row"])
        recent = self._grace(self.day_start_us)  # a stale file must not show old calls
        for table, rows in by_table.items():
            canonical, _ = validate_rows(table, rows)
            if canonical is not None:
                column = "arrived_at" if table == "contacts" else "start"
                keep = pc.greater_equal(canonical.column(column), recent)
                self._apply(table, canonical.filter(keep).drop_columns(["__index"]))

    def _table_files(self) -> dict[Path, tuple[int, int]]:
        found = find_table_files(self.data, set(LIVE_TABLES))
        out = {}
        for files in found.values():
            for file in files:
                if file.path.name.startswith("ingest-"):
                    continue  # written by this server's ingest: already applied
                stat = file.path.stat()
                out[file.path] = (stat.st_size, stat.st_mtime_ns)
        return out

    def _remember_files(self) -> None:
        self.files = self._table_files()

    def poll_files(self) -> int:
        """Apply today's rows of new or changed table files, then the connectors' rows in
        progress (finished rows first, so an open version never outlives its final one);
        return how many files."""
        current = self._table_files()
        changed = [p for p, sig in current.items() if self.files.get(p) != sig]
        opened = self._open_files()
        changed_open = [p for p, sig in opened.items() if self.open_files.get(p) != sig]
        for path in changed:
            table = path.parent.name if path.parent != self.data else path.name.split(".")[0]
            if table not in LIVE_TABLES:
                continue
            with tempfile.TemporaryDirectory(prefix="omnikpi-watch-") as tmp:
                link = Path(tmp) / (table + path.name[path.name.index("."):]
                                    if path.parent == self.data else
                                    table + "".join(path.suffixes))
                link.symlink_to(path.resolve())
                part = load_dataset(tmp)
                if part.has(table):
                    self._apply(table, self._today_rows(part.con, table))
                part.close()
        self.files = current
        for path in changed_open:
            self._apply_open_file(path)
        self.open_files = opened
        schedules = self._schedule_files()
        if schedules != self.schedule_files:
            self._reload_schedules()
            self.schedule_files = schedules
        return len(changed) + len(changed_open)

    def roll_day(self, now_us: int) -> None:
        """At local midnight, forget yesterday's finished rows."""
        start = self._day_start(now_us)
        if start == self.day_start_us:
            return
        with self.lock:
            self.day_start_us = start
            # coalesce: an instant a contact has not (an answered call's abandoned_at)
            # made the condition NULL, NOT NULL is NULL, and yesterday's rows stayed
            self.con.execute("DELETE FROM live_contacts WHERE NOT coalesce("
                             f"({today_contacts(start, self._grace(start))}), false)")
            self.con.execute(f'DELETE FROM live_agent_states WHERE "end" <= {start}')
            self.con.execute(f'DELETE FROM live_availability WHERE "end" <= {start}')
            self.changes += 1
        if self.schedule_files:
            self._reload_schedules()  # the new day's shifts

    # -- snapshots --------------------------------------------------------------------------

    def _dataset(self, now_us: int, where: Where | None = None) -> Dataset:
        """Today's tables as a dataset the engine can run on; states still open end now.

        ``where`` cuts them to the wallboard's queues and channels: contacts by both,
        agent states by channel (a state without a channel stays: it is the agent's, on
        every channel), availability by channel and queue (a row for every queue stays)."""
        con = self.con
        queues, channels = (where or {}).get("queue", ()), (where or {}).get("channel", ())

        def among(column: str, values: tuple[str, ...], keep_null: bool = False) -> str:
            if not values:
                return "true"
            listed = ", ".join(sql_str(v) for v in values)
            test = f"{quote(column)} IN ({listed})"
            return f"({quote(column)} IS NULL OR {test})" if keep_null else test

        grace = self._grace(self.day_start_us)
        con.execute("CREATE OR REPLACE VIEW contacts AS SELECT * FROM live_contacts WHERE "
                    f"{among('queue', queues)} AND {among('channel', channels)} AND "
                    f"({STILL_OPEN_SQL} IS FALSE OR arrived_at >= {grace})")
        # an open state ends where the agent's next state starts (one state at a time: a
        # state posted without an end, then another, then the other's end, brought the
        # first back), and one older than the day's grace is not going on any more
        con.execute(
            'CREATE OR REPLACE VIEW agent_states AS SELECT * EXCLUDE (__next) REPLACE ('
            'coalesce("end", least(__next, '
            f'greatest(start, {now_us}))) AS "end") FROM (SELECT *, lead(start) OVER '
            '(PARTITION BY agent_id ORDER BY start) AS __next FROM live_agent_states '
            f'WHERE start <= {now_us}) WHERE ("end" IS NOT NULL OR start >= {grace}) AND '
            f"{among('channel', channels, True)}")
        con.execute("CREATE OR REPLACE VIEW availability AS SELECT * REPLACE ("
                    f'coalesce("end", greatest(start, {now_us})) AS "end") '
                    f"FROM live_availability WHERE {among('channel', channels)} AND "
                    f"{among('queue', queues, True)}")
        tables = list(LIVE_TABLES)
        if self.schedules:
            for table in SCHEDULE_TABLES:
                con.execute(f"CREATE OR REPLACE VIEW {quote(table)} AS SELECT * FROM "
                            f"{quote('live_' + table)}")
            tables += SCHEDULE_TABLES
        loads = {t: TableLoad(t, [], columns=tuple(c.name for c in TABLES[t].columns))
                 for t in tables}
        dataset = Dataset(self.data, con, loads, [], 0, owns_root=False)
        # the other tables, empty, as a loaded folder has them: what reads one only when
        # present (a schedule's roster, for an activity's site) reads none
        add_empty_tables(dataset)
        return dataset

    def snapshot(self, scope: Scope, now_us: int | None = None,
                 where: Where | None = None) -> Snapshot:
        """What ``scope`` sees now, cut to the board's queues and channels (``where``)."""
        now_us = now_us or self.clock()
        with self.lock:
            self.roll_day(now_us)
            seq = self.seq
            dataset = scoped_dataset(self._dataset(now_us, where), scope)
            try:
                data = self._compute(dataset, now_us, (where or {}).get("queue", ()))
            finally:
                dataset.close()
        data["seq"] = seq
        # the availability table has no tenant or site: a bounded viewer sees none of it,
        # and "every channel is available" would be a claim nobody checked
        data["availability_known"] = scope.unbounded
        return Snapshot(now_us, seq, data)

    def _compute(self, dataset: Dataset, now_us: int,
                 queue_cut: tuple[str, ...] = ()) -> dict[str, Any]:
        local = zone(self.tz)
        day_start = to_datetime(self.day_start_us).astimezone(local).isoformat()
        now_iso = to_datetime(now_us).astimezone(local).isoformat()
        rows = self._so_far(dataset, LIVE_BY, now_us)
        total = self._so_far(dataset, [], now_us)
        con = dataset.con
        # open as of now (an answer or end a few minutes ahead has not come yet), and
        # within the day of grace; by row, both readings: a continuous queue's contact
        # waits until accepted, a discrete queue's item is backlog until its first reply
        # (an e-mail accepted but not replied to is still owed an answer)
        accepted = not_yet("accepted_at", now_us)
        waiting = con.execute(f"""
            SELECT tenant, site, queue, channel,
                   count(*) FILTER (WHERE {accepted}) AS waiting,
                   max({now_us} - arrived_at) FILTER (WHERE {accepted}) / 1e6
                       AS longest_wait_s,
                   count(*) AS backlog, max({now_us} - arrived_at) / 1e6 AS oldest_s
            FROM contacts
            WHERE arrived_at <= {now_us} AND NOT coalesce(blocked, false)
              AND arrived_at >= {self._grace(self.day_start_us)}
              AND {INBOUND_SQL}
              AND {not_yet("first_response_at", now_us)}
              AND {unfinished_sql(now_us)}
            GROUP BY ALL""").fetchall()
        people = agent_list(con, now_us, self.tz, self.config, "live_contacts")
        if self.schedules:
            adherence = {r["agent_id"]: r["adherence"] for r in
                         self._so_far(dataset, ["agent_id"], now_us, ("adherence",))}
            for person in people:
                person["adherence"] = adherence.get(person["agent_id"])
        if queue_cut:
            # agents have no queue: under a queue cut, those busy with no contact of the
            # cut's queues in hand (contacts are cut already) nor wrapping one up are busy
            # elsewhere and go
            people = [a for a in people if a["state"] not in BUSY_STATES
                      or any(p["queue"] in queue_cut for p in places(a))]
        states = by_state(people)
        chats = self._chat_load(con, now_us)
        closed = con.execute(f"""
            SELECT channel, coalesce(queue, '') FROM availability
            WHERE status = 'unavailable' AND start <= {now_us} AND "end" >= {now_us}
            GROUP BY ALL ORDER BY ALL""").fetchall()
        queues: dict[tuple[Any, ...], dict[str, Any]] = {}
        for row in rows:
            key = tuple(row[k] for k in LIVE_BY)
            queues[key] = {**{k: row[k] for k in LIVE_BY},
                           **{m: row[m] for m in SO_FAR_TODAY},
                           "waiting": 0, "longest_wait_s": None}
        for tenant, site, queue, channel, *counts in waiting:
            owed = self._mode(queue, channel) == "discrete"  # backlog: owed a reply
            count, longest = counts[2:] if owed else counts[:2]
            if not count:
                continue
            key = (tenant, site, queue, channel)
            entry = queues.setdefault(key, {
                **dict(zip(LIVE_BY, key, strict=True)), **empty_period_row(COUNTS)})
            entry["waiting"] = int(count)
            entry["longest_wait_s"] = float(longest)
        for entry in queues.values():
            entry["mode"] = self._mode(entry["queue"], entry["channel"])
            entry.update(agents_for(entry, people))
        ordered = sorted(queues.values(), key=lambda e: tuple(str(e[k] or "") for k in LIVE_BY))
        continuous = [q for q in ordered if q["mode"] == "continuous"]
        discrete = [q for q in ordered if q["mode"] == "discrete"]
        return {
            "at": now_iso, "day_start": day_start, "tz": self.tz,
            "totals": {**(total[0] if total else {}),
                       "waiting": sum(q["waiting"] for q in continuous),
                       "longest_wait_s": max((q["longest_wait_s"] or 0.0 for q in continuous),
                                             default=0.0),
                       "backlog": sum(q["waiting"] for q in discrete),
                       "oldest_backlog_s": max((q["longest_wait_s"] or 0.0 for q in discrete),
                                               default=0.0)},
            "queues": ordered,
            "agents": states,
            "agent_list": people,
            "chat": chats,
            "has_data": bool(ordered or people),
            "unavailable": [{"channel": c, "queue": q or None} for c, q in closed],
        }

    def _mode(self, queue: str | None, channel: str | None) -> str:
        """A queue row's mode as the engine reads it (``engine/contact_facts.py``
        ``continuous_expr``): the queue's own ``mode``, else its channel's. By the channel
        alone, a social queue set continuous was SL-judged as continuous by the so-far
        figures but shown as backlog, its wait out of "waiting" and its alerts."""
        own = self.config.queues.get(queue) if queue is not None else None
        if own is not None and own.mode:
            return own.mode
        return self.config.channel_mode(str(channel or "").lower())

    def _so_far(self, dataset: Dataset, by: list[str], now_us: int,
                metrics: tuple[str, ...] = tuple(SO_FAR_TODAY)) -> list[dict[str, Any]]:
        """SL, abandonment, ASA … from midnight to now, by the catalog's definitions.

        Compiling a report costs far more than running it on today's rows, and only the
        as-of instant changes between snapshots. So the SQL is compiled once per day and
        cut: it is compiled for two as-of instants, and reused with the instant substituted
        only if the two texts differ exactly by that literal (otherwise every snapshot is
        compiled afresh, which is slower but equally right).
        """
        local = zone(self.tz)

        def iso(us: int) -> str:
            return to_datetime(us).astimezone(local).isoformat()

        common: dict[str, Any] = {"tz": self.tz, "from_": iso(self.day_start_us),
                                  "config": self.config}
        key = (tuple(by), self.day_start_us, metrics)
        if key not in self.templates:
            day_end = self._day_start(self.day_start_us + 36 * 3600 * US)
            first, second = day_end - 1, day_end - 2
            plan = plan_report(dataset, list(metrics), by=by, as_of=iso(first), **common)
            other = plan_report(dataset, list(metrics), by=by, as_of=iso(second), **common)
            if isinstance(plan.backend, LocalDuckDB) and isinstance(other.backend,
                                                                     LocalDuckDB):
                sql = plan.backend.compiled(plan.expr)
                same = sql.replace(str(first), str(second)) == \
                    other.backend.compiled(other.expr)
                self.templates[key] = (plan, sql, first) if str(first) in sql and same \
                    else None
            else:
                self.templates[key] = None
        template = self.templates[key]
        if template is None:
            return run_report(dataset, list(metrics), by=by, as_of=iso(now_us),
                              **common).rows
        plan, sql, literal = template
        table = LocalDuckDB(dataset).arrow(plan.expr, sql.replace(str(literal), str(now_us)))
        return so_far_rows(table, [*plan.by, *table_keys(plan.requests)],
                           {r.metric.id: r.metric.is_count for r in plan.requests})

    def _chat_load(self, con: duckdb.DuckDBPyConnection, now_us: int) -> list[dict[str, Any]]:
        """The chat sessions each agent holds now, per client: agent ids repeat across a
        provider's clients, and two clients' a7 were one agent over capacity."""
        channels = ", ".join("'" + c + "'" for c in CHAT_CHANNELS)
        rows = con.execute(f"""
            SELECT agent_id, any_value(site) AS site, tenant,
                   count(*) AS sessions, min({session_capacity_sql(self.config)})
            FROM contacts
            WHERE lower(channel) IN ({channels}) AND agent_id IS NOT NULL
              AND coalesce(accepted_at, first_response_at) <= {now_us}
              AND {unfinished_sql(now_us)}
            GROUP BY agent_id, tenant ORDER BY sessions DESC, agent_id, tenant""").fetchall()
        return [{"agent_id": a, "site": s, "tenant": t, "sessions": int(n),
                 "capacity": chat_capacity(a, c, None, self.config)}
                for a, s, t, n, c in rows]


STILL_OPEN_SQL = f"({UNFINISHED_SQL} AND NOT coalesce(blocked, false))"
"""A contact nobody has ended, abandoned, blocked or closed as lost yet."""
FINISHED_SQL = {"contacts": f"NOT {STILL_OPEN_SQL}", "agent_states": '"end" IS NOT NULL',
                "availability": '"end" IS NOT NULL'}
"""A row whose life is over, by table: an open version of it changes nothing."""


def today_contacts(since_us: int, grace_us: int) -> str:
    """The contacts the day starting at ``since_us`` needs: every one with an instant of
    the day (a call that arrived before midnight and ended after it books its handle
    time today: a restart dropped it, and live AHT left the report's), and those still
    open that arrived within the day of grace (since ``grace_us``, the previous local
    day's start: ``LiveMonitor._grace``)."""
    instants = " OR ".join(f"{c} >= {since_us}" for c in (
        "arrived_at", "accepted_at", "first_response_at", "ended_at", "abandoned_at"))
    return f"({instants}) OR ({STILL_OPEN_SQL} AND arrived_at >= {grace_us})"


def so_far_rows(table: pa.Table, keys: list[str], metrics: dict[str, bool]) -> list[dict[str, Any]]:
    """The rows of a so-far-today query as a report gives them (``ReportResult.rows``, in
    the report's order): the key columns as they are, each metric as a float, or an int
    for a count (``metrics`` maps the id to whether it is one), None for no value.

    A few dozen rows several times a second: the report's pandas shaping took a third of
    a snapshot's time. ``test_reused_sql_equals_a_fresh_report`` checks these rows equal
    the report's."""
    columns: dict[str, list[Any]] = {k: table.column(k).to_pylist() for k in keys}
    for metric, is_count in metrics.items():
        values = pc.cast(table.column(metric), pa.float64()).to_pylist()
        columns[metric] = [None if v is None or v != v else int(v) if is_count else v
                           for v in values]
    rows = [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)]
    if not rows and not keys:  # as the report: a period with nothing in it is one row
        return [empty_period_row(metrics)]
    return sorted(rows, key=lambda r: tuple((r[k] is None, r[k]) for k in keys))

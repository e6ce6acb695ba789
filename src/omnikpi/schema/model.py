"""A loaded dataset and what its loading found: the problems, each table's load, the
facts measured of the rows."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from omnikpi.errors import DataError
from omnikpi.instants import MICROS, local_midnight_us
from omnikpi.schema.convert import (
    quote,
    sql_str,
)
from omnikpi.schema.files import TableFile, unread_entries
from omnikpi.schema.tables import TABLES, ColumnType


def _clock_us() -> int:
    return int(time.time() * MICROS)


def _today(tz: str) -> int:
    """Today's date in ``tz`` as a day number (days since 1970-01-01), by :data:`clock`."""
    from datetime import UTC, date, datetime
    from zoneinfo import ZoneInfo

    local = datetime.fromtimestamp(clock() / MICROS, UTC).astimezone(ZoneInfo(tz)).date()
    return (local - date(1970, 1, 1)).days


clock: Callable[[], int] = _clock_us
"""The time now in µs since the epoch, which a roster date never passes as an event
(tests replace it)."""

PLAN_TABLES = ("shifts", "shift_activities", "costs")
"""Tables of plans, not events: a schedule for next week does not move a report's as-of."""
REVIEW_TABLES = ("qa_evaluations", "qa_items", "employee_surveys")
"""Tables of reviews made later about earlier work (an evaluation today of last month's
call): they are events of the reports that read them, but not the day the operation's
data reaches — what the pages' period presets ("last 7 days") count back from."""


def operation_reads(tables: Iterable[str]) -> tuple[str, ...]:
    """Of the given tables, those whose latest event says how far the operation's data
    reaches: the review tables only when there is nothing else."""
    read = tuple(tables)
    return tuple(t for t in read if t not in REVIEW_TABLES) or read

MAX_PROBLEMS_KEPT = 10_000
"""Problems listed per table (and in all); the count goes on past it."""

Bounds = dict[str, dict[str, tuple[int | None, int | None]]]
Domains = dict[str, dict[str, tuple[str, ...]]]


@dataclass(frozen=True)
class Problem:
    table: str
    file: str
    row: int | None
    """1-based data row in the file (for CSV, the line number is ``row + 1``)."""
    column: str | None
    message: str
    fatal: bool = False

    @property
    def line(self) -> int | None:
        """The row's line in a delimited text file (its header is line 1); None for a
        file without lines (Parquet, JSON) or a problem about the whole file."""
        if self.row is None or not self.file.endswith((".csv", ".csv.gz", ".tsv")):
            return None
        return self.row + 1

    @property
    def location(self) -> str:
        if self.row is None:
            return self.file
        if self.line is not None:
            return f"{self.file} line {self.line} (row {self.row})"
        return f"{self.file} row {self.row}"

    def __str__(self) -> str:
        column = f" column {self.column}:" if self.column else ""
        return f"{self.location}:{column} {self.message}"


@dataclass
class TableLoad:
    table: str
    files: list[TableFile]
    rows_read: int = 0
    rows_loaded: int = 0
    fatal: list[Problem] = field(default_factory=list)
    columns: tuple[str, ...] = ()

    @property
    def quarantined(self) -> int:
        return self.rows_read - self.rows_loaded if not self.fatal else 0

    @property
    def usable(self) -> bool:
        return not self.fatal


@dataclass(frozen=True)
class FileScope:
    """A table's loaded rows read from some of its files only: the rollup refresh of a new
    day reads the files whose instants touch the days it computes, not the whole history.

    The rows are exactly those of the table's view restricted to the files: each file's
    stage (numbered ``__file`` in file order) minus the rows left out — those listed in
    ``left_out`` (duplicates and overlaps found across files) and, when ``flagged``, the
    staged rows whose ``__bad`` flag says they break a rule. Both are recorded as such
    (not as SQL text to take apart) because the rollup also reads which rows they are."""

    columns: tuple[str, ...]
    stages: tuple[str, ...]
    """One relation per file, in the table's file order."""
    left_out: str = ""
    """A relation of the (``__file``, ``__row``) pairs quarantined across files, or ""."""
    flagged: bool = False
    """Whether the stages carry ``__bad``, true for a row that breaks a rule."""

    def sql(self, files: Sequence[int]) -> str:
        """The loaded rows of the files numbered ``files`` (no row for an empty list)."""
        chosen = [self.stages[i] for i in sorted(set(files))] or [self.stages[0]]
        union = " UNION ALL BY NAME ".join(f"SELECT * FROM {s}" for s in chosen)
        anti = f" ANTI JOIN {self.left_out} USING (__file, __row)" if self.left_out else ""
        where = "WHERE NOT __bad" if self.flagged else "WHERE true"
        if not files:
            where += " AND false"
        columns = ", ".join(quote(c) for c in self.columns)
        return f"SELECT {columns} FROM ({union}) AS __files{anti} {where}"


@dataclass
class Dataset:
    """A validated dataset held in an in-memory DuckDB database, one table per name.

    A DuckDB connection must not run two queries at once: the web server answers requests
    on many threads, and one connection shared by them failed ("closed pending query
    result") and then deadlocked. ``con`` therefore gives every thread a cursor of its
    own — a connection to the same database, in the same catalog and search path as
    ``root`` — so the dataset is safe to use from any number of threads.
    """

    path: Path
    root: duckdb.DuckDBPyConnection
    """The connection the dataset was built on (its catalog and search path)."""
    loads: dict[str, TableLoad]
    problems: list[Problem]
    problem_count: int
    bounds: Bounds | None = None
    """Per table, each timestamp column's first and last value over the loaded rows, when
    measured by the validation pass (or kept with its cached verdict)."""
    from_cache: bool = False
    """Whether the validation verdict came from the cache (the files were unchanged)."""
    domains: Domains | None = None
    """Per table, the distinct values of its ``DOMAIN_COLUMNS`` over the loaded rows, when
    measured by the validation pass; a column with more than ``DOMAIN_MAX`` values is
    left out."""

    empty: dict[str, tuple[str, ...]] | None = None
    """Per table, the columns without a single value over the loaded rows, when measured
    by the validation pass."""

    file_scopes: dict[str, FileScope] = field(default_factory=dict)
    """Per table loaded from files on this machine, how to read it file by file."""

    contact_stamps: dict[str, tuple[int, int]] | None = None
    """The contacts files as they were found when the dataset was loaded (path relative
    to the folder → size and stamp, :mod:`omnikpi.schema.file_stamps`): the rollup read
    for a report is the one built from these files, not from what is on disk since."""
    owner: Dataset | None = None
    """The dataset this one is a scoped view of (kept alive while this one is used)."""

    repeat_contacts: str = "contacts"
    """The table in which a question's repeat is looked for (FCR): the contacts, but for a
    viewer bounded below their tenant — an agent, a site supervisor — every contact of
    their tenant: a customer who calls back reaches whoever answers, and an agent's own
    login counted repeats that reached colleagues as resolved (docs/decisions.md)."""

    owns_root: bool = True
    """Whether ``close`` closes ``root`` too (not when it is borrowed, e.g. the live
    monitor's own connection)."""

    _threads: threading.local = field(default_factory=threading.local, repr=False)
    _cursors: list[duckdb.DuckDBPyConnection] = field(default_factory=list, repr=False)
    _setup: tuple[str, ...] = field(default=(), repr=False)
    _cursor_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        row = self.root.execute(
            "SELECT current_database(), current_setting('search_path')").fetchone()
        assert row is not None
        catalog, search_path = str(row[0]), str(row[1])
        self._setup = (f"USE {quote(catalog)}", "SET TimeZone = 'UTC'") + (
            (f"SET search_path = {sql_str(search_path)}",) if search_path else ())
        self._threads.con = self.root  # the building thread keeps using the root

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """This thread's connection to the dataset (see the class docstring)."""
        con: duckdb.DuckDBPyConnection | None = getattr(self._threads, "con", None)
        if con is None:
            with self._cursor_lock:
                con = self.root.cursor()
                self._cursors.append(con)
            for statement in self._setup:
                con.execute(statement)
            self._threads.con = con
        return con

    def interrupt(self) -> None:
        """Stop the queries running on any of the dataset's connections (shutdown)."""
        with self._cursor_lock:
            connections = [self.root, *self._cursors]
        for con in connections:
            with contextlib.suppress(duckdb.Error):  # already closed
                con.interrupt()

    def close(self) -> None:
        """Close every connection the dataset opened (and its root when it owns it)."""
        with self._cursor_lock:
            cursors, self._cursors = self._cursors, []
        for con in cursors + ([self.root] if self.owns_root else []):
            with contextlib.suppress(duckdb.Error):  # already closed
                con.close()

    def domain(self, table: str, column: str) -> tuple[str, ...] | None:
        """The distinct values of a column, if known (see ``domains``)."""
        if not self.domains:
            return None
        return self.domains.get(table, {}).get(column)

    @property
    def quarantined(self) -> int:
        return sum(load.quarantined for load in self.loads.values())

    @property
    def usable(self) -> bool:
        return bool(self.loads) and all(load.usable for load in self.loads.values())

    def has(self, table: str) -> bool:
        load = self.loads.get(table)
        return load is not None and load.usable

    def require(self, table: str, needed_by: str) -> None:
        load = self.loads.get(table)
        if load is None:
            # a file meant as this table but not read (agent_state.csv) is named
            meant = [name for name, why in unread_entries(self.path, set(TABLES))
                     if why.endswith(f"did you mean {table}?") or
                     name.split(".")[0].lower() == table]
            raise DataError(
                f"{needed_by} needs the table '{table}', but {self.path} has no "
                f"{table}.csv / {table}.parquet / {table}.jsonl"
                + (f" (the folder has {', '.join(meant)}: rename it {table}.csv or save "
                   "it as CSV or Parquet)" if meant else "")
            )
        if load.fatal:
            raise DataError(f"{needed_by} needs the table '{table}': {load.fatal[0]}")

    def latest_contact_us(self) -> int | None:
        """Latest timestamp of any kind in ``contacts`` (the live wallboard's "now")."""
        return self.latest_event_us(("contacts",))

    def latest_event_us(self, tables: Sequence[str], tz: str = "UTC") -> int | None:
        """Latest event of the given tables: the default as-of of a report that reads them.

        Every timestamp of a table counts (an answer, an end, a survey's answer); a date
        (``roster``) counts as the start of its day in the reporting zone ``tz`` (a date
        has no zone: read as UTC midnight, 1 March was 28 February in New York and a
        report's last month of attrition vanished). Plans are not events: the instants of
        schedules and cost periods count only when the report reads nothing else. A
        roster date ahead of the clock (a leaver's last day after the notice period, a
        class hired for next month) is no event yet: as-of, it counted as happened, and
        it moved the report's as-of (and its plans' end) into the future — next month's
        rota read as absence and a future leaver as gone.

        A scoped view (a tenant's or a site's) reads its owner's clock: the center's data
        is complete up to the center's latest event for every tenant, and a client whose
        own last contact came hours earlier saw FCR windows cut short (1/2 where an
        administrator filtering that tenant saw 2/3).
        """
        if self.owner is not None:
            return self.owner.latest_event_us(tables, tz)
        present = [t for t in tables if self.has(t)]
        events = [t for t in present if t not in PLAN_TABLES] or present
        highs = [self._latest_of(t, tz) for t in events]
        known = [v for v in highs if v is not None]
        return max(known) if known else None

    def _latest_of(self, table: str, tz: str) -> int | None:
        columns = [c for c in TABLES[table].columns
                   if c.type in (ColumnType.TIMESTAMP, ColumnType.DATE)]
        measured = self.bounds.get(table) if self.bounds else None
        if measured is not None and all(c.type is ColumnType.TIMESTAMP for c in columns):
            known = [hi for _, hi in measured.values() if hi is not None]
            return max(known) if known else None
        if not columns:
            return None
        instants = [f"max({quote(c.name)})" for c in columns
                    if c.type is ColumnType.TIMESTAMP] or ["NULL"]
        # a roster date ahead of today (a notice given, a class hired for next month) is
        # no event yet: the latest one up to today counts
        ahead = f" FILTER (WHERE {{c}} <= {_today(tz)})" if table == "roster" else ""
        days = [f"max({quote(c.name)})" + ahead.format(c=quote(c.name)) for c in columns
                if c.type is ColumnType.DATE] or ["NULL"]
        row = self.con.execute(
            f"SELECT greatest({', '.join(instants)}), greatest({', '.join(days)}) "
            f"FROM {quote(table)}").fetchone()
        if row is None:
            return None
        known = [int(row[0])] if row[0] is not None else []
        if row[1] is not None:
            known.append(local_midnight_us(int(row[1]), tz))
        return max(known) if known else None



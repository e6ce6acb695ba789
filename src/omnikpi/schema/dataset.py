"""Loading a canonical dataset folder: read, convert, validate, quarantine.

Every file is checked in one DuckDB pass that gives each row the list of its problems;
rows with a problem are quarantined (kept in the problem report, left out of KPIs), never
dropped silently. A table whose file misses a required column or cannot be read is
unusable; a KPI that needs it then fails with a data error naming the file and column.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from omnikpi.errors import DataError
from omnikpi.instants import to_datetime
from omnikpi.schema import database, validation_cache
from omnikpi.schema.convert import (
    SEP,
    SQL_TYPES,
    checks,
    is_text_source,
    quote,
    raw_text,
    sql_str,
    value_sql,
)
from omnikpi.schema.files import TableFile, describe, find_table_files, raw_relation_sql
from omnikpi.schema.tables import TABLES, ColumnType, Table

Bounds = dict[str, dict[str, tuple[int | None, int | None]]]
Domains = dict[str, dict[str, tuple[str, ...]]]
DOMAIN_COLUMNS = {"contacts": ("channel",)}
"""Text columns whose distinct values the validation pass records (when there are at most
``DOMAIN_MAX``): the engine folds what it derives from them (a contact's mode and
service-level threshold come from its channel) into constants or exact-value lists."""
DOMAIN_MAX = 64

MAX_PROBLEMS_KEPT = 10_000


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
    def location(self) -> str:
        if self.row is None:
            return self.file
        if self.file.endswith((".csv", ".csv.gz", ".tsv")):
            return f"{self.file} line {self.row + 1} (row {self.row})"
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

    owner: Dataset | None = None
    """The dataset this one is a scoped view of (kept alive while this one is used)."""

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
        return "contacts" in self.loads and all(load.usable for load in self.loads.values())

    def has(self, table: str) -> bool:
        load = self.loads.get(table)
        return load is not None and load.usable

    def require(self, table: str, needed_by: str) -> None:
        load = self.loads.get(table)
        if load is None:
            raise DataError(
                f"{needed_by} needs the table '{table}', but {self.path} has no "
                f"{table}.csv / {table}.parquet / {table}.jsonl"
            )
        if load.fatal:
            raise DataError(f"{needed_by} needs the table '{table}': {load.fatal[0]}")

    def latest_contact_us(self) -> int | None:
        """Latest timestamp of any kind in ``contacts`` (the default as-of)."""
        if not self.has("contacts"):
            return None
        cols = ("arrived_at", "accepted_at", "first_response_at", "abandoned_at", "ended_at")
        if self.bounds and "contacts" in self.bounds:
            highs = [self.bounds["contacts"][c][1] for c in cols]
            known = [v for v in highs if v is not None]
            return max(known) if known else None
        parts = ", ".join(f"max({quote(c)})" for c in cols)
        row = self.con.execute(f"SELECT greatest({parts}) FROM contacts").fetchone()
        return None if row is None or row[0] is None else int(row[0])


def _connect() -> duckdb.DuckDBPyConnection:
    return database.connect()


def _inner_sql(table: Table, file: TableFile, sources: dict[str, str],
               extras: list[str], *, raw: bool = True, rows: bool = True,
               plain: frozenset[str] = frozenset()) -> str:
    """The file with row numbers, canonical values and (for text columns) the raw text.

    ``plain`` names columns known (from the validation cache) to hold canonical values
    already, read as they are; ``raw=False`` leaves out the raw text kept for messages.
    """
    if not rows:
        row = None
        relation = raw_relation_sql(file)
    elif file.format == "parquet":
        row = "file_row_number + 1"
        relation = raw_relation_sql(file).replace(")", ", file_row_number = true)", 1)
    else:
        row = "row_number() OVER ()"
        relation = raw_relation_sql(file)
    columns = (
        ([f"{row} AS __row"] if row else [])
        + [
            quote(c.name) if c.name in plain
            else f"{value_sql(c, sources.get(c.name))} AS {quote(c.name)}"
            for c in table.columns
        ]
        + [
            f"{raw_text(c.name)} AS {quote('__raw_' + c.name)}"
            for c in table.columns
            if raw and c.type is not ColumnType.STRING and is_text_source(sources.get(c.name))
        ]
        + [quote(name) for name in extras]
    )
    return f"SELECT {', '.join(columns)} FROM {relation}"


def _streamed(file: TableFile) -> bool:
    limit = int(os.environ.get("OMNIKPI_STREAM_BYTES", str(512 * 1024 * 1024)))
    return file.path.stat().st_size > limit


def _stage_file(
    con: duckdb.DuckDBPyConnection, table: Table, file: TableFile, index: int,
    meta: list[dict[str, Any]],
) -> tuple[str | None, list[Problem], int]:
    """Stage one file; return its relation name, its row problems and how many there are
    (or no name and the fatal problems).

    Files are converted once into an in-memory table (fastest for repeated queries), except
    Parquet files larger than ``OMNIKPI_STREAM_BYTES`` (default 512 MiB), which are staged
    as views so that every report streams them from disk in bounded memory. Either way one
    pass flags rows that break a rule (``__bad``), and messages are built in a second pass
    over the flagged rows only, so clean data pays for a single scan.
    """
    try:
        sources = describe(con, file)
    except DataError as exc:
        return None, [Problem(table.name, file.display, None, None, str(exc), fatal=True)], 1
    missing = [c.name for c in table.columns if c.required and c.name not in sources]
    if missing:
        fatal = [
            Problem(table.name, file.display, None, name, "required column is missing", True)
            for name in missing
        ]
        return None, fatal, len(fatal)
    known = set(table.column_names)
    extras = [name for name in sources if name not in known and not name.startswith("__")]
    meta.append({"sources": sources, "extras": extras})
    rules = checks(table, sources)
    bad = " OR ".join(rule.condition for rule in rules) or "false"
    keep = ", ".join([quote(c.name) for c in table.columns] + [quote(n) for n in extras])
    stage = f"__stage_{table.name}_{index}"
    inner = _inner_sql(table, file, sources, extras)
    kind = "VIEW" if file.format == "parquet" and _streamed(file) else "TABLE"
    problems: list[Problem] = []
    try:
        con.execute(
            f"CREATE {kind} {stage} AS SELECT {index} AS __file, __row, {keep}, "
            f"({bad}) AS __bad FROM ({inner})"
        )
        flagged = con.execute(f"SELECT count(*) FROM {stage} WHERE __bad").fetchone()
        count = 0
        if flagged and flagged[0]:
            messages = ", ".join(f"CASE WHEN {r.condition} THEN {r.message} END" for r in rules)
            con.execute(
                f"CREATE TEMP TABLE {stage}_problems AS SELECT __row, "
                f"unnest(list_filter([{messages}], x -> x IS NOT NULL)) AS text "
                f"FROM ({inner}) WHERE __row IN (SELECT __row FROM {stage} WHERE __bad)"
            )
            total = con.execute(f"SELECT count(*) FROM {stage}_problems").fetchone()
            count = int(total[0]) if total else 0
            rows = con.execute(
                f"SELECT __row, text FROM {stage}_problems ORDER BY __row "
                f"LIMIT {MAX_PROBLEMS_KEPT}"
            ).fetchall()
            con.execute(f"DROP TABLE {stage}_problems")
            for row, text in rows:
                column, _, message = str(text).partition(SEP)
                problems.append(Problem(table.name, file.display, int(row), column, message))
    except duckdb.Error as exc:
        message = f"cannot be read as {file.format}: {exc}"
        return None, [Problem(table.name, file.display, None, None, message, fatal=True)], 1
    return stage, problems, count


def _load_table(
    con: duckdb.DuckDBPyConnection, table: Table, files: list[TableFile],
    info: dict[str, Any],
) -> tuple[TableLoad, list[Problem], int]:
    """Validate and stage one table; ``info`` receives what the validation cache keeps."""
    load = TableLoad(table.name, files)
    stages: list[str] = []
    problems: list[Problem] = []
    count = 0
    meta: list[dict[str, Any]] = []
    info["files"] = meta
    for index, file in enumerate(files):
        stage, found, found_count = _stage_file(con, table, file, index, meta)
        if stage:
            stages.append(stage)
            problems.extend(found)
            count += found_count
        else:
            load.fatal.extend(found)
    if load.fatal:
        return load, list(load.fatal), len(load.fatal)
    if len(stages) == 1:
        staged = stages[0]
    else:
        staged = f"__staged_{table.name}"
        union = " UNION ALL BY NAME ".join(f"SELECT * FROM {s}" for s in stages)
        con.execute(f"CREATE VIEW {staged} AS {union}")
    quarantine = f"__quarantine_{table.name}"
    con.execute(f"CREATE TABLE {quarantine} (__file INTEGER, __row BIGINT)")
    if table.key:
        found, found_count = _flag_duplicates(con, table, staged, files, quarantine)
        problems.extend(found)
        count += found_count
    if table.no_overlap:
        found, found_count = _flag_overlaps(con, table, staged, files, quarantine)
        problems.extend(found)
        count += found_count
    counts = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE __bad), "
        f"(SELECT count(*) FROM {quarantine}) FROM {staged}"
    ).fetchone()
    assert counts is not None
    load.rows_read = int(counts[0])
    load.rows_loaded = int(counts[0]) - int(counts[1]) - int(counts[2])
    info.update(staged=staged, flagged=int(counts[1]), quarantined=int(counts[2]),
                quarantine=quarantine)
    columns = [
        str(r[0]) for r in con.execute(f"DESCRIBE {staged}").fetchall()
        if not str(r[0]).startswith("__")
    ]
    load.columns = tuple(columns)
    # A view over the staged rows: no second copy of the data.
    anti = f" ANTI JOIN {quarantine} USING (__file, __row)" if counts[2] else ""
    con.execute(
        f"CREATE VIEW {quote(table.name)} AS SELECT {', '.join(quote(c) for c in columns)} "
        f"FROM {staged}{anti} WHERE NOT __bad"
    )
    order = {f.display: i for i, f in enumerate(files)}
    problems.sort(key=lambda p: (order.get(p.file, 0), p.row or 0))
    return load, problems[:MAX_PROBLEMS_KEPT], count


def _flag_overlaps(
    con: duckdb.DuckDBPyConnection, table: Table, staged: str, files: list[TableFile],
    quarantine: str,
) -> tuple[list[Problem], int]:
    """Quarantine an interval that starts before an earlier one of its group has ended."""
    assert table.no_overlap
    group, start, end = (quote(c) for c in table.no_overlap)
    found = f"{quarantine}_overlaps"
    con.execute(
        f"""CREATE TEMP TABLE {found} AS SELECT __file, __row, {group} AS value, prev_end FROM (
              SELECT __file, __row, {group}, {start},
                max({end}) OVER (PARTITION BY {group} ORDER BY {start}, __file, __row
                                 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
              FROM {staged} WHERE NOT __bad)
            WHERE {start} < prev_end"""
    )
    return _quarantine(
        con, found, quarantine, "value, prev_end",
        lambda file_index, row, value, prev_end: Problem(
            table.name, files[file_index].display, int(row), table.no_overlap[1],  # type: ignore[index]
            f"overlaps an earlier {table.name} row of {table.no_overlap[0]} '{value}' "  # type: ignore[index]
            f"that ends at {to_datetime(int(prev_end)).isoformat()} "
            "(it would be counted twice)",
        ),
    )


def _flag_duplicates(
    con: duckdb.DuckDBPyConnection, table: Table, staged: str, files: list[TableFile],
    quarantine: str,
) -> tuple[list[Problem], int]:
    """Quarantine every repeat of a key after its first occurrence (in file order)."""
    assert table.key
    key = quote(table.key)
    found = f"{quarantine}_duplicates"
    con.execute(
        f"""CREATE TEMP TABLE {found} AS
            SELECT __file, __row, {key} AS value, first_file, first_row FROM (
              SELECT __file, __row, {key},
                row_number() OVER w AS rn,
                first_value(__file) OVER w AS first_file,
                first_value(__row) OVER w AS first_row
              FROM {staged}
              WHERE NOT __bad AND {key} IN (
                SELECT {key} FROM {staged} WHERE NOT __bad GROUP BY {key} HAVING count(*) > 1)
              WINDOW w AS (PARTITION BY {key} ORDER BY __file, __row)
            ) WHERE rn > 1"""
    )
    return _quarantine(
        con, found, quarantine, "value, first_file, first_row",
        lambda file_index, row, value, first_file, first_row: Problem(
            table.name, files[file_index].display, int(row), table.key,
            f"duplicate {table.key} '{value}' (first seen at "
            f"{files[first_file].display} row {first_row})",
        ),
    )


def _quarantine(
    con: duckdb.DuckDBPyConnection, found: str, quarantine: str, detail: str,
    describe_row: Callable[..., Problem],
) -> tuple[list[Problem], int]:
    """Move the rows of ``found`` into the quarantine list; describe the first ones."""
    con.execute(f"INSERT INTO {quarantine} SELECT __file, __row FROM {found}")
    total = con.execute(f"SELECT count(*) FROM {found}").fetchone()
    rows = con.execute(
        f"SELECT __file, __row, {detail} FROM {found} ORDER BY __file, __row "
        f"LIMIT {MAX_PROBLEMS_KEPT}"
    ).fetchall()
    con.execute(f"DROP TABLE {found}")
    return [describe_row(*row) for row in rows], int(total[0]) if total else 0


def load_dataset(path: Path | str, cache: bool | None = None) -> Dataset:
    """Read every canonical table found in ``path`` into an in-memory DuckDB database.

    When these very files were validated before (see :mod:`omnikpi.schema.validation_cache`;
    ``cache=False`` or ``OMNIKPI_CACHE=off`` turns it off), the cached verdict is used: the
    same problems and quarantine counts, the same rows left out, without a second pass.
    """
    folder = Path(path)
    files = find_table_files(folder, set(TABLES))
    con = _connect()
    fp = None
    if validation_cache.enabled(cache):
        fp = validation_cache.fingerprint(folder, files)
        if fp is not None and fp.total_bytes < validation_cache.min_bytes():
            fp = None
    if fp is not None:
        entry = validation_cache.lookup(fp)
        if entry is not None:
            cached = _load_cached(con, folder, files, fp, entry)
            if cached is not None:
                return cached
            con.close()
            con = _connect()
    loads: dict[str, TableLoad] = {}
    problems: list[Problem] = []
    total = 0
    if "contacts" not in files:
        problems.append(_no_contacts(folder))
        total += 1
    infos: dict[str, dict[str, Any]] = {}
    for name, table_files in files.items():
        infos[name] = {}
        load, table_problems, count = _load_table(con, TABLES[name], table_files, infos[name])
        loads[name] = load
        problems.extend(table_problems[: MAX_PROBLEMS_KEPT - len(problems)])
        total += count
    dataset = Dataset(folder, con, loads, problems, total)
    _measure(dataset)
    if fp is not None:
        _store_verdict(dataset, fp, files, infos)
    return dataset


def _measure(dataset: Dataset) -> None:
    """What the engine may assume of the loaded rows: each timestamp column's first and
    last value, the distinct channels, the columns without a value. Measured once after
    validation (and kept with a cached verdict), so every report on these rows compiles
    the same way whether or not the verdict came from the cache."""
    bounds: Bounds = {}
    domains: Domains = {}
    empty: dict[str, tuple[str, ...]] = {}
    for name, load in dataset.loads.items():
        if load.usable:
            bounds[name] = _bounds(dataset.con, name)
            domains[name] = _domains(dataset.con, name)
            empty[name] = _empty_columns(dataset.con, name)
    dataset.bounds, dataset.domains, dataset.empty = bounds, domains, empty


def _no_contacts(folder: Path) -> Problem:
    return Problem("contacts", str(folder), None, None,
                   "no contacts table (contacts.csv, contacts.parquet or contacts.jsonl)",
                   fatal=True)


def _bounds(con: duckdb.DuckDBPyConnection, name: str) -> dict[str, tuple[int | None,
                                                                         int | None]]:
    """First and last value of each timestamp column of a loaded table."""
    cols = [c.name for c in TABLES[name].columns if c.type is ColumnType.TIMESTAMP]
    if not cols:
        return {}
    parts = ", ".join(f"min({quote(c)}), max({quote(c)})" for c in cols)
    row = con.execute(f"SELECT {parts} FROM {quote(name)}").fetchone()
    assert row is not None
    return {
        c: (None if row[2 * i] is None else int(row[2 * i]),
            None if row[2 * i + 1] is None else int(row[2 * i + 1]))
        for i, c in enumerate(cols)
    }


def _empty_columns(con: duckdb.DuckDBPyConnection, name: str) -> tuple[str, ...]:
    """Columns of a loaded table without a single value (absent from every file, or
    empty): the engine leaves them out of what it derives (``COALESCE(x, y)`` is ``y``)."""
    cols = [c.name for c in TABLES[name].columns]
    counts = ", ".join(f"count({quote(c)})" for c in cols)
    row = con.execute(f"SELECT {counts} FROM {quote(name)}").fetchone()
    assert row is not None
    return tuple(c for c, n in zip(cols, row, strict=True) if int(n) == 0)


def _domains(con: duckdb.DuckDBPyConnection, name: str) -> dict[str, tuple[str, ...]]:
    """Distinct values of a loaded table's ``DOMAIN_COLUMNS`` (up to ``DOMAIN_MAX`` each)."""
    found: dict[str, tuple[str, ...]] = {}
    for column in DOMAIN_COLUMNS.get(name, ()):
        rows = con.execute(
            f"SELECT DISTINCT {quote(column)} FROM {quote(name)} LIMIT {DOMAIN_MAX + 1}"
        ).fetchall()
        if len(rows) <= DOMAIN_MAX and all(r[0] is not None for r in rows):
            found[column] = tuple(sorted(str(r[0]) for r in rows))
    return found


def _plain_columns(con: duckdb.DuckDBPyConnection, table: Table, file: TableFile,
                   sources: dict[str, str]) -> list[str]:
    """Columns of a Parquet file whose stored values are canonical already (type and
    content: trimmed, no empty text, lower case where the vocabulary is fixed, no null
    that a default would fill), so that later loads read them without converting."""
    if file.format != "parquet":
        return []
    candidates = [
        c for c in table.columns
        if c.name in sources and sources[c.name].upper() == SQL_TYPES[c.type]
        and c.type in (ColumnType.STRING, ColumnType.BOOL, ColumnType.FLOAT)
    ]
    if not candidates:
        return []
    tests = ", ".join(
        f"coalesce(bool_and({quote(c.name)} IS NOT DISTINCT FROM "
        f"{value_sql(c, sources[c.name])}), true)"
        for c in candidates
    )
    row = con.execute(f"SELECT {tests} FROM {raw_relation_sql(file)}").fetchone()
    assert row is not None
    return [c.name for c, ok in zip(candidates, row, strict=True) if ok]


def _store_verdict(dataset: Dataset, fp: validation_cache.Fingerprint,
                   files: dict[str, list[TableFile]], infos: dict[str, dict[str, Any]]) -> None:
    """Keep the verdict of a full validation pass for the next load of the same files."""
    if fp.racy():
        return
    con = dataset.con
    tables: dict[str, Any] = {}
    bad_parts: list[str] = []
    for name, load in dataset.loads.items():
        info = infos[name]
        entry: dict[str, Any] = {
            "rows_read": load.rows_read, "rows_loaded": load.rows_loaded,
            "fatal": [asdict(p) for p in load.fatal], "columns": list(load.columns),
        }
        if load.usable:
            for meta, file in zip(info["files"], files[name], strict=True):
                meta["plain"] = _plain_columns(con, TABLES[name], file, meta["sources"])
            entry["files"] = info["files"]
            assert dataset.bounds is not None and dataset.domains is not None
            assert dataset.empty is not None
            entry["bounds"] = {c: list(v) for c, v in dataset.bounds[name].items()}
            entry["domains"] = {c: list(v) for c, v in dataset.domains[name].items()}
            entry["empty"] = list(dataset.empty[name])
            label = sql_str(name)
            if info["flagged"]:
                bad_parts.append(
                    f"SELECT {label} AS __table, __file, __row FROM {info['staged']} "
                    "WHERE __bad")
            if info["quarantined"]:
                bad_parts.append(
                    f"SELECT {label} AS __table, __file, __row FROM {info['quarantine']}")
        tables[name] = entry
    verdict = {
        "tables": tables, "problems": [asdict(p) for p in dataset.problems],
        "problem_count": dataset.problem_count,
    }
    after = validation_cache.fingerprint(dataset.path, files)
    bad_sql = " UNION ALL ".join(bad_parts) if bad_parts else None
    validation_cache.store(fp, after, verdict, con, bad_sql)


def _problem(data: dict[str, Any]) -> Problem:
    return Problem(str(data["table"]), str(data["file"]),
                   None if data["row"] is None else int(data["row"]),
                   None if data["column"] is None else str(data["column"]),
                   str(data["message"]), bool(data["fatal"]))


def _load_cached(
    con: duckdb.DuckDBPyConnection, folder: Path, files: dict[str, list[TableFile]],
    fp: validation_cache.Fingerprint, entry: dict[str, Any],
) -> Dataset | None:
    """The dataset from a cached verdict: views over the files (Parquet read as it is, no
    checks), the quarantined rows left out by number. None if the entry does not fit."""
    tables: dict[str, Any] = entry["tables"]
    if set(tables) != set(files):
        return None
    bad_path = validation_cache.bad_rows_path(fp, entry)
    bad_tables: set[str] = set()
    try:
        if bad_path is not None:
            target = str(bad_path).replace("'", "''")
            con.execute(f"CREATE TABLE __cached_bad AS SELECT * FROM read_parquet('{target}')")
            bad_tables = {str(r[0]) for r in con.execute(
                "SELECT DISTINCT __table FROM __cached_bad").fetchall()}
        loads: dict[str, TableLoad] = {}
        bounds: Bounds = {}
        domains: Domains = {}
        empty: dict[str, tuple[str, ...]] = {}
        for name, table_files in files.items():
            data = tables[name]
            table = TABLES[name]
            load = TableLoad(name, table_files, int(data["rows_read"]), int(data["rows_loaded"]),
                             [_problem(p) for p in data["fatal"]], tuple(data["columns"]))
            loads[name] = load
            if load.fatal:
                continue
            numbered = name in bad_tables
            stages: list[str] = []
            for index, (file, meta) in enumerate(zip(table_files, data["files"], strict=True)):
                inner = _inner_sql(table, file, meta["sources"], meta["extras"], raw=False,
                                   rows=numbered, plain=frozenset(meta.get("plain", ())))
                stage = f"__stage_{name}_{index}"
                kind = "VIEW" if file.format == "parquet" else "TABLE"
                con.execute(f"CREATE {kind} {stage} AS SELECT {index} AS __file, * "
                            f"FROM ({inner})")
                stages.append(stage)
            if len(stages) == 1:
                staged = stages[0]
            else:
                staged = f"__staged_{name}"
                union = " UNION ALL BY NAME ".join(f"SELECT * FROM {s}" for s in stages)
                con.execute(f"CREATE VIEW {staged} AS {union}")
            anti = ""
            if numbered:
                anti = (f" ANTI JOIN (SELECT __file, __row FROM __cached_bad WHERE __table = "
                        f"{sql_str(name)}) USING (__file, __row)")
            columns = ", ".join(quote(c) for c in load.columns)
            con.execute(f"CREATE VIEW {quote(name)} AS SELECT {columns} FROM {staged}{anti}")
            bounds[name] = {c: (v[0], v[1]) for c, v in data["bounds"].items()}
            domains[name] = {c: tuple(str(x) for x in v)
                             for c, v in data.get("domains", {}).items()}
            if "empty" in data:
                empty[name] = tuple(str(c) for c in data["empty"])
    except (duckdb.Error, KeyError, TypeError, ValueError):
        return None
    problems = [_problem(p) for p in entry["problems"]]
    return Dataset(folder, con, loads, problems, int(entry["problem_count"]), bounds, True,
                   domains, empty)

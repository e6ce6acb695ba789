"""Loading a canonical dataset folder: read, convert, validate, quarantine.

Every file is checked in one DuckDB pass that gives each row the list of its problems;
rows with a problem are quarantined (kept in the problem report, left out of KPIs), never
dropped silently. A table whose file misses a required column or cannot be read is
unusable; a KPI that needs it then fails with a data error naming the file and column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from omnikpi.errors import DataError
from omnikpi.schema.convert import SEP, check_sqls, quote, raw_text, value_sql
from omnikpi.schema.files import TableFile, describe, find_table_files, raw_relation_sql
from omnikpi.schema.tables import TABLES, Table

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
    """A validated dataset held in an in-memory DuckDB database, one table per name."""

    path: Path
    con: duckdb.DuckDBPyConnection
    loads: dict[str, TableLoad]
    problems: list[Problem]
    problem_count: int

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
        parts = ", ".join(f"max({quote(c)})" for c in cols)
        row = self.con.execute(f"SELECT greatest({parts}) FROM contacts").fetchone()
        return None if row is None or row[0] is None else int(row[0])


def _connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    return con


def _stage_file(
    con: duckdb.DuckDBPyConnection, table: Table, file: TableFile, index: int
) -> tuple[str | None, list[Problem]]:
    """Create a staging table for one file; return its name or the fatal problems."""
    try:
        sources = describe(con, file)
    except DataError as exc:
        return None, [Problem(table.name, file.display, None, None, str(exc), fatal=True)]
    missing = [c.name for c in table.columns if c.required and c.name not in sources]
    if missing:
        return None, [
            Problem(table.name, file.display, None, name, "required column is missing", True)
            for name in missing
        ]
    known = set(table.column_names)
    extras = [name for name in sources if name not in known and not name.startswith("__")]
    inner = ", ".join(
        ["row_number() OVER () AS __row"]
        + [f"{value_sql(c, sources.get(c.name))} AS {quote(c.name)}" for c in table.columns]
        + [
            f"{raw_text(c.name) if c.name in sources else 'NULL'} AS {quote('__raw_' + c.name)}"
            for c in table.columns
        ]
        + [quote(name) for name in extras]
    )
    checks = check_sqls(table, sources)
    problems_sql = f"list_filter([{', '.join(checks)}], x -> x IS NOT NULL)" if checks else "[]"
    stage = f"__stage_{table.name}_{index}"
    keep = ", ".join([quote(c.name) for c in table.columns] + [quote(n) for n in extras])
    try:
        con.execute(
            f"CREATE TEMP TABLE {stage} AS SELECT {index} AS __file, __row, {keep}, "
            f"{problems_sql} AS __problems FROM (SELECT {inner} FROM {raw_relation_sql(file)})"
        )
    except duckdb.Error as exc:
        message = f"cannot be read as {file.format}: {exc}"
        return None, [Problem(table.name, file.display, None, None, message, fatal=True)]
    return stage, []


def _load_table(con: duckdb.DuckDBPyConnection, table: Table, files: list[TableFile]) -> tuple[
    TableLoad, list[Problem], int
]:
    load = TableLoad(table.name, files)
    stages: list[str] = []
    for index, file in enumerate(files):
        stage, fatal = _stage_file(con, table, file, index)
        load.fatal.extend(fatal)
        if stage:
            stages.append(stage)
    if load.fatal:
        return load, list(load.fatal), len(load.fatal)
    union = " UNION ALL BY NAME ".join(f"SELECT * FROM {s}" for s in stages)
    staged = f"__staged_{table.name}"
    con.execute(f"CREATE TEMP TABLE {staged} AS {union}")
    if table.key:
        key = quote(table.key)
        con.execute(
            f"""UPDATE {staged} AS s SET __problems = [d.message]
            FROM (
              SELECT __file, __row, {sql_dup_message(table.key)} AS message FROM (
                SELECT __file, __row, {key},
                  row_number() OVER (PARTITION BY {key} ORDER BY __file, __row) AS rn,
                  first_value(__row) OVER (PARTITION BY {key} ORDER BY __file, __row) AS first
                FROM {staged}
                WHERE len(__problems) = 0 AND {key} IN (
                  SELECT {key} FROM {staged} WHERE len(__problems) = 0
                  GROUP BY {key} HAVING count(*) > 1)
              ) WHERE rn > 1
            ) AS d
            WHERE s.__file = d.__file AND s.__row = d.__row"""
        )
    counts = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE len(__problems) = 0), "
        f"coalesce(sum(len(__problems)), 0) FROM {staged}"
    ).fetchone()
    assert counts is not None
    load.rows_read, load.rows_loaded, problem_count = int(counts[0]), int(counts[1]), int(counts[2])
    rows = con.execute(
        f"SELECT __file, __row, unnest(__problems) FROM {staged} WHERE len(__problems) > 0 "
        f"ORDER BY __file, __row LIMIT {MAX_PROBLEMS_KEPT}"
    ).fetchall()
    problems = []
    for file_index, row, text in rows:
        column, _, message = str(text).partition(SEP)
        problems.append(Problem(table.name, files[file_index].display, int(row), column, message))
    columns = [
        str(r[0]) for r in con.execute(f"DESCRIBE {staged}").fetchall()
        if not str(r[0]).startswith("__")
    ]
    load.columns = tuple(columns)
    con.execute(
        f"CREATE TABLE {quote(table.name)} AS SELECT {', '.join(quote(c) for c in columns)} "
        f"FROM {staged} WHERE len(__problems) = 0 ORDER BY __file, __row"
    )
    con.execute(f"DROP TABLE {staged}")
    for stage in stages:
        con.execute(f"DROP TABLE {stage}")
    return load, problems, problem_count


def sql_dup_message(key: str) -> str:
    return (
        f"'{key}{SEP}duplicate {key} ''' || CAST({quote(key)} AS VARCHAR) || "
        f"''' (first seen at row ' || CAST(first AS VARCHAR) || ')'"
    )


def load_dataset(path: Path | str) -> Dataset:
    """Read every canonical table found in ``path`` into an in-memory DuckDB database."""
    folder = Path(path)
    files = find_table_files(folder, set(TABLES))
    con = _connect()
    loads: dict[str, TableLoad] = {}
    problems: list[Problem] = []
    total = 0
    if "contacts" not in files:
        problems.append(
            Problem("contacts", str(folder), None, None,
                    "no contacts table (contacts.csv, contacts.parquet or contacts.jsonl)",
                    fatal=True)
        )
        total += 1
    for name, table_files in files.items():
        load, table_problems, count = _load_table(con, TABLES[name], table_files)
        loads[name] = load
        problems.extend(table_problems[: MAX_PROBLEMS_KEPT - len(problems)])
        total += count
    return Dataset(folder, con, loads, problems, total)

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

from omnikpi.engine.timezones import to_datetime
from omnikpi.errors import DataError
from omnikpi.schema.convert import SEP, checks, is_text_source, quote, raw_text, value_sql
from omnikpi.schema.files import TableFile, describe, find_table_files, raw_relation_sql
from omnikpi.schema.tables import TABLES, ColumnType, Table

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


def _inner_sql(table: Table, file: TableFile, sources: dict[str, str],
               extras: list[str]) -> str:
    """The file with row numbers, canonical values and (for text columns) the raw text."""
    if file.format == "parquet":
        row = "file_row_number + 1"
        relation = raw_relation_sql(file).replace(")", ", file_row_number = true)", 1)
    else:
        row = "row_number() OVER ()"
        relation = raw_relation_sql(file)
    columns = (
        [f"{row} AS __row"]
        + [f"{value_sql(c, sources.get(c.name))} AS {quote(c.name)}" for c in table.columns]
        + [
            f"{raw_text(c.name)} AS {quote('__raw_' + c.name)}"
            for c in table.columns
            if c.type is not ColumnType.STRING and is_text_source(sources.get(c.name))
        ]
        + [quote(name) for name in extras]
    )
    return f"SELECT {', '.join(columns)} FROM {relation}"


def _stage_file(
    con: duckdb.DuckDBPyConnection, table: Table, file: TableFile, index: int
) -> tuple[str | None, list[Problem]]:
    """Create a staging table for one file; return its name and row problems, or no name
    and the fatal problems.

    One pass converts every column and flags rows that break a rule (``__bad``); the
    messages are built in a second pass over the flagged rows only, so clean data pays
    for a single scan.
    """
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
    rules = checks(table, sources)
    bad = " OR ".join(rule.condition for rule in rules) or "false"
    keep = ", ".join([quote(c.name) for c in table.columns] + [quote(n) for n in extras])
    stage = f"__stage_{table.name}_{index}"
    inner = _inner_sql(table, file, sources, extras)
    try:
        con.execute(
            f"CREATE TEMP TABLE {stage} AS SELECT {index} AS __file, __row, {keep}, "
            f"({bad}) AS __bad FROM ({inner})"
        )
        flagged = con.execute(f"SELECT count(*) FROM {stage} WHERE __bad").fetchone()
        problems: list[Problem] = []
        if flagged and flagged[0]:
            messages = ", ".join(f"CASE WHEN {r.condition} THEN {r.message} END" for r in rules)
            rows = con.execute(
                f"SELECT __row, unnest(list_filter([{messages}], x -> x IS NOT NULL)) "
                f"FROM ({inner}) WHERE __row IN (SELECT __row FROM {stage} WHERE __bad) "
                f"ORDER BY __row LIMIT {MAX_PROBLEMS_KEPT}"
            ).fetchall()
            for row, text in rows:
                column, _, message = str(text).partition(SEP)
                problems.append(Problem(table.name, file.display, int(row), column, message))
    except duckdb.Error as exc:
        message = f"cannot be read as {file.format}: {exc}"
        return None, [Problem(table.name, file.display, None, None, message, fatal=True)]
    return stage, problems


def _load_table(con: duckdb.DuckDBPyConnection, table: Table, files: list[TableFile]) -> tuple[
    TableLoad, list[Problem], int
]:
    load = TableLoad(table.name, files)
    stages: list[str] = []
    problems: list[Problem] = []
    for index, file in enumerate(files):
        stage, found = _stage_file(con, table, file, index)
        if stage:
            stages.append(stage)
            problems.extend(found)
        else:
            load.fatal.extend(found)
    if load.fatal:
        return load, list(load.fatal), len(load.fatal)
    if len(stages) == 1:
        staged = stages[0]
    else:
        staged = f"__staged_{table.name}"
        union = " UNION ALL BY NAME ".join(f"SELECT * FROM {s}" for s in stages)
        con.execute(f"CREATE TEMP TABLE {staged} AS {union}")
    if table.key:
        problems.extend(_flag_duplicates(con, table, staged, files))
    if table.no_overlap:
        problems.extend(_flag_overlaps(con, table, staged, files))
    counts = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE NOT __bad) FROM {staged}"
    ).fetchone()
    assert counts is not None
    load.rows_read, load.rows_loaded = int(counts[0]), int(counts[1])
    columns = [
        str(r[0]) for r in con.execute(f"DESCRIBE {staged}").fetchall()
        if not str(r[0]).startswith("__")
    ]
    load.columns = tuple(columns)
    # A view over the staging table: no second copy of the data.
    con.execute(
        f"CREATE VIEW {quote(table.name)} AS SELECT {', '.join(quote(c) for c in columns)} "
        f"FROM {staged} WHERE NOT __bad"
    )
    for name in set(stages) - {staged}:
        con.execute(f"DROP TABLE {name}")
    order = {f.display: i for i, f in enumerate(files)}
    problems.sort(key=lambda p: (order.get(p.file, 0), p.row or 0))
    return load, problems[:MAX_PROBLEMS_KEPT], len(problems)


def _flag_overlaps(
    con: duckdb.DuckDBPyConnection, table: Table, staged: str, files: list[TableFile]
) -> list[Problem]:
    """Quarantine an interval that starts before an earlier one of its group has ended."""
    assert table.no_overlap
    group, start, end = (quote(c) for c in table.no_overlap)
    rows = con.execute(
        f"""SELECT __file, __row, {group}, prev_end FROM (
              SELECT __file, __row, {group}, {start},
                max({end}) OVER (PARTITION BY {group} ORDER BY {start}, __file, __row
                                 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
              FROM {staged} WHERE NOT __bad)
            WHERE {start} < prev_end ORDER BY __file, __row"""
    ).fetchall()
    if not rows:
        return []
    con.execute("CREATE TEMP TABLE __overlaps AS SELECT * FROM (VALUES "
                + ", ".join(f"({f}, {r})" for f, r, *_ in rows) + ") AS v(f, r)")
    con.execute(f"UPDATE {staged} SET __bad = TRUE FROM __overlaps "
                f"WHERE __file = __overlaps.f AND __row = __overlaps.r")
    con.execute("DROP TABLE __overlaps")
    name = table.no_overlap[0]
    return [
        Problem(
            table.name, files[file_index].display, int(row), table.no_overlap[1],
            f"overlaps an earlier {table.name} row of {name} '{value}' that ends at "
            f"{to_datetime(int(prev_end)).isoformat()} (it would be counted twice)",
        )
        for file_index, row, value, prev_end in rows
    ]


def _flag_duplicates(
    con: duckdb.DuckDBPyConnection, table: Table, staged: str, files: list[TableFile]
) -> list[Problem]:
    """Quarantine every repeat of a key after its first occurrence (in file order)."""
    assert table.key
    key = quote(table.key)
    dups = con.execute(
        f"""SELECT __file, __row, {key}, first_file, first_row FROM (
              SELECT __file, __row, {key},
                row_number() OVER w AS rn,
                first_value(__file) OVER w AS first_file,
                first_value(__row) OVER w AS first_row
              FROM {staged}
              WHERE NOT __bad AND {key} IN (
                SELECT {key} FROM {staged} WHERE NOT __bad GROUP BY {key} HAVING count(*) > 1)
              WINDOW w AS (PARTITION BY {key} ORDER BY __file, __row)
            ) WHERE rn > 1"""
    ).fetchall()
    if not dups:
        return []
    con.execute(
        f"UPDATE {staged} SET __bad = TRUE WHERE (__file, __row) IN "
        f"(SELECT unnest([{', '.join(f'({f}, {r})' for f, r, *_ in dups)}]))"
        if len(dups) < 5000 else
        f"UPDATE {staged} SET __bad = TRUE FROM (SELECT __file AS f, __row AS r FROM ("
        f"SELECT __file, __row, row_number() OVER (PARTITION BY {key} ORDER BY __file, __row)"
        f" AS rn FROM {staged} WHERE NOT __bad) WHERE rn > 1) AS d "
        f"WHERE __file = d.f AND __row = d.r"
    )
    return [
        Problem(
            table.name, files[file_index].display, int(row), table.key,
            f"duplicate {table.key} '{value}' (first seen at "
            f"{files[first_file].display} row {first_row})",
        )
        for file_index, row, value, first_file, first_row in dups
    ]


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

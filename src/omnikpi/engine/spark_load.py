"""Loading, validating and quarantining a Parquet dataset on Spark's executors.

The driver plans: it lists each table's files (their footers give the schema), renders the
declared rules (:mod:`omnikpi.schema.rules`) in Spark SQL and registers one view per table
of the rows that keep them. The executors read the files, convert and check every row,
look for duplicate ids and overlapping intervals, write the quarantined rows next to the
data and compute the report; the driver receives only aggregates: counts, the first
:data:`~omnikpi.schema.model.MAX_PROBLEMS_KEPT` problems, each timestamp column's bounds,
the distinct channels, and the report's rows.

The problems are those the DuckDB loader lists for the same files (same rows, columns and
messages): a row is numbered in its file (Parquet's row index, from 1) and a file by its
place in the table's files sorted by path.

What stays on the driver path (:class:`omnikpi.engine.backends.SparkBackend` with
``OMNIKPI_SPARK_STAGING``): datasets with CSV or JSON files (their tolerant reading of broken
rows is DuckDB's).
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from omnikpi.errors import DataError
from omnikpi.instants import to_datetime
from omnikpi.schema import database
from omnikpi.schema import problem_messages as said
from omnikpi.schema.files import TableFile, find_table_files
from omnikpi.schema.model import MAX_PROBLEMS_KEPT, Dataset, Problem, TableLoad
from omnikpi.schema.rules import (
    DUCKDB,
    SEP,
    SPARK,
    NoOverlap,
    UniqueKey,
    parsed,
    raw_text,
    render_checks,
    table_rules,
    value_sql,
)
from omnikpi.schema.tables import TABLES, ColumnType, Table

QUARANTINE_FOLDER = "_omnikpi_quarantine"
"""Where the quarantined rows are written, inside the dataset folder (one Parquet folder per
table); ``OMNIKPI_SPARK_QUARANTINE`` names another folder, ``off`` writes none."""

_URI_SAFE = "/=:@!$&'()*+,;-._~"
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:/")
_SPARK_TYPES = {
    "string": "VARCHAR", "timestamp": "TIMESTAMP WITH TIME ZONE", "timestamp_ntz": "TIMESTAMP",
    "date": "DATE", "boolean": "BOOLEAN", "tinyint": "TINYINT", "smallint": "SMALLINT",
    "int": "INTEGER", "bigint": "BIGINT", "float": "FLOAT", "double": "DOUBLE",
}


def source_type(spark_type: str) -> str:
    """A Spark column type by the DuckDB name the rules are declared for."""
    if spark_type.startswith("decimal"):
        return "DECIMAL"
    return _SPARK_TYPES.get(spark_type, spark_type.upper())


def as_uri(path: str | Path) -> str:
    """The dataset location as Spark reads it: a URI kept as given (``hdfs://``, ``s3a://``,
    ``file://``; a ``Path`` folds ``//`` to ``/``, which is undone), a local path made
    absolute."""
    text = str(path)
    if _SCHEME.match(text):
        scheme, rest = text.split(":", 1)
        return f"{scheme}://{rest.lstrip('/')}" if scheme != "file" else \
            f"file:///{rest.lstrip('/')}"
    return Path(text).resolve().as_uri()


def _local(uri: str) -> Path | None:
    return Path(uri[len("file://"):]) if uri.startswith("file://") else None


@dataclass
class _Files:
    files: list[TableFile]
    uris: list[str]


def parquet_tables(session: Any, uri: str) -> dict[str, _Files] | None:
    """Each table's Parquet files, in the loader's order; None when the folder has files of
    another format (CSV, JSON: they keep the driver path)."""
    local = _local(uri)
    if local is not None:
        found = find_table_files(local, set(TABLES))
        if not _spark_side(found):
            return None
        return {name: _Files(files, ["file://" + str(f.path.resolve()) for f in files])
                for name, files in found.items()}
    out: dict[str, _Files] = {}
    for name in TABLES:
        uris: list[str] = []
        for candidate, recursive in ((f"{uri.rstrip('/')}/{name}", True),
                                     (f"{uri.rstrip('/')}/{name}.parquet", False)):
            uris += _listed(session, candidate, recursive)
        if uris:
            uris.sort(key=lambda u: PurePosixPath(u.split("://", 1)[-1]).parts)
            files = [TableFile(name, Path(PurePosixPath(u.split("://", 1)[-1])), "parquet")
                     for u in uris]
            out[name] = _Files(files, uris)
    return out


def _spark_side(tables: dict[str, Any]) -> bool:
    """Whether the executors can load these tables: all Parquet, and no roster to attribute
    agent time by (``schema/people.py`` is written for DuckDB only)."""
    if "roster" in tables and {"agent_states", "shifts"} & set(tables):
        return False
    return all(f.format == "parquet" for files in tables.values()
               for f in (files if isinstance(files, list) else files.files))


def _listed(session: Any, location: str, recursive: bool) -> list[str]:
    reader = session.read.option("pathGlobFilter", "*.parquet")
    if recursive:
        reader = reader.option("recursiveFileLookup", "true")
    try:
        return [str(f) for f in reader.parquet(location).inputFiles()]
    except Exception as exc:  # Spark's error classes differ between classic and Connect
        text = str(exc)
        if "PATH_NOT_FOUND" in text or "UNABLE_TO_INFER_SCHEMA" in text:
            return []
        raise DataError(f"cannot list {location} on Spark: {text.splitlines()[0]}") from exc


def unreadable_parquet(table: str, exc: Exception) -> DataError:
    """Spark's refusal to read a table's Parquet files, as the command line's data error
    (it was a traceback), with the way out of the usual one: timestamps in nanoseconds
    (pyarrow's default for a nanosecond column), which Spark does not read."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if "PARQUET_TYPE_ILLEGAL" in text and "NANOS" in text:
        return DataError(
            f"{table}: Spark cannot read a Parquet timestamp in nanoseconds ({text}): write "
            "the files with microseconds (pyarrow: pq.write_table(table, path, "
            "coerce_timestamps='us', allow_truncated_timestamps=True); pandas: "
            "df.to_parquet(path, coerce_timestamps='us', allow_truncated_timestamps=True)), "
            "report them with --engine duckdb, or validate them on the driver with "
            "OMNIKPI_SPARK_LOAD=driver")
    return DataError(f"{table}: Spark cannot read its Parquet files: {text}")


def _file_keys(uri: str) -> list[str]:
    """The spellings of a file's URI that ``_metadata.file_path`` may give (Hadoop writes a
    local file ``file:/x``, and escapes what a URI path may not hold)."""
    keys = [uri]
    if uri.startswith("file:///"):
        path = uri[len("file://"):]
        keys += ["file:" + path, "file:" + quote(path, safe=_URI_SAFE),
                 "file://" + quote(path, safe=_URI_SAFE)]
    return list(dict.fromkeys(keys))


class _Loader:
    def __init__(self, session: Any, uri: str) -> None:
        self.session = session
        self.uri = uri
        self.tag = uuid.uuid4().hex[:10]

    def sql(self, text: str) -> Any:
        return self.session.sql(text)

    def view(self, frame: Any, name: str) -> str:
        view = f"omnikpi_{name}_{self.tag}"
        frame.createOrReplaceTempView(view)
        return view

    def load(self, table: Table, found: _Files) -> tuple[TableLoad, list[Problem], int, str]:
        load = TableLoad(table.name, found.files)
        try:
            frame = self.session.read.option("mergeSchema", "true").parquet(*found.uris)
        except Exception as exc:  # Spark's error classes differ between classic and Connect
            raise unreadable_parquet(table.name, exc) from exc
        sources = {f.name: source_type(f.dataType.simpleString()) for f in frame.schema.fields}
        missing = [c for c in table_rules(table).required if c not in sources]
        if missing:
            load.fatal = [Problem(table.name, found.files[0].display, None, name,
                                  said.MISSING_COLUMN, True) for name in missing]
            return load, list(load.fatal), len(load.fatal), ""
        known = set(table.column_names)
        extras = [n for n in sources if n not in known and not n.startswith("__")]
        index = ", ".join(f"{SPARK.literal(k)}, {i}" for i, uri in enumerate(found.uris)
                          for k in _file_keys(uri))
        q = SPARK.quote
        raws = [c.name for c in table.columns
                if parsed(c, sources.get(c.name))]
        numbered = frame.selectExpr(
            "*", f"element_at(map({index}), _metadata.file_path) AS __file",
            "_metadata.row_index + 1 AS __row")
        inner = numbered.selectExpr(
            "__file", "__row",
            *[f"{value_sql(c, sources.get(c.name), SPARK)} AS {q(c.name)}"
              for c in table.columns],
            *[f"{raw_text(name, SPARK, sources.get(name))} AS {q('__raw_' + name)}"
              for name in raws],
            *[q(name) for name in extras])
        rules = render_checks(table, sources, SPARK)
        bad = " OR ".join(r.condition for r in rules) or "false"
        keep = [q(c.name) for c in table.columns] + [q(n) for n in extras]
        staged = self.view(inner.selectExpr("__file", "__row", *keep, f"({bad}) AS __bad"),
                           f"staged_{table.name}")
        counted = self.sql(f"SELECT count(*), count_if(__bad) FROM {staged}").collect()[0]
        rows, flagged = int(counted[0]), int(counted[1])
        problems: list[Problem] = []
        count = 0
        if flagged:
            messages = ", ".join(f"CASE WHEN {r.condition} THEN {r.message} END" for r in rules)
            listed = self.view(
                inner.where(bad).selectExpr(
                    "__file", "__row",
                    f"posexplode(filter(array({messages}), x -> x IS NOT NULL)) AS (__pos, text)"),
                f"problems_{table.name}")
            first, total = self._first(
                f"SELECT __file, __row, text FROM {listed} ORDER BY __file, __row, __pos",
                listed)
            count += total
            for file, row, text in first:
                column, _, message = str(text).partition(SEP)
                problems.append(Problem(table.name, found.files[int(file)].display, int(row),
                                        column, message))
        declared = table_rules(table)
        quarantined: list[str] = []
        found_counts: list[int] = []
        if declared.key:
            found_view, listed_problems, n = self._duplicates(table, declared.key, staged, found)
            problems += listed_problems
            count += n
            found_counts.append(n)
            if n:
                quarantined.append(found_view)
        if declared.no_overlap:
            found_view, listed_problems, n = self._overlaps(
                table, declared.no_overlap, staged, found)
            problems += listed_problems
            count += n
            found_counts.append(n)
            if n:
                quarantined.append(found_view)
        out = " UNION ALL ".join(f"SELECT __file, __row FROM {v}" for v in quarantined)
        anti = f" LEFT ANTI JOIN ({out}) AS __q USING (__file, __row)" if out else ""
        columns = [c.name for c in table.columns] + extras
        loaded = self.view(self.sql(
            f"SELECT {', '.join(q(c) for c in columns)} FROM {staged}{anti} WHERE NOT __bad"),
            table.name)
        # a table has a key or intervals that must not overlap, never both: no row is
        # counted twice
        assert not (declared.key and declared.no_overlap)
        n_quarantined = sum(n for n in found_counts)
        load.rows_read = rows
        load.rows_loaded = rows - flagged - n_quarantined
        load.columns = tuple(columns)
        if flagged or quarantined:
            self._write_quarantine(table, staged, out)
        order = {f.display: i for i, f in enumerate(found.files)}
        problems.sort(key=lambda p: (order.get(p.file, 0), p.row or 0))
        return load, problems[:MAX_PROBLEMS_KEPT], count, loaded

    def _found(self, table: Table, sql: str, name: str,
               describe_row: Callable[..., Problem]) -> tuple[str, list[Problem], int]:
        """Rows a rule across rows quarantines: their problems, and how many. The rows are
        then named by a list of (file, row) pairs when they were all collected (no second
        window over the table), else by their view, cached."""
        frame = self.sql(sql)
        view = self.view(frame, name)
        rows, total = self._first(f"SELECT * FROM {view} ORDER BY __file, __row", view)
        if total == len(rows):
            pairs = ", ".join(f"({int(r[0])}, {int(r[1])})" for r in rows) or "(-1, -1)"
            view = self.view(self.sql(
                f"SELECT * FROM VALUES {pairs} AS __q(__file, __row)"), f"{name}_rows")
        else:
            frame.cache()
        return view, [describe_row(*row) for row in rows], total

    def _first(self, ordered: str, view: str) -> tuple[list[Any], int]:
        """The first rows the report lists, and how many there are: one job when they are
        fewer than the limit (the usual case), a second to count them otherwise."""
        rows = self.sql(f"{ordered} LIMIT {MAX_PROBLEMS_KEPT + 1}").collect()
        if len(rows) <= MAX_PROBLEMS_KEPT:
            return rows, len(rows)
        total = int(self.sql(f"SELECT count(*) FROM {view}").collect()[0][0])
        return rows[:MAX_PROBLEMS_KEPT], total

    def _duplicates(self, table: Table, rule: UniqueKey, staged: str,
                    found: _Files) -> tuple[str, list[Problem], int]:
        """Every repeat of a key after its first occurrence in file order (as in
        :mod:`omnikpi.schema.quarantine`; one shuffle by key, without DuckDB's pre-filter
        of the repeated keys, which costs Spark two more)."""
        key = SPARK.quote(rule.column)
        files = found.files
        return self._found(table, f"""
            SELECT __file, __row, {key} AS value, first_file, first_row FROM (
              SELECT __file, __row, {key},
                row_number() OVER w AS rn,
                first_value(__file) OVER w AS first_file,
                first_value(__row) OVER w AS first_row
              FROM {staged} WHERE NOT __bad
              WINDOW w AS (PARTITION BY {key} ORDER BY __file, __row)
            ) WHERE rn > 1""", f"duplicates_{table.name}",
            lambda file, row, value, first_file, first_row: Problem(
                table.name, files[file].display, int(row), rule.column,
                said.DUPLICATE.format(key=rule.column, value=value,
                                      first_file=files[first_file].display,
                                      first_row=first_row)))

    def _overlaps(self, table: Table, rule: NoOverlap, staged: str,
                  found: _Files) -> tuple[str, list[Problem], int]:
        group, start, end = (SPARK.quote(c) for c in (rule.group, rule.start, rule.end))
        files = found.files
        return self._found(table, f"""
            SELECT __file, __row, {group} AS value, prev_end FROM (
              SELECT __file, __row, {group}, {start},
                max({end}) OVER (PARTITION BY {group} ORDER BY {start}, __file, __row
                                 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
              FROM {staged} WHERE NOT __bad)
            WHERE {start} < prev_end""", f"overlaps_{table.name}",
            lambda file, row, value, prev_end: Problem(
                table.name, files[file].display, int(row), rule.start,
                said.OVERLAP.format(table=table.name, group=rule.group, value=value,
                                    end=to_datetime(int(prev_end)).isoformat())))

    def _write_quarantine(self, table: Table, staged: str, found: str) -> None:
        """The quarantined rows (the rule-breaking ones and those left out across rows),
        with their file number and row, written by the executors beside the data."""
        target = os.environ.get("OMNIKPI_SPARK_QUARANTINE", "")
        if target == "off":
            return
        folder = (as_uri(target) if target else f"{self.uri.rstrip('/')}/{QUARANTINE_FOLDER}")
        across = f" OR (__file, __row) IN (SELECT __file, __row FROM ({found}))" if found else ""
        rows = self.sql(f"SELECT * FROM {staged} WHERE __bad{across}")
        rows.write.mode("overwrite").parquet(f"{folder}/{table.name}")


def _measure(session: Any, views: dict[str, str]) -> tuple[
        dict[str, dict[str, tuple[int | None, int | None]]], dict[str, dict[str, tuple[str, ...]]],
        dict[str, tuple[str, ...]]]:
    """The facts the DuckDB loader measures (``schema/facts.py``), by one aggregate per table
    (and one distinct list of channels)."""
    from omnikpi.schema.facts import DOMAIN_COLUMNS, DOMAIN_MAX

    bounds: dict[str, dict[str, tuple[int | None, int | None]]] = {}
    domains: dict[str, dict[str, tuple[str, ...]]] = {}
    empty: dict[str, tuple[str, ...]] = {}
    q = SPARK.quote
    for name, view in views.items():
        cols = [c.name for c in TABLES[name].columns]
        stamps = [c.name for c in TABLES[name].columns if c.type is ColumnType.TIMESTAMP]
        listed = DOMAIN_COLUMNS.get(name, ())
        parts = [f"count({q(c)})" for c in cols] + [
            f"min({q(c)}), max({q(c)})" for c in stamps]
        row = session.sql(f"SELECT {', '.join(parts)} FROM {view}").collect()[0]
        empty[name] = tuple(c for i, c in enumerate(cols) if int(row[i]) == 0)
        k = len(cols)
        bounds[name] = {c: (None if row[k + 2 * i] is None else int(row[k + 2 * i]),
                            None if row[k + 2 * i + 1] is None else int(row[k + 2 * i + 1]))
                        for i, c in enumerate(stamps)}
        domains[name] = {}
        for column in listed:
            values = session.sql(f"SELECT DISTINCT {q(column)} FROM {view} "
                                 f"LIMIT {DOMAIN_MAX + 1}").collect()
            if len(values) <= DOMAIN_MAX and all(v[0] is not None for v in values):
                domains[name][column] = tuple(sorted(str(v[0]) for v in values))
    return bounds, domains, empty


def load_on_spark(session: Any, path: str | Path) -> Dataset | None:
    """The dataset at ``path`` validated on Spark, or None when it is not all Parquet (the
    caller then loads it on the driver as before).

    The returned dataset's DuckDB connection holds empty relations of the canonical columns
    (the engine plans with their schemas and the measured facts); its rows live in Spark
    views, which :class:`~omnikpi.engine.backends.SparkBackend` reads.
    """
    uri = as_uri(path)
    tables = parquet_tables(session, uri)
    if tables is None or not _spark_side(tables):
        return None
    loader = _Loader(session, uri)
    loads: dict[str, TableLoad] = {}
    views: dict[str, str] = {}
    problems: list[Problem] = []
    total = 0
    for name, found in tables.items():
        load, table_problems, count, view = loader.load(TABLES[name], found)
        loads[name] = load
        if view:
            views[name] = view
        problems.extend(table_problems[: MAX_PROBLEMS_KEPT - len(problems)])
        total += count
    if not tables:
        problems.append(Problem("contacts", str(path), None, None,
                                "no canonical table in the folder (contacts.parquet or a "
                                "contacts/ folder of Parquet files: see docs/data-model.md)",
                                fatal=True))
        total += 1
    con = database.connect()
    for name, table in TABLES.items():
        columns = ", ".join(f"CAST(NULL AS {DUCKDB.sql_types[c.type]}) AS {DUCKDB.quote(c.name)}"
                            for c in table.columns)
        con.execute(f"CREATE VIEW {DUCKDB.quote(name)} AS SELECT {columns} WHERE false")
    local = _local(uri)
    dataset = Dataset(local if local is not None else Path(str(path)), con, loads, problems,
                      total)
    dataset.bounds, dataset.domains, dataset.empty = _measure(session, views)
    dataset._spark_views = dict(views)  # type: ignore[attr-defined]
    dataset._spark_uri = uri  # type: ignore[attr-defined]
    return dataset


def load_for_engine(path: str | Path, engine: str, cache: bool | None = None) -> Dataset:
    """The dataset for a report on ``engine``: on Spark, a Parquet dataset is validated by
    the executors (``OMNIKPI_SPARK_LOAD=driver`` validates it on the driver as before);
    anything else is loaded by DuckDB on this machine."""
    from omnikpi.schema.dataset import load_dataset

    if engine == "spark" and os.environ.get("OMNIKPI_SPARK_LOAD", "executors") != "driver":
        from omnikpi.engine.backends import spark_session

        local = _local(as_uri(path))
        # a local folder is looked at first: a missing folder or CSV files start no Spark
        found = find_table_files(local, set(TABLES)) if local is not None else None
        if found is None or (found and _spark_side(found)):
            dataset = load_on_spark(spark_session(), path)
            if dataset is not None:
                return dataset
    return load_dataset(Path(str(path)), cache=cache)

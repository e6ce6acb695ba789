"""The first validation of a Parquet file in one aggregate scan, and duplicate ids without
materializing the keys in DuckDB.

A new daily export is almost always clean. Its first validation therefore reads the file
once, as an aggregate: how many rows break a rule, and what the engine may assume of the
loaded rows (each column's count of values, each timestamp column's first and last value,
the distinct channels, which columns hold canonical values already) — all over the rows
that break no rule, exactly what :mod:`omnikpi.schema.facts` would measure afterwards over
the loaded view. Nothing is staged: a clean file is read in place by a view, as a file
validated before is. Only when a rule is broken does the loader stage the rows and list
the problems (:func:`omnikpi.schema.loading._stage_rows`), as it always has.

Duplicate ids: every key's 64-bit hash is fetched into a NumPy array (8 bytes a row) and
sorted there; equal neighbours are candidates, and the exact duplicate check of
:mod:`omnikpi.schema.quarantine` then runs over the rows of the candidate hashes only. A
file without duplicates (and without a hash collision, about one chance in 3,700 at 100 M
keys) costs one read of the key column and a sort.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from omnikpi.schema.convert import SQL_TYPES, checks, quote
from omnikpi.schema.facts import DOMAIN_COLUMNS, DOMAIN_MAX
from omnikpi.schema.files import Reading, TableFile
from omnikpi.schema.tables import ColumnType, Table

FETCH_ALL_ROWS = 20_000_000
"""Up to this many keys, the hashes are fetched in one piece (fastest); above it in
batches into one preallocated array, so that memory stays at 8 bytes a key."""


@dataclass
class FileFacts:
    """What one aggregate scan of a file found, over its rows that break no rule."""

    rows: int
    bad: int
    counts: dict[str, int]
    bounds: dict[str, tuple[int | None, int | None]]
    domains: dict[str, list[str | None]]
    plain: list[str] = field(default_factory=list)


def facts_to_json(facts: FileFacts) -> dict[str, Any]:
    return asdict(facts)


def facts_from_json(data: dict[str, Any]) -> FileFacts:
    """The facts as :func:`scan` found them (JSON turned the bounds into lists)."""
    return FileFacts(
        int(data["rows"]), int(data["bad"]), {str(k): int(v) for k, v in data["counts"].items()},
        {str(k): (None if v[0] is None else int(v[0]), None if v[1] is None else int(v[1]))
         for k, v in data["bounds"].items()},
        {str(k): [None if x is None else str(x) for x in v] for k, v in data["domains"].items()},
        [str(c) for c in data["plain"]])


def plain_candidates(table: Table, file: TableFile, sources: dict[str, str]) -> list[str]:
    """Columns that may hold canonical values already (see ``cached_load._plain_columns``)."""
    if file.format != "parquet":
        return []
    return [
        c.name for c in table.columns
        if c.name in sources and sources[c.name].upper() == SQL_TYPES[c.type]
        and c.type in (ColumnType.STRING, ColumnType.BOOL, ColumnType.FLOAT)
    ]


def scan(con: duckdb.DuckDBPyConnection, table: Table, reading: Reading,
         sources: dict[str, str], inner: str) -> FileFacts:
    """One aggregate pass over ``inner`` (the converted file with its raw text and the
    source values of the plain candidates as ``"__src_<name>"``).

    The rows are grouped by whether they break a rule: the rule expression is evaluated
    once a row (as a filter on each aggregate, DuckDB would evaluate it once per
    aggregate), and the group of good rows gives the facts.
    """
    rules = checks(table, sources)
    bad = " OR ".join(f"({rule.condition})" for rule in rules) or "false"
    return _grouped_facts(con, table, f"(SELECT *, ({bad}) AS __bad FROM ({inner}))",
                          plain_candidates(table, reading.file, sources))


def staged_facts(con: duckdb.DuckDBPyConnection, table: Table, stage: str) -> FileFacts:
    """The facts of a file staged as a table with its ``__bad`` flags (a CSV or JSONL
    file): the same aggregates as :func:`scan`, over the staged rows. With them a folder
    that holds one such file beside its Parquet files (a live ingest's JSONL file) keeps
    its facts and kept keys instead of measuring every file again at each reload."""
    return _grouped_facts(con, table, stage, [])


def distinct_in_order(values: list[Any]) -> list[str | None]:
    """A column's distinct values as text, sorted (an empty one last): ``list(DISTINCT)``
    gives them in whatever order DuckDB's threads finish, and facts measured side by side
    or one file at a time must compare equal."""
    texts = {None if v is None else str(v) for v in values}
    return sorted(texts, key=lambda v: (v is None, v or ""))


def _grouped_facts(con: duckdb.DuckDBPyConnection, table: Table, relation: str,
                   candidates: list[str]) -> FileFacts:
    """The facts of ``relation`` (converted rows with ``__bad``, and the source values of
    the plain ``candidates``), its rows grouped by whether they break a rule."""
    timestamps = [c.name for c in table.columns if c.type is ColumnType.TIMESTAMP]
    domains = list(DOMAIN_COLUMNS.get(table.name, ()))
    parts = ["__bad", "count(*)"]
    parts += [f"count({quote(c.name)})" for c in table.columns]
    parts += [f"min({quote(c)}), max({quote(c)})" for c in timestamps]
    parts += [f"list(DISTINCT {quote(c)})" for c in domains]
    parts += [f"coalesce(bool_and({quote('__src_' + c)} IS NOT DISTINCT FROM {quote(c)}), true)"
              for c in candidates]
    groups = con.execute(f"SELECT {', '.join(parts)} FROM {relation} GROUP BY __bad"
                         ).fetchall()
    rows = sum(int(g[1]) for g in groups)
    flagged = sum(int(g[1]) for g in groups if g[0])
    good = next((list(g) for g in groups if not g[0]), None)
    at = 2
    counts = {c.name: int(good[at + i]) if good else 0 for i, c in enumerate(table.columns)}
    at += len(table.columns)
    bounds: dict[str, tuple[int | None, int | None]] = {}
    for c in timestamps:
        low, high = (good[at], good[at + 1]) if good else (None, None)
        bounds[c] = (None if low is None else int(low), None if high is None else int(high))
        at += 2
    found: dict[str, list[str | None]] = {}
    for c in domains:
        values = (good[at] if good else None) or []
        found[c] = distinct_in_order(values)
        at += 1  # a row without a value shows in ``counts`` (fewer values than rows)
    plain = [c for i, c in enumerate(candidates) if all(g[at + i] for g in groups)]
    return FileFacts(rows, flagged, counts, bounds, found, plain)


def source_columns(candidates: list[str]) -> list[str]:
    """The source values of the plain candidates, kept beside their converted values."""
    return [f"{quote(c)} AS {quote('__src_' + c)}" for c in candidates]


def merged_facts(table: Table, files: list[FileFacts], loaded: int) -> dict[str, Any]:
    """The facts of a table from its files' facts (what ``facts._measure`` would find)."""
    bounds: dict[str, tuple[int | None, int | None]] = {}
    for name in files[0].bounds if files else ():
        lows = [low for f in files if (low := f.bounds[name][0]) is not None]
        highs = [high for f in files if (high := f.bounds[name][1]) is not None]
        bounds[name] = (min(lows) if lows else None, max(highs) if highs else None)
    empty = tuple(c.name for c in table.columns if sum(f.counts[c.name] for f in files) == 0)
    domains: dict[str, tuple[str, ...]] = {}
    for name in DOMAIN_COLUMNS.get(table.name, ()):
        values: set[str] = set()
        for f in files:
            values.update(v for v in f.domains.get(name, []) if v is not None)
        # as ``facts._domains``: at most DOMAIN_MAX values, and no loaded row without one
        if len(values) <= DOMAIN_MAX and sum(f.counts[name] for f in files) == loaded:
            domains[name] = tuple(sorted(values))
    return {"bounds": bounds, "empty": empty, "domains": domains}


def duplicate_hashes(con: duckdb.DuckDBPyConnection, table: Table, staged: str,
                     rows: int) -> np.ndarray:
    """The hashes that more than one loaded row's key has (usually none)."""
    return repeated(sorted_key_hashes(con, table, staged, rows))


def repeated(hashes: np.ndarray) -> np.ndarray:
    """The values a sorted array holds more than once."""
    if len(hashes) < 2:
        return np.empty(0, dtype=np.uint64)
    return np.unique(hashes[1:][hashes[1:] == hashes[:-1]])


def with_new_keys(known: np.ndarray, new: np.ndarray) -> np.ndarray:
    """The sorted hashes of the files validated before with those of new files: each new
    hash inserted in its place (one copy of the array, no second sort of all of it)."""
    new = np.sort(new)
    return np.insert(known, np.searchsorted(known, new), new)


def _hash_cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor in the loader's catalog that returns rows in any order (faster)."""
    row = con.execute("SELECT current_database()").fetchone()
    assert row is not None
    cursor = con.cursor()
    cursor.execute(f"USE {quote(str(row[0]))}")
    cursor.execute("SET SESSION preserve_insertion_order = false")
    return cursor


def _fetch_hashes(cursor: duckdb.DuckDBPyConnection, sql: str, rows: int) -> np.ndarray:
    """The one column of ``sql`` as an unsigned 64-bit array: in one piece up to
    ``FETCH_ALL_ROWS`` rows, above it in batches into one array of ``rows``."""
    if rows <= FETCH_ALL_ROWS:
        hashes = np.asarray(cursor.execute(sql).to_arrow_table().column(0).to_numpy(),
                            dtype=np.uint64)
        return hashes if hashes.flags.writeable else hashes.copy()  # Arrow's, read-only
    hashes = np.empty(rows, dtype=np.uint64)
    filled = 0
    for batch in cursor.execute(sql).to_arrow_reader(1_000_000):
        part = batch.column(0).to_numpy()
        hashes[filled:filled + len(part)] = part
        filled += len(part)
    return hashes[:filled]


def sorted_key_hashes(con: duckdb.DuckDBPyConnection, table: Table, staged: str,
                      rows: int) -> np.ndarray:
    """The 64-bit hash of every loaded row's key, sorted (``rows``: how many rows the
    relation has, if known, to fill one array in batches)."""
    assert table.key
    key = quote(table.key)
    cursor = _hash_cursor(con)
    try:
        hashes = _fetch_hashes(
            cursor, f"SELECT hash({key}) AS h FROM {staged} WHERE NOT __bad AND {key} IS NOT NULL",
            rows)
    finally:
        cursor.close()
    hashes.sort()
    return hashes


class KeysAhead:
    """The key hashes of a table's new Parquet files, read while their first pass runs.

    A new file's load reads it twice before its report: the first pass, then its keys for
    the duplicate check. The two scans share the cores well (the first pass alone does not
    keep both busy: 0.64 s and 0.34 s one after the other at 10 M, 0.81 s side by side),
    so the keys are read ahead, on a cursor of their own, from the raw key column. They
    stand for the loaded keys only when the first pass finds that no row breaks a rule and
    that the key column holds its canonical text already (``FileFacts.plain``): then every
    raw key is a loaded key, unchanged. Otherwise :meth:`take` is not asked and the keys
    are read from the staged rows as before.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, table: Table,
                 files: list[TableFile]) -> None:
        assert table.key
        self._found: dict[str, np.ndarray] = {}
        self._cursor = _hash_cursor(con)  # made here, in the loader's thread
        self._thread = threading.Thread(target=self._read, args=(table.key, files),
                                        name="omnikpi-keys", daemon=True)
        self._thread.start()

    def _read(self, key: str, files: list[TableFile]) -> None:
        try:
            for file in files:
                relation = Reading(file).relation()
                kind = self._cursor.execute(
                    f"SELECT typeof({quote(key)}) FROM {relation} LIMIT 1").fetchone()
                if kind is None or str(kind[0]).upper() != "VARCHAR":
                    continue
                rows = pq.ParquetFile(file.path).metadata.num_rows
                hashes = _fetch_hashes(self._cursor, f"SELECT hash({quote(key)}) FROM "
                                       f"{relation} WHERE {quote(key)} IS NOT NULL", rows)
                hashes.sort()  # here too, while the first pass runs
                self._found[str(file.path.resolve())] = hashes
        except (duckdb.Error, OSError, ValueError, pa.ArrowException):
            return  # the files are read again from their staged rows
        finally:
            self._cursor.close()

    def take(self, paths: list[str]) -> np.ndarray | None:
        """The sorted hashes of these files' keys, or None when one was not read."""
        self._thread.join()
        if any(p not in self._found for p in paths):
            return None
        if len(paths) == 1:
            return self._found.pop(paths[0])
        hashes = np.empty(sum(len(self._found[p]) for p in paths), dtype=np.uint64)
        filled = 0
        for path in paths:  # each part freed once copied: about 8 bytes a key at most
            part = self._found.pop(path)
            hashes[filled:filled + len(part)] = part
            filled += len(part)
            del part
        hashes.sort()  # in place (a merge would need half the array again)
        return hashes

    def close(self) -> None:
        """Wait for the reading to end (the loader's connection may close next)."""
        self._thread.join()
        self._found.clear()


def candidate_relation(con: duckdb.DuckDBPyConnection, table: Table, staged: str,
                       hashes: np.ndarray) -> str:
    """A view of the staged rows whose key has one of ``hashes``."""
    assert table.key
    name = f"__dup_candidates_{table.name}"
    values = ", ".join(str(int(h)) for h in hashes)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name}_h AS "
                f"SELECT unnest([{values}]::UBIGINT[]) AS h")
    con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM {staged} "
                f"WHERE hash({quote(table.key)}) IN (SELECT h FROM {name}_h)")
    return name


def drop_candidates(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    name = f"__dup_candidates_{table.name}"
    con.execute(f"DROP VIEW IF EXISTS {name}")
    con.execute(f"DROP TABLE IF EXISTS {name}_h")


def clean_view_sql(index: int, keep: str, inner: str) -> str:
    """The rows of a file that broke no rule: numbered, never flagged."""
    return f"SELECT {index} AS __file, __row, {keep}, false AS __bad FROM ({inner})"

"""Loading a dataset whose files were validated before: the cached verdict (problems,
quarantined rows, measured facts) instead of a second validation pass."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import duckdb

from omnikpi.errors import DataError
from omnikpi.schema import validation_cache
from omnikpi.schema.convert import (
    SQL_TYPES,
    quote,
    sql_str,
    value_sql,
)
from omnikpi.schema.files import (
    Reading,
    TableFile,
    collect_unreadable,
    raw_relation_sql,
    tolerant_reading,
)
from omnikpi.schema.loading import _inner_sql, renumber, union_stages
from omnikpi.schema.model import Bounds, Dataset, Domains, FileScope, Problem, TableLoad
from omnikpi.schema.people import ATTRIBUTED
from omnikpi.schema.tables import TABLES, ColumnType, Table


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
                if "plain" not in meta:  # the first pass of a Parquet file found them
                    meta["plain"] = _plain_columns(con, TABLES[name], file,
                                                   meta["sources"])
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
    keys = {name: (info["key_hashes"], info["key_files"]) for name, info in infos.items()
            if "key_hashes" in info}
    validation_cache.store(fp, after, verdict, con, bad_sql, keys)


def _problem(data: dict[str, Any]) -> Problem:
    return Problem(str(data["table"]), str(data["file"]),
                   None if data["row"] is None else int(data["row"]),
                   None if data["column"] is None else str(data["column"]),
                   str(data["message"]), bool(data["fatal"]))


def _stage_cached(con: duckdb.DuckDBPyConnection, table: Table, file: TableFile, index: int,
                  meta: dict[str, Any], numbered: bool) -> str:
    """Stage one file as validated before: no checks; the rows numbered only if some are
    left out by number. A file read tolerantly is read so again, its unreadable rows left
    out and, if numbered, its rows numbered around them (as in the validation pass)."""
    stage = f"__stage_{table.name}_{index}"
    tolerant = bool(meta.get("tolerant"))
    stray = meta.get("stray")  # absent from a cache written before it was kept: scan
    reading = tolerant_reading(
        file, None if stray is None else [(int(a), int(b)) for a, b in stray]) \
        if tolerant else Reading(file)
    try:
        rejects = (f"__rejects_{table.name}_{index}"
                   if tolerant and numbered and file.format == "csv" else None)
        inner = _inner_sql(table, reading, meta["sources"], meta["extras"], raw=False,
                           rows=numbered, plain=frozenset(meta.get("plain", ())),
                           rejects=rejects)
        kind = "VIEW" if file.format == "parquet" else "TABLE"
        con.execute(f"CREATE {kind} {stage} AS SELECT {index} AS __file, * FROM ({inner})")
        if tolerant and numbered:
            read = con.execute(f"SELECT count(*) FROM {stage}").fetchone()
            _, _, gaps = collect_unreadable(con, reading, f"{table.name}_{index}",
                                            int(read[0]) if read else 0, rejects)
            if gaps:
                renumber(con, stage, gaps)
    finally:
        reading.close()
    return stage


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
            con.execute("CREATE TABLE __cached_bad AS SELECT * FROM "
                        f"read_parquet({sql_str(str(bad_path))})")
            bad_tables = {str(r[0]) for r in con.execute(
                "SELECT DISTINCT __table FROM __cached_bad").fetchall()}
        loads: dict[str, TableLoad] = {}
        bounds: Bounds = {}
        domains: Domains = {}
        empty: dict[str, tuple[str, ...]] = {}
        scopes: dict[str, FileScope] = {}
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
                stages.append(_stage_cached(con, table, file, index, meta, numbered))
            staged = union_stages(con, name, stages)
            left_out = (f"(SELECT __file, __row FROM __cached_bad WHERE __table = "
                        f"{sql_str(name)})" if numbered else "")
            anti = f" ANTI JOIN {left_out} USING (__file, __row)" if left_out else ""
            columns = ", ".join(quote(c) for c in load.columns)
            con.execute(f"CREATE VIEW {quote(name)} AS SELECT {columns} FROM {staged}{anti}")
            if name not in ATTRIBUTED:
                scopes[name] = FileScope(load.columns, tuple(stages), left_out)
            bounds[name] = {c: (v[0], v[1]) for c, v in data["bounds"].items()}
            domains[name] = {c: tuple(str(x) for x in v)
                             for c, v in data.get("domains", {}).items()}
            if "empty" in data:
                empty[name] = tuple(str(c) for c in data["empty"])
    except (duckdb.Error, DataError, KeyError, TypeError, ValueError):
        return None
    problems = [_problem(p) for p in entry["problems"]]
    return Dataset(folder, con, loads, problems, int(entry["problem_count"]), bounds, True,
                   domains, empty, scopes)

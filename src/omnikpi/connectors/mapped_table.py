"""Any platform's CSV or JSON export, mapped to canonical tables by a TOML file.

The mapping is declarative: each canonical column is a DuckDB SQL expression over the
source columns (so conversions are vectorised, never row loops), local timestamps are
converted to UTC from the named zone, and filter rules drop rows with a stated reason
that the import counts. One mapping names its main ``table``; ``[tables.NAME]`` sections
write further tables from the same source rows, each with its own columns, filters and
local timestamps, all in the same import commit. See ``mappings/anonymous_bank.toml``
and docs/connectors.md.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from omnikpi.connectors.sandbox import seal
from omnikpi.connectors.transaction import committed_import
from omnikpi.connectors.writer import merge_write_arrow
from omnikpi.errors import DataError, UsageError
from omnikpi.schema.convert import quote, sql_str
from omnikpi.schema.tables import TABLES, ColumnType


@dataclass
class MappedSummary:
    table: str
    read: int = 0
    written: int = 0
    filtered: Counter[str] = field(default_factory=Counter)
    rejected: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class TableMapping:
    """How one canonical table is made from the source rows."""

    table: str
    columns: dict[str, str]
    filters: list[dict[str, str]]
    zone: str
    local: frozenset[str]


def _load_mapping(path: Path) -> tuple[dict[str, Any], list[TableMapping]]:
    """The mapping file and its tables: the main ``table`` first, then ``[tables.NAME]``."""
    try:
        mapping = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise UsageError(f"mapping file not found: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"mapping {path} is not valid TOML: {exc}") from exc
    zone = mapping.get("timestamps", {}).get("timezone", "UTC")
    further = mapping.get("tables", {})
    if not isinstance(further, dict):
        raise UsageError(f"mapping {path}: [tables.NAME] sections name further tables")
    specs: list[tuple[Any, Any]] = []
    if "table" in mapping or not further:
        specs.append((mapping.get("table"), mapping))
    specs += list(further.items())
    tables = []
    seen: set[str] = set()
    for name, spec in specs:
        if not isinstance(name, str) or name not in TABLES:
            raise UsageError(f"mapping {path}: table must be one of {', '.join(TABLES)}"
                             + (f" (not {name!r})" if name else ""))
        if name in seen:
            raise UsageError(f"mapping {path}: table {name} is mapped twice")
        seen.add(name)
        if not isinstance(spec, dict):
            raise UsageError(f"mapping {path}: [tables.{name}] must be a table of settings")
        columns = spec.get("columns", {})
        unknown = [c for c in columns if c not in TABLES[name].column_names
                   and c not in spec.get("keep", [])]
        if unknown:
            raise UsageError(f"mapping {path}: {', '.join(unknown)} are not columns of {name}")
        stamps = spec.get("timestamps", {})
        tables.append(TableMapping(
            name, dict(columns), list(spec.get("filters", [])),
            stamps.get("timezone", zone), frozenset(stamps.get("local", []))))
    return mapping, tables


def _source_sql(files: list[Path], source: dict[str, Any]) -> str:
    fmt = source.get("format", "csv")
    names = "[" + ", ".join(sql_str(str(f)) for f in files) + "]"
    if fmt == "csv":
        delimiter = sql_str(source.get("delimiter", ","))
        return (f"read_csv({names}, all_varchar = true, header = true, delim = {delimiter}, "
                "union_by_name = true)")
    if fmt == "json":
        return f"read_json({names}, format = 'newline_delimited', union_by_name = true)"
    raise UsageError(f"unknown source format {fmt!r}: csv or json")


_NULL_TYPES = {ColumnType.STRING: "VARCHAR", ColumnType.TIMESTAMP: "TIMESTAMP",
               ColumnType.BOOL: "BOOLEAN", ColumnType.FLOAT: "DOUBLE", ColumnType.DATE: "DATE"}


def import_mapped(inputs: list[Path], mapping_path: Path, out: Path,
                  fmt: str = "parquet") -> list[MappedSummary]:
    """Import the source files into every table of the mapping, in one commit; a summary
    per table accounts for every source row (written, filtered with its reason, rejected)."""
    mapping, tables = _load_mapping(mapping_path)
    files = [f for item in inputs for f in (sorted(item.iterdir()) if item.is_dir() else [item])]
    missing = [f for f in files if not f.exists()]
    if missing or not files:
        raise UsageError(f"input not found: {missing[0] if missing else 'no files'}")
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    try:
        source_sql = _source_sql(files, mapping.get("source", {}))
        con.execute(f"CREATE TABLE raw AS SELECT * FROM {source_sql}")
    except duckdb.Error as exc:
        raise DataError(f"cannot read {files[0]}: {exc}") from exc
    seal(con)  # the source is read: the mapping's SQL runs with no access outside
    read = int(con.execute("SELECT count(*) FROM raw").fetchone()[0])  # type: ignore[index]
    mapped = [_map_table(con, spec, read, mapping_path) for spec in tables]
    with committed_import(out) as run:
        for summary, data in mapped:
            summary.written = merge_write_arrow(run, summary.table,
                                                _canonical(summary.table, data), fmt)
    return [summary for summary, _ in mapped]


def _map_table(con: duckdb.DuckDBPyConnection, spec: TableMapping, read: int,
               mapping_path: Path) -> tuple[MappedSummary, Any]:
    """One table's rows from ``raw``: filters counted by reason, columns mapped, required
    columns that come out empty counted as rejected."""
    table = TABLES[spec.table]
    where = f" ({spec.table})"
    summary = MappedSummary(table.name, read=read)
    keep = "TRUE"
    for rule in spec.filters:
        try:
            count = con.execute(f"SELECT count(*) FROM raw WHERE ({keep}) AND ({rule['when']})"
                                ).fetchone()[0]  # type: ignore[index]
        except duckdb.Error as exc:
            raise UsageError(f"mapping filter{where} {rule.get('when')!r}: {exc}") from exc
        summary.filtered[rule.get("reason", rule["when"])] += int(count)
        keep = f"{keep} AND NOT coalesce({rule['when']}, false)"
    selects = []
    for col in table.columns:
        expr = spec.columns.get(col.name)
        if expr is None:  # not in the source: an empty column of the canonical type
            selects.append(f"CAST(NULL AS {_NULL_TYPES[col.type]}) AS {quote(col.name)}")
            continue
        if col.type is ColumnType.TIMESTAMP and col.name in spec.local:
            expr = (f"CAST((CAST(({expr}) AS TIMESTAMP) AT TIME ZONE {sql_str(spec.zone)}) "
                    f"AT TIME ZONE 'UTC' AS TIMESTAMP)")
        selects.append(f"({expr}) AS {quote(col.name)}")
    try:
        mapped = con.execute(
            f"SELECT {', '.join(selects)} FROM raw WHERE {keep}").fetch_arrow_table()
    except duckdb.Error as exc:
        raise UsageError(f"mapping {mapping_path}{where}: {exc}") from exc
    required = [c.name for c in table.columns if c.not_null and c.name in spec.columns]
    for name in required:
        nulls = mapped[name].null_count
        if nulls:
            summary.rejected[f"{name} empty or unreadable after mapping"] += nulls
    return summary, mapped


def _canonical(table: str, mapped: Any) -> Any:
    """Cast to the canonical Arrow types (timestamps as naive UTC microseconds)."""
    from omnikpi.connectors.writer import to_arrow

    schema = to_arrow(table, []).schema
    return mapped.cast(schema)

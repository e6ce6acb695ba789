"""Any platform's CSV or JSON export, mapped to a canonical table by a TOML file.

The mapping is declarative: each canonical column is a DuckDB SQL expression over the
source columns (so conversions are vectorised, never row loops), local timestamps are
converted to UTC from the named zone, and filter rules drop rows with a stated reason
that the import counts. See ``mappings/anonymous_bank.toml`` and docs/connectors.md.
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


def _load_mapping(path: Path) -> dict[str, Any]:
    try:
        mapping = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise UsageError(f"mapping file not found: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"mapping {path} is not valid TOML: {exc}") from exc
    table = mapping.get("table")
    if table not in TABLES:
        raise UsageError(f"mapping {path}: table must be one of {', '.join(TABLES)}")
    unknown = [c for c in mapping.get("columns", {}) if c not in TABLES[table].column_names
               and c not in mapping.get("keep", [])]
    if unknown:
        raise UsageError(f"mapping {path}: {', '.join(unknown)} are not columns of {table}")
    return mapping


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
                  fmt: str = "parquet") -> MappedSummary:
    mapping = _load_mapping(mapping_path)
    table = TABLES[mapping["table"]]
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
    summary = MappedSummary(table.name)
    summary.read = int(con.execute("SELECT count(*) FROM raw").fetchone()[0])  # type: ignore[index]
    keep = "TRUE"
    for rule in mapping.get("filters", []):
        try:
            count = con.execute(f"SELECT count(*) FROM raw WHERE ({keep}) AND ({rule['when']})"
                                ).fetchone()[0]  # type: ignore[index]
        except duckdb.Error as exc:
            raise UsageError(f"mapping filter {rule.get('when')!r}: {exc}") from exc
        summary.filtered[rule.get("reason", rule["when"])] += int(count)
        keep = f"{keep} AND NOT coalesce({rule['when']}, false)"
    zone = mapping.get("timestamps", {}).get("timezone", "UTC")
    local = set(mapping.get("timestamps", {}).get("local", []))
    selects = []
    for col in table.columns:
        expr = mapping.get("columns", {}).get(col.name)
        if expr is None:  # not in the source: an empty column of the canonical type
            selects.append(f"CAST(NULL AS {_NULL_TYPES[col.type]}) AS {quote(col.name)}")
            continue
        if col.type is ColumnType.TIMESTAMP and col.name in local:
            expr = (f"CAST((CAST(({expr}) AS TIMESTAMP) AT TIME ZONE {sql_str(zone)}) "
                    f"AT TIME ZONE 'UTC' AS TIMESTAMP)")
        selects.append(f"({expr}) AS {quote(col.name)}")
    try:
        mapped = con.execute(
            f"SELECT {', '.join(selects)} FROM raw WHERE {keep}").fetch_arrow_table()
    except duckdb.Error as exc:
        raise UsageError(f"mapping {mapping_path}: {exc}") from exc
    required = [c.name for c in table.columns if c.not_null and c.name in mapping.get("columns",
                                                                                       {})]
    for name in required:
        nulls = mapped[name].null_count
        if nulls:
            summary.rejected[f"{name} empty or unreadable after mapping"] += nulls
    with committed_import(out) as run:
        summary.written = merge_write_arrow(run, table.name, _canonical(table.name, mapped),
                                            fmt)
    return summary


def _canonical(table: str, mapped: Any) -> Any:
    """Cast to the canonical Arrow types (timestamps as naive UTC microseconds)."""
    from omnikpi.connectors.writer import to_arrow

    schema = to_arrow(table, []).schema
    return mapped.cast(schema)

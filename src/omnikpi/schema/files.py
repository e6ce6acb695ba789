"""Finding a dataset's table files and reading them raw with DuckDB.

A table may be stored as CSV, Parquet or JSON Lines (optionally gzip-compressed), as one
file named after the table or as a folder of such files (e.g. partitioned by day). Every
file is read separately so that problems can name the file and the row.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from omnikpi.errors import DataError

_FORMATS = {
    ".csv": "csv",
    ".csv.gz": "csv",
    ".tsv": "csv",
    ".parquet": "parquet",
    ".jsonl": "json",
    ".jsonl.gz": "json",
    ".ndjson": "json",
    ".json": "json",
}


@dataclass(frozen=True)
class TableFile:
    table: str
    path: Path
    format: str

    @property
    def display(self) -> str:
        return self.path.name if self.path.parent.name != self.table else (
            f"{self.table}/{self.path.name}"
        )


def _format_of(path: Path) -> str | None:
    name = path.name.lower()
    for suffix in sorted(_FORMATS, key=len, reverse=True):
        if name.endswith(suffix):
            return _FORMATS[suffix]
    return None


def _stem(path: Path) -> str:
    name = path.name
    for suffix in sorted(_FORMATS, key=len, reverse=True):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


def find_table_files(folder: Path, known_tables: set[str]) -> dict[str, list[TableFile]]:
    """Map each known table name to its files in ``folder`` (files sorted by name)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"dataset folder not found: {folder}")
    found: dict[str, list[TableFile]] = {}
    for entry in sorted(folder.iterdir()):
        if entry.is_dir() and entry.name in known_tables:
            for sub in sorted(entry.rglob("*")):
                fmt = _format_of(sub)
                if sub.is_file() and fmt:
                    found.setdefault(entry.name, []).append(TableFile(entry.name, sub, fmt))
        elif entry.is_file():
            fmt = _format_of(entry)
            stem = _stem(entry)
            if fmt and stem in known_tables:
                found.setdefault(stem, []).append(TableFile(stem, entry, fmt))
    return found


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def raw_relation_sql(file: TableFile) -> str:
    """SQL reading one file as it is: CSV as text, JSON and Parquet with their own types."""
    path = _sql_str(str(file.path))
    if file.format == "csv":
        return f"read_csv({path}, all_varchar = true, header = true, auto_detect = true)"
    if file.format == "json":
        return f"read_json({path}, format = 'newline_delimited', sample_size = -1)"
    return f"read_parquet({path})"


def describe(con: duckdb.DuckDBPyConnection, file: TableFile) -> dict[str, str]:
    """Column name → DuckDB type of a file, or a data error naming the file."""
    try:
        rows = con.execute(f"DESCRIBE SELECT * FROM {raw_relation_sql(file)}").fetchall()
    except duckdb.Error as exc:
        raise DataError(f"{file.path}: cannot be read as {file.format}: {exc}") from exc
    return {str(r[0]): str(r[1]) for r in rows}

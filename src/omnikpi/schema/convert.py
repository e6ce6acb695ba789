"""SQL that turns one raw column into its canonical type, and the checks on it (DuckDB).

Timestamps become int64 microseconds since the epoch (UTC): every backend does exact
integer arithmetic on them, and none pays for time-zone typed columns. A text timestamp
without an offset is UTC (the data-model rule); the loading connection runs in UTC.

The rules are declared in :mod:`omnikpi.schema.rules` and rendered here in DuckDB's
dialect (the Spark loader renders the same declarations in Spark SQL).
"""

from __future__ import annotations

from omnikpi.schema import rules
from omnikpi.schema.rules import DUCKDB, SEP, Check, is_text_source, parsed
from omnikpi.schema.tables import Column, Table

__all__ = ["SEP", "SQL_TYPES", "Check", "checks", "default_sql", "is_text_source", "parsed",
           "quote", "raw_text", "sql_str", "typed_sql", "value_sql"]

SQL_TYPES = DUCKDB.sql_types


def quote(name: str) -> str:
    return DUCKDB.quote(name)


def sql_str(value: str) -> str:
    return DUCKDB.literal(value)


def raw_text(col: str, src: str | None = None) -> str:
    """The cell as trimmed text, empty text as null (``src``: the source column's type)."""
    return rules.raw_text(col, DUCKDB, src)


def typed_sql(column: Column, src: str | None) -> str:
    """Expression giving the canonical value, before defaults; null if it cannot be read."""
    return rules.typed_sql(column, src, DUCKDB)


def default_sql(column: Column) -> str | None:
    return rules.default_sql(column, DUCKDB)


def value_sql(column: Column, src: str | None) -> str:
    """Canonical value with the column's default applied to empty cells."""
    return rules.value_sql(column, src, DUCKDB)


def checks(table: Table, sources: dict[str, str]) -> list[Check]:
    """Every rule of the contract for this table, as SQL over the converted relation.

    The relation has the canonical value of each column ``c`` as ``c`` and, for columns read
    from text, the raw text as ``"__raw_c"`` (to report what could not be read).
    """
    return rules.render_checks(table, sources, DUCKDB)

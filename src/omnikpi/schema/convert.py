"""SQL that turns one raw column into its canonical type, and the checks on it.

Timestamps become int64 microseconds since the epoch (UTC): every backend does exact
integer arithmetic on them, and none pays for time-zone typed columns. A text timestamp
without an offset is UTC (the data-model rule); the loading connection runs in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass

from omnikpi.instants import EARLIEST_US, FIRST_YEAR, LAST_YEAR, LATEST_US
from omnikpi.schema.tables import Column, ColumnType, Table

SEP = "\x1f"  # joins "column" and "message" inside one problem string
_TRUE = "('true', '1', 'yes', 'y', 't')"
_FALSE = "('false', '0', 'no', 'n', 'f')"
_NUMERIC_PREFIXES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT",
                     "USMALLINT", "UINTEGER", "UBIGINT", "FLOAT", "DOUBLE", "DECIMAL")


SQL_TYPES = {
    ColumnType.STRING: "VARCHAR",
    ColumnType.TIMESTAMP: "BIGINT",
    ColumnType.FLOAT: "DOUBLE",
    ColumnType.BOOL: "BOOLEAN",
    ColumnType.DATE: "BIGINT",
}


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def raw_text(col: str) -> str:
    """The cell as trimmed text, empty text as null."""
    return f"NULLIF(trim(CAST({quote(col)} AS VARCHAR)), '')"


def _is_numeric(src: str) -> bool:
    return src.upper().startswith(_NUMERIC_PREFIXES)


def typed_sql(column: Column, src: str | None) -> str:
    """Expression giving the canonical value, before defaults; null if it cannot be read."""
    if src is None:
        return f"CAST(NULL AS {SQL_TYPES[column.type]})"
    q = quote(column.name)
    src_u = src.upper()
    text = raw_text(column.name)
    match column.type:
        case ColumnType.STRING:
            value = text
            return f"lower({value})" if column.choices else value
        case ColumnType.TIMESTAMP:
            if src_u.startswith("TIMESTAMP WITH TIME ZONE"):
                return f"epoch_us({q})"
            if src_u.startswith(("TIMESTAMP", "DATE")):
                return f"epoch_us(CAST({q} AS TIMESTAMP))"
            return f"epoch_us(try_cast({text} AS TIMESTAMPTZ))"
        case ColumnType.FLOAT:
            if _is_numeric(src_u):
                return f"CAST({q} AS DOUBLE)"
            return f"try_cast({text} AS DOUBLE)"
        case ColumnType.BOOL:
            if src_u == "BOOLEAN":
                return q
            if _is_numeric(src_u):
                return f"({q} <> 0)"
            return (
                f"CASE WHEN lower({text}) IN {_TRUE} THEN TRUE "
                f"WHEN lower({text}) IN {_FALSE} THEN FALSE END"
            )
        case ColumnType.DATE:
            if src_u.startswith(("DATE", "TIMESTAMP")):
                return f"date_diff('day', DATE '1970-01-01', CAST({q} AS DATE))"
            return f"date_diff('day', DATE '1970-01-01', try_cast({text} AS DATE))"
    raise AssertionError(column.type)


def default_sql(column: Column) -> str | None:
    if column.default is None:
        return None
    if column.type is ColumnType.BOOL:
        return "TRUE" if column.default == "true" else "FALSE"
    return sql_str(column.default)


def value_sql(column: Column, src: str | None) -> str:
    """Canonical value with the column's default applied to empty cells."""
    typed = typed_sql(column, src)
    default = default_sql(column)
    return f"COALESCE({typed}, {default})" if default else typed


def _problem(column: str, message_sql: str) -> str:
    return f"{sql_str(column + SEP)} || {message_sql}"


def is_text_source(src: str | None) -> bool:
    """A source column that holds text (CSV, JSON strings) and must be parsed."""
    return src is not None and src.upper().startswith(("VARCHAR", "JSON"))


@dataclass(frozen=True)
class Check:
    condition: str
    """SQL that is true when the row breaks the rule (never null)."""
    message: str
    """SQL giving ``column<SEP>message`` for the problem report."""


def checks(table: Table, sources: dict[str, str]) -> list[Check]:
    """Every rule of the contract for this table, as SQL over the converted relation.

    The relation has the canonical value of each column ``c`` as ``c`` and, for columns read
    from text, the raw text as ``"__raw_c"`` (to report what could not be read).
    """
    out: list[Check] = []
    known = set(table.column_names)
    for col in table.columns:
        v = quote(col.name)
        raw = quote("__raw_" + col.name)
        parsed = col.type is not ColumnType.STRING and is_text_source(sources.get(col.name))
        if _is_varchar(sources.get(col.name)):
            out.append(_nul_check(col.name, raw if parsed else v))
        if parsed:
            message = _problem(col.name, f"'cannot read ''' || {raw} || ''' as {col.type.value}'")
            out.append(Check(f"({raw} IS NOT NULL AND {v} IS NULL AND NOT {_nul(raw)})",
                             message))
        if col.not_null:
            missing = _problem(col.name, sql_str("missing value (the column is required)"))
            guard = f"{raw} IS NULL AND " if parsed else ""
            out.append(Check(f"({guard}{v} IS NULL)", missing))
        if col.choices:
            allowed = ", ".join(sql_str(c) for c in col.choices)
            message = _problem(
                col.name, f"'unknown value ''' || {v} || ''' (expected one of: "
                f"{', '.join(col.choices)})'"
            )
            out.append(Check(f"coalesce({v} NOT IN ({allowed}), false)", message))
        if col.type is ColumnType.TIMESTAMP:
            message = _problem(col.name, sql_str(
                f"instant outside the years {FIRST_YEAR}–{LAST_YEAR}"))
            out.append(Check(f"coalesce({v} < {EARLIEST_US} OR {v} >= {LATEST_US}, false)",
                             message))
        if col.min_value is not None:
            message = _problem(col.name, f"'negative value ' || CAST({v} AS VARCHAR)")
            out.append(Check(f"coalesce({v} < {col.min_value}, false)", message))
    for earlier, later in table.ordered:
        message = _problem(later, sql_str(f"{later} is before {earlier}"))
        out.append(Check(f"coalesce({quote(later)} < {quote(earlier)}, false)", message))
    out.extend(_nul_check(name, quote(name)) for name, src in sources.items()
               if name not in known and not name.startswith("__") and _is_varchar(src))
    return out


def _is_varchar(src: str | None) -> bool:
    return src is not None and src.upper() == "VARCHAR"


def _nul(value: str) -> str:
    return f"coalesce(contains({value}, chr(0)), false)"


def _nul_check(column: str, value: str) -> Check:
    """A NUL byte in a text value (a broken export; no tool shows it)."""
    return Check(_nul(value), _problem(column, sql_str("NUL byte in a value")))

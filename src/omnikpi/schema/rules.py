"""The validation rules of the canonical tables, declared once and rendered per engine.

A table's contract (:mod:`omnikpi.schema.tables`) gives, for each column, its type, whether
it is required or may not be empty, its allowed values and lower bound, and for the table
its ordered pairs ("accepted not before arrival"), its key and its no-overlap groups.
:func:`row_rules` turns that into a list of declarations (:class:`RowRule`), each naming a
column and a kind; :func:`render_checks` writes them as SQL for one :class:`Dialect`:
DuckDB on one machine (the loader's single pass, see :mod:`omnikpi.schema.convert`) and
Spark SQL on a cluster (:mod:`omnikpi.engine.spark_load`). The rules across rows
(:class:`UniqueKey`, :class:`NoOverlap`) are declared here too; their window queries are
plain SQL that both engines run as written.

Why render both dialects from the declarations instead of transpiling DuckDB's SQL with
sqlglot: the few functions that differ (epoch microseconds, day numbers, string literal
escapes — Spark reads ``\\`` as an escape and ``''`` as nothing) are a handful of lines
here, checked by a snapshot of the DuckDB SQL and by running the Spark SQL; a transpiler
would have to get each of them right in its own release, out of our tests' sight.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from string import Formatter

from omnikpi.instants import EARLIEST_US, FIRST_YEAR, LAST_YEAR, LATEST_US
from omnikpi.schema import problem_messages as said
from omnikpi.schema.tables import Column, ColumnType, Table

SEP = "\x1f"  # joins "column" and "message" inside one problem string
TRUE_WORDS = ("true", "1", "yes", "y", "t")
FALSE_WORDS = ("false", "0", "no", "n", "f")
NUMERIC_PREFIXES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT",
                    "USMALLINT", "UINTEGER", "UBIGINT", "FLOAT", "DOUBLE", "DECIMAL")
"""Source types (DuckDB's names; Spark's are mapped to them) read as numbers."""


@dataclass(frozen=True)
class Dialect:
    """How one engine writes the few things that differ between DuckDB and Spark SQL."""

    name: str
    text: str
    """The text type in casts."""
    sql_types: dict[ColumnType, str]

    def quote(self, name: str) -> str:
        if self.name == "spark":
            return "`" + name.replace("`", "``") + "`"
        return '"' + name.replace('"', '""') + '"'

    def literal(self, value: str) -> str:
        if self.name == "spark":  # Spark reads a backslash as an escape, '' as nothing
            return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
        return "'" + value.replace("'", "''") + "'"

    def epoch_us(self, timestamp: str, *, zoned: bool) -> str:
        """Microseconds since the epoch of a timestamp (a naive one is UTC: the loading
        session runs in UTC)."""
        if self.name == "spark":
            return f"unix_micros({timestamp})" if zoned else \
                f"unix_micros(CAST({timestamp} AS TIMESTAMP))"
        return f"epoch_us({timestamp})" if zoned else f"epoch_us(CAST({timestamp} AS TIMESTAMP))"

    def day_number(self, date: str) -> str:
        if self.name == "spark":
            return f"datediff({date}, DATE '1970-01-01')"
        return f"date_diff('day', DATE '1970-01-01', {date})"

    @property
    def zoned_timestamp(self) -> str:
        return "TIMESTAMP" if self.name == "spark" else "TIMESTAMPTZ"


DUCKDB = Dialect("duckdb", "VARCHAR", {
    ColumnType.STRING: "VARCHAR", ColumnType.TIMESTAMP: "BIGINT", ColumnType.FLOAT: "DOUBLE",
    ColumnType.BOOL: "BOOLEAN", ColumnType.DATE: "BIGINT",
})
SPARK = Dialect("spark", "STRING", {
    ColumnType.STRING: "STRING", ColumnType.TIMESTAMP: "BIGINT", ColumnType.FLOAT: "DOUBLE",
    ColumnType.BOOL: "BOOLEAN", ColumnType.DATE: "BIGINT",
})


class Kind(Enum):
    """What a row rule checks (the declaration; :func:`render_checks` writes the SQL)."""

    NUL = "a NUL byte in a text value"
    UNREADABLE = "a value that cannot be read as the column's type"
    MISSING = "an empty required value"
    UNKNOWN = "a value outside the column's choices"
    OUT_OF_YEARS = "an instant outside the years OmniKPI reports on"
    NEGATIVE = "a value below the column's minimum"
    ABOVE = "a value above the column's maximum"
    INFINITE = "an infinite number"
    BEFORE = "a later instant before its earlier one"
    NOT_ABOVE = "a number not above the one it must exceed"


@dataclass(frozen=True)
class RowRule:
    kind: Kind
    column: str
    other: str | None = None
    """For ``BEFORE``: the column that must not come after ``column``; for ``NOT_ABOVE``,
    the one ``column`` must exceed."""


@dataclass(frozen=True)
class UniqueKey:
    """Every repeat of a key after its first occurrence (in file order) is quarantined."""

    column: str


@dataclass(frozen=True)
class NoOverlap:
    """An interval that starts before an earlier one of its group has ended is
    quarantined (it would be counted twice)."""

    group: str
    start: str
    end: str


@dataclass(frozen=True)
class TableRules:
    required: tuple[str, ...]
    """Columns a file must have (else the table is unusable)."""
    key: UniqueKey | None
    no_overlap: NoOverlap | None


def table_rules(table: Table) -> TableRules:
    overlap = NoOverlap(*table.no_overlap) if table.no_overlap else None
    return TableRules(tuple(c.name for c in table.columns if c.required),
                      UniqueKey(table.key) if table.key else None, overlap)


def is_text_source(src: str | None) -> bool:
    """A source column that holds text (CSV, JSON strings) and must be parsed."""
    return src is not None and src.upper().startswith(("VARCHAR", "JSON"))


DECIMAL_COMMA_TEXT = "VARCHAR DECIMAL_COMMA"
"""The source type of a text column of a CSV file whose fields are not separated by commas
(``;``, tab): there a comma inside a number can only be a decimal comma (``12,5``, as
Excel writes numbers where the comma is the decimal sign), which is read as ``12.5``. In
a comma-separated file ``"1,234"`` may be a thousands separator, so it stays unreadable."""


INFINITIES = "CAST('Infinity' AS DOUBLE), CAST('-Infinity' AS DOUBLE)"
"""Non-finite numbers as every engine writes them (DuckDB and Spark read these words)."""

EXPECTED = {
    ColumnType.TIMESTAMP: " (ISO 8601 expected, e.g. 2024-03-05T10:00:00Z)",
    ColumnType.DATE: " (ISO 8601 date expected, e.g. 2024-03-05)",
    ColumnType.FLOAT: " (a number expected, e.g. 12.5)",
    ColumnType.BOOL: " (true/false, 1/0 or yes/no expected)",
    ColumnType.STRING: " (a text or a number expected, not an object or a list: import "
                       "the export with a mapping that names the field inside it, see "
                       "docs/connectors.md)",
}
"""What an unreadable value's problem says the column takes (the data model's forms)."""


def is_varchar(src: str | None) -> bool:
    return src is not None and src.upper() in ("VARCHAR", DECIMAL_COMMA_TEXT)


def is_numeric(src: str) -> bool:
    return src.upper().startswith(NUMERIC_PREFIXES)


UNREAD_INSTANT = -(2 ** 62)
"""The canonical value of a timestamp cell whose source holds neither text nor an instant
(a JSON number ``1796468404``, ``true``), far below every instant: such a cell has no
raw text to keep, so its value itself says it could not be read. It was read as null,
so an epoch number posted as ``abandoned_at`` left the call waiting for ever, and as
``arrived_at`` was called missing."""


def unread_source(column: Column, src: str | None) -> bool:
    """A timestamp column whose source type holds neither text nor an instant: each of its
    values is unreadable (see ``UNREAD_INSTANT``)."""
    return (column.type is ColumnType.TIMESTAMP and src is not None
            and not is_text_source(src) and not src.upper().startswith(("TIMESTAMP", "DATE")))


def source_kind(src: str | None) -> str:
    """What a value of a source type is, in the words of an unreadable value's problem."""
    src_u = (src or "").upper()
    if is_numeric(src_u):
        return said.A_NUMBER
    return said.TRUE_FALSE if src_u == "BOOLEAN" else \
        said.A_TYPED_VALUE.format(source=src_u.lower())


def nested_source(src: str | None) -> bool:
    """A source type whose values are objects, lists or maps (a JSON Lines field written
    as ``{"id": "q9"}`` in every line, a Parquet struct): no value of it is text."""
    src_u = (src or "").upper()
    return src_u.startswith(("STRUCT", "MAP", "ARRAY", "LIST", "UNION")) or src_u.endswith("]")


def may_nest(column: Column, src: str | None) -> bool:
    """A text column whose source may hold an object or a list (a JSON-typed field, whose
    values mix kinds, or a nested type). Such a value was kept as its JSON text: a queue
    named ``{"id":"q9","name":"Billing"}`` (an export's nested object mapped by its
    outer name) counted as one more queue without a word. It is an unreadable value."""
    return column.type is ColumnType.STRING and src is not None and (
        src.upper() == "JSON" or nested_source(src))


def parsed(column: Column, src: str | None) -> bool:
    """Whether the column's value is read from a source that may not hold one (its raw
    text kept for messages): parsed from text, or a text column that may nest."""
    return (column.type is not ColumnType.STRING and is_text_source(src)) \
        or may_nest(column, src)


def row_rules(table: Table, sources: dict[str, str]) -> list[RowRule]:
    """Every rule a single row must keep, in the order its problems are listed."""
    out: list[RowRule] = []
    for col in table.columns:
        src = sources.get(col.name)
        if is_varchar(src):
            out.append(RowRule(Kind.NUL, col.name))
        if parsed(col, src) or unread_source(col, src):
            out.append(RowRule(Kind.UNREADABLE, col.name))
        if col.not_null:
            out.append(RowRule(Kind.MISSING, col.name))
        if col.choices:
            out.append(RowRule(Kind.UNKNOWN, col.name))
        if col.type is ColumnType.TIMESTAMP:
            out.append(RowRule(Kind.OUT_OF_YEARS, col.name))
        if col.min_value is not None:
            out.append(RowRule(Kind.NEGATIVE, col.name))
        if col.max_value is not None:
            out.append(RowRule(Kind.ABOVE, col.name))
        if col.type is ColumnType.FLOAT:
            out.append(RowRule(Kind.INFINITE, col.name))
    out.extend(RowRule(Kind.BEFORE, later, earlier) for earlier, later in table.ordered)
    out.extend(RowRule(Kind.NOT_ABOVE, higher, lower) for lower, higher in table.wider)
    known = set(table.column_names)
    out.extend(RowRule(Kind.NUL, name) for name, src in sources.items()
               if name not in known and not name.startswith("__") and is_varchar(src))
    return out


@dataclass(frozen=True)
class Check:
    condition: str
    """SQL that is true when the row breaks the rule (never null)."""
    message: str
    """SQL giving ``column<SEP>message`` for the problem report."""


def raw_text(col: str, d: Dialect = DUCKDB, src: str | None = None) -> str:
    """The cell as trimmed text, empty text as null.

    A JSON-typed source column (DuckDB's type for a JSON Lines field whose values mix
    kinds: a text id in one line, a number in another) is read as each value's own text
    (``c1``, ``2``), not as JSON, whose text keeps a string's quotes (``"c1"``)."""
    if src is not None and src.upper() == "JSON" and d.name == "duckdb":
        return f"NULLIF(trim(json_extract_string({d.quote(col)}, '$')), '')"
    if nested_source(src):  # an object or a list, shown as the JSON it was written as
        return f"NULLIF(trim(CAST(to_json({d.quote(col)}) AS {d.text})), '')"
    return f"NULLIF(trim(CAST({d.quote(col)} AS {d.text})), '')"


def typed_sql(column: Column, src: str | None, d: Dialect = DUCKDB) -> str:
    """Expression giving the canonical value, before defaults; null if it cannot be read."""
    if src is None:
        return f"CAST(NULL AS {d.sql_types[column.type]})"
    q = d.quote(column.name)
    src_u = src.upper()
    text = raw_text(column.name, d, src)
    match column.type:
        case ColumnType.STRING:
            if nested_source(src):
                return f"CAST(NULL AS {d.text})"
            if src_u == "JSON" and d.name == "duckdb":
                text = f"CASE WHEN json_type({q}) NOT IN ('OBJECT', 'ARRAY') THEN {text} END"
            return f"lower({text})" if column.choices or column.lowercase else text
        case ColumnType.TIMESTAMP:
            if src_u.startswith("TIMESTAMP WITH TIME ZONE"):
                return d.epoch_us(q, zoned=True)
            if src_u.startswith(("TIMESTAMP", "DATE")):
                return d.epoch_us(q, zoned=False)
            if unread_source(column, src):
                return f"CASE WHEN {q} IS NOT NULL THEN {UNREAD_INSTANT} END"
            return d.epoch_us(f"try_cast({text} AS {d.zoned_timestamp})", zoned=True)
        case ColumnType.FLOAT:
            # NaN is a missing number (numpy and polars write one for "no value"); in a
            # text file it is a word the column cannot read
            if is_numeric(src_u):
                return _no_nan(f"CAST({q} AS DOUBLE)")
            if src_u == DECIMAL_COMMA_TEXT and d.name == "duckdb":
                return _no_nan(f"try_cast(CASE WHEN regexp_full_match({text}, "
                               f"'[+-]?[0-9]*,[0-9]+') THEN replace({text}, ',', '.') "
                               f"ELSE {text} END AS DOUBLE)")
            return _no_nan(f"try_cast({text} AS DOUBLE)")
        case ColumnType.BOOL:
            if src_u == "BOOLEAN":
                return q
            if is_numeric(src_u):
                return f"({q} <> 0)"
            true = "(" + ", ".join(d.literal(w) for w in TRUE_WORDS) + ")"
            false = "(" + ", ".join(d.literal(w) for w in FALSE_WORDS) + ")"
            return (f"CASE WHEN lower({text}) IN {true} THEN TRUE "
                    f"WHEN lower({text}) IN {false} THEN FALSE END")
        case ColumnType.DATE:
            if src_u.startswith(("DATE", "TIMESTAMP")):
                return d.day_number(f"CAST({q} AS DATE)")
            return d.day_number(f"try_cast({text} AS DATE)")
    raise AssertionError(column.type)


def _no_nan(number: str) -> str:
    """``number`` with NaN read as null (``isnan``: DuckDB's NULLIF did not match the NaN
    of a Parquet file)."""
    return f"CASE WHEN isnan({number}) THEN NULL ELSE {number} END"


def default_sql(column: Column, d: Dialect = DUCKDB) -> str | None:
    if column.default is None:
        return None
    if column.type is ColumnType.BOOL:
        return "TRUE" if column.default == "true" else "FALSE"
    return d.literal(column.default)


def value_sql(column: Column, src: str | None, d: Dialect = DUCKDB) -> str:
    """Canonical value with the column's default applied to empty cells, and to empty
    cells only: a cell it cannot read stays null, so that its problem is reported
    (``transferred = да`` was read as the default, not transferred, without a word)."""
    typed = typed_sql(column, src, d)
    default = default_sql(column, d)
    if not default:
        return typed
    if parsed(column, src):
        return f"CASE WHEN {raw_text(column.name, d, src)} IS NULL THEN {default} ELSE {typed} END"
    return f"COALESCE({typed}, {default})"


def _nul(value: str) -> str:
    return f"coalesce(contains({value}, chr(0)), false)"


def render_checks(table: Table, sources: dict[str, str], d: Dialect = DUCKDB) -> list[Check]:
    """The row rules as SQL over the converted relation, which has the canonical value of
    each column ``c`` as ``c`` and, for columns read from text, the raw text as
    ``__raw_c`` (to report what could not be read)."""
    columns = {c.name: c for c in table.columns}

    def problem(of: str, template: str, sql: dict[str, str] | None = None, /,
                **words: str) -> str:
        """``of<SEP>message`` as SQL (``of`` the column the problem is listed under): the
        template's text with ``words`` filled in as literals and the ``sql`` fields as
        the expressions they name."""
        parts, text = [d.literal(of + SEP)], ""
        for literal, field, _, _ in Formatter().parse(template):
            text += literal
            if field is None:
                continue
            if field in words:
                text += words[field]
            else:
                parts += [d.literal(text)] if text else []
                parts.append((sql or {})[field])
                text = ""
        return " || ".join([*parts, d.literal(text)] if text else parts)

    out: list[Check] = []
    for rule in row_rules(table, sources):
        col = columns.get(rule.column)
        v = d.quote(rule.column)
        raw = d.quote("__raw_" + rule.column)
        src = sources.get(rule.column)
        is_parsed = col is not None and parsed(col, src)
        # an unreadable instant is said once, not again as out of the years or too early
        unread = f"{v} <> {UNREAD_INSTANT} AND " \
            if col is not None and unread_source(col, src) else ""
        match rule.kind:
            case Kind.NUL:
                out.append(Check(_nul(raw if is_parsed else v),
                                 problem(rule.column, said.NUL_BYTE)))
            case Kind.UNREADABLE if col is not None and unread_source(col, src):
                out.append(Check(f"coalesce({v} = {UNREAD_INSTANT}, false)", problem(
                    col.name, said.UNREADABLE_KIND, kind=source_kind(src),
                    type=col.type.value, expected=EXPECTED[col.type])))
            case Kind.UNREADABLE:
                assert col is not None
                out.append(Check(
                    f"({raw} IS NOT NULL AND {v} IS NULL AND NOT {_nul(raw)})",
                    problem(col.name, said.UNREADABLE, {"value": raw},
                            type=col.type.value, expected=EXPECTED[col.type])))
            case Kind.MISSING:
                guard = f"{raw} IS NULL AND " if is_parsed else ""
                why = col.when_missing if col is not None else ""
                out.append(Check(f"({guard}{v} IS NULL)",
                                 problem(rule.column, said.MISSING, why=why)))
            case Kind.UNKNOWN:
                assert col is not None and col.choices
                allowed = ", ".join(d.literal(c) for c in col.choices)
                out.append(Check(f"coalesce({v} NOT IN ({allowed}), false)", problem(
                    col.name, said.UNKNOWN, {"value": v}, choices=", ".join(col.choices))))
            case Kind.OUT_OF_YEARS:
                outside = f"{v} < {EARLIEST_US} OR {v} >= {LATEST_US}"
                out.append(Check(
                    f"coalesce({unread}({outside}), false)" if unread
                    else f"coalesce({outside}, false)",
                    problem(rule.column, said.OUT_OF_YEARS, first=str(FIRST_YEAR),
                            last=str(LAST_YEAR))))
            case Kind.NEGATIVE:
                assert col is not None and col.min_value is not None
                # a minimum other than 0 says so ("negative value 0" read as nonsense)
                value = {"value": f"CAST({v} AS {d.text})"}
                below = (problem(col.name, said.NEGATIVE, value) if col.min_value == 0 else
                         problem(col.name, said.BELOW_MINIMUM, value,
                                 minimum=f"{col.min_value:g}"))
                out.append(Check(f"coalesce({v} < {col.min_value}, false)", below))
            case Kind.ABOVE:
                assert col is not None and col.max_value is not None
                out.append(Check(f"coalesce({v} > {col.max_value}, false)", problem(
                    col.name, said.ABOVE_MAXIMUM, {"value": f"CAST({v} AS {d.text})"},
                    maximum=f"{col.max_value:g}")))
            case Kind.INFINITE:
                out.append(Check(f"coalesce({v} IN ({INFINITIES}), false)",
                                 problem(rule.column, said.INFINITE)))
            case Kind.BEFORE:
                assert rule.other is not None
                other = d.quote(rule.other)
                if col is not None and col.type is ColumnType.FLOAT:  # numbers: say values
                    message = problem(rule.column, said.NUMBER_BELOW, {
                        "value": f"CAST({v} AS {d.text})",
                        "other_value": f"CAST({other} AS {d.text})"},
                        column=rule.column, other=rule.other)
                else:
                    message = problem(rule.column, said.BEFORE, column=rule.column,
                                      other=rule.other)
                out.append(Check(f"coalesce({unread}{v} < {other}, false)", message))
            case Kind.NOT_ABOVE:
                assert rule.other is not None
                other = d.quote(rule.other)
                out.append(Check(f"coalesce({v} <= {other}, false)", problem(
                    rule.column, said.NOT_ABOVE, {
                        "value": f"CAST({v} AS {d.text})",
                        "other_value": f"CAST({other} AS {d.text})",
                        "scale": f"CASE WHEN {v} = {other} THEN "
                                 f"{d.literal(said.ONE_POINT_SCALE)} ELSE '' END"},
                    column=rule.column, other=rule.other)))
    return out

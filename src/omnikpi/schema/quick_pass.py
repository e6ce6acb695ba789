"""Proving a typed Parquet file clean from a few aggregates over its raw columns.

The first pass (:func:`omnikpi.schema.first_pass.scan`) evaluates every rule on every row
over the *converted* values: each text cell trimmed, each instant turned into epoch
microseconds, all rules OR-ed into one flag. On a 10 M-row daily export that cost more
than reading the file (1.57 s of rules against 0.47 s of reading, `bench/RESULTS.md`), and
a new file's first report paid it in full.

Most daily exports come typed (Parquet) and clean. For them, the rules can be decided
from aggregates of the raw columns, each of them cheap:

- a text cell that trimming would change, or that is empty, or holds a NUL byte, starts
  with a byte below ``!`` (an empty text sorts there too: the column's least value
  shows it), ends with a space, contains ``chr(0)``, or is not ASCII and differs from its
  trimmed self. DuckDB's ``trim`` removes
  Unicode space separators only, and the only ASCII one is the space, so when no cell is
  "odd" the converted value *is* the raw text and its count is the raw count;
- an instant outside the years, from the column's first and last value (the conversion
  to microseconds keeps the order);
- "a later instant before its earlier one", compared on the raw values when both columns
  have the same source type (an order-keeping conversion cannot make a pair reversed that
  was not reversed in the source);
- a value outside a column's choices when every raw value *is* one of them; a negative
  value from ``count_if`` over the numbers; a missing value from the counts.

When every check passes, no row breaks a rule and the facts the first pass would measure
over the good rows are the aggregates over all rows: :func:`prove_clean` returns them. When
any check fails, or a column has a shape these checks do not cover (text to be parsed,
choices read from numbers, a default for an instant), it returns ``None`` and the loader
runs the first pass as before, so the problems and the quarantine are exactly as they
were. A property test (``tests/unit/test_quick_pass.py``) holds the two to the same facts
on random files with every kind of odd value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import duckdb

from omnikpi.instants import EARLIEST_US, LATEST_US
from omnikpi.schema.convert import quote, sql_str, typed_sql
from omnikpi.schema.facts import DOMAIN_COLUMNS
from omnikpi.schema.files import Reading
from omnikpi.schema.first_pass import FileFacts, distinct_in_order, plain_candidates
from omnikpi.schema.rules import is_numeric, is_varchar
from omnikpi.schema.tables import Column, ColumnType, Table

TIMESTAMP_SOURCES = ("TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "TIMESTAMP_NS", "TIMESTAMP_MS",
                     "TIMESTAMP_S", "DATE")
"""Source types an instant column is read from by an order-keeping conversion."""


def _odd_text(q: str) -> str:
    """True for a text that ends in a space, holds a NUL byte or is not ASCII and changes
    when trimmed (its start is checked by the column's least value: see ``_plan``)."""
    # CASE, not AND: DuckDB evaluates both sides of an AND inside an aggregate's argument
    # (trimming every text doubled the pass), while a CASE trims only the non-ASCII ones
    return (f"(suffix({q}, ' ') OR contains({q}, chr(0)) OR CASE WHEN strlen({q}) <> "
            f"length({q}) THEN trim({q}) <> {q} ELSE false END)")


@dataclass
class _Plan:
    """The aggregates of one quick pass and how to read their values back."""

    inner: list[str] = field(default_factory=list)
    """Aggregates over the raw file, each named ``__a<i>``."""
    outer: list[str] = field(default_factory=list)
    """Expressions over the aggregates (conversions of first and last instants)."""
    zero: list[int] = field(default_factory=list)
    """Outer positions that must be 0 for the file to be clean."""
    read: Callable[[tuple[Any, ...], FileFacts], bool] | None = None
    """Fills the facts from the outer row; false when a rule is broken."""

    def aggregate(self, sql: str) -> str:
        name = f"__a{len(self.inner)}"
        self.inner.append(f"{sql} AS {name}")
        return name

    def out(self, sql: str) -> int:
        self.outer.append(sql)
        return len(self.outer) - 1

    def must_be_zero(self, sql: str) -> None:
        self.zero.append(self.out(self.aggregate(sql)))


def _choices_sql(column: Column) -> str:
    return "(" + ", ".join(sql_str(c) for c in column.choices) + ")"


def _plan(table: Table, sources: dict[str, str], candidates: list[str]) -> _Plan | None:
    """The aggregates deciding every rule of ``table`` for files of these ``sources``, or
    ``None`` when a column's shape is not covered (the full first pass decides then)."""
    plan = _Plan()
    rows = plan.out(plan.aggregate("count(*)"))
    counts: dict[str, int | None] = {}
    """Outer position of a column's raw count (None: the column is absent)."""
    least: dict[str, int] = {}
    """Outer position of a text column's least value."""
    for col in table.columns:
        src = sources.get(col.name)
        q = quote(col.name)
        if src is None:
            if col.default is None and col.not_null:
                return None  # every row misses a required value
            if col.default is not None and (
                col.type in (ColumnType.TIMESTAMP, ColumnType.DATE)
                or (col.choices and col.default not in col.choices)
                or (col.min_value is not None and float(col.default) < col.min_value)
                or (col.max_value is not None and float(col.default) > col.max_value)
            ):
                return None
            counts[col.name] = None
            continue
        src_u = src.upper()
        if (col.min_value is not None or col.max_value is not None) \
                and col.type is not ColumnType.FLOAT:
            return None
        counts[col.name] = plan.out(plan.aggregate(f"count({q})"))
        match col.type:
            case ColumnType.STRING:
                if is_varchar(src):
                    plan.must_be_zero(f"count_if({_odd_text(q)})")
                    # a text sorts below '!' when it is empty or starts with a space or a
                    # control byte; the least value says whether any does (per row, the
                    # comparison cost as much as the other checks together)
                    least[col.name] = plan.out(plan.aggregate(f"min({q})"))
                elif col.choices or not is_numeric(src_u) or col.name in DOMAIN_COLUMNS.get(
                        table.name, ()):
                    return None
                if col.choices:  # every value exactly one of the (lower-case) choices
                    plan.must_be_zero(f"count_if({q} NOT IN {_choices_sql(col)})")
                elif col.lowercase and col.name not in DOMAIN_COLUMNS.get(table.name, ()):
                    # every value in lower case already (a domain column's distinct
                    # values, gathered anyway, are checked after the scan instead)
                    plan.must_be_zero(f"count_if({q} <> lower({q}))")
            case ColumnType.TIMESTAMP:
                if not src_u.startswith(TIMESTAMP_SOURCES) or col.default is not None:
                    return None
                for end in ("min", "max"):
                    name = plan.aggregate(f"{end}({q})")
                    plan.out(typed_sql(replace(col, name=name), src))
            case ColumnType.DATE:
                if not src_u.startswith(TIMESTAMP_SOURCES) or col.default is not None:
                    return None
            case ColumnType.FLOAT:
                if not is_numeric(src_u):
                    return None
                # a NaN is read as missing and an infinity is a problem: the per-row pass
                plan.must_be_zero(f"count_if(NOT isfinite(CAST({q} AS DOUBLE)))")
                if col.min_value is not None:
                    plan.must_be_zero(f"count_if(CAST({q} AS DOUBLE) < {col.min_value})")
                if col.max_value is not None:
                    plan.must_be_zero(f"count_if(CAST({q} AS DOUBLE) > {col.max_value})")
            case ColumnType.BOOL:
                if src_u != "BOOLEAN" and not is_numeric(src_u):
                    return None
    for earlier, later in table.ordered:
        a, b = sources.get(earlier), sources.get(later)
        if a is None or b is None:
            continue  # an absent instant is null: the pair is never reversed
        if a.upper() != b.upper():
            return None
        plan.must_be_zero(f"count_if({quote(later)} < {quote(earlier)})")
    for lower, higher in table.wider:
        a, b = sources.get(lower), sources.get(higher)
        if a is None or b is None:
            continue
        if a.upper() != b.upper():
            return None
        plan.must_be_zero(f"count_if({quote(higher)} <= {quote(lower)})")
    known = set(table.column_names)
    for name, src in sources.items():
        if name not in known and not name.startswith("__") and is_varchar(src):
            plan.must_be_zero(f"count_if(contains({quote(name)}, chr(0)))")
    domains: dict[str, int] = {}
    for name in DOMAIN_COLUMNS.get(table.name, ()):
        col = table.column(name)
        value = quote(name) if name in sources else "CAST(NULL AS VARCHAR)"
        if col.default is not None:
            value = f"coalesce({value}, {sql_str(col.default)})"
        domains[name] = plan.out(plan.aggregate(f"list(DISTINCT {value})"))

    def read(row: tuple[Any, ...], facts: FileFacts) -> bool:
        n = int(row[rows])
        facts.rows = n
        for col in table.columns:
            at = counts[col.name]
            raw = 0 if at is None else int(row[at])
            count = n if col.default is not None else raw
            if col.not_null and count != n:
                return False
            facts.counts[col.name] = count
        if any(row[at] is not None and str(row[at]) < "!" for at in least.values()):
            return False
        for col in table.columns:
            if col.type is not ColumnType.TIMESTAMP:
                continue
            at = counts[col.name]
            low, high = (None, None) if at is None else (row[at + 1], row[at + 2])
            if low is None or high is None:
                facts.bounds[col.name] = (None, None)
                continue
            if int(low) < EARLIEST_US or int(high) >= LATEST_US:
                return False
            facts.bounds[col.name] = (int(low), int(high))
        for name, at in domains.items():
            values = [None if v is None else str(v) for v in row[at] or []]
            if table.column(name).lowercase and any(
                    v is not None and v != v.lower() for v in values):
                return False  # a value the loader turns to lower case: not canonical
            facts.domains[name] = distinct_in_order(values)

        def raw_count(name: str) -> int:
            at = counts[name]
            return 0 if at is None else int(row[at])

        facts.plain = [c for c in candidates  # a default fills nulls: plain if none
                       if table.column(c).default is None or raw_count(c) == n]
        return True

    plan.read = read
    return plan


def prove_clean(con: duckdb.DuckDBPyConnection, table: Table, reading: Reading,
                sources: dict[str, str]) -> FileFacts | None:
    """The first pass's facts of a typed Parquet file none of whose rows breaks a rule,
    from one aggregate scan of its raw columns; ``None`` when the file is not proved clean
    (it may still be: the full first pass decides)."""
    if reading.file.format != "parquet" or reading.tolerant:
        return None
    candidates = plain_candidates(table, reading.file, sources)
    plan = _plan(table, sources, candidates)
    if plan is None:
        return None
    try:
        row = con.execute(f"SELECT {', '.join(plan.outer)} FROM (SELECT "
                          f"{', '.join(plan.inner)} FROM {reading.relation()})").fetchone()
    except duckdb.Error:
        return None  # the full pass meets the same error, and reports it as it always has
    if row is None or not row[0] or any(row[i] for i in plan.zero):
        return None
    facts = FileFacts(0, 0, {}, {}, {})
    assert plan.read is not None
    return facts if plan.read(row, facts) else None

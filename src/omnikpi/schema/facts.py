"""What the engine may assume of the loaded rows, measured once after validation: each
timestamp column's first and last value, the distinct channels, the empty columns."""

from __future__ import annotations

from typing import Any

import duckdb

from omnikpi.schema.convert import (
    quote,
)
from omnikpi.schema.model import Bounds, Dataset, Domains
from omnikpi.schema.tables import TABLES, ColumnType

DOMAIN_COLUMNS = {"contacts": ("channel",)}
"""Text columns whose distinct values the validation pass records (when there are at most
``DOMAIN_MAX``): the engine folds what it derives from them (a contact's mode and
service-level threshold come from its channel) into constants or exact-value lists."""
DOMAIN_MAX = 64

def _measure(dataset: Dataset, known: dict[str, dict[str, Any]] | None = None) -> None:
    """What the engine may assume of the loaded rows: each timestamp column's first and
    last value, the distinct channels, the columns without a value. Measured once after
    validation (and kept with a cached verdict), so every report on these rows compiles
    the same way whether or not the verdict came from the cache. ``known`` has the facts
    the validation pass found already for some tables (``first_pass.merged_facts``)."""
    bounds: Bounds = {}
    domains: Domains = {}
    empty: dict[str, tuple[str, ...]] = {}
    for name, load in dataset.loads.items():
        found = (known or {}).get(name)
        if load.usable and found is not None:
            bounds[name] = dict(found["bounds"])
            domains[name] = dict(found["domains"])
            empty[name] = tuple(found["empty"])
        elif load.usable:
            bounds[name] = _bounds(dataset.con, name)
            domains[name] = _domains(dataset.con, name)
            empty[name] = _empty_columns(dataset.con, name)
    dataset.bounds, dataset.domains, dataset.empty = bounds, domains, empty


def _bounds(con: duckdb.DuckDBPyConnection, name: str) -> dict[str, tuple[int | None,
                                                                         int | None]]:
    """First and last value of each timestamp column of a loaded table."""
    cols = [c.name for c in TABLES[name].columns if c.type is ColumnType.TIMESTAMP]
    if not cols:
        return {}
    parts = ", ".join(f"min({quote(c)}), max({quote(c)})" for c in cols)
    row = con.execute(f"SELECT {parts} FROM {quote(name)}").fetchone()
    assert row is not None
    return {
        c: (None if row[2 * i] is None else int(row[2 * i]),
            None if row[2 * i + 1] is None else int(row[2 * i + 1]))
        for i, c in enumerate(cols)
    }


def _empty_columns(con: duckdb.DuckDBPyConnection, name: str) -> tuple[str, ...]:
    """Columns of a loaded table without a single value (absent from every file, or
    empty): the engine leaves them out of what it derives (``COALESCE(x, y)`` is ``y``)."""
    cols = [c.name for c in TABLES[name].columns]
    counts = ", ".join(f"count({quote(c)})" for c in cols)
    row = con.execute(f"SELECT {counts} FROM {quote(name)}").fetchone()
    assert row is not None
    return tuple(c for c, n in zip(cols, row, strict=True) if int(n) == 0)


def _domains(con: duckdb.DuckDBPyConnection, name: str) -> dict[str, tuple[str, ...]]:
    """Distinct values of a loaded table's ``DOMAIN_COLUMNS`` (up to ``DOMAIN_MAX`` each)."""
    found: dict[str, tuple[str, ...]] = {}
    for column in DOMAIN_COLUMNS.get(name, ()):
        rows = con.execute(
            f"SELECT DISTINCT {quote(column)} FROM {quote(name)} LIMIT {DOMAIN_MAX + 1}"
        ).fetchall()
        if len(rows) <= DOMAIN_MAX and all(r[0] is not None for r in rows):
            found[column] = tuple(sorted(str(r[0]) for r in rows))
    return found



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

DOMAIN_COLUMNS = {"contacts": ("channel", "direction")}
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
            bounds[name], empty[name] = _bounds_and_empty(dataset.con, name)
            domains[name] = _domains(dataset.con, name)
    dataset.bounds, dataset.domains, dataset.empty = bounds, domains, empty


def _bounds_and_empty(con: duckdb.DuckDBPyConnection, name: str
                      ) -> tuple[dict[str, tuple[int | None, int | None]], tuple[str, ...]]:
    """First and last value of each timestamp column of a loaded table, and the columns
    without a single value (absent from every file, or empty: the engine leaves them out
    of what it derives, ``COALESCE(x, y)`` is ``y``), in one scan of the table (two scans
    were most of a live reload's measuring)."""
    table = TABLES[name]
    stamps = [c.name for c in table.columns if c.type is ColumnType.TIMESTAMP]
    cols = [c.name for c in table.columns]
    parts = [f"count({quote(c)})" for c in cols] + [
        f"{end}({quote(c)})" for c in stamps for end in ("min", "max")]
    row = con.execute(f"SELECT {', '.join(parts)} FROM {quote(name)}").fetchone()
    assert row is not None
    counts, ends = row[:len(cols)], row[len(cols):]
    bounds = {
        c: (None if ends[2 * i] is None else int(ends[2 * i]),
            None if ends[2 * i + 1] is None else int(ends[2 * i + 1]))
        for i, c in enumerate(stamps)
    }
    return bounds, tuple(c for c, n in zip(cols, counts, strict=True) if int(n) == 0)


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



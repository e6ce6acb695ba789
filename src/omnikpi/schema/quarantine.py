"""Rules across rows (duplicate ids, overlapping agent states): the rows that break them
are listed with their reason and left out of the KPIs, never dropped silently."""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from omnikpi.instants import to_datetime
from omnikpi.schema import problem_messages as said
from omnikpi.schema.convert import (
    quote,
)
from omnikpi.schema.files import TableFile
from omnikpi.schema.model import MAX_PROBLEMS_KEPT, Problem
from omnikpi.schema.tables import Table


def _flag_overlaps(
    con: duckdb.DuckDBPyConnection, table: Table, staged: str, files: list[TableFile],
    quarantine: str,
) -> tuple[list[Problem], int]:
    """Quarantine an interval that starts before an earlier one of its group has ended."""
    assert table.no_overlap
    group, start, end = (quote(c) for c in table.no_overlap)
    found = f"{quarantine}_overlaps"
    con.execute(
        f"""CREATE TEMP TABLE {found} AS SELECT __file, __row, {group} AS value, prev_end FROM (
              SELECT __file, __row, {group}, {start},
                max({end}) OVER (PARTITION BY {group} ORDER BY {start}, __file, __row
                                 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
              FROM {staged} WHERE NOT __bad)
            WHERE {start} < prev_end"""
    )
    return _quarantine(
        con, found, quarantine, "value, prev_end",
        lambda file_index, row, value, prev_end: Problem(
            table.name, files[file_index].display, int(row), table.no_overlap[1],  # type: ignore[index]
            said.OVERLAP.format(table=table.name, group=table.no_overlap[0],  # type: ignore[index]
                                value=value, end=to_datetime(int(prev_end)).isoformat()),
        ),
    )


def _flag_duplicates(
    con: duckdb.DuckDBPyConnection, table: Table, staged: str, files: list[TableFile],
    quarantine: str,
) -> tuple[list[Problem], int]:
    """Quarantine every repeat of a key after its first occurrence (in file order)."""
    assert table.key
    key = quote(table.key)
    found = f"{quarantine}_duplicates"
    con.execute(
        f"""CREATE TEMP TABLE {found} AS
            SELECT __file, __row, {key} AS value, first_file, first_row FROM (
              SELECT __file, __row, {key},
                row_number() OVER w AS rn,
                first_value(__file) OVER w AS first_file,
                first_value(__row) OVER w AS first_row
              FROM {staged}
              WHERE NOT __bad AND {key} IN (
                SELECT {key} FROM {staged} WHERE NOT __bad GROUP BY {key} HAVING count(*) > 1)
              WINDOW w AS (PARTITION BY {key} ORDER BY __file, __row)
            ) WHERE rn > 1"""
    )
    return _quarantine(
        con, found, quarantine, "value, first_file, first_row",
        lambda file_index, row, value, first_file, first_row: Problem(
            table.name, files[file_index].display, int(row), table.key,
            said.DUPLICATE.format(key=table.key, value=value,
                                  first_file=files[first_file].display, first_row=first_row),
        ),
    )


def _quarantine(
    con: duckdb.DuckDBPyConnection, found: str, quarantine: str, detail: str,
    describe_row: Callable[..., Problem],
) -> tuple[list[Problem], int]:
    """Move the rows of ``found`` into the quarantine list; describe the first ones."""
    con.execute(f"INSERT INTO {quarantine} SELECT __file, __row FROM {found}")
    total = con.execute(f"SELECT count(*) FROM {found}").fetchone()
    rows = con.execute(
        f"SELECT __file, __row, {detail} FROM {found} ORDER BY __file, __row "
        f"LIMIT {MAX_PROBLEMS_KEPT}"
    ).fetchall()
    con.execute(f"DROP TABLE {found}")
    return [describe_row(*row) for row in rows], int(total[0]) if total else 0



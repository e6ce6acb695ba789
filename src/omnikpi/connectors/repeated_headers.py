"""Header lines found among a CSV's data rows, left out and counted.

Exports joined with ``cat`` (a header at the top of every part), a report saved with a
blank line or two above its header, a sheet with empty rows above its column names: the
reader then returns the header line itself as a row of data, every value its column's
name. Mapped, such a row became a contact whose id was ``id`` and whose queue was
``queue`` — a phantom, reported only as a time that could not be read. It is no record:
it is left out and counted under :data:`REASON`, as a blank row of a sheet is.
"""

from __future__ import annotations

import duckdb

from omnikpi.schema.convert import quote, sql_str

REASON = "a header line repeated among the data (files joined, or blank lines above the header)"


def drop_repeated_headers(con: duckdb.DuckDBPyConnection, table: str = "raw") -> int:
    """Delete from ``table`` (text columns read with a header line) the rows whose every
    value is empty or its own column's name, at least two of them (or the only column)
    named; how many there were."""
    names = [str(row[0]) for row in con.execute(f"DESCRIBE {table}").fetchall()]
    if not names:
        return 0
    named = " + ".join(
        f"CASE WHEN lower(trim(CAST({quote(n)} AS VARCHAR))) = {sql_str(n.lower())} "
        f"THEN 1 ELSE 0 END" for n in names)
    other = " OR ".join(
        f"({quote(n)} IS NOT NULL AND lower(trim(CAST({quote(n)} AS VARCHAR))) "
        f"<> {sql_str(n.lower())})" for n in names)
    header = f"({named}) >= {min(2, len(names))} AND NOT ({other})"
    found = int(con.execute(f"SELECT count(*) FROM {table} WHERE {header}"
                            ).fetchone()[0])  # type: ignore[index]
    if found:
        con.execute(f"DELETE FROM {table} WHERE {header}")
    return found

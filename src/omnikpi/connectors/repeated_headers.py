"""Header lines found among a CSV's data rows, left out and counted.

Exports joined with ``cat`` (a header at the top of every part), a report saved with a
blank line or two above its header, a sheet with empty rows above its column names: the
reader then returns the header line itself as a row of data, every value its column's
name. Mapped, such a row became a contact whose id was ``id`` and whose queue was
``queue`` — a phantom, reported only as a time that could not be read. It is no record:
it is left out and counted under :data:`REASON`, as a blank row of a sheet is.

A part that starts with a byte-order mark (U+FEFF: Excel's and Notepad's "UTF-8 with
BOM", or UTF-16) keeps it when parts are joined: the repeated header's first value was
``\\ufeffcall_id``, not the column's name, and the header became a contact. The mark
says how the part's bytes are ordered; it is no text, and a value does not start with
it: it is taken off the start of every value (:func:`strip_line_marks`) before headers
are looked for.
"""

from __future__ import annotations

import duckdb

from omnikpi.schema.convert import quote, sql_str

REASON = "a header line repeated among the data (files joined, or blank lines above the header)"
MARK = "\ufeff"
"""The byte-order mark, as text (U+FEFF)."""


def strip_line_marks(con: duckdb.DuckDBPyConnection, table: str = "raw") -> int:
    """Take the byte-order marks (U+FEFF) off the start of the text values of ``table``
    (a part of joined files starts with one: it is not its first value's); how many
    rows had one."""
    texts = [str(row[0]) for row in con.execute(f"DESCRIBE {table}").fetchall()
             if str(row[1]) == "VARCHAR"]
    if not texts:
        return 0
    marked = " OR ".join(f"starts_with({quote(n)}, {sql_str(MARK)})" for n in texts)
    found = int(con.execute(f"SELECT count(*) FROM {table} WHERE {marked}"
                            ).fetchone()[0])  # type: ignore[index]
    if found:
        con.execute(f"UPDATE {table} SET " + ", ".join(
            f"{quote(n)} = ltrim({quote(n)}, {sql_str(MARK)})" for n in texts
        ) + f" WHERE {marked}")
    return found


def drop_repeated_headers(con: duckdb.DuckDBPyConnection, table: str = "raw") -> int:
    """Delete from ``table`` (text columns read with a header line) the rows whose every
    value is empty or its own column's name, at least two of them (or the only column)
    named; how many there were. Byte-order marks at the start of values are taken off
    first (:func:`strip_line_marks`)."""
    names = [str(row[0]) for row in con.execute(f"DESCRIBE {table}").fetchall()]
    if not names:
        return 0
    strip_line_marks(con, table)
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

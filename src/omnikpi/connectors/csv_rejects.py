"""A CSV export with a line the reader cannot split: the other lines imported, that line
counted with its file, line number and DuckDB's reason.

A platform's CSV export now and then holds a line of another shape: a note with an
unquoted comma (one field too many), a line cut by a crash (too few), an agent's free
text with a stray quote. DuckDB's reader stops on the first such line (or, when it falls
in the sample it sniffs, cannot even guess the dialect), and the whole export was
refused. Read again with ``store_rejects``, every line it cannot split goes to its
``reject_errors`` table with the file and line instead; ``store_rejects`` does not work
with ``union_by_name``, so each file is read alone and the files are put together by
column name, as ``union_by_name`` does.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import duckdb

from omnikpi.connectors.failing_rows import short
from omnikpi.connectors.reject_file import Reject


def read_leaving_out_bad_lines(con: duckdb.DuckDBPyConnection, files: list[Path],
                               reader: Callable[[Path], str]
                               ) -> tuple[Counter[str], list[Reject]]:
    """``raw``: the lines of ``files`` that ``reader(file)`` (a ``read_csv`` call with
    ``store_rejects``) can split; the lines it cannot, counted by reason (each reason
    names the first such line), and each with its text for ``rejects.csv``."""
    parts = []
    for number, path in enumerate(files):
        try:
            con.execute(f"CREATE TEMP TABLE raw_part_{number} AS SELECT * FROM {reader(path)}")
        except duckdb.Error as exc:
            raise UnreadableFile(number, exc) from exc
        parts.append(f"SELECT * FROM raw_part_{number}")
    con.execute(f"CREATE TABLE raw AS {' UNION ALL BY NAME '.join(parts)}")
    for number in range(len(files)):
        con.execute(f"DROP TABLE raw_part_{number}")
    found = con.execute(
        "SELECT s.file_path, e.line, e.error_type, e.error_message, e.csv_line "
        "FROM reject_errors e JOIN reject_scans s USING (scan_id, file_id) "
        "ORDER BY e.scan_id, e.line, e.byte_position").fetchall()
    first: dict[tuple[str, int], tuple[str, str, str]] = {}
    for file_path, line, kind, message, text in found:  # one per bad line, its first error
        key, entry = (str(file_path), int(line)), (str(kind), str(message).split("\n")[0],
                                                   str(text or ""))
        # DuckDB lists a line of fields too many once per field past the last column
        # ("Found: 4", then "Found: 5"): the last says how many the line has
        if key in first and first[key][0] == kind == "TOO MANY COLUMNS":
            first[key] = entry
        first.setdefault(key, entry)
    reasons: Counter[str] = Counter()
    named: dict[str, str] = {}
    listed = []
    for (file_path, line), (kind, message, text) in first.items():
        if kind not in named:
            named[kind] = (f"a line the CSV reader could not split: {kind.lower()} "
                           f"(first {file_path} line {line}: {short(message, 80)})"
                           + (f"; {ENCODING_HINT}" if kind == "INVALID ENCODING" else ""))
        reasons[named[kind]] += 1
        # the text as in the file: DuckDB's starts with the line ends before it when they
        # are CR LF ("\n5,sales,…") or after a blank line
        listed.append(Reject(file_path, line, f"{kind.lower()}: {message}",
                             text.strip("\r\n").replace("\x00", "")))
    return reasons, listed


class UnreadableFile(duckdb.Error):
    """A file the reader cannot read even line by line: ``number``, its place in the
    files read (the same in the files as given), and DuckDB's error."""

    def __init__(self, number: int, error: duckdb.Error) -> None:
        super().__init__(str(error))
        self.number, self.error = number, error


ENCODING_HINT = "if the file is not UTF-8, name its encoding with --encoding"

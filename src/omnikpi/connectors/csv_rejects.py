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

import gzip
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import duckdb

from omnikpi.connectors.failing_rows import short
from omnikpi.connectors.reject_file import Reject
from omnikpi.schema import reject_reasons as said
from omnikpi.schema.files import open_bytes


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
        "SELECT s.file_path, e.line, e.error_type, e.error_message, e.csv_line, "
        "e.line_byte_position "
        "FROM reject_errors e JOIN reject_scans s USING (scan_id, file_id) "
        "ORDER BY e.scan_id, e.line, e.byte_position").fetchall()
    lines = _physical_lines({(str(r[0]), int(r[5])) for r in found if r[5] is not None})
    first: dict[tuple[str, int], tuple[str, str, str]] = {}
    for file_path, record, kind, message, text, at in found:  # per bad line, its first error
        line = lines.get((str(file_path), int(at)), record) if at is not None else record
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
        listed.append(Reject(file_path, line,
                             said.CSV_LINE.format(kind=kind.lower(), message=message),
                             text.strip("\r\n").replace("\x00", "")))
    return reasons, listed


def _physical_lines(positions: set[tuple[str, int]]) -> dict[tuple[str, int], int]:
    """The line of the file, as an editor numbers it, where each bad record starts.

    DuckDB numbers records: after a quoted field with a line break in it, its "line 5"
    was the file's line 6, and the user was sent to the wrong call. The line is the
    line breaks before the record's first byte, plus one."""
    out: dict[tuple[str, int], int] = {}
    by_file: dict[str, list[int]] = {}
    for path, at in positions:
        by_file.setdefault(path, []).append(at)
    for path, wanted in by_file.items():
        found: dict[int, int] = {}
        try:
            with open_bytes(Path(path)) as handle:
                chunk, start, breaks = b"", 0, 0  # start: the chunk's first byte
                end = b"\n"  # a line's end; a file of CR-only line ends (an old Mac's)
                for at in sorted(wanted):
                    while at >= start + len(chunk):
                        more = handle.read(1 << 20)
                        if not more:
                            break
                        if start == 0 and not chunk and b"\n" not in more and b"\r" in more:
                            end = b"\r"
                        breaks += chunk.count(end)
                        start += len(chunk)
                        chunk = more
                    found[at] = breaks + chunk.count(end, 0, max(at - start, 0)) + 1
        except (OSError, EOFError, gzip.BadGzipFile):
            continue  # the records' own numbers stay
        out.update({(path, at): line for at, line in found.items()})
    return out


class UnreadableFile(duckdb.Error):
    """A file the reader cannot read even line by line: ``number``, its place in the
    files read (the same in the files as given), and DuckDB's error."""

    def __init__(self, number: int, error: duckdb.Error) -> None:
        super().__init__(str(error))
        self.number, self.error = number, error


ENCODING_HINT = "if the file is not UTF-8, name its encoding with --encoding"

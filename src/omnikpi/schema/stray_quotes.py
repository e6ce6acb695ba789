"""How the CSV quoting rules split a file into records, and which lines open a quote that
no quote of their record closes (a *stray quote*: an agent's note typed ``"screen
broken`` with no closing quote).

Read by the CSV rules, such a field runs on into the next lines until some other quote
closes it, and DuckDB's dialect sniffer then gives up quoting for the whole file: every
later record with a quoted comma or a line break inside quotes (valid CSV) is split in
the wrong places. Both the mapped import (``connectors/csv_quotes``) and the dataset
folder (``schema/files``) find those lines here, leave each out with its reason and read
the rest with quoting on. A line-by-line pass in Python, run only over files DuckDB
refused.
"""

from __future__ import annotations

from collections.abc import Iterator

MAX_RECORD_LINES = 10_000
"""The most lines one quoted field may span: a record still open after that many lines is
taken for a stray quote (a real note is never that long), so a bad line near the top of a
large file does not make every later line one record."""

REASON = ("a field opens a quote that no quote of its record closes (a stray quote): "
          "the line left out")


def _scan(text: str, delimiter: str, quote: str, quoted: bool) -> tuple[int, bool, bool]:
    """The fields a physical line adds to its record (the first one continues the field
    open from the line before when ``quoted``), whether a quoted field is still open at
    its end, and whether a closing quote is followed by something other than the
    delimiter or the line's end (no valid record does that). A quote opens a field only
    at the field's start; inside, a doubled quote is a quote, a single one closes; a quote
    anywhere else is a character (as DuckDB reads it)."""
    fields = 1
    at_start = not quoted
    malformed = False
    i, end = 0, len(text)
    while i < end:
        char = text[i]
        if quoted:
            if char == quote:
                if i + 1 < end and text[i + 1] == quote:
                    i += 2
                    continue
                quoted = False
                after = text[i + 1] if i + 1 < end else "\n"
                malformed |= after not in (delimiter, "\r", "\n")
            i += 1
            continue
        if char == delimiter:
            fields += 1
            at_start = True
        elif char == quote and at_start:
            quoted = True
            at_start = False
        elif char not in "\r\n":
            at_start = False
        i += 1
    return fields, quoted, malformed


def physical_lines(text: str) -> list[str]:
    """The lines of a file's text, each with its line feed: split on line feeds only, as
    the CSV reader does (a lone carriage return or U+2028 inside a note is part of it)."""
    lines = text.split("\n")
    return [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])


def _records(lines: list[str], delimiter: str, quote: str, skip: int,
             columns: int | None) -> Iterator[tuple[int, bool]]:
    """The records of a file after its ``skip`` lines and header, in order: the 0-based
    number of each one's first line and whether it is a stray quote (a line whose quote
    no quote of its record closes: that line alone is one record, read on from the next).
    ``columns``: the fields a record has (None: the header line after ``skip`` lines
    says); a file without a header pads short records (``columns`` given), so there only
    a record with too many fields is wrong."""
    start = skip
    if columns is None:
        if start >= len(lines):
            return
        expected, still_open, _ = _scan(lines[start], delimiter, quote, False)
        if still_open:  # a header with a stray quote: the file's shape is unknown
            return
        start += 1
    else:
        expected = columns
    padded = columns is not None
    i = start
    while i < len(lines):
        if quote not in lines[i]:
            yield i, False  # the common line: nothing here can open a quoted field
            i += 1
            continue
        fields, still_open, malformed = _scan(lines[i], delimiter, quote, False)
        j = i
        while still_open and j + 1 < len(lines) and j - i < MAX_RECORD_LINES:
            j += 1
            more, still_open, odd = _scan(lines[j], delimiter, quote, True)
            fields += more - 1
            malformed |= odd
        wrong = malformed or fields > expected or (fields < expected and not padded)
        stray = still_open or (j > i and wrong)
        yield i, stray
        i = i + 1 if stray else j + 1


def stray_quote_lines(lines: list[str], delimiter: str, quote: str, skip: int,
                      columns: int | None) -> list[int]:
    """The 0-based numbers of the lines whose quote no quote of their record closes
    (see :func:`_records`)."""
    return [line for line, stray in _records(lines, delimiter, quote, skip, columns) if stray]


def stray_quote_records(lines: list[str], delimiter: str, quote: str) -> list[tuple[int, int]]:
    """For a file with a header line: each stray quote's 0-based line and its data row,
    counted as DuckDB's CSV reader counts them (a record over several lines is one row,
    a blank line is one)."""
    return [(line, row) for row, (line, stray)
            in enumerate(_records(lines, delimiter, quote, 0, None), start=1) if stray]

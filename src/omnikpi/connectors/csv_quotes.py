"""A CSV export with a field that opens a quote and never closes it: that line left out
and counted, the records after it read with their quoting.

An agent's note typed as ``"screen broken`` (no closing quote) opens a quoted field that,
read by the CSV rules, runs on into the next lines until some other quote closes it.
DuckDB's dialect sniffer then gives up quoting for the whole file: every later record
with a quoted comma or a line break inside quotes (valid CSV) was split in the wrong
places, one record kept cut short and others rejected. Here each record is followed by
the quoting rules; a record that opens a quote on one line and only closes it on a later
one with the wrong number of fields (or never) is a stray quote: that one line is
rejected with its reason and the reading starts again on the next line. The file is then
read from a copy with the stray lines blanked (so the line numbers stay) and quoting on.
This runs only after DuckDB refused the file; a file without a stray quote is never
copied. A line-by-line pass in Python, but only over the files DuckDB refused.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from omnikpi.connectors.reject_file import Reject
from omnikpi.schema.files import open_bytes

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


def stray_quote_lines(lines: list[str], delimiter: str, quote: str, skip: int,
                      columns: int | None) -> list[int]:
    """The 0-based numbers of the lines whose quote no quote of their record closes.
    ``columns``: the fields a record has (None: the header line after ``skip`` lines
    says); a file without a header pads short records (``columns`` given), so there only
    a record with too many fields is wrong."""
    bad: list[int] = []
    start = skip
    if columns is None:
        if start >= len(lines):
            return bad
        expected, still_open, _ = _scan(lines[start], delimiter, quote, False)
        if still_open:  # a header with a stray quote: the file's shape is unknown
            return bad
        start += 1
    else:
        expected = columns
    padded = columns is not None
    i = start
    while i < len(lines):
        if quote not in lines[i]:
            i += 1  # the common line: nothing here can open a quoted field
            continue
        fields, still_open, malformed = _scan(lines[i], delimiter, quote, False)
        j = i
        while still_open and j + 1 < len(lines) and j - i < MAX_RECORD_LINES:
            j += 1
            more, still_open, odd = _scan(lines[j], delimiter, quote, True)
            fields += more - 1
            malformed |= odd
        wrong = malformed or fields > expected or (fields < expected and not padded)
        if still_open or (j > i and wrong):
            bad.append(i)  # a stray quote: this line alone is left out, read on from the next
            i += 1
            continue
        i = j + 1
    return bad


@contextmanager
def without_stray_quotes(files: list[Path], delimiter: str, quote: str, skip: int,
                         columns: int | None
                         ) -> Iterator[tuple[list[Path], Counter[str], list[Reject]]]:
    """The files with each line that opens a quote no quote of its record closes blanked
    (temporary copies, removed after), those lines counted under one reason naming the
    first and listed with their text for ``rejects.csv``. Files without such a line come
    back as they are."""
    reasons: Counter[str] = Counter()
    listed: list[Reject] = []
    with tempfile.TemporaryDirectory(prefix="omnikpi-quotes-") as scratch:
        readable = []
        for number, path in enumerate(files):
            with open_bytes(path) as source:
                lines = physical_lines(source.read().decode("utf-8", "surrogateescape"))
            bad = stray_quote_lines(lines, delimiter, quote, skip, columns)
            if not bad:
                readable.append(path)
                continue
            for index in bad:
                text = lines[index].encode("utf-8", "surrogateescape").decode(
                    "utf-8", "replace").rstrip("\r\n").replace("\x00", "")
                listed.append(Reject(str(path), index + 1, REASON, text))
                # blanked with its own line end: a blank LF among CR LF lines would make
                # a file DuckDB refuses (two kinds of line end)
                lines[index] = "\r\n" if lines[index].endswith("\r\n") else "\n"
            named = f"{REASON} (first {path} line {bad[0] + 1})"
            reasons[named] += len(bad)
            copy = Path(scratch) / f"{number}-{path.name.removesuffix('.gz')}"
            copy.write_bytes("".join(lines).encode("utf-8", "surrogateescape"))
            readable.append(copy)
        yield readable, reasons, listed

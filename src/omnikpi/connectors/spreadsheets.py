"""Excel workbooks (``[source] format = "xlsx"``) as the CSV text the mapped import reads.

Schedules, rosters, cost sheets and many a platform's "export to Excel" arrive as .xlsx.
Each workbook's sheet (the first, or ``[source] sheet``) is written to a temporary CSV of
the same name, one line per sheet row, so everything after — the mapping, the counts, the
line numbers in the summary and in ``rejects.csv`` (a sheet's row numbers) — is the CSV
import's. Values are written as a person reads them in Excel: whole numbers without a
decimal point, dates and times in ISO form; a formula gives the value Excel last computed
(a workbook no spreadsheet program saved has none: its cells read as empty). Rows without
a single value between rows of data are blank rows of the sheet, counted and left out;
those after the last row of data are the sheet's end (a formatted range), not rows.

A merged range of cells (a queue's name written once over the rows of its calls) holds
its value in its top-left cell only; Excel shows that value over the whole range, and
each of its cells reads it here (the other cells of the range read as empty before, a
call without its queue). The ranges are read from the sheet's XML (``mergeCells``, after
its rows) in a first pass over its bytes, so a large sheet is still read row by row.
A duration (a cell formatted ``[h]:mm:ss``) reads as Excel shows it, ``25:01:00`` for 25
hours and a minute. A sheet with no value in any cell is nothing to import: when every
sheet read is empty, the import stops and names the workbook's sheets.
"""

from __future__ import annotations

import csv
import re
import tempfile
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from omnikpi.errors import DataError, UsageError

BLANK = "a blank row of the sheet (no value in any cell)"
CHUNK_BYTES = 1 << 20
_MERGES = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?mergeCells[\s>/]")
"""The start of a sheet's list of merged ranges (its XML may prefix its names: ``x:``)."""
_MERGE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?mergeCell\s[^>]*?\bref=[\"']\$?([A-Za-z]+)"
                    rb"\$?(\d+)(?::\$?([A-Za-z]+)\$?(\d+))?[\"']")
"""A merged range: its top-left cell and, unless one cell, its bottom-right."""
_MERGES_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?mergeCells>")

Merge = tuple[int, int, int, int]
"""A merged range: its first row and column, its last row and column (from 1)."""


@contextmanager
def sheets_as_csv(files: list[Path], sheet: Any = None
                  ) -> Iterator[tuple[list[Path], Counter[str]]]:
    """The workbooks' sheets as CSV files (removed after), and the blank rows left out."""
    if sheet is not None and not isinstance(sheet, str):
        raise UsageError(f"[source] sheet: the name of the sheet to read (not {sheet!r})")
    blank: Counter[str] = Counter()
    with tempfile.TemporaryDirectory(prefix="omnikpi-sheets-") as scratch:
        copies, empty = [], []
        for number, path in enumerate(files):
            copy = Path(scratch) / str(number) / path.name
            copy.parent.mkdir()
            rows, skipped, said = _write_sheet(path, copy, sheet)
            blank[BLANK] += skipped
            if not rows:
                empty.append(said)
            copies.append(copy)
        if files and len(empty) == len(files):  # read as CSV: one column named column0,
            # and the mapping's first column reported missing, not the sheet empty
            raise DataError(empty[0] + (f"; the sheets read of the other {len(files) - 1}"
                                        " workbooks are empty too" if len(files) > 1 else ""))
        yield copies, +blank


def _write_sheet(path: Path, copy: Path, sheet: str | None) -> tuple[int, int, str]:
    """The sheet's rows written to ``copy``; returns the rows written, the blank rows
    left out and, for a sheet without a value, what to say of it."""
    import openpyxl

    if path.suffix.lower() == ".xls":
        raise UsageError(f"{path}: an Excel 97–2003 workbook (.xls) is not read; save it "
                         "as .xlsx")
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise DataError(f"cannot read {path} as an Excel workbook (.xlsx): {exc}") from exc
    try:
        if sheet is None:
            page = book.worksheets[0]
        elif sheet in book.sheetnames:
            page = book[sheet]
        else:
            raise UsageError(f"{path} has no sheet {sheet!r} (its sheets: "
                             f"{', '.join(book.sheetnames)})")
        merges = _merged_ranges(page)
        blank = pending = written = 0
        with copy.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            rows = page.iter_rows(values_only=True)
            for row in _with_merged_values(rows, merges) if merges else rows:
                values = [_text(v) for v in row]
                if not any(values):  # the end of the sheet, or a blank row inside it
                    pending += 1
                    continue
                for _ in range(pending):  # inside: an empty line, which the reader
                    writer.writerow([])   # skips, so line numbers stay row numbers
                blank, pending = blank + pending, 0
                writer.writerow(values)
                written += 1
        said = (f"sheet {page.title} of {path} is empty: nothing to import (the "
                f"workbook's sheets: {', '.join(book.sheetnames)})")
        return written, blank, said
    finally:
        book.close()


def _text(value: Any) -> str:
    """A cell's value as Excel shows it, in a form the mapping's SQL casts."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return _duration(value)
    return str(value)


def _duration(value: timedelta) -> str:
    """A duration as Excel's ``[h]:mm:ss`` shows it, hours past 24 included (``25:01:00``,
    not Python's ``1 day, 1:01:00``; ``0:04:05`` as before for one under a day), with
    its fraction of a second when it has one; negative with a sign (``-0:00:05``)."""
    sign = "-" if value < timedelta(0) else ""
    micro = abs(value) // timedelta(microseconds=1)
    seconds, micro = divmod(micro, 1_000_000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{sign}{hours}:{minutes:02d}:{seconds:02d}" + (f".{micro:06d}" if micro else "")


def _merged_ranges(page: Any) -> list[Merge]:
    """The merged ranges of a sheet opened read-only (which does not read them), from
    its XML: the bytes are scanned for ``<mergeCells`` (after the rows), and only that
    part is kept and parsed."""
    if not hasattr(page, "_get_source"):  # a sheet not read from a file
        return [_as_merge(str(ref)) for ref in getattr(page, "merged_cells", ())]
    kept, tail = b"", b""
    with page._get_source() as source:
        while chunk := source.read(CHUNK_BYTES):
            if kept:
                kept += chunk
            else:
                data = tail + chunk
                start = _MERGES.search(data)
                if start is None:
                    tail = data[-64:]  # a name cut between two chunks
                    continue
                kept = data[start.start():]
            if _MERGES_END.search(kept):
                break
    merges = []
    for found in _MERGE.finditer(kept):
        first_col, first_row, last_col, last_row = found.groups()
        merge = (int(first_row), _column(first_col),
                 int(last_row or first_row), _column(last_col or first_col))
        if merge[2] > merge[0] or merge[3] > merge[1]:
            merges.append(merge)
    return merges


def _as_merge(ref: str) -> Merge:
    """``B3:B5`` as a :data:`Merge`."""
    from openpyxl.utils.cell import range_boundaries

    first_col, first_row, last_col, last_row = range_boundaries(ref)
    return (int(first_row or 1), int(first_col or 1), int(last_row or first_row or 1),
            int(last_col or first_col or 1))


def _column(letters: bytes) -> int:
    """A column's letters as its number (``A`` 1, ``AA`` 27)."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - ord("A") + 1
    return number


def _with_merged_values(rows: Iterable[tuple[Any, ...]], merges: list[Merge]
                        ) -> Iterator[tuple[Any, ...]]:
    """The sheet's rows (the first is row 1), each cell of a merged range with the value
    of the range's top-left cell, as Excel shows it."""
    starting: dict[int, list[Merge]] = {}
    for merge in merges:
        starting.setdefault(merge[0], []).append(merge)
    active: list[tuple[Merge, Any]] = []  # ranges over this row, with their value
    for number, row in enumerate(rows, start=1):
        active = [(merge, value) for merge, value in active if merge[2] >= number]
        for merge in starting.pop(number, ()):
            col = merge[1] - 1
            active.append((merge, row[col] if col < len(row) else None))
        if not active:
            yield row
            continue
        cells = list(row)
        for (_, first_col, _, last_col), value in active:
            if value is None:
                continue
            if len(cells) < last_col:
                cells.extend([None] * (last_col - len(cells)))
            cells[first_col - 1:last_col] = [value] * (last_col - first_col + 1)
        yield tuple(cells)

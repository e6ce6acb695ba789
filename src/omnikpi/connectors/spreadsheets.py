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
"""

from __future__ import annotations

import csv
import tempfile
import zipfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from omnikpi.errors import DataError, UsageError

BLANK = "a blank row of the sheet (no value in any cell)"


@contextmanager
def sheets_as_csv(files: list[Path], sheet: Any = None
                  ) -> Iterator[tuple[list[Path], Counter[str]]]:
    """The workbooks' sheets as CSV files (removed after), and the blank rows left out."""
    if sheet is not None and not isinstance(sheet, str):
        raise UsageError(f"[source] sheet: the name of the sheet to read (not {sheet!r})")
    blank: Counter[str] = Counter()
    with tempfile.TemporaryDirectory(prefix="omnikpi-sheets-") as scratch:
        copies = []
        for number, path in enumerate(files):
            copy = Path(scratch) / str(number) / path.name
            copy.parent.mkdir()
            blank[BLANK] += _write_sheet(path, copy, sheet)
            copies.append(copy)
        yield copies, +blank


def _write_sheet(path: Path, copy: Path, sheet: str | None) -> int:
    """The sheet's rows written to ``copy``; returns the blank rows left out."""
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
        blank = pending = 0
        with copy.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            for row in page.iter_rows(values_only=True):
                values = [_text(v) for v in row]
                if not any(values):  # the end of the sheet, or a blank row inside it
                    pending += 1
                    continue
                for _ in range(pending):  # inside: an empty line, which the reader
                    writer.writerow([])   # skips, so line numbers stay row numbers
                blank, pending = blank + pending, 0
                writer.writerow(values)
        return blank
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
    return str(value)

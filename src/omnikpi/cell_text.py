"""Text from the data that a spreadsheet must not run as a formula.

Queue, agent and site names, outcomes and notes come from imported or posted data. A
value such as ``=HYPERLINK("http://…")`` or ``=cmd|' /C calc'!A0`` was written to XLSX
as a live formula, and to CSV as text that Excel and LibreOffice run when the file is
opened (CSV injection). Exports keep such text as text: in XLSX a string cell, in CSV
the value with a leading apostrophe (the common guard: spreadsheets show it as written,
scripts see the apostrophe). Numbers are never touched: ``-5`` stays a number.

A control character (``\x01`` in a queue name posted to the events API, or in an
export's title) is no character an XLSX file can hold: openpyxl refused the cell and
the export answered 500 for every reader of that data. It is written as U+FFFD, so the
cell shows that something was there.
"""

from __future__ import annotations

import re
from typing import Any

XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
"""The characters an XLSX cell cannot hold (openpyxl's ``ILLEGAL_CHARACTERS_RE``)."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet reads as the start of a formula in a cell of text."""


def csv_safe(value: Any) -> Any:
    """``value`` for a CSV cell: text that a spreadsheet would run gets an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def xlsx_safe(value: Any) -> Any:
    """``value`` for an XLSX cell: text with its control characters as U+FFFD."""
    if isinstance(value, str):
        return XLSX_ILLEGAL.sub("\ufffd", value)
    return value


def keep_as_text(cell: Any) -> Any:
    """An openpyxl cell whose text began with ``=`` (openpyxl makes it a formula) made a
    string cell again; returns the cell."""
    if getattr(cell, "data_type", None) == "f":
        cell.data_type = "s"
    return cell


def workbook_as_text(book: Any) -> None:
    """Every formula cell of a (normal-mode) workbook made text: OmniKPI writes no
    formulas, so a formula there came from the data."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                keep_as_text(cell)

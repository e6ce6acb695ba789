"""The drill-down's rows as CSV and XLSX (every row, not only the page shown).

CSV keeps raw numbers (seconds as seconds) and ISO-8601 instants in the report's zone;
XLSX has real dates and durations with number formats, a header with the figure, its
parameters, period, zone and filters, and column widths.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from omnikpi.engine.drill import DEN, NUM, REASON, STATUS, TIME_COLUMNS, Drill
from omnikpi.engine.timezones import to_datetime, zone
from omnikpi.web.deps import Filters
from omnikpi.web.drill_labels import Gettext, column_unit, counts_in

DURATION_FORMAT = "[h]:mm:ss"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
NUMBER_FORMAT = "#,##0.###"
RATIO_FORMAT = "0.0%"
SECONDS_PER_DAY = 86_400.0


def _is_seconds(column: str) -> bool:
    return column == "seconds" or column.endswith("_s")


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _instant(value: Any, tz: str) -> datetime | None:
    if _missing(value):
        return None
    return to_datetime(int(value)).astimezone(zone(tz))


def headers(found: Drill, _: Gettext) -> list[str]:
    return [*found.columns, _("numerator"), _("denominator"), _("counts in")]


def _records(frame: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = frame.to_dict(orient="records")
    return rows


def drill_csv(found: Drill, frame: Any, tz: str, _: Gettext) -> str:
    """Raw values: numbers as numbers, instants as ISO-8601 in ``tz``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headers(found, _))
    for row in _records(frame):
        cells: list[Any] = []
        for column in [*found.columns, NUM, DEN]:
            value = row[column]
            if _missing(value):
                cells.append("")
            elif column in TIME_COLUMNS:
                moment = _instant(value, tz)
                cells.append(moment.isoformat() if moment else "")
            else:
                cells.append(value.item() if hasattr(value, "item") else value)
        cells.append(counts_in(row[STATUS], row[REASON], _))
        writer.writerow(cells)
    return out.getvalue()


def _figure_format(found: Drill) -> str:
    unit = found.metric.unit
    if unit == "ratio":
        return RATIO_FORMAT
    if unit == "seconds":
        return DURATION_FORMAT
    return NUMBER_FORMAT


def drill_xlsx(found: Drill, frame: Any, filters: Filters, _: Gettext,
               params: list[tuple[str, str]]) -> bytes:
    """A workbook: a header (metric, figure = numerator / denominator, parameters,
    period, zone, filters), then one row per fact row with typed cells."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "drill"
    bold = Font(bold=True)
    figure = found.figure
    sheet.append([_(found.metric.name), found.metric.id])
    sheet["A1"].font = bold
    value_unit = found.metric.unit
    sheet.append([_("Figure"), figure.value])
    cell = sheet.cell(row=2, column=2)
    cell.number_format = _figure_format(found)
    if value_unit == "seconds" and figure.value is not None:
        cell.value = figure.value / SECONDS_PER_DAY
    sheet.append([_("numerator"), figure.numerator])
    sheet.append([_("denominator"), figure.denominator if figure.hours is None
                  else figure.hours])
    sheet.append([_("Parameters"), "; ".join(f"{k}={v}" for k, v in params) or "—"])
    sheet.append([_("Period"), f"{filters.from_ or '…'} — {filters.to or '…'}"])
    sheet.append([_("Zone"), filters.tz])
    sheet.append([_("Filters"), "; ".join(f"{k}={','.join(v)}" for k, v in
                                          sorted((filters.where or {}).items())) or "—"])
    sheet.append([])
    first = sheet.max_row + 1
    sheet.append(headers(found, _))
    for c in sheet[first]:
        c.font = bold
    columns = [*found.columns, NUM, DEN]
    seconds_parts = _seconds_parts(found)
    for row in _records(frame):
        cells: list[Any] = []
        for column in columns:
            value = row[column]
            if _missing(value):
                cells.append(None)
            elif column in TIME_COLUMNS:
                moment = _instant(value, filters.tz)
                cells.append(moment.replace(tzinfo=None) if moment else None)
            elif _is_seconds(column) or column in seconds_parts:
                cells.append(float(value) / SECONDS_PER_DAY)
            else:
                cells.append(value.item() if hasattr(value, "item") else value)
        cells.append(counts_in(row[STATUS], row[REASON], _))
        sheet.append(cells)
    for index, column in enumerate(columns, start=1):
        if column in TIME_COLUMNS:
            fmt = DATETIME_FORMAT
        elif _is_seconds(column) or column in seconds_parts:
            fmt = DURATION_FORMAT
        else:
            fmt = NUMBER_FORMAT
        for line in sheet.iter_rows(min_row=first + 1, min_col=index, max_col=index):
            for c in line:
                if c.value is not None and not isinstance(c.value, str | bool):
                    c.number_format = fmt
    widths = {i: len(str(h)) for i, h in enumerate(headers(found, _), start=1)}
    for i, column in enumerate(columns, start=1):
        if column in TIME_COLUMNS:
            widths[i] = max(widths[i], 19)
    for i, width in widths.items():
        letter = sheet.cell(row=first, column=i).column_letter
        sheet.column_dimensions[letter].width = min(max(width + 2, 10), 60)
    sheet.column_dimensions["A"].width = max(sheet.column_dimensions["A"].width or 0, 16)
    sheet.freeze_panes = sheet.cell(row=first + 1, column=1)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _seconds_parts(found: Drill) -> set[str]:
    """The numerator/denominator columns that hold seconds (durations in XLSX)."""
    metric = found.metric.resolve(found.params) if found.metric.resolve else found.metric
    return {c for c in (NUM, DEN) if column_unit(metric, found.source, c) == "seconds"}

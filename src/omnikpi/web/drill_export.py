"""The drill-down's rows as CSV and XLSX (every row, not only the page shown).

CSV keeps raw numbers (seconds as seconds) and ISO-8601 instants in the report's zone;
XLSX has real dates and durations with number formats, a header with the figure, its
parameters, period, zone and filters, and column widths.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from omnikpi.cell_text import FORMULA_STARTS, keep_as_text, xlsx_safe
from omnikpi.engine.drill import DEN, NUM, REASON, STATUS, TIME_COLUMNS, Drill
from omnikpi.engine.timezones import MICROS, local_datetime, to_datetime, zone
from omnikpi.export import csv_number, made_text, print_setup
from omnikpi.formatting import repeated_offset
from omnikpi.web.deps import Filters
from omnikpi.web.drill_labels import Gettext, column_unit, counts_in
from omnikpi.web.filters import form_to_day

DURATION_FORMAT = "[h]:mm:ss"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
NUMBER_FORMAT = "#,##0.###"
RATIO_FORMAT = "0.0%"
SECONDS_PER_DAY = 86_400.0
BOLD = Font(bold=True)
HEADER_ROW = 10
"""The row of the column headers, under the nine rows that say what the figure is."""


def _is_seconds(column: str) -> bool:
    return column == "seconds" or column.endswith("_s")


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _instant(value: Any, tz: str) -> datetime | None:
    if _missing(value):
        return None
    return local_datetime(int(value), tz)


def headers(found: Drill, _: Gettext) -> list[str]:
    return [*found.columns, _("numerator"), _("denominator"), _("counts in")]


def _records(frame: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = frame.to_dict(orient="records")
    return rows


CSV_PARTS = ("numerator", "denominator", "counts_in")
"""The CSV's last columns, after the fact columns: ids, as the data model's names."""


def _english(text: str) -> str:
    return text


CSV_CHUNK_ROWS = 10_000
"""Rows written per piece of the streamed CSV: the file is sent as it is made, so the
server holds one piece of text at a time (800,000 rows were a list of dicts, a string and
its bytes at once: 2 GB and about a minute; bench/bench_drill_export.py measures both)."""


def drill_csv(found: Drill, frame: Any, tz: str) -> Iterator[bytes]:
    """Raw values: numbers as numbers, instants as ISO-8601 in ``tz``. The same file
    in every page language (a script reading ``counts_in`` must not meet ``учитывается
    в``): column ids as headers and the "counts in" text in English. Yields the file in
    pieces of :data:`CSV_CHUNK_ROWS` rows, each made column by column."""
    columns = [*found.columns, NUM, DEN]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([*found.columns, *CSV_PARTS])
    yield out.getvalue().encode()
    local = zone(tz)
    for start in range(0, len(frame), CSV_CHUNK_ROWS):
        piece = frame.iloc[start:start + CSV_CHUNK_ROWS]
        cells = pd.DataFrame({str(index): _csv_column(piece[column], column, local)
                              for index, column in enumerate(columns)})
        cells[str(len(columns))] = _counts_in_column(piece)
        yield cells.to_csv(index=False, header=False, lineterminator="\n").encode()


def _csv_column(values: Any, column: str, local: ZoneInfo) -> Any:
    """One column's cells: instants as ISO-8601 with the zone's offset (seconds' fraction
    only when there is one, as ``datetime.isoformat``), text a spreadsheet would run
    with an apostrophe, numbers as they are."""
    if column in TIME_COLUMNS:
        return _iso_instants(values, local)
    if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
        # pandas 3 reads text as its "str" dtype, older ones as object (mixed, too)
        formula = values.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_STARTS))
        return values.astype(object).where(~formula.astype(bool), "'" + values.astype(str))
    if pd.api.types.is_float_dtype(values.dtype):
        return _fifteen_digits(values)
    return values


def _fifteen_digits(values: Any) -> Any:
    """Floats as the report's CSV writes them (``export.csv_number``): 15 significant
    digits, a float's text (``12.0``). The drill-down wrote every digit of the double
    (``320.66200000000003`` where the report's file says ``320.662``). Made for the whole
    column by numpy, as the instants are."""
    text = pd.Series(None, index=values.index, dtype=object)
    known = values.notna()
    if not known.any():
        return text
    numbers = values[known].astype("float64")
    digits = pd.Series(np.char.mod("%.15g", numbers.to_numpy()), index=numbers.index)
    # "%.15g" drops a whole number's ".0" that repr keeps
    whole = ~digits.str.contains(r"[.eni]", regex=True)
    digits = digits.where(~whole, digits + ".0")
    # where both write plain decimals (1e-4 ≤ |x| < 1e15, and 0) the two texts agree;
    # elsewhere (1e15, 5e-324) each such cell is written as the report writes it
    size = numbers.abs()
    # (999999999999999.9 rounds up to "1e+15": an exponent is never the plain case)
    other = ~(((size >= 1e-4) & (size < 1e15)) | (size == 0)) | digits.str.contains("e")
    if other.any():
        digits[other] = numbers[other].map(csv_number)
    text[known] = digits
    return text


def _iso_instants(values: Any, local: ZoneInfo) -> Any:
    """Microseconds since the epoch as ``datetime.isoformat`` writes them in ``local``
    (``2024-03-04T08:00:00+02:00``, ``.250000`` only when there is a fraction), made by
    numpy for the whole column (``strftime`` per cell took most of a large export)."""
    instants = pd.Series(None, index=values.index, dtype=object)
    known = values.notna()
    if not known.any():
        return instants
    utc = pd.to_datetime(values[known].astype("int64"), unit="us", utc=True)
    wall = utc.dt.tz_convert(local).dt.tz_localize(None)
    clock = wall.to_numpy(dtype="datetime64[us]")
    whole = clock.astype("int64") % MICROS == 0
    text = np.where(whole, np.datetime_as_string(clock, unit="s"),
                    np.datetime_as_string(clock, unit="us"))
    minutes = ((wall - utc.dt.tz_localize(None)).dt.total_seconds() // 60).astype("int64")
    offsets = minutes.map({m: _offset_text(m) for m in minutes.unique()})
    instants[known] = pd.Series(text, index=offsets.index).astype(object) + \
        offsets.astype(object)
    return instants


def _offset_text(minutes: int) -> str:
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(int(minutes)), 60)
    return f"{sign}{hours:02d}:{rest:02d}"


def _counts_in_column(piece: Any) -> Any:
    """The "counts in" sentence of each row, worded once per (status, reason) pair."""
    reasons = piece[REASON].fillna("").astype(str)
    pairs = piece[STATUS].astype(str) + "\x1f" + reasons
    words = {}
    for pair in pairs.unique():  # a handful of pairs, not rows
        status, _, reason = pair.partition("\x1f")
        words[pair] = counts_in(status, reason, _english)
    return pairs.map(words)


def _figure_format(found: Drill) -> str:
    unit = found.metric.unit
    if unit == "ratio":
        return RATIO_FORMAT
    if unit == "seconds":
        return DURATION_FORMAT
    return NUMBER_FORMAT


def drill_xlsx(found: Drill, frame: Any, filters: Filters, _: Gettext,
               params: list[tuple[str, str]], lang: str = "en") -> bytes:
    """A workbook: a header (metric, figure = numerator / denominator, parameters,
    period, zone, filters), then one row per fact row with typed cells (written in
    openpyxl's streaming mode: every row of a large drill, quickly). Printed, it is set
    up as the report exports are: as wide as the page, the column headers on every page,
    page numbers and when it was made in the footer."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("drill")
    print_setup(sheet, len(found.columns) + 3, made_text(filters.tz, lang), lang,
                title_row=HEADER_ROW)
    columns = [*found.columns, NUM, DEN]
    names = headers(found, _)
    seconds_parts = _seconds_parts(found)
    formats = [DATETIME_FORMAT if c in TIME_COLUMNS else DURATION_FORMAT
               if _is_seconds(c) or c in seconds_parts else RATIO_FORMAT
               if column_unit(found.metric, found.source, c) == "ratio" else NUMBER_FORMAT
               for c in columns]
    for i, name in enumerate(names, start=1):
        width = 19 if i <= len(columns) and columns[i - 1] in TIME_COLUMNS else len(name)
        sheet.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 12), 60)
    sheet.column_dimensions["A"].width = 24
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"

    def cell(value: Any, number_format: str | None = None, bold: bool = False) -> WriteOnlyCell:
        c = WriteOnlyCell(sheet, value=xlsx_safe(value))
        if number_format:
            c.number_format = number_format
        if bold:
            c.font = BOLD
        return c

    figure = found.figure
    is_seconds = found.metric.unit == "seconds"
    value = figure.value / SECONDS_PER_DAY if is_seconds and figure.value is not None \
        else figure.value
    sheet.append([cell(_(found.metric.name), bold=True), found.metric.id])
    sheet.append([_("Figure"), cell(value, _figure_format(found))])
    # the parts in the rows' own formats: seconds as durations (1767309.252000001 read
    # as a number of seconds helps nobody), hours and counts as numbers
    num_format = DURATION_FORMAT if NUM in seconds_parts else NUMBER_FORMAT
    den_format = DURATION_FORMAT if DEN in seconds_parts and figure.hours is None \
        else NUMBER_FORMAT
    sheet.append([_("numerator"), _part(figure.numerator, num_format, cell)])
    sheet.append([_("denominator"), _part(figure.denominator if figure.hours is None
                                          else figure.hours, den_format, cell)])
    sheet.append([_("Parameters"), cell("; ".join(f"{k}={v}" for k, v in params) or "—")])
    sheet.append([_("Period"), cell(_period(found, filters, _))])
    sheet.append([_("Zone"), cell(filters.tz)])
    sheet.append([_("Filters"), keep_as_text(cell("; ".join(
        f"{k}={','.join(v)}" for k, v in sorted((filters.where or {}).items())) or "—"))])
    sheet.append([])
    # a seconds column (``handle_s``) shown as a duration says so: "handle_s" over
    # 0:04:10 read as a misprint of 250
    clock = _("h:mm:ss")
    shown = [f"{name} ({clock})" if index < len(formats) and formats[index] == DURATION_FORMAT
             else name for index, name in enumerate(names)]
    sheet.append([cell(name, bold=True) for name in shown])
    local = zone(filters.tz)
    for row in _records(frame):
        cells: list[Any] = []
        for column, number_format in zip(columns, formats, strict=True):
            raw = row[column]
            if _missing(raw):
                cells.append(None)
            elif column in TIME_COLUMNS:
                instant = to_datetime(int(raw))
                # the hour the clocks go back, read twice: each with its offset, as the
                # report's export shows it (two rows read one time an hour apart)
                twice = repeated_offset(instant, local)
                cells.append(cell(instant.astimezone(local).replace(tzinfo=None),
                                  f'{number_format} "({twice})"' if twice else number_format))
            elif isinstance(raw, str):  # text from the data: never a formula
                cells.append(keep_as_text(cell(raw)))
            elif isinstance(raw, bool):
                cells.append(raw)
            elif number_format == DURATION_FORMAT:
                cells.append(cell(float(raw) / SECONDS_PER_DAY, number_format))
            else:
                cells.append(cell(raw.item() if hasattr(raw, "item") else raw,
                                  number_format))
        cells.append(counts_in(row[STATUS], row[REASON], _))
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _part(value: Any, number_format: str, cell: Any) -> Any:
    """A numerator or denominator cell: a duration as a fraction of a day, like the
    rows' durations."""
    if value is None:
        return None
    if number_format == DURATION_FORMAT:
        return cell(float(value) / SECONDS_PER_DAY, number_format)
    return cell(value, number_format)


def _period(found: Drill, filters: Filters, _: Gettext) -> str:
    """The window as given, an open end as "…"; none given: all data up to the as-of.
    A day-boundary end is the last day chosen, as the page and the builder's file say
    (``to_day=2024-03-05`` is ``to=2024-03-06``: the sheet said "2024-03-05 —
    2024-03-06" for one day)."""
    if filters.from_ or filters.to:
        return f"{filters.from_ or '…'} — {form_to_day(filters) or filters.to or '…'}"
    if found.as_of_us is None:
        return str(_("all data up to the as-of time"))
    moment = to_datetime(found.as_of_us).astimezone(zone(filters.tz))
    return f"{_('all data up to the as-of time')} ({moment:%Y-%m-%d %H:%M})"


def _seconds_parts(found: Drill) -> set[str]:
    """The numerator/denominator columns that hold seconds (durations in XLSX)."""
    metric = found.variant
    return {c for c in (NUM, DEN) if column_unit(metric, found.source, c) == "seconds"}

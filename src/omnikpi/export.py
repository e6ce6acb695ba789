"""Writing report rows as JSON, CSV, XLSX or PDF (the CLI, the API and the UI share this).

- JSON and CSV are for machines: raw numbers (durations in seconds, ratios 0–1) and
  ISO-8601 instants in the report's zone with their offset.
- XLSX is for spreadsheets: a header block (title, period, zone, as-of, grain, filters),
  then the table with metric names and units as column headers, real dates, durations as
  Excel durations (``[h]:mm:ss``), ratios as ``0.0%``, counts as ``#,##0``; a frozen
  header row, fitted column widths, a ``parameters`` sheet, and under the table (after an
  empty row) notes saying why a metric has no value where its declaration says. It
  prints as a report: fitted to the page's width, the column headers on every page, the
  page number and the time it was made in the footer.
- PDF is for printing: the same header, metric names with one unit per column, values in
  that unit, a Unicode font (DejaVu Sans) so Russian and Ukrainian names print, then the
  parameters and the same notes; every page after the first repeats the title and the
  period, and every page says its number and when the file was made. A table too wide
  for the page is printed in column groups, the row's dimensions and period repeated in
  each (:mod:`omnikpi.pdf_columns`).
- In both, a row's missing dimension value is named ("(no agent)": the contacts no agent
  handled), never an empty cell a reader takes for a total (:mod:`omnikpi.no_value`).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from omnikpi import formatting, pdf_columns
from omnikpi.cell_text import csv_safe, workbook_as_text, xlsx_safe
from omnikpi.empty_figures import empty_notes
from omnikpi.engine.result import ReportResult
from omnikpi.errors import UsageError
from omnikpi.instants import begins_local_day
from omnikpi.no_value import STRINGS as NO_VALUE_STRINGS
from omnikpi.no_value import no_value_label
from omnikpi.param_text import param_texts
from omnikpi.value_labels import value_label

FORMATS = ("table", "json", "csv", "xlsx")
DEFAULT_TITLE = "OmniKPI report"

DIMENSION_LABELS = {
    "queue": "Queue", "channel": "Channel", "site": "Site", "tenant": "Tenant",
    "agent_id": "Agent", "topic": "Topic", "direction": "Direction", "campaign": "Campaign",
    "lead_type": "Lead type",
    "period_start": "Period start", "state": "State", "reason": "Reason",
    "dimension": "Dimension", "item_id": "Item",
}
GRAIN_LABELS = {
    "total": "whole period", "15min": "15 minutes", "30min": "30 minutes", "hour": "hourly",
    "day": "daily", "week": "weekly", "month": "monthly",
}
UNIT_LABELS = {"ratio": "%", "hours": "hours", "per_hour": "per hour",
               "per_shift": "per shift", "points": "points",
               "score": "score", "sessions": "sessions", "customers": "customers"}
"""A unit as a column header says it (durations: ``h:mm:ss`` or ``m:ss``; counts: none)."""
UNIT_NAMES = {"count": "count", "money": "money", "per_hour": "per hour",
              "per_shift": "per shift", "points": "points",
              "ratio": "ratio", "score": "score", "seconds": "seconds",
              "sessions": "sessions"}
"""A metric's unit in words, for the parameters sheet a person reads (a script reads the
unit's id in the English sheet)."""
HEADER_LABELS = ("Period", "Time zone", "As of", "Grain", "Filters")
PARAMETER_HEADERS = ("metric", "unit", "parameters", "name", "as used")
"""The parameters sheet's column headers as scripts read them (English)."""
PARAMETER_LABELS = ("metric id", "unit", "parameters (JSON)", "metric", "as used")
"""The same headers as a person reads them, translated in Russian and Ukrainian."""
COLUMN_GROUP_TEXT = "Columns {first}–{last} of {total}"
"""Above each part of a PDF table too wide for the page (its key columns repeated)."""
EMPTY_REPORT = ("No figures: nothing in the data falls in this period with these "
                "filters (see Period, As of and Filters above).")
"""The line of a file with no row at all: an empty XLSX or PDF was headers and nothing
under them, and only the command line's stderr said why."""


OTHER_STRINGS = ("none", "all data up to the as-of time", "Metric parameters", "defaults",
                 "Notes", "Page {page} of {pages}", "made {moment}", COLUMN_GROUP_TEXT,
                 EMPTY_REPORT, *PARAMETER_LABELS)
STRINGS = (DEFAULT_TITLE, *DIMENSION_LABELS.values(), *GRAIN_LABELS.values(),
           *(u for u in UNIT_LABELS.values() if u != "%"), *UNIT_NAMES.values(),
           *HEADER_LABELS, *OTHER_STRINGS,
           *NO_VALUE_STRINGS)
"""Every interface string of the XLSX and PDF exports (translated in the web catalogs)."""


def to_json_text(result: ReportResult) -> str:
    return json.dumps(result.to_json(), ensure_ascii=False, indent=1)


def to_csv_text(result: ReportResult) -> str:
    """Column ids as headers, raw numbers (seconds, ratios 0–1, counts; 15 significant
    digits), ``period_start`` as ISO-8601 in the report's zone with its offset; empty for
    no value."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=result.columns, lineterminator="\n")
    writer.writeheader()
    for row in result.rows:
        writer.writerow({k: _csv_cell(v) for k, v in row.items()})
    return buffer.getvalue()


def _csv_cell(value: Any) -> Any:
    """A cell's text: a float to 15 significant digits — every digit a double holds for
    sure — so a sum of costs reads 320.662, not 320.66200000000003."""
    if value is None:
        return ""
    if isinstance(value, float):
        return csv_number(value)
    return csv_safe(value)


def csv_number(value: float) -> str:
    """A float's CSV text: 15 significant digits, still a float's text (12.0, not 12)."""
    return repr(float(format(value, ".15g")))


# -- what a person reads: names, units, the header ------------------------------------------


def language_translator(lang: str) -> Any:
    """The words of a file in ``lang`` (English as it is): exports and scheduled mail."""
    if lang == "en":
        return lambda text: text
    from omnikpi.web.i18n import translator

    return translator(lang)


def metric_name(metric_id: str, lang: str) -> str:
    """The metric's name in ``lang`` (its id when it is not in the catalog)."""
    from omnikpi.metrics.base import all_metrics

    for metric in all_metrics():
        if metric.id == metric_id:
            return metric.name_in(lang)
    return metric_id


@dataclass(frozen=True)
class Column:
    key: str
    """The column's id in the rows."""
    name: str
    """What the column shows, in the export's language (a metric's name, a dimension)."""
    unit: str | None
    """The metric's unit; None for a dimension or the period."""

    named_unit: bool = False
    """The metric's name says its unit already ("Transactions per hour"): the header
    repeated it ("Transactions per hour (per hour)", "Обращений в час (в час)")."""

    def label(self, unit_text: str) -> str:
        return f"{self.name} ({unit_text})" if unit_text and not self.named_unit \
            else self.name


def columns(result: ReportResult, lang: str = "en") -> list[Column]:
    _ = language_translator(lang)
    out = []
    for key in result.columns:
        if key in result.metrics:
            unit = result.metrics[key]["unit"]
            said = UNIT_LABELS.get(unit, "").lower()
            named = bool(said) and said in metric_name(key, "en").lower()
            out.append(Column(key, metric_name(key, lang), unit, named))
        else:
            out.append(Column(key, _(DIMENSION_LABELS.get(key, key)), None))
    return out


def unit_text(unit: str | None, lang: str = "en") -> str:
    """The unit of a column as its header says it (durations: ``h:mm:ss``; counts: none)."""
    if unit == "seconds":
        return str(language_translator(lang)("h:mm:ss"))
    if unit is None or unit == "count":
        return ""
    return str(language_translator(lang)(UNIT_LABELS.get(unit, unit)))


def _local(us: int, tz: str) -> datetime:
    from omnikpi.engine.timezones import to_datetime, zone

    return to_datetime(us).astimezone(zone(tz))


def period_text(result: ReportResult, lang: str = "en") -> str:
    """The period in inclusive days when it is whole days (``[Mar 1, Mar 8)`` is
    ``Mar 1, 2024 – Mar 7, 2024``), else date-times; ``…`` for an open end."""
    window = result.window
    if window is None or (window.from_us is None and window.to_us is None):
        return str(language_translator(lang)("all data up to the as-of time"))
    start = _local(window.from_us, window.tz) if window.from_us is not None else None
    end = _local(window.to_us, window.tz) if window.to_us is not None else None
    if all(m is None or begins_local_day(m, window.tz) for m in (start, end)):
        first = formatting.fmt_date(start, lang) if start else "…"
        last = formatting.fmt_date(end - timedelta(days=1), lang) if end else "…"
        return first if first == last else f"{first} – {last}"
    first = formatting.fmt_datetime(start, lang) if start else "…"
    last = formatting.fmt_datetime(end, lang) if end else "…"
    return f"{first} – {last}"


def header_lines(result: ReportResult, lang: str = "en",
                 values_in_words: bool = False) -> list[tuple[str, str]]:
    """(label, value) lines above the table: period, zone, as-of, grain, filters (their
    values in words with ``values_in_words``, as the table of the same file shows them)."""
    _ = language_translator(lang)
    window = result.window
    tz = window.tz if window else "UTC"
    as_of = formatting.fmt_datetime(_local(window.as_of_us, tz), lang) if window else "—"

    def shown(dimension: str, value: str) -> str:
        return value_label(dimension, value, _) if values_in_words else value

    filters = "; ".join(
        f"{_(DIMENSION_LABELS.get(d, d))}: {', '.join(shown(d, v) for v in values)}"
        for d, values in sorted((window.filters if window else {}).items())) or _("none")
    return [
        (_("Period"), period_text(result, lang)),
        (_("Time zone"), tz),
        (_("As of"), as_of),
        (_("Grain"), _(GRAIN_LABELS.get(result.grain, result.grain))),
        (_("Filters"), filters),
    ]


def report_title(lang: str) -> str:
    """The default title of a report's file, in ``lang`` ("Отчёт OmniKPI")."""
    return str(language_translator(lang)(DEFAULT_TITLE))


def _title(title: str | None, lang: str) -> str:
    return report_title(lang) if title in (None, DEFAULT_TITLE) else str(title)


def _made_text(result: ReportResult, lang: str) -> str:
    """When the file was made, in the report's zone ("made Dec 3, 2026, 14:05")."""
    return made_text(result.window.tz if result.window else "UTC", lang)


def made_text(tz: str, lang: str) -> str:
    """When a file was made, in zone ``tz``, in ``lang`` (a printed page's footer)."""
    from omnikpi.engine.timezones import zone

    moment = datetime.now(zone(tz))
    return str(language_translator(lang)("made {moment}")).format(
        moment=f"{formatting.fmt_datetime(moment, lang)} ({tz})")


def _dimension_text(column: Column, value: Any, lang: str) -> Any:
    """A dimension's value as a person reads it: a missing one named, not left blank."""
    if value is None and column.unit is None and column.key != "period_start":
        return str(language_translator(lang)(no_value_label(column.key)))
    return value


def note_lines(result: ReportResult, lang: str) -> list[str]:
    """Why a metric has no value in any row, where its declaration says (FCR before its
    windows end), and why a file has no figure at all: a reader of the file sees the
    reason, not only a column of "—" or an empty table."""
    # no row at all: a count of 0 is a figure (no abandon on a good day), and a total's
    # one row of zeros cannot tell a quiet day from a period after the data
    empty = [str(language_translator(lang)(EMPTY_REPORT))] if not result.rows else []
    return empty + [f"{metric_name(metric_id, lang)}: {text}."
                    for metric_id, text in empty_notes(result, lang)]


def _param_lines(result: ReportResult, lang: str) -> list[str]:
    """Each metric's parameters as ``--param`` takes them, a threshold left to the
    configuration spelled out per channel (``param_text``)."""
    _ = language_translator(lang)
    thresholds = result.window.thresholds if result.window else ""
    return [f"{metric_name(metric_id, lang)}: "
            + (", ".join(f"{k}={v}" for k, v in param_texts(info["params"], thresholds))
               or _("defaults"))
            for metric_id, info in result.metrics.items()]


# -- XLSX ---------------------------------------------------------------------------------


NUMBER_FORMATS = {"seconds": "[h]:mm:ss", "ratio": "0.0%", "count": "#,##0"}
OTHER_NUMBER_FORMAT = "#,##0.00"
XLSX_MAX_WIDTH = 60
"""The widest column of the XLSX table (in characters); a longer name wraps in it."""
TABLE_ROW = len(HEADER_LABELS) + 3
"""The row of the table's column headers (title, the header lines, an empty row above)."""


def _cell_value(column: Column, value: Any, grain: str, lang: str = "en") -> Any:
    """What a cell holds: a naive date-time in the report's zone for the period, a
    fraction of a day for a duration (what Excel calls a time), the number otherwise; a
    missing dimension value named ("(no agent)")."""
    if value is None:
        return _dimension_text(column, value, lang)
    if column.key == "period_start":
        moment = formatting.to_datetime(value)
        if isinstance(moment, datetime):
            naive = moment.replace(tzinfo=None)
            return naive.date() if grain in formatting.DAY_GRAINS else naive
        return value
    if column.unit == "seconds" and formatting._number(value) is not None:
        return float(value) / 86400
    return value


def _shown_width(column: Column, value: Any, grain: str, lang: str = "en") -> int:
    """About how many characters a cell shows (for the column width)."""
    if value is None:
        return len(str(_dimension_text(column, value, lang) or "-"))
    if column.key == "period_start":
        return 10 if grain in formatting.DAY_GRAINS else 16
    if column.unit == "seconds":
        return len(formatting.duration(value, hours=True))
    if column.unit == "ratio":
        return len(formatting.percent(value, sign=False)) + 1
    if column.unit is not None:
        return len(formatting.human(value, column.unit))
    return len(str(value))


def write_xlsx(result: ReportResult, path: Path, title: str | None = None,
               lang: str = "en") -> None:
    """An Excel workbook: sheet ``report`` (header block, then the table from row
    :data:`TABLE_ROW`) and sheet ``parameters`` (each metric's id, unit, parameters)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "report"
    cols = columns(result, lang)
    shown_title = xlsx_safe(_title(title, lang))
    book.properties.title = shown_title
    book.properties.creator = "OmniKPI"
    sheet.cell(1, 1, shown_title).font = Font(bold=True, size=14)
    header = header_lines(result, lang)
    for offset, (name, text) in enumerate(header):
        sheet.cell(2 + offset, 1, name).font = Font(bold=True)
        sheet.cell(2 + offset, 2, xlsx_safe(text))
    fill = PatternFill("solid", fgColor="E6ECF2")
    widths = []
    header_lines_needed = 1
    for index, column in enumerate(cols, start=1):
        label = column.label(unit_text(column.unit, lang))
        cell = sheet.cell(TABLE_ROW, index, label)
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="top",
                                   horizontal="right" if column.unit else "left")
        values = [row.get(column.key) for row in result.rows]
        # the hour the clocks go back is read twice: each with its offset in its format
        repeated = (formatting.repeated_hours(values, result.tz)
                    if column.key == "period_start" else {})
        longest = max([_shown_width(column, v, result.grain, lang)
                       + (len(f" ({repeated[i]})") if i in repeated else 0)
                       for i, v in enumerate(values)], default=1)
        # a long name wraps over two lines rather than widening a column of short numbers
        heading = max(min(len(label), 24), max((len(w) for w in label.split()), default=1))
        if index == 1:  # column A also holds the header block's labels ("Time zone")
            heading = max(heading, *(len(name) + 1 for name, _ in header))
        width = min(XLSX_MAX_WIDTH, max(longest, heading) + 2)
        widths.append(width)
        # a name longer than the widest column wraps (Excel cut it off beside a filled
        # cell); a number or a date is never wrapped
        wrap = (Alignment(wrap_text=True, vertical="top")
                if column.unit is None and column.key != "period_start"
                and longest + 2 > width else None)
        header_lines_needed = max(header_lines_needed, _wrapped_lines(label, width - 2))
        number_format = "General"
        if column.key == "period_start":
            number_format = ("yyyy-mm-dd" if result.grain in formatting.DAY_GRAINS
                             else "yyyy-mm-dd hh:mm")
        elif column.unit is not None:
            number_format = NUMBER_FORMATS.get(column.unit, OTHER_NUMBER_FORMAT)
        for offset, value in enumerate(values, start=1):
            target = sheet.cell(TABLE_ROW + offset, index,
                                xlsx_safe(_cell_value(column, value, result.grain, lang)))
            target.number_format = number_format + (
                f' "({repeated[offset - 1]})"' if offset - 1 in repeated else "")
            if wrap is not None:
                target.alignment = wrap
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    # a wrapped heading gets the height of its lines (else it prints over the first row)
    sheet.row_dimensions[TABLE_ROW].height = 15 * header_lines_needed
    sheet.freeze_panes = sheet.cell(TABLE_ROW + 1, 1)
    made = _made_text(result, lang)  # once: both sheets' footers name the same minute
    print_setup(sheet, len(cols), made, lang)
    notes = note_lines(result, lang)
    if notes:  # after an empty row, so the table reads to its first empty row
        first = TABLE_ROW + len(result.rows) + 2
        sheet.cell(first, 1, language_translator(lang)("Notes")).font = Font(bold=True)
        for offset, line in enumerate(notes, start=1):
            sheet.cell(first + offset, 1, xlsx_safe(line))
    meta = book.create_sheet("parameters")
    # the JSON for scripts; "as used" for people: a threshold the configuration decides
    # ("threshold_seconds": null) spelled out per channel, as in the PDF
    translate = language_translator(lang)
    meta.append(list(PARAMETER_HEADERS) if lang == "en"
                else [translate(label) for label in PARAMETER_LABELS])
    thresholds = result.window.thresholds if result.window else ""
    for metric_id, info in result.metrics.items():
        used = ", ".join(f"{k}={v}" for k, v in param_texts(info["params"], thresholds))
        unit = info["unit"] if lang == "en" else \
            translate(UNIT_NAMES.get(info["unit"], info["unit"]))
        meta.append([xlsx_safe(v) for v in (
            metric_id, unit, json.dumps(info["params"]), metric_name(metric_id, lang),
            used or language_translator(lang)("defaults"))])
    for letter, width in zip("ABCDE", (
            max((len(m) for m in result.metrics), default=10) + 2, 10, 40,
            min(50, max((len(metric_name(m, lang)) for m in result.metrics),
                        default=10) + 2), 60), strict=True):
        meta.column_dimensions[letter].width = width
    meta.freeze_panes = "A2"
    print_setup(meta, 7, made, lang, title_row=1)
    workbook_as_text(book)  # a queue named "=HYPERLINK(…)" is a name, not a formula
    book.save(path)


def _wrapped_lines(label: str, width: int) -> int:
    """How many lines ``label`` takes wrapped between words in ``width`` characters."""
    lines, used = 1, 0
    for word in label.split():
        if used and used + 1 + len(word) > width:
            lines, used = lines + 1, len(word)
        else:
            used += (1 if used else 0) + len(word)
    return lines


def print_setup(sheet: Any, column_count: int, made: str, lang: str,
                 title_row: int | None = TABLE_ROW) -> None:
    """Printed, the sheet is a report: as wide as the page (landscape above six columns),
    the column headers on every page, page numbers and when it was made in the footer."""
    sheet.page_setup.orientation = "landscape" if column_count > 6 else "portrait"
    from openpyxl.worksheet.worksheet import Worksheet

    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4  # a streaming sheet has no constant
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    if title_row is not None:
        sheet.print_title_rows = f"{title_row}:{title_row}"
    pages = str(language_translator(lang)("Page {page} of {pages}")).format(page="&P", pages="&N")
    sheet.oddFooter.left.text = made.replace("&", "&&")
    sheet.oddFooter.right.text = pages


def write(result: ReportResult, fmt: str, output: Path | None,
          title: str | None = None, lang: str = "en") -> str | None:
    """Write to ``output`` (or return text for stdout); XLSX needs a file. JSON and CSV
    are for programs: the same in every language."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    if fmt == "xlsx":
        if output is None:
            raise UsageError("--format xlsx needs --output FILE.xlsx")
        write_xlsx(result, output, title, lang)
        return None
    text: Any = to_json_text(result) if fmt == "json" else to_csv_text(result)
    if output is None:
        return str(text)
    output.write_text(text, encoding="utf-8")
    return None


# -- PDF ----------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def font_folder() -> Path:
    """DejaVu Sans, as the ``matplotlib`` wheel ships it (covers Latin and Cyrillic)."""
    spec = find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the PDF export needs the matplotlib package (its DejaVu font)")
    folder = Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf"
    if not (folder / "DejaVuSans.ttf").exists():
        raise RuntimeError(f"DejaVuSans.ttf not found in {folder}")
    return folder


def pdf_cell(column: Column, value: Any, grain: str, lang: str, hours: bool) -> str:
    """A value as the PDF shows it under a header that carries the unit."""
    if column.key == "period_start":
        return formatting.fmt_period(value, grain, lang) if value is not None else "—"
    if column.unit is None:  # a printed page is read, never processed: in words
        return value_label(column.key, value, language_translator(lang))
    if column.unit == "seconds":
        return formatting.duration(value, hours=hours)
    if column.unit == "ratio":
        return formatting.percent(value, lang, sign=False)
    return formatting.human(value, column.unit, lang)


PDF_TABLE_SIZES = pdf_columns.SIZES
"""Font sizes tried for the table, largest first, until every column fits the page."""
def column_group_text(lang: str, first: int, last: int, total: int) -> str:
    """The line "Columns 23–44 of 66" above a column group, in ``lang``."""
    said = str(language_translator(lang)(COLUMN_GROUP_TEXT))
    return said.format(first=first, last=last, total=total)


def pdf_table(result: ReportResult, cols: list[Column], lang: str
              ) -> tuple[list[str], list[list[str]]]:
    """The PDF table's headings (a metric's name and its unit: ``m:ss`` for a column of
    durations under an hour, else ``h:mm:ss``) and its cells' text, row by row."""
    hours = {c.key: any(v is not None and formatting._number(v) is not None
                        and abs(formatting.whole_seconds(float(v))) >= 3600
                        for v in (r.get(c.key) for r in result.rows))
             for c in cols if c.unit == "seconds"}
    labels = [c.label(str(language_translator(lang)("h:mm:ss" if hours.get(c.key) else "m:ss")))
              if c.unit == "seconds"
              else c.label(unit_text(c.unit, lang)) for c in cols]
    body = [[pdf_cell(c, row.get(c.key), result.grain, lang, hours.get(c.key, False))
             for c in cols] for row in result.rows]
    repeated = formatting.repeated_hours([row.get("period_start") for row in result.rows],
                                         result.tz)
    for at, column in enumerate(cols):
        if column.key == "period_start":
            for position, offset in repeated.items():
                body[position][at] += f" ({offset})"
    return labels, body


def _group_start_height(pdf: Any, plan: pdf_columns.Layout, group: pdf_columns.Group,
                        labels: list[str]) -> float:
    """The height of a column group's caption, headings and first row: a caption is
    never left alone at the foot of a page."""
    pdf.set_font("dejavu", "B", plan.size)
    scale = pdf.epw / sum(group.widths)  # the table is as wide as the page
    lines = max(len(pdf.multi_cell(width * scale - 2.4, 4.2, labels[index], dry_run=True,
                                   output="LINES"))
                for index, width in zip(group.columns, group.widths, strict=True))
    return 5 + 1 + (lines + 1) * 4.2 + 2 * 1.6


def _table_layout(pdf: Any, cols: list[Column], labels: list[str], body: list[list[str]]
                  ) -> pdf_columns.Layout:
    """The table's font size and column groups (:mod:`omnikpi.pdf_columns`): each column
    as wide as its longest value (a value is never broken: "support" must not print as
    "suppor|t") and its heading's longest word (a heading wraps between words only); a
    table too wide for the page in column groups, the row's cut and period in each."""
    cache: dict[tuple[str, bool], float] = {}

    def measure(text: str, bold: bool) -> float:  # at 10 pt; a width scales with the size
        if (text, bold) not in cache:
            pdf.set_font("dejavu", "B" if bold else "", 10)
            cache[text, bold] = pdf.get_string_width(text) / 10
        return cache[text, bold]

    measured = pdf_columns.measure_columns(
        measure, labels, body, text=[c.unit is None and c.key != "period_start" for c in cols],
        key=[c.unit is None for c in cols])
    return pdf_columns.layout(measured, pdf.epw)


def _running_line(pdf: Any, title: str, period: str) -> str:
    """"title · period" in the page's width at its current font: a long title is cut
    with "…" so that the period stays (one line, which ran off the paper, period and
    all, past about 150 characters)."""
    line = f"{title} · {period}"
    if pdf.get_string_width(line) <= pdf.epw:
        return line
    low, high = 0, len(title)  # the longest cut of the title that fits
    while low < high:
        middle = (low + high + 1) // 2
        if pdf.get_string_width(f"{title[:middle].rstrip()}… · {period}") <= pdf.epw:
            low = middle
        else:
            high = middle - 1
    return f"{title[:low].rstrip()}… · {period}"


def write_pdf(result: ReportResult, path: Path, title: str | None = None,
              lang: str = "en") -> None:
    """A printable PDF: the header block, then the table (metric names with one unit per
    column; headings repeated on each page), then each metric's parameters."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    cols = columns(result, lang)
    landscape = len(cols) > 6
    shown_title = _title(title, lang)
    period = period_text(result, lang)
    translate = language_translator(lang)
    made = _made_text(result, lang)

    class Report(FPDF):
        """Pages after the first repeat the title and the period; each says its number
        (a printed page 7 of a 71-page report must say what it belongs to)."""

        def header(self) -> None:
            if self.page_no() > 1:
                self.set_font("dejavu", "I", 7)
                self.cell(0, 4, _running_line(self, shown_title, period),
                          new_x="LMARGIN", new_y="NEXT")
                self.ln(1)

        def footer(self) -> None:
            self.set_y(-10)
            self.set_font("dejavu", "", 7)
            self.cell(0, 4, made)
            self.set_x(self.l_margin)
            self.cell(0, 4, str(translate("Page {page} of {pages}")).format(
                page=self.page_no(), pages="{nb}"), align="R")

    pdf = Report(orientation="L" if landscape else "P", unit="mm", format="A4")
    folder = font_folder()
    pdf.add_font("dejavu", "", str(folder / "DejaVuSans.ttf"))
    pdf.add_font("dejavu", "B", str(folder / "DejaVuSans-Bold.ttf"))
    pdf.add_font("dejavu", "I", str(folder / "DejaVuSans-Oblique.ttf"))
    pdf.set_title(shown_title)
    pdf.set_creator("OmniKPI")
    pdf.add_page()
    pdf.set_font("dejavu", "B", 13)
    pdf.multi_cell(0, 7, _title(title, lang), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    pdf.set_font("dejavu", size=8.5)
    label_width = 28
    for label, value in header_lines(result, lang, values_in_words=True):
        pdf.set_font("dejavu", "B", 8.5)
        pdf.cell(label_width, 4.6, label)
        pdf.set_font("dejavu", "", 8.5)
        pdf.multi_cell(0, 4.6, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    labels, body = pdf_table(result, cols, lang)
    plan = _table_layout(pdf, cols, labels, body)
    heading_style = FontFace(emphasis="BOLD", fill_color=(230, 236, 242))
    align: list[str] = ["LEFT" if c.unit is None else "RIGHT" for c in cols]
    for number, group in enumerate(plan.groups):
        if len(plan.groups) > 1:  # "Columns 23–44 of 66", kept with its table's heading
            shown = [i for i in group.columns if cols[i].unit is not None] or group.columns
            first = 1 if number == 0 else min(shown) + 1
            if number:
                pdf.ln(3)
            if pdf.will_page_break(_group_start_height(pdf, plan, group, labels)):
                pdf.add_page()
            pdf.set_font("dejavu", "B", 7.5)
            pdf.cell(0, 4, column_group_text(lang, first, max(shown) + 1, len(cols)),
                     new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        pdf.set_font("dejavu", size=plan.size)
        with pdf.table(col_widths=tuple(group.widths),
                       text_align=tuple(align[i] for i in group.columns),
                       headings_style=heading_style, line_height=4.2,
                       padding=(0.8, 1.2), first_row_as_headings=True) as table:
            heading = table.row()
            for index in group.columns:
                heading.cell(labels[index])
            for values in body:
                row = table.row()
                for index in group.columns:
                    row.cell(values[index])
    pdf.ln(3)
    pdf.set_font("dejavu", "B", 7.5)
    pdf.cell(0, 4, language_translator(lang)("Metric parameters"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("dejavu", "I", 7)
    for line in _param_lines(result, lang):
        pdf.multi_cell(0, 3.8, line, new_x="LMARGIN", new_y="NEXT")
    notes = note_lines(result, lang)
    if notes:
        pdf.ln(2)
        pdf.set_font("dejavu", "B", 7.5)
        pdf.cell(0, 4, language_translator(lang)("Notes"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("dejavu", "", 7)
        for line in notes:
            pdf.multi_cell(0, 3.8, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))

"""The agent × day roster of a schedule (shift times per agent and day in a zone), and
the roster as an Excel workbook (export.py's conventions: a title and header block, a
bold shaded header row, frozen panes, fitted widths)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from omnikpi.cell_text import workbook_as_text, xlsx_safe


@dataclass(frozen=True)
class ScheduledShift:
    agent_id: str
    start: datetime
    end: datetime
    site: str | None = None


@dataclass(frozen=True)
class Roster:
    days: list[date]
    agents: list[str]
    cells: dict[tuple[str, date], str]
    """(agent, day) → ``07:00–15:00`` (several shifts a day: joined by commas)."""
    sites: dict[str, str]

    def cell(self, agent: str, day: date) -> str:
        return self.cells.get((agent, day), "")


def week_of(day: date) -> list[date]:
    monday = day - timedelta(days=day.weekday())
    return [monday + timedelta(days=i) for i in range(7)]


def roster(shifts: Iterable[ScheduledShift], days: Sequence[date], tz: str) -> Roster:
    zone = ZoneInfo(tz)
    cells: dict[tuple[str, date], list[str]] = {}
    agents: set[str] = set()
    sites: dict[str, str] = {}
    for s in shifts:
        start, end = s.start.astimezone(zone), s.end.astimezone(zone)
        agents.add(s.agent_id)
        if s.site:
            sites[s.agent_id] = s.site
        if start.date() in days:
            cells.setdefault((s.agent_id, start.date()), []).append(
                f"{start:%H:%M}–{end:%H:%M}")
    return Roster(list(days), sorted(agents), {k: ", ".join(v) for k, v in cells.items()},
                  sites)


def roster_xlsx(table: Roster, title: str, headers: Sequence[str], off: str) -> bytes:
    """``headers``: the agent and site column names then one per day (in the reader's
    language); ``off``: what an empty day shows."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "roster"
    sheet.cell(1, 1, xlsx_safe(title)).font = Font(bold=True, size=14)
    fill = PatternFill("solid", fgColor="E6ECF2")
    for index, text in enumerate(headers, start=1):
        cell = sheet.cell(3, index, text)
        cell.font, cell.fill = Font(bold=True), fill
    for row, agent in enumerate(table.agents, start=4):
        sheet.cell(row, 1, xlsx_safe(agent))
        sheet.cell(row, 2, xlsx_safe(table.sites.get(agent, "")))
        for col, day in enumerate(table.days, start=3):
            sheet.cell(row, col, xlsx_safe(table.cell(agent, day) or off))
    widths = [max([len(str(headers[0]))] + [len(a) for a in table.agents]) + 2,
              max([len(str(headers[1]))] + [len(s) for s in table.sites.values()]) + 2]
    widths += [max(len(str(h)), 13) + 2 for h in headers[2:]]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width, 40)
    sheet.freeze_panes = sheet.cell(4, 3)
    # an agent id or site "=HYPERLINK(…)" from the shifts export is a name, not a formula
    workbook_as_text(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

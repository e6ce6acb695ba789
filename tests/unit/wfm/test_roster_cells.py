"""The roster workbook holds names from the shifts export: written as text, always."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook

from omnikpi.wfm.schedule.roster import Roster, roster_xlsx


def test_names_from_the_data_are_text_and_control_characters_do_not_break_it() -> None:
    """An agent id ``=HYPERLINK(…)`` and a site ``=1+1`` from shifts.csv were live
    formulas in the roster XLSX (every other export keeps them as text); a site with a
    control character made openpyxl refuse the cell. Both are text cells now, the
    control character shown as U+FFFD."""
    day = date(2024, 3, 5)
    agent = '=HYPERLINK("http://evil.example/","Click")'
    table = Roster([day], [agent, "a2"], {(agent, day): "08:00–16:00"},
                   {agent: "=1+1", "a2": "k\x01yiv"})
    book = load_workbook(io.BytesIO(roster_xlsx(table, "Roster", ["agent", "site", "Tue"],
                                                "off")))
    sheet = book["roster"]
    assert [(c.value, c.data_type) for c in sheet[4][:3]] == [
        (agent, "s"), ("=1+1", "s"), ("08:00–16:00", "s")]
    assert [c.value for c in sheet[5][:3]] == ["a2", "k\ufffdyiv", "off"]

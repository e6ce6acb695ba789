"""Where a local day begins, and the period above an exported table on a day whose
midnight the clocks skip.

Africa/Cairo jumped from 00:00 to 01:00 on 2024-04-26, so that day begins at 01:00+03.
The XLSX said "Period: Apr 26, 2024, 01:00 – Apr 27, 2024, 00:00" for the whole day, and
dated its one row the 25th."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from omnikpi.cli.main import app
from omnikpi.instants import begins_local_day, local_midnight_us


def test_a_day_whose_midnight_is_skipped_is_a_day(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "contacts.csv").write_text(
        "contact_id,channel,direction,queue,arrived_at,accepted_at,ended_at\n"
        "a,voice,inbound,q,2024-04-25T22:30:00Z,2024-04-25T22:30:10Z,2024-04-25T22:35:00Z\n"
        "b,voice,inbound,q,2024-04-26T20:30:00Z,2024-04-26T20:30:10Z,2024-04-26T20:35:00Z\n")
    book = tmp_path / "day.xlsx"
    result = CliRunner().invoke(app, [
        "report", "--data", str(data), "--metrics", "offered", "--grain", "day",
        "--tz", "Africa/Cairo", "--from", "2024-04-26", "--to", "2024-04-27",
        "--format", "xlsx", "--output", str(book)])
    assert result.exit_code == 0, result.output
    rows = list(load_workbook(book).active.iter_rows(values_only=True))
    assert ("Period", "Apr 26, 2024") in rows
    assert rows[-1][1] == 2 and rows[-1][0].date().isoformat() == "2024-04-26"


@pytest.mark.parametrize(("day", "zone", "begins"), [
    ("2024-03-05", "Europe/Kyiv", "2024-03-04T22:00:00+00:00"),     # an ordinary day
    ("2024-04-26", "Africa/Cairo", "2024-04-25T22:00:00+00:00"),    # 00:00 → 01:00
    ("2026-11-01", "America/Havana", "2026-11-01T04:00:00+00:00"),  # midnight twice
    # Toronto's clocks went from 23:30 on 30 March 1919 to 00:30: the 31st began at
    # 00:30-04:00, the jump (its midnight read with either offset is off by 30 min)
    ("1919-03-31", "America/Toronto", "1919-03-31T04:30:00+00:00"),
])
def test_where_a_local_day_begins(day: str, zone: str, begins: str) -> None:
    number = (date.fromisoformat(day) - date(1970, 1, 1)).days
    moment = datetime.fromtimestamp(local_midnight_us(number, zone) / 1e6, UTC)
    assert moment.isoformat() == begins
    assert begins_local_day(moment, zone)
    assert not begins_local_day(moment + timedelta(minutes=1), zone)

"""The period above an exported table, on a day whose midnight the clocks skip.

Africa/Cairo jumped from 00:00 to 01:00 on 2024-04-26, so that day begins at 01:00+03.
The XLSX said "Period: Apr 26, 2024, 01:00 – Apr 27, 2024, 00:00" for the whole day, and
dated its one row the 25th."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner

from omnikpi.cli.main import app


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

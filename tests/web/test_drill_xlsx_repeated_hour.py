"""The drill-down's XLSX tells the two readings of the hour the clocks go back apart,
as the report's XLSX does: two calls an hour apart both read 2024-10-27 03:10 in Kyiv."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook

CONTACTS = """contact_id,channel,queue,arrived_at,accepted_at,ended_at,agent_id
c1,voice,q1,2024-10-27T00:10:00Z,2024-10-27T00:10:05Z,2024-10-27T00:12:00Z,a1
c2,voice,q1,2024-10-27T01:10:00Z,2024-10-27T01:10:05Z,2024-10-27T01:12:00Z,a1
c3,voice,q1,2024-10-27T08:00:00Z,2024-10-27T08:00:05Z,2024-10-27T08:02:00Z,a1
"""


def test_the_repeated_hour_shows_each_offset(make_app: Callable[..., FastAPI],
                                             tmp_path: Path) -> None:
    (tmp_path / "contacts.csv").write_text(CONTACTS)
    client = TestClient(make_app(tmp_path))
    answer = client.get("/drill.xlsx", params={"metric": "offered", "tz": "Europe/Kyiv"})
    assert answer.status_code == 200, answer.text
    sheet = load_workbook(io.BytesIO(answer.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows())
    head = next(i for i, row in enumerate(rows) if row[0].value == "contact_id")
    column = [c.value for c in rows[head]].index("arrived_at")
    shown = {row[0].value: (row[column].value, row[column].number_format)
             for row in rows[head + 1:]}
    assert shown == {
        "c1": (datetime(2024, 10, 27, 3, 10), 'yyyy-mm-dd hh:mm:ss "(UTC+03:00)"'),
        "c2": (datetime(2024, 10, 27, 3, 10), 'yyyy-mm-dd hh:mm:ss "(UTC+02:00)"'),
        "c3": (datetime(2024, 10, 27, 10, 0), "yyyy-mm-dd hh:mm:ss")}

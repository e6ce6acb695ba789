"""The drill-down of occupancy filtered by a channel: the rows of available time shared
with that channel say which share of the recorded piece they are, on the page (as a
percentage, in the page's language) and in the XLSX (a percent-formatted number).

Data of ``tests/engines/test_available_share.py``: on 4 March agent a1 worked 2 h of
voice and 1 h of chat and had 1 h of available time without a channel, so a third of that
hour is chat's (its 5 March hour, a day without work, is not).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from ..builders import dataset
from ..engines.test_available_share import AS_OF, STATES

QUERY = f"metric=occupancy&channel=chat&tz=UTC&as_of={AS_OF}&sort=piece_start"


def test_shared_rows_show_their_share(make_app: Callable[..., FastAPI], tmp_path: Path) -> None:
    client = TestClient(make_app(dataset(tmp_path / "blended", agent_states=STATES)))
    page = client.get(f"/drill?{QUERY}&lang=uk")
    assert page.status_code == 200
    assert "частка записаного часу" in page.text
    assert page.text.count("33,3\u00a0%") + page.text.count("33,3 %") == 1, page.text[-3000:]
    book = load_workbook(io.BytesIO(client.get(f"/drill.xlsx?{QUERY}").content))
    rows = list(book["drill"].iter_rows(values_only=False))
    header = [c.value for c in rows[9]]
    at = header.index("share")  # exports keep the engine's column names
    shares = [(r[at].value, r[at].number_format) for r in rows[10:]]
    assert [s for s, _ in shares] == [1.0, 1 / 3]
    assert {f for _, f in shares} == {"0.0%"}


def test_a_drill_export_keeps_hostile_text_as_text(make_app: Callable[..., FastAPI],
                                                   tmp_path: Path) -> None:
    """An agent id and a queue from posted data that start like formulas: the drill's
    XLSX has them as text cells, its CSV with an apostrophe."""
    import csv

    data = tmp_path / "data"
    data.mkdir()
    (data / "contacts.csv").write_text(
        "contact_id,channel,queue,arrived_at,first_response_at,ended_at,agent_id\n"
        'c1,voice,"=HYPERLINK(""http://evil.example"",""x"")",2024-03-05T09:00:00Z,'
        "2024-03-05T09:00:05Z,2024-03-05T09:01:00Z,@evil\n")
    client = TestClient(make_app(data))
    query = "metric=answered&tz=UTC"
    rows = list(csv.reader(io.StringIO(client.get(f"/drill.csv?{query}").text)))
    values = {cell for row in rows[1:] for cell in row}
    assert {"'@evil", "'=HYPERLINK(\"http://evil.example\",\"x\")"} <= values, rows
    book = load_workbook(io.BytesIO(client.get(f"/drill.xlsx?{query}").content))
    cells = [c for row in book["drill"].iter_rows() for c in row
             if isinstance(c.value, str) and c.value.startswith(("=", "@"))]
    assert {c.value for c in cells} >= {"@evil", '=HYPERLINK("http://evil.example","x")'}
    assert {c.data_type for c in cells} == {"s"}


def test_control_characters_in_the_data_or_the_query_give_a_file(
        make_app: Callable[..., FastAPI], tmp_path: Path) -> None:
    """A queue with a control character (posted through the events API, which accepts
    it) and a filter value with one: openpyxl refused the cell and /export.xlsx and
    /drill.xlsx answered 500 to every reader of that data. The files are written, the
    character shown as U+FFFD."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "contacts.csv").write_text(
        "contact_id,channel,queue,arrived_at,first_response_at,ended_at,agent_id\n"
        "c1,voice,ctl\x01q,2024-03-05T09:00:00Z,2024-03-05T09:00:05Z,"
        "2024-03-05T09:01:00Z,a1\n")
    client = TestClient(make_app(data))
    drill = client.get("/drill.xlsx?metric=answered&tz=UTC")
    assert drill.status_code == 200
    values = {c.value for row in load_workbook(io.BytesIO(drill.content))["drill"].iter_rows()
              for c in row}
    assert "ctl\ufffdq" in values
    filtered = client.get("/drill.xlsx?metric=answered&tz=UTC&queue=%01")
    assert filtered.status_code == 200
    report = client.get("/export.xlsx?metrics=answered&by=queue&tz=UTC&title=%01x")
    assert report.status_code == 200
    # a parameter's value goes into the parameters sheet
    assert client.get("/export.xlsx?metrics=cross_sell_rate&tz=UTC&param="
                      "sale_outcomes%3Dsale%01").status_code == 200
    sheet = load_workbook(io.BytesIO(report.content))["report"]
    assert sheet["A1"].value == "\ufffdx"
    assert "ctl\ufffdq" in {c.value for row in sheet.iter_rows() for c in row}

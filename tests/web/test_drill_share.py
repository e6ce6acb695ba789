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

"""An export's file name gives the days its sheet states, in the report's zone: a ``to``
that is midnight there with an offset (``2024-03-06T00:00:00+02:00`` in Kyiv) is the
exclusive end of the 5th, as ``to=2024-03-06`` is, and was named …_2024-03-06 while the
sheet said "… – Mar 5, 2024"; any other instant is the day it falls on there."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook


def _named(client: TestClient, fmt: str, **params: str) -> tuple[str, bytes]:
    answer = client.get(f"/export.{fmt}", params={"metrics": "offered", **params})
    assert answer.status_code == 200, answer.text
    disposition = answer.headers["content-disposition"]
    return disposition.split('filename="')[1].split('"')[0], answer.content


def _period(book: bytes) -> str:
    sheet = load_workbook(io.BytesIO(book))["report"]
    return next(str(row[1]) for row in sheet.iter_rows(values_only=True)
                if row[0] == "Period")


@pytest.mark.parametrize(("params", "name", "period"), [
    # midnight in Kyiv (UTC+2 in early March) with its offset: the 5th is the last day
    ({"from": "2024-03-04", "to": "2024-03-06T00:00:00+02:00", "tz": "Europe/Kyiv"},
     "omnikpi-report_2024-03-04_2024-03-05.xlsx", "Mar 4, 2024 – Mar 5, 2024"),
    ({"to": "2024-03-06T00:00:00+02:00", "tz": "Europe/Kyiv"},
     "omnikpi-report_2024-03-05.xlsx", "– Mar 5, 2024"),
    # the same midnight in UTC and zone-less, and the date itself
    ({"from": "2024-03-04", "to": "2024-03-05T22:00:00Z", "tz": "Europe/Kyiv"},
     "omnikpi-report_2024-03-04_2024-03-05.xlsx", "Mar 4, 2024 – Mar 5, 2024"),
    ({"from": "2024-03-04", "to": "2024-03-06T00:00:00", "tz": "Europe/Kyiv"},
     "omnikpi-report_2024-03-04_2024-03-05.xlsx", "Mar 4, 2024 – Mar 5, 2024"),
    ({"from": "2024-03-04", "to": "2024-03-06", "tz": "Europe/Kyiv"},
     "omnikpi-report_2024-03-04_2024-03-05.xlsx", "Mar 4, 2024 – Mar 5, 2024"),
    # the form's inclusive To day
    ({"from": "2024-03-04", "to_day": "2024-03-06", "tz": "Europe/Kyiv"},
     "omnikpi-report_2024-03-04_2024-03-06.xlsx", "Mar 4, 2024 – Mar 6, 2024"),
    # midnight with an offset that is not the zone's: 02:00 on the 6th in Kyiv
    ({"from": "2024-03-04", "to": "2024-03-06T00:00:00+00:00", "tz": "Europe/Kyiv"},
     "omnikpi-report_2024-03-04_2024-03-06.xlsx", "– Mar 6, 2024, 02:00"),
    # a time of day: its own day
    ({"from": "2024-03-04", "to": "2024-03-06T12:30:00+02:00", "tz": "Europe/Kyiv"},
     "omnikpi-report_2024-03-04_2024-03-06.xlsx", "– Mar 6, 2024, 12:30"),
    # a from given as an instant: its day in the zone (22:00 UTC is midnight in Kyiv)
    ({"from": "2024-03-03T22:00:00Z", "to": "2024-03-06T00:00:00+02:00",
      "tz": "Europe/Kyiv"},
     "omnikpi-report_2024-03-04_2024-03-05.xlsx", "Mar 4, 2024 – Mar 5, 2024"),
])
def test_the_file_name_gives_the_days_the_sheet_states(
        make_app: Callable[..., FastAPI], params: dict[str, str], name: str,
        period: str) -> None:
    client = TestClient(make_app())
    named, book = _named(client, "xlsx", **params)
    assert period in _period(book)
    assert named == name

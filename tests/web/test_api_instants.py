"""The JSON of the rows behind a figure keeps each instant to the microsecond, as the
CSV of the same rows does: ``/api/v1/drill`` cut the seconds' fraction, so a row's wait
of 5.44 s sat between 11:55:40 and 11:55:45, and ``/api/v1/contacts`` wrote the same
instant as ``.390`` where the CSV wrote ``.390000``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

WINDOW = {"queue": "sales", "tz": "Europe/Kyiv", "from": "2024-03-05", "to": "2024-03-06"}


@pytest.fixture(scope="module")
def client(make_app: Callable[..., FastAPI]) -> TestClient:
    return TestClient(make_app())


def test_drill_rows_keep_the_fraction_their_wait_is_measured_with(
        client: TestClient) -> None:
    drilled = client.get("/api/v1/drill", params={"metric": "asa", "part": "numerator",
                                                  "size": 200, **WINDOW})
    assert drilled.status_code == 200, drilled.text
    rows = [r for r in drilled.json()["rows"]
            if r.get("first_response_at") and r.get("wait_s") is not None]
    assert rows
    fractions = 0
    for row in rows:
        arrived = datetime.fromisoformat(row["arrived_at"])
        answered = datetime.fromisoformat(row["first_response_at"])
        assert (answered - arrived).total_seconds() == pytest.approx(row["wait_s"], abs=1e-6)
        fractions += arrived.microsecond != 0
    assert fractions  # the demo's times carry milliseconds


def test_the_contacts_api_writes_an_instant_as_the_drill_does(client: TestClient) -> None:
    drilled = client.get("/api/v1/drill", params={"metric": "offered", "part": "numerator",
                                                  "size": 1000, **WINDOW}).json()["rows"]
    listed = client.get("/api/v1/contacts", params={"flag": "offered", "size": 1000,
                                                    **WINDOW}).json()["rows"]
    by_id = {r["contact_id"]: r["arrived_at"] for r in drilled}
    assert len(listed) == len(by_id) > 0
    for row in listed:
        assert row["arrived_at"] == by_id[row["contact_id"]]
    assert any("." in text for text in by_id.values())
    assert all(text.endswith("+02:00") for text in by_id.values())

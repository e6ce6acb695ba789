"""Bad requests answered as a client error, in the caller's form (found by an audit of the
JSON APIs and the exports).

Parameters no row can have are a clear 4xx, never a 500.

A number too large for the database (2^63 and beyond) in any numeric parameter is a
clear 4xx, never a 500: SQLite stores 64-bit integers, so ``?before_id=2^63`` raised an
OverflowError from the driver on the alerts API and pages, ``?board=2^64`` on the
wallboard and ``?boards=2^64`` on the TV page (found by an audit of the JSON APIs)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

HUGE = str(2**64)
URLS = [
    f"/api/v1/alerts?before_id={HUGE}", f"/alerts?before_id={HUGE}", f"/alerts?edit={HUGE}",
    f"/wallboard?board={HUGE}", f"/tv?boards={HUGE}", f"/tv?rotate={HUGE}",
    f"/api/v1/audit?before_id={HUGE}", f"/audit?before_id={HUGE}",
    f"/api/v1/contacts?page={HUGE}", f"/api/v1/contacts?size={HUGE}",
    f"/api/v1/drill?metric=aht&page={HUGE}", f"/drill?metric=aht&page={HUGE}",
    f"/qa/evaluations.json?limit={HUGE}", f"/schedules?edit={HUGE}",
    f"/schedules/runs/{HUGE}/file", f"/qa/evaluate/{HUGE}",
]


@pytest.fixture(scope="module")
def client(make_app: Callable[..., FastAPI]) -> TestClient:
    return TestClient(make_app(scheduler=False), raise_server_exceptions=False)


@pytest.mark.parametrize("url", URLS)
def test_a_huge_number_is_a_client_error(client: TestClient, url: str) -> None:
    answer = client.get(url)
    # a page past the last is an empty page, a limit past the largest the largest: 200
    assert 400 <= answer.status_code < 500 or answer.status_code == 200, (
        url, answer.status_code, answer.text[:200])


@pytest.mark.parametrize("url", [
    "/api/v1/drill?metric=time_in_state&key=state:%00",
    "/drill.csv?metric=time_in_state&key=state:a%00b",
    "/drill.xlsx?metric=time_in_state&key=state:%00",
    "/drill?metric=time_in_state&key=state:%00"])
def test_a_nul_in_a_drill_down_key_is_a_client_error(client: TestClient, url: str) -> None:
    """The key's value went into the query as SQL text, where DuckDB's parser ends a
    literal at a NUL: a 500. Filters already refused it; a key now does too."""
    answer = client.get(url)
    assert answer.status_code == 400, (url, answer.status_code, answer.text[:200])
    if url.startswith("/api/"):
        assert answer.json()["detail"] == "key state: a value holds a NUL character"


@pytest.mark.parametrize("url, status", [
    ("/wfm/staffing/plan.csv?channel=fax", 400), ("/audit.csv?from=nope", 400),
    ("/recordings/no-such-contact/peaks.json", 404), ("/schedules/runs/2/file", 404)])
def test_a_download_a_script_asked_for_answers_its_error_in_json(
        client: TestClient, url: str, status: int) -> None:
    """The report and drill-down files answered a script's bad request in JSON and a
    person's click with the page; the other downloads sent every caller an HTML page."""
    script = client.get(url, headers={"accept": "*/*"})
    assert script.status_code == status, script.text[:200]
    assert script.headers["content-type"].startswith("application/json")
    assert script.json()["detail"]
    browser = client.get(url, headers={"accept": "text/html,application/xhtml+xml"})
    assert browser.status_code == status
    assert browser.headers["content-type"].startswith("text/html")


def test_a_download_form_a_browser_sent_answers_with_the_page(client: TestClient) -> None:
    """The custom what-if scenario's file is a form sent by POST: a browser's refused one
    is the page with its sentence, a script's the JSON."""
    form = {"which": "neither", "csrf_token": "x"}
    browser = client.post("/wfm/whatif/scenario.toml", data=form,
                          headers={"accept": "text/html,application/xhtml+xml"})
    assert browser.status_code == 400, browser.text[:200]
    assert browser.headers["content-type"].startswith("text/html")
    script = client.post("/wfm/whatif/scenario.toml", data=form, headers={"accept": "*/*"})
    assert script.status_code == 400
    assert script.headers["content-type"].startswith("application/json")

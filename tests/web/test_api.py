"""The web API gives the CLI's numbers; bad input is a named 4xx, never a 500."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from omnikpi.cli.main import app as cli
from omnikpi.demo import DEMO_DATA_DIR
from omnikpi.metrics.base import all_metrics
from omnikpi.web.repeated_params import joined_query
from tests.conftest import SPEC_DOCS


@pytest.fixture(scope="module")
def client(make_app: Callable[..., FastAPI]) -> TestClient:
    return TestClient(make_app())


def test_report_equals_the_cli(client: TestClient) -> None:
    args = {"metrics": "offered,service_level,asa,abandon_rate,aht", "by": "queue",
            "grain": "day", "tz": "Europe/Kyiv"}
    api = client.get("/api/v1/report", params=args).json()
    printed = CliRunner().invoke(cli, ["report", "--data", str(DEMO_DATA_DIR), "--format",
                                       "json", "--metrics", args["metrics"], "--by", "queue",
                                       "--grain", "day", "--tz", "Europe/Kyiv"]).stdout
    cli_json = json.loads(printed)
    assert api["metrics"] == cli_json["metrics"]
    assert len(api["rows"]) == len(cli_json["rows"])
    for ours, theirs in zip(api["rows"], cli_json["rows"], strict=True):
        assert ours.keys() == theirs.keys()
        for key, value in ours.items():
            # floating sums in parallel aggregation may differ in the last bit
            assert value == pytest.approx(theirs[key], rel=1e-12) if isinstance(
                value, float) else value == theirs[key]


def test_filters_and_params(client: TestClient) -> None:
    voice = client.get("/api/v1/report", params={"metrics": "offered", "channel": "voice"})
    by_channel = client.get("/api/v1/report", params={"metrics": "offered", "by": "channel"})
    offered = {r["channel"]: r["offered"] for r in by_channel.json()["rows"]}
    assert voice.json()["rows"] == [{"offered": offered["voice"]}]
    sl = client.get("/api/v1/report", params=[("metrics", "service_level"),
                                              ("param", "threshold_seconds=60")]).json()
    assert sl["metrics"]["service_level"]["params"]["threshold_seconds"] == 60.0


@pytest.mark.parametrize(("params", "status", "words"), [
    ({"metrics": "sl"}, 400, "unknown metric 'sl'"),
    ({"metrics": "offered", "from": "yesterday"}, 400, "bad from"),  # its name, not the CLI's
    ({"metrics": "offered", "grain": "fortnight"}, 400, "unknown grain"),
    ({"metrics": "occupancy", "by": "queue"}, 400, "cannot be cut by queue"),
    ({"metrics": "offered,utilization", "channel": "voice"}, 400,
     "metric utilization cannot be filtered by channel: its data (shifts, agent_states) can "
     "be filtered only by agent_id, site, tenant"),
    ({"metrics": "qa_score"}, 422, "qa_evaluations"),
])
def test_bad_input_is_a_named_4xx(client: TestClient, params: dict[str, str], status: int,
                                  words: str) -> None:
    response = client.get("/api/v1/report", params=params)
    assert response.status_code == status and words in response.json()["detail"]


def test_drill_down_lists_the_contacts_behind_a_number(client: TestClient) -> None:
    abandoned = client.get("/api/v1/report", params={"metrics": "abandoned",
                                                     "by": "queue"}).json()["rows"]
    sales = next(r["abandoned"] for r in abandoned if r["queue"] == "sales")
    page = client.get("/api/v1/contacts", params={"queue": "sales", "flag": "abandoned",
                                                  "size": 10}).json()
    assert page["total"] == sales and len(page["rows"]) == 10
    assert all(r["abandoned"] and r["queue"] == "sales" for r in page["rows"])
    assert client.get("/api/v1/contacts", params={"flag": "nope"}).status_code == 400


EXTENSIONS = {m.id for m in all_metrics() if m.extension}
"""Metrics OmniKPI adds to the spec's catalog (declared so; documented in docs/decisions.md)."""


def test_catalog_and_openapi(client: TestClient) -> None:
    listed = {m["id"] for m in client.get("/api/v1/catalog").json()}
    spec = set(re.findall(r"^\| `([a-z0-9_]+)`",
                          (SPEC_DOCS / "kpi-catalog.md").read_text(), re.M))
    assert len(spec) == 76 and listed == {m.id for m in all_metrics()} == \
        spec | EXTENSIONS
    assert "/api/v1/report" in client.get("/openapi.json").json()["paths"]


def test_pages_render_offline(client: TestClient) -> None:
    page = client.get("/", params={"tz": "Europe/Kyiv"})
    assert page.status_code == 200 and "Service level" in page.text
    assert "https://" not in page.text.split("<body>")[0]  # no CDN in the head
    assert client.get("/static/plotly.min.js").status_code == 200
    drill = client.get("/drill", params={"metric": "abandon_rate", "flag": "abandoned"})
    assert drill.status_code == 200 and "Formula" in drill.text


@pytest.mark.parametrize("metric", ["service_level", "abandon_rate", "asa", "transfer_rate"])
def test_numerator_and_denominator_contacts_reproduce_the_ratio(client: TestClient,
                                                                 metric: str) -> None:
    value = client.get("/api/v1/report", params={"metrics": metric, "by": "queue",
                                                 "queue": "sales"}).json()["rows"][0][metric]
    num = client.get("/api/v1/contacts", params={"metric": metric, "part": "numerator",
                                                 "queue": "sales", "size": 1000}).json()
    den = client.get("/api/v1/contacts", params={"metric": metric, "part": "denominator",
                                                 "queue": "sales"}).json()
    if metric == "asa":  # a mean: Σ wait of the numerator contacts / their count
        waits = []
        page = 1
        while True:
            rows = client.get("/api/v1/contacts", params={
                "metric": metric, "part": "numerator", "queue": "sales", "size": 1000,
                "page": page}).json()["rows"]
            waits += [r["wait_s"] for r in rows]
            if len(rows) < 1000:
                break
            page += 1
        assert sum(waits) / den["total"] == pytest.approx(value)
    else:
        assert num["total"] / den["total"] == pytest.approx(value)


def test_a_request_cannot_choose_the_engine(client: TestClient) -> None:
    """Once, ``engine=spark`` in a URL started a 1.15 GB JVM for any logged-in client."""
    answer = client.get("/api/v1/report", params={"metrics": "offered", "engine": "spark"})
    assert answer.status_code == 400 and "set when the server starts" in answer.json()["detail"]
    same = client.get("/api/v1/report", params={"metrics": "offered", "engine": "duckdb"})
    assert same.status_code == 200


def test_pages_carry_a_csp_with_their_scripts_nonce_and_no_store(client: TestClient) -> None:
    page = client.get("/", params={"tz": "Europe/Kyiv"})
    policy = page.headers["content-security-policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy)
    assert nonce and "script-src 'self' 'nonce-" in policy and "object-src 'none'" in policy
    scripts = re.findall(r"<script([^>]*)>", page.text)
    assert scripts and all(f'nonce="{nonce.group(1)}"' in s or "src=" in s for s in scripts)
    assert client.get("/").headers["content-security-policy"] != policy  # fresh per response
    assert page.headers["cache-control"] == "no-store"
    assert client.get("/api/v1/catalog").headers["cache-control"] == "no-store"
    assert "max-age" in client.get("/static/plotly.min.js").headers["cache-control"]


def _every_row(client: TestClient, params: dict[str, str]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    page = 1
    while True:
        got = client.get("/api/v1/contacts", params={**params, "size": "1000",
                                                     "page": str(page)}).json()["rows"]
        rows += got
        if len(got) < 1000:
            return rows
        page += 1


def test_the_contacts_of_a_day_are_those_its_figure_books_there(client: TestClient) -> None:
    """AHT and handled are booked at a contact's end: the contacts API listed those that
    *arrived* on 5 March (1,603, mean handle 363.29 s) against the report's 1,588 handled
    and 365.04 s."""
    day = {"tz": "Europe/Kyiv", "from": "2024-03-05", "to": "2024-03-06"}
    figure = client.get("/api/v1/report", params={
        **day, "metrics": "handled,aht,offered"}).json()["rows"][0]
    behind_aht = _every_row(client, {**day, "metric": "aht", "part": "denominator"})
    assert len(behind_aht) == figure["handled"]
    assert sum(float(str(r["handle_s"])) for r in behind_aht) / len(behind_aht) == \
        pytest.approx(figure["aht"])
    assert all(str(r["ended_at"]).startswith("2024-03-05") for r in behind_aht)
    handled = client.get("/api/v1/contacts", params={**day, "flag": "handled", "size": 1})
    assert handled.json()["total"] == figure["handled"]
    offered = client.get("/api/v1/contacts", params={**day, "flag": "offered", "size": 1})
    assert offered.json()["total"] == figure["offered"]  # offered stays booked at arrival


def test_a_parameter_given_twice_is_joined_or_refused(client: TestClient) -> None:
    """``metrics=offered&metrics=aht`` answered for aht alone and ``tenant=telco&tenant=bank``
    for bank alone (the last kept, without a word): a list's repeats join as if written
    with commas; a one-value parameter given twice differently is refused."""
    def report(query: str) -> list[dict[str, object]]:
        answer = client.get(f"/api/v1/report?{query}")
        assert answer.status_code == 200, answer.text
        rows: list[dict[str, object]] = answer.json()["rows"]
        return rows

    together = report("metrics=offered,aht&by=tenant&tenant=telco,bank")
    assert report("metrics=offered&metrics=aht&by=tenant&tenant=telco&tenant=bank") == together
    assert {r["tenant"] for r in together} == {"telco", "bank"}
    assert set(together[0]) >= {"offered", "aht"}
    assert report("metrics=offered&grain=day&grain=day") == report("metrics=offered&grain=day")
    refused = client.get("/api/v1/report?metrics=offered&grain=day&grain=week")
    assert refused.status_code == 400
    assert refused.json()["detail"] == "grain is given 2 times ('day', 'week'): give it once"
    # the same for every route (the wallboard kept the last of queue=sales&queue=zzz);
    # other parameters stay as they were, in their order
    assert joined_query("queue=sales&param=x%3D1&queue=zzz&param=y%3D2") == (
        "queue=sales%2Czzz&param=x%3D1&param=y%3D2", None)
    assert joined_query("queue=sales&queue=") == ("queue=sales", None)
    assert joined_query("a=1&a=2") == ("a=1&a=2", None)


def test_a_sort_direction_is_asc_or_desc(client: TestClient) -> None:
    """``dir=sideways`` was sorted ascending without a word."""
    for route in ("/api/v1/drill", "/drill", "/drill.csv"):
        answer = client.get(route, params={"metric": "aht", "sort": "handle_s",
                                           "dir": "sideways"})
        assert answer.status_code == 422 and "asc" in answer.text, route
    assert client.get("/api/v1/drill", params={"metric": "aht", "sort": "handle_s",
                                               "dir": "desc"}).status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/report", "/api/v1/drill", "/api/v1/contacts"])
def test_the_schema_declares_both_bodies_a_422_is_sent_as(client: TestClient,
                                                         path: str) -> None:
    """A data error (a table the metric needs is missing) is a 422 whose ``detail`` is a
    sentence; FastAPI's schema declared only its own list of problems, so a client
    generated from /openapi.json failed to read it."""
    schema = client.get("/openapi.json").json()
    declared = schema["paths"][path]["get"]["responses"]["422"]["content"][
        "application/json"]["schema"]["anyOf"]
    assert {c["$ref"].rsplit("/", 1)[1] for c in declared} == {"HTTPValidationError",
                                                               "Error"}
    if path == "/api/v1/contacts":
        return  # its metrics are the contacts' own: no table can be missing
    name = "metrics" if path == "/api/v1/report" else "metric"
    data_error = client.get(path, params={name: "avg_ivr_time"})
    assert data_error.status_code == 422 and isinstance(data_error.json()["detail"], str)
    assert "ivr_sessions" in data_error.json()["detail"]
    if path == "/api/v1/drill":
        unreadable = client.get(path, params={name: "offered", "page": "x"})
        assert unreadable.status_code == 422
        assert isinstance(unreadable.json()["detail"], list)

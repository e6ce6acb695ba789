"""The report, the drill-down, /api/v1/contacts and their exports read one request the
same way: filters in any case, escaped commas, the window, repeated parameters, the
engine; refusals are ``{"detail": …}``; the API reference says how to sign in and what
each operation answers, and lists only the parameters an operation reads."""

from __future__ import annotations

import collections.abc
import csv
import io
import types
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from omnikpi.web.deps import Filters
from omnikpi.web.repeated_params import LISTS, SINGLES, SINGLES_AT
from tests.web.tenants import write_two_tenants

ENGINE_REFUSED = "set when the server starts"


@pytest.fixture(scope="module")
def app(make_app: Callable[..., FastAPI]) -> FastAPI:
    return make_app()


@pytest.fixture(scope="module")
def client(app: FastAPI) -> TestClient:
    return TestClient(app)


def _drill_csv_rows(client: TestClient, params: dict[str, str]) -> int:
    answer = client.get("/drill.csv", params=params)
    assert answer.status_code == 200, answer.text
    return len(list(csv.DictReader(io.StringIO(answer.text))))


@pytest.mark.parametrize(("dimension", "typed"), [("channel", "Voice"),
                                                  ("direction", "Inbound")])
def test_a_filter_in_another_case_reads_the_same_everywhere(client: TestClient,
                                                            dimension: str,
                                                            typed: str) -> None:
    """``channel=Voice``: the report counted 3,946 contacts received, the drill-down 0,
    /api/v1/contacts 0 and /drill.csv a header alone (README: channel names are read in
    lower case, also in a filter)."""
    def figures(value: str) -> tuple[Any, ...]:
        cut = {dimension: value}
        report = client.get("/api/v1/report", params={"metrics": "received", **cut})
        drill = client.get("/api/v1/drill", params={"metric": "received", "size": 1, **cut})
        contacts = client.get("/api/v1/contacts", params={"size": 1, **cut})
        aht = client.get("/api/v1/drill", params={"metric": "aht", "size": 1, **cut})
        for answer in (report, drill, contacts, aht):
            assert answer.status_code == 200, answer.text
        return (report.json()["rows"][0]["received"], drill.json()["figure"]["value"],
                contacts.json()["total"], aht.json()["figure"]["value"],
                _drill_csv_rows(client, {"metric": "received", **cut}))

    lower = figures(typed.lower())
    assert lower[0] > 0 and lower[3] is not None
    assert lower[0] == lower[1] == lower[2] == lower[4]
    assert figures(typed) == lower


def test_filters_are_canonical_however_they_are_made() -> None:
    """Every route reads ``Filters.where``: made from a URL, by hand or replaced."""
    import dataclasses

    made = Filters(where={"channel": ["Voice", "CHAT"], "direction": ["Inbound"],
                          "queue": ["Sales"]})
    assert made.where == {"channel": ["voice", "chat"], "direction": ["inbound"],
                          "queue": ["Sales"]}  # a queue's case is its own
    assert dataclasses.replace(made, metrics="aht").where == made.where


@pytest.fixture(scope="module")
def doe_client(make_app: Callable[..., FastAPI],
               tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    """The two tenants' data (``tests/web/tenants.py``) with agent ``a1`` called
    "Doe, Jane" in the contacts."""
    folder = write_two_tenants(tmp_path_factory.mktemp("doe") / "data")
    path = folder / "contacts.csv"
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["agent_id"] = "Doe, Jane" if row["agent_id"] == "a1" else row["agent_id"]
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return TestClient(make_app(Path(folder)))


def test_the_contacts_read_an_escaped_comma_as_the_report_does(doe_client: TestClient
                                                               ) -> None:
    """``agent_id=Doe\\, Jane`` is one agent (docs/web.md): the report and the drill-down
    read it so, /api/v1/contacts split it at the comma and found nobody."""
    agent = {"agent_id": "Doe\\, Jane"}
    report = doe_client.get("/api/v1/report", params={"metrics": "handled", **agent})
    assert report.status_code == 200, report.text
    handled = report.json()["rows"][0]["handled"]
    assert handled == 2
    drill = doe_client.get("/api/v1/drill", params={"metric": "handled", **agent})
    assert drill.json()["figure"]["value"] == handled
    contacts = doe_client.get("/api/v1/contacts", params={"flag": "handled", **agent})
    assert contacts.status_code == 200, contacts.text
    assert contacts.json()["total"] == handled
    assert {r["agent_id"] for r in contacts.json()["rows"]} == {"Doe, Jane"}


def test_the_contacts_refuse_a_window_that_ends_before_it_starts(client: TestClient
                                                                 ) -> None:
    """``from`` after ``to`` was a 200 with no contacts; everything else says 400."""
    window = {"from": "2024-03-05", "to": "2024-03-04"}
    refusals = [client.get("/api/v1/report", params={"metrics": "aht", **window}),
                client.get("/api/v1/drill", params={"metric": "aht", **window}),
                client.get("/api/v1/contacts", params=window),
                client.get("/api/v1/contacts", params={"metric": "aht", **window})]
    for answer in refusals:
        assert answer.status_code == 400, answer.text
        assert answer.json()["detail"].startswith("to must be after from"), answer.text
    same = {"from": "2024-03-04", "to": "2024-03-04"}  # an empty window: refused too
    assert client.get("/api/v1/contacts", params=same).status_code == 400
    assert client.get("/api/v1/contacts", params={"from": "2024-03-04", "to": "2024-03-05",
                                                  "size": 1}).status_code == 200


# -- one-value parameters given twice ------------------------------------------------------

def _api_routes(routes: list[Any]) -> Iterator[APIRoute]:
    for route in routes:
        router = getattr(route, "original_router", None)  # an included router
        if router is not None:
            yield from _api_routes(router.routes)
        elif isinstance(route, APIRoute):
            yield route


def _is_list(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(_is_list(a) for a in typing.get_args(annotation) if a is not type(None))
    return origin in (list, set, tuple, frozenset, collections.abc.Sequence) or \
        annotation in (list, set, tuple, frozenset)


def _query_params(route: APIRoute) -> Iterator[tuple[str, bool]]:
    """Every query parameter ``route`` reads (its dependencies' too): name, is a list."""
    pending = [route.dependant]
    while pending:
        dependant = pending.pop()
        pending.extend(dependant.dependencies)
        for param in dependant.query_params:
            yield param.alias, _is_list(param.field_info.annotation)


def test_every_one_value_parameter_of_every_route_is_refused_twice(app: FastAPI) -> None:
    """``flag``, ``source``, ``before_id`` and ``title`` given twice used the last value:
    the middleware's list of one-value parameters had left them out. Read from the routes,
    so a parameter added later cannot be left out."""
    missing: set[tuple[str, str]] = set()
    refused_lists: set[tuple[str, str]] = set()
    seen = 0
    for route in _api_routes(app.routes):
        singles = SINGLES + SINGLES_AT.get(route.path, ())
        for name, is_list in _query_params(route):
            seen += 1
            if is_list and name in singles:
                refused_lists.add((route.path, name))  # a repeat is its meaning
            elif not is_list and name not in singles and name not in LISTS:
                missing.add((route.path, name))
    assert seen > 50  # the routes were read
    assert not missing, f"one-value parameters missing from SINGLES: {sorted(missing)}"
    assert not refused_lists, f"list parameters refused when repeated: {refused_lists}"


@pytest.mark.parametrize(("route", "params"), [
    ("/api/v1/contacts", "flag=offered&flag=abandoned"),
    ("/api/v1/drill", "metric=aht&source=contacts&source=surveys"),
    ("/api/v1/audit", "before_id=5&before_id=7"),
    ("/export.csv", "metrics=aht&title=One&title=Two"),
])
def test_a_one_value_parameter_given_twice_is_a_400(client: TestClient, route: str,
                                                    params: str) -> None:
    name = params.split("&")[-1].split("=")[0]
    answer = client.get(f"{route}?{params}")
    assert answer.status_code == 400, answer.text
    assert answer.json()["detail"].startswith(f"{name} is given 2 times"), answer.text


def test_a_list_parameter_repeats_where_it_is_a_list(client: TestClient) -> None:
    """The audit API takes many actors; the audit page's search one."""
    assert client.get("/api/v1/audit?actor=a&actor=b").status_code == 200
    page = client.get("/audit?actor=a&actor=b")
    assert page.status_code == 400 and "text/html" in page.headers["content-type"]


# -- the engine -------------------------------------------------------------------------------

@pytest.mark.parametrize(("route", "params"), [
    ("/api/v1/report", {"metrics": "aht"}),
    ("/api/v1/drill", {"metric": "aht", "size": "1"}),
    ("/api/v1/contacts", {"size": "1"}),
    ("/api/v1/contacts", {"metric": "aht", "size": "1"}),
    ("/drill.csv", {"metric": "aht"}),
])
def test_every_route_refuses_another_engine(client: TestClient, route: str,
                                            params: dict[str, str]) -> None:
    """``engine=spark`` was refused by the report, ignored by the drill-down and the
    contact list."""
    refused = client.get(route, params={**params, "engine": "spark"})
    assert refused.status_code == 400 and ENGINE_REFUSED in refused.json()["detail"]
    assert client.get(route, params={**params, "engine": "duckdb"}).status_code == 200


# -- a refused export ------------------------------------------------------------------------

def test_an_export_in_an_unknown_format_is_refused_as_the_drill_s(client: TestClient) -> None:
    """``/export.json`` answered a bare text without a Content-Type."""
    for route, params in (("/export.json", {"metrics": "aht"}),
                          ("/drill.json", {"metric": "aht"})):
        answer = client.get(route, params=params)
        assert answer.status_code == 400, route
        assert answer.headers["content-type"] == "application/json", route
        assert isinstance(answer.json()["detail"], str)
    page = client.get("/export.json", params={"metrics": "aht"},
                      headers={"Accept": "text/html"})
    assert page.status_code == 400 and page.headers["content-type"].startswith("text/html")
    assert 'id="error-message">Choose the file&#39;s format: CSV, XLSX or PDF.' in page.text


# -- the API reference ---------------------------------------------------------------------

IGNORED_BY_DRILLS = {"metrics", "by", "grain"}
"""What a drill-down does not read: its metric is ``metric``, its figure one period."""


def test_the_reference_says_how_to_sign_in_and_what_each_operation_answers(
        client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["bearer"] == {**schemes["bearer"], "type": "http", "scheme": "bearer"}
    assert schemes["apiKey"] == {**schemes["apiKey"], "type": "apiKey", "in": "header",
                                 "name": "X-API-Key"}
    error = schema["components"]["schemas"]["Error"]
    assert error["properties"]["detail"]["type"] == "string" and error["required"] == [
        "detail"]
    operations = [(method, path, op) for path, ops in schema["paths"].items()
                  if path.startswith("/api/v1/") for method, op in ops.items()]
    assert len(operations) > 15
    for method, path, op in operations:
        assert "security" in op, (method, path)
        if (method, path) != ("post", "/api/v1/auth/token"):
            assert op["security"], (method, path)
            assert {"401", "403"} <= set(op["responses"]), (method, path)
        refused = op["responses"].get("400", {})
        assert refused.get("content", {}).get("application/json", {}).get("schema") == {
            "$ref": "#/components/schemas/Error"}, (method, path)
        if "{" in path:
            assert "404" in op["responses"], (method, path)
        if "requestBody" in op:
            assert "413" in op["responses"], (method, path)
    events = schema["paths"]["/api/v1/events"]["post"]["security"]
    assert {"apiKey": []} in events
    report = schema["paths"]["/api/v1/report"]["get"]
    assert {"bearer": []} in report["security"] and {"apiKey": []} not in report["security"]
    assert "503" in report["responses"]
    assert schema["paths"]["/api/v1/auth/token"]["post"]["security"] == []


@pytest.mark.parametrize("path", ["/api/v1/contacts", "/api/v1/drill"])
def test_the_drill_apis_list_only_what_they_read(client: TestClient, path: str) -> None:
    """/api/v1/contacts listed ``metrics``, ``by`` and ``grain`` (the report's filters
    shared whole), and answered as if they had not been sent."""
    names = [p["name"] for p in client.get("/openapi.json").json()["paths"][path]["get"][
        "parameters"]]
    assert not IGNORED_BY_DRILLS & set(names), names
    assert len(names) == len(set(names)), names  # a filter was declared twice
    for name in ("channel", "queue", "agent_id", "direction", "from", "to", "tz", "engine"):
        assert name in names, name


def test_a_documented_refusal_is_sent_as_documented(client: TestClient) -> None:
    answer = client.get("/api/v1/contacts", params={"flag": "nope"})
    assert answer.status_code == 400 and set(answer.json()) == {"detail"}
    assert isinstance(answer.json()["detail"], str)


@pytest.mark.parametrize(("path", "parts"), [
    ("/api/v1/contacts", ["numerator", "denominator"]),
    ("/api/v1/drill", ["all", "numerator", "denominator", "excluded"])])
def test_the_drill_apis_name_the_parts_they_list(client: TestClient, path: str,
                                                 parts: list[str]) -> None:
    """``part`` was a bare string in the reference of /api/v1/contacts: a script could not
    tell which values it takes. Both name them; another value is a 422 naming them."""
    from omnikpi.engine.drill import PARTS

    if path == "/api/v1/drill":
        assert list(PARTS) == parts  # the engine's parts, all of them
    [part] = [p for p in client.get("/openapi.json").json()["paths"][path]["get"][
        "parameters"] if p["name"] == "part"]
    assert part["schema"]["enum"] == parts
    answer = client.get(path, params={"metric": "service_level", "part": "half"})
    assert answer.status_code == 422 and all(p in answer.text for p in parts)
    answer = client.get(path, params={"metric": "service_level", "part": "numerator"})
    assert answer.status_code == 200, answer.text

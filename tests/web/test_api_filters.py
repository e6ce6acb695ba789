"""Every dimension ``--filter`` takes filters the API too, and an API route refuses a
query parameter it does not read: ``topic=complaint`` and a misspelt ``quene=sales``
were answered 200 with every topic's and every queue's figures."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from omnikpi.cli.main import app as cli
from omnikpi.demo import DEMO_DATA_DIR


@pytest.fixture(scope="module")
def client(make_app: Callable[..., FastAPI]) -> TestClient:
    return TestClient(make_app())


def _cli(metrics: str, *filters: str) -> list[dict[str, object]]:
    printed = CliRunner().invoke(cli, ["report", "--data", str(DEMO_DATA_DIR), "--format",
                                       "json", "--metrics", metrics,
                                       *[a for f in filters for a in ("--filter", f)]])
    assert printed.exit_code == 0, printed.output
    return list(json.loads(printed.stdout)["rows"])


@pytest.mark.parametrize(("metrics", "name", "value"), [
    ("offered,handled", "topic", "complaint"),
    ("attempts,connection_rate", "campaign", "retention"),
])
def test_every_filter_of_the_command_line_filters_the_api(
        client: TestClient, metrics: str, name: str, value: str) -> None:
    everything = client.get("/api/v1/report", params={"metrics": metrics}).json()["rows"]
    answer = client.get("/api/v1/report", params={"metrics": metrics, name: value})
    assert answer.status_code == 200, answer.text
    filtered = answer.json()["rows"]
    assert filtered == _cli(metrics, f"{name}={value}")
    assert filtered != everything  # the filter takes rows away
    figure = client.get("/api/v1/drill", params={"metric": metrics.split(",")[0],
                                                 name: value, "size": 1}).json()["figure"]
    assert figure["value"] == filtered[0][metrics.split(",")[0]]


@pytest.mark.parametrize(("path", "query"), [
    ("/api/v1/report", {"metrics": "offered", "quene": "sales"}),
    ("/api/v1/drill", {"metric": "offered", "bogus": "1"}),
    ("/api/v1/contacts", {"metric": "offered", "grain": "day"}),
    ("/api/v1/catalog", {"format": "csv"}),
])
def test_a_parameter_a_route_does_not_read_is_refused_by_name(
        client: TestClient, path: str, query: dict[str, str]) -> None:
    answer = client.get(path, params=query)
    assert answer.status_code == 400
    unknown = next(k for k in query if k not in ("metrics", "metric"))
    assert answer.json()["detail"].startswith(f"unknown query parameter(s) {unknown}: ")
    # the language of a message is read everywhere
    assert client.get(path, params={k: v for k, v in query.items() if k != unknown}
                      | {"lang": "uk"}).status_code == 200


def test_every_api_route_refuses_a_parameter_it_does_not_read(
        make_app: Callable[..., FastAPI]) -> None:
    """The live routes beside the wallboard read no such check: ``/api/v1/live?quene=sales``
    gave every queue's figures, and ``POST /api/v1/alerts?foo=1`` made a rule. Every
    operation of the reference refuses ``quene`` by name, whatever it does next."""
    client = TestClient(make_app(live_updates=True))
    schema = client.get("/openapi.json").json()
    operations = [(method, path) for path, ops in schema["paths"].items()
                  if path.startswith("/api/v1/") for method in ops]
    assert len(operations) > 15
    for method, path in operations:
        address = path.replace("{", "").replace("}", "")  # {rule_id} → rule_id: any text
        address = "".join("1" if part.endswith("_id") else part
                          for part in address.replace("/", "/\0").split("\0"))
        answer = client.request(method.upper(), address, params={"quene": "sales"},
                                json={})
        assert answer.status_code == 400, (method, path, answer.status_code, answer.text)
        assert answer.json()["detail"].startswith("unknown query parameter(s) quene: "), \
            (method, path)


def test_the_live_board_reads_filters_as_every_route_does(
        make_app: Callable[..., FastAPI]) -> None:
    """The live routes split at every comma and took any number of values: a queue named
    "Sales, VIP" was two queues there, and 2,000 values were read where the report
    refused 201."""
    client = TestClient(make_app())
    many = ",".join(f"q{i}" for i in range(201))
    refused = client.get("/api/v1/live", params={"queue": many})
    assert refused.status_code == 400
    assert refused.json()["detail"] == ("filter queue has 201 values: a filter takes at "
                                        "most 200 values at once")
    assert client.get("/api/v1/live", params={"site": many}).status_code == 400
    assert client.get("/api/v1/live", params={"queue": "Sales\\, VIP"}).status_code == 200
    from omnikpi.web.routes.live import _cut

    assert _cut("Sales\\, VIP,support", "Voice") == {"queue": ("Sales, VIP", "support"),
                                                     "channel": ("voice",)}

"""One app, several lifespans at once (a server and test clients, or two test clients):
the one that ends first must not stop the report pool under the others."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from fastapi.testclient import TestClient


def test_a_client_leaving_does_not_shut_the_app_for_the_others(
        make_app: Callable[..., FastAPI]) -> None:
    app = make_app(live_updates=False, scheduler=False)
    with TestClient(app) as staying:
        assert staying.get("/api/v1/report", params={"metrics": "offered"}).status_code == 200
        with TestClient(app) as leaving:
            assert leaving.get("/api/v1/report", params={"metrics": "answered"}
                               ).status_code == 200
        # before: 503 "the server is shutting down" for every later report of `staying`
        answer = staying.get("/api/v1/report", params={"metrics": "abandoned"})
        assert answer.status_code == 200, answer.text
    assert app.state.omnikpi.pool.closed  # the last one out closes it
    with TestClient(app) as again:  # and a new start opens a fresh pool
        assert again.get("/api/v1/report", params={"metrics": "offered"}).status_code == 200

"""``omnikpi serve`` computes the dashboard at start: the first visitor, and the first to
filter it, wait for queries only, not for planning and compiling (web/warmup.py)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from omnikpi.auth.scope import UNBOUNDED
from omnikpi.web import dashboard_data

from ..builders import dataset

ROWS = [
    {"contact_id": f"c{i}", "queue": queue, "channel": channel, "site": site,
     "arrived_at": f"2024-03-01T{9 + i}:00:00Z",
     "first_response_at": f"2024-03-01T{9 + i}:00:25Z",
     "ended_at": f"2024-03-01T{9 + i}:05:00Z", "agent_id": "a1"}
    for i, (queue, channel, site) in enumerate([
        ("sales", "voice", "kyiv"), ("support", "chat", "lviv"), ("sales", "chat", "kyiv"),
        ("support", "voice", "lviv"), ("archive", "voice", "kyiv")])
]
WARMED = [{}, {"channel": ["chat"]}, {"queue": ["archive"]}, {"site": ["kyiv"]},
          {"direction": ["inbound"]}, {"channel": ["chat"], "queue": ["sales"]}]
"""Unfiltered, then the first value of each dimension the pickers offer, then the first
channel with a queue it has (chats never reach the archive queue)."""
FIGURE = re.compile(r'data-metric="([a-z_]+)" data-raw="([^"]*)"')


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return dataset(tmp_path_factory.mktemp("warm"), contacts=ROWS)


def _planning(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The reports the dashboard plans from now on (a template's reuse plans none)."""
    planned: list[Any] = []
    plan = dashboard_data.plan_request

    def counting(*args: Any, **kwargs: Any) -> Any:
        planned.append(args[1])
        return plan(*args, **kwargs)

    monkeypatch.setattr(dashboard_data, "plan_request", counting)
    return planned


def _figures(page: str) -> dict[str, str]:
    return dict(FIGURE.findall(page))


def test_the_warm_up_readies_each_filter_of_the_dashboard(
        make_app: Callable[..., FastAPI], data: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    warm = make_app(data, warm_up=True, live_updates=False)
    with TestClient(warm) as client:
        warming = warm.state.warm_up
        assert warming.done.wait(180)
        # unfiltered, then the first value of each dimension the pickers offer
        assert warming.warmed == [("UTC", where) for where in WARMED]
        planned = _planning(monkeypatch)
        shown = client.get("/?queue=support")
        assert shown.status_code == 200
        assert planned == []  # every report of the page from its warmed form
        assert client.get("/?channel=voice").status_code == 200
        assert planned == []
        assert client.get("/?channel=voice&queue=support").status_code == 200
        assert planned == []  # the usual pair of filters is warmed too
        assert client.get("/?queue=support&site=lviv").status_code == 200
        assert len(planned) >= 6  # another pair: a form not warmed
    cold = make_app(data, live_updates=False)
    with TestClient(cold) as client:
        assert cold.state.warm_up is None
        planned.clear()
        fresh = client.get("/?queue=support")
        assert len(planned) >= 6  # without the warm-up: every report of the page planned
    figures = _figures(shown.text)
    assert figures and figures == _figures(fresh.text)
    assert figures["aht"] == "275.0"  # support: answered at :00:25, ended at :05:00


def test_the_warm_up_ends_with_the_server(make_app: Callable[..., FastAPI], data: Path,
                                          caplog: pytest.LogCaptureFixture) -> None:
    app = make_app(data, warm_up=True, live_updates=False)
    with caplog.at_level(logging.WARNING, logger="omnikpi.web"), TestClient(app):
        warming = app.state.warm_up
    assert warming.done.wait(60)  # stopped between two pages, or its query interrupted
    assert not warming.is_alive()
    assert not [r for r in caplog.records if "warm-up" in r.getMessage()]


def test_a_failing_warm_up_is_a_line_of_log(make_app: Callable[..., FastAPI], data: Path,
                                            monkeypatch: pytest.MonkeyPatch,
                                            caplog: pytest.LogCaptureFixture) -> None:
    from omnikpi.web.routes import pages

    def broken(*args: Any) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(pages, "dashboard_context", broken)
    app = make_app(data, warm_up=True, live_updates=False)
    with caplog.at_level(logging.WARNING, logger="omnikpi.web"), TestClient(app) as client:
        assert app.state.warm_up.done.wait(60)
        assert client.get("/api/v1/catalog").status_code == 200
    assert [r.getMessage() for r in caplog.records if "warm-up" in r.getMessage()] == [
        "dashboard warm-up stopped: disk gone"]


def test_on_spark_only_the_unfiltered_dashboard_is_warmed(
        make_app: Callable[..., FastAPI], data: Path) -> None:
    """Spark plans every report anew (the filtered forms are DuckDB's): warming a filter
    there would cost minutes for nothing. Nothing runs here: the list is read only."""
    from omnikpi.web.deps import View
    from omnikpi.web.warmup import WARM_UP, WARM_UP_CALLER, warm_up_filters

    spark = make_app(data, engine="spark", live_updates=False, scheduler=False)
    state = spark.state.omnikpi
    assert warm_up_filters(View(state, WARM_UP, UNBOUNDED, state.dataset,
                                WARM_UP_CALLER)) == [{}]
    duck = make_app(data, live_updates=False, scheduler=False).state.omnikpi
    assert warm_up_filters(View(duck, WARM_UP, UNBOUNDED, duck.dataset, WARM_UP_CALLER)) \
        == WARMED
    from omnikpi.auth.accounts import create_user
    from omnikpi.store.db import session_scope
    from omnikpi.web.warmup import account_scopes

    for engine, scopes in (("spark", 0), ("duckdb", 1)):  # nor a client's page on Spark
        state = make_app(data, engine=engine, auth_required=True, live_updates=False,
                         scheduler=False).state.omnikpi
        with session_scope(state.database_url) as session:
            create_user(session, "acme", "plum tractor velvet 8", "client", tenant="A")
        assert len(account_scopes(state)) == scopes


def test_a_server_in_another_zone_warms_its_zone_too(
        make_app: Callable[..., FastAPI], data: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``omnikpi serve --tz Europe/Kyiv``: its people's links name their zone, and a
    page's reusable form is per zone (the days and hours are the zone's)."""
    app = make_app(data, warm_up=True, live_updates=False, tz="Europe/Kyiv")
    with TestClient(app) as client:
        warming = app.state.warm_up
        assert warming.done.wait(300)
        assert warming.warmed == [(tz, where) for tz in ("UTC", "Europe/Kyiv")
                                  for where in WARMED]
        planned = _planning(monkeypatch)
        assert client.get("/?tz=Europe/Kyiv&queue=support").status_code == 200
        assert planned == []


def test_a_dataset_without_contacts_is_not_warmed_and_nothing_is_wrong(
        make_app: Callable[..., FastAPI], tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    """A center that loads its agent states first: the dashboard has nothing to compute,
    which is a fact of the data, not a failure to warn about at every start."""
    states = dataset(tmp_path / "states", agent_states=[
        {"agent_id": "a1", "state": "available", "started_at": "2024-03-01T09:00:00Z",
         "ended_at": "2024-03-01T10:00:00Z"}])
    app = make_app(states, warm_up=True, live_updates=False)
    with caplog.at_level(logging.INFO, logger="omnikpi.web"), TestClient(app):
        warming = app.state.warm_up
        assert warming.done.wait(60)
    assert warming.warmed == []
    said = [(r.levelno, r.getMessage()) for r in caplog.records if "warm" in r.getMessage()]
    assert said == [(logging.INFO, "dashboard not warmed up: the dataset has no contacts yet")]


def test_each_client_s_and_supervisor_s_dashboard_is_warmed_too(
        make_app: Callable[..., FastAPI], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """An outsourcer's client sees their tenant's rows: a page, a cache and reusable
    forms of its own, which the administrator's warm-up did not make (their first page
    after a restart took 3–4 s on the demo). One account per scope is warmed; agents and
    disabled accounts are not."""
    from omnikpi.auth.accounts import create_user, set_disabled
    from omnikpi.auth.scope import Scope
    from omnikpi.store.db import session_scope
    from omnikpi.web import warmup

    from .conftest import log_in
    from .tenants import write_two_tenants

    # the administrator's filtered pages are tested above: the unfiltered one is enough
    monkeypatch.setattr(warmup, "warm_up_filters", lambda view: [{}])
    data = write_two_tenants(tmp_path / "clients")
    app = make_app(data, auth_required=True, warm_up=True, live_updates=False,
                   scheduler=False)
    password = "plum tractor velvet 7"
    with session_scope(app.state.omnikpi.database_url) as session:
        create_user(session, "acme", password, "client", tenant="A")
        create_user(session, "acme-too", password, "client", tenant="A")  # the same scope
        create_user(session, "kyiv-lead", password, "supervisor", sites=["kyiv"])
        create_user(session, "gone", password, "client", tenant="B")
        set_disabled(session, "gone", True)
        create_user(session, "a1", password, "agent", tenant="A", agent_id="a1")
    with TestClient(app) as client:
        warming = app.state.warm_up
        assert warming.done.wait(300)
        assert warming.scopes == [("UTC", Scope(("A",)).key()),
                                  ("UTC", Scope((), ("kyiv",)).key())]
        log_in(client, "acme", password)
        planned = _planning(monkeypatch)
        page = client.get("/")
        assert page.status_code == 200 and planned == []  # computed before they came
        assert "bsecret" not in page.text

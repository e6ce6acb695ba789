"""The dashboard's reports compiled once per shape of filters: another value of the same
filter runs the checked SQL with the value substituted (no compilation), and gives the
engine's own numbers — also for values with quotes, non-Latin letters or that look like
the placeholders."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI

import omnikpi
from omnikpi.auth.accounts import Principal
from omnikpi.auth.scope import UNBOUNDED
from omnikpi.demo import DEMO_DATA_DIR
from omnikpi.web import dashboard_data
from omnikpi.web.deps import Filters, View

METRICS = ["offered", "service_level", "asa", "abandon_rate", "aht"]


@pytest.fixture(scope="module")
def view(make_app: Callable[..., FastAPI]) -> View:
    app = make_app().state.omnikpi
    return View(app, Principal("admin", "admin"), UNBOUNDED, app.dataset)


def test_another_value_runs_without_compiling_and_gives_the_engines_numbers(
        view: View, monkeypatch: pytest.MonkeyPatch) -> None:
    continuous = {"channel": ["voice", "chat"]}
    first = dashboard_data.report(view, Filters(tz="Europe/Kyiv", grain="day",
                                                where={"queue": ["sales"]}), METRICS,
                                  by=[], where=continuous)
    assert first.rows == omnikpi.report_result(
        DEMO_DATA_DIR, metrics=METRICS, grain="day", tz="Europe/Kyiv",
        where={"queue": ["sales"], "channel": ["voice", "chat"]}).rows
    templates = view.dataset._omnikpi_templates  # type: ignore[attr-defined]
    assert [t for t in templates.values() if t is not None]  # made, and it passed its check
    compiled: list[Any] = []
    real = dashboard_data.plan_request

    def counting(*args: Any, **kwargs: Any) -> Any:
        compiled.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(dashboard_data, "plan_request", counting)
    for queue in ("support", "it's", "черга ї", "omnikpip0queue0x", "a'); DROP TABLE x; --"):
        shown = dashboard_data.report(view, Filters(tz="Europe/Kyiv", grain="day",
                                                    where={"queue": [queue]}), METRICS,
                                      by=[], where=continuous)
        engine = omnikpi.report_result(
            DEMO_DATA_DIR, metrics=METRICS, grain="day", tz="Europe/Kyiv",
            where={"queue": [queue], "channel": ["voice", "chat"]})
        assert shown.rows == engine.rows, queue
        assert shown.window is not None and shown.window.filters["queue"] == (queue,)
    assert compiled == []  # every one of them from the template


def test_a_new_shape_is_compiled_and_checked_once(view: View) -> None:
    two = Filters(tz="Europe/Kyiv", where={"queue": ["sales", "support"]})
    result = dashboard_data.report(view, two, ["offered", "aht"], by=["queue"])
    assert result.rows == omnikpi.report_result(
        DEMO_DATA_DIR, metrics=["offered", "aht"], by=["queue"], tz="Europe/Kyiv",
        where={"queue": ["sales", "support"]}).rows
    other = Filters(tz="Europe/Kyiv", where={"queue": ["webchat", "sales"]})
    again = dashboard_data.report(view, other, ["offered", "aht"], by=["queue"])
    assert again.rows == omnikpi.report_result(
        DEMO_DATA_DIR, metrics=["offered", "aht"], by=["queue"], tz="Europe/Kyiv",
        where={"queue": ["webchat", "sales"]}).rows
    assert {r["queue"] for r in again.rows} == {"webchat", "sales"}

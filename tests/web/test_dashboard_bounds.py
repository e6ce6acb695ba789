"""A dashboard costs what its data costs, whatever its window; a bad one is refused first.

An auditor's findings: a window of 1900–2199 by day over four days of data drew one
chart point per day of the window (109,573 per chart: 29 MB of page after 58 s); a bad
request (an unknown grain, a window of centuries by hour) answered its 400 only after
every part of the dashboard had run; and 1,300 values of one filter ran 50 s before a
503, each count of values compiling a query form of its own."""

from __future__ import annotations

import html
import json
import re
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

import omnikpi
from omnikpi.demo import DEMO_DATA_DIR
from omnikpi.errors import UsageError
from omnikpi.web.routes import pages

CENTURIES = {"from": "1900-01-01", "to": "2199-12-31"}
"""A window of three centuries around the demo's days (in UTC: Kyiv's 1900 offset of
2:02:04 does not tile a day, and the engine refuses that zone there)."""


@pytest.fixture(scope="module")
def contacts_only(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's contacts alone: no agent time, so no chart by hour (the interval profile
    follows the page's grain; chat concurrency is by hour, and an hourly chart of three
    centuries is refused for its 2.6 million periods, as a report of it is)."""
    folder = tmp_path_factory.mktemp("contacts_only")
    shutil.copy(DEMO_DATA_DIR / "contacts.csv", folder / "contacts.csv")
    return folder


@pytest.fixture(scope="module")
def wide(make_app: Callable[..., FastAPI], contacts_only: Path) -> TestClient:
    return TestClient(make_app(contacts_only, warm_up=False))


@pytest.fixture(scope="module")
def client(make_app: Callable[..., FastAPI]) -> TestClient:
    return TestClient(make_app(warm_up=False))


def chart_data(page: str, name: str) -> Any:
    found = re.search(rf"const {name} = (.*?);\n", page)
    assert found, f"no data for the chart {name}"
    return json.loads(found.group(1))


def error_message(page: str) -> str:
    found = re.search(r'id="error-message">(.*?)</p>', page, re.S)
    assert found, page[:500]
    return html.unescape(found.group(1))


def days_with_data(data: Path) -> list[str]:
    return [str(r["period_start"]) for r in omnikpi.report_result(
        data, metrics=["offered"], grain="day").rows]


def test_a_window_of_centuries_charts_the_days_of_the_data(wide: TestClient,
                                                           contacts_only: Path) -> None:
    days = days_with_data(contacts_only)
    assert len(days) == 4  # 3–6 March 2024 in UTC
    page = wide.get("/", params={**CENTURIES, "grain": "day", "lang": "en"})
    assert page.status_code == 200, page.text[:500]
    trend = chart_data(page.text, "trend")
    assert [r["period_start"] for r in trend] == days  # was 109,573 points
    profile = chart_data(page.text, "profile")
    assert sorted(c["channel"] for c in profile) == ["chat", "email", "social", "voice"]
    for chart in profile:  # one point per day of the data's days, none of the window's
        assert [r["period_start"] for r in chart["rows"]] == days, chart["channel"]
    # the page still names the window asked for
    assert re.search(r"by day, Jan 1, 1900\s–\sDec 30, 2199", page.text)
    # by month: the one month of the data, not 3,600
    month = wide.get("/", params={**CENTURIES, "grain": "month", "lang": "en"})
    assert month.status_code == 200, month.text[:500]
    for chart in chart_data(month.text, "profile"):
        assert [r["period_start"] for r in chart["rows"]] == ["2024-03-01T00:00:00+00:00"]


def test_gaps_inside_the_data_stay_null_points(wide: TestClient) -> None:
    """The grid is cut to the data's days, not to the rows of each chart: a channel's
    quiet hours between its first and last hour are still explicit gaps."""
    page = wide.get("/", params={"from": "2024-03-05", "to": "2024-03-06", "lang": "en"})
    voice = next(c for c in chart_data(page.text, "profile") if c["channel"] == "voice")
    starts = [r["period_start"] for r in voice["rows"]]
    assert len(starts) == 24 and starts[0] == "2024-03-05T00:00:00+00:00"
    assert any(r["offered"] is None for r in voice["rows"])


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How many reports the dashboard's parts asked for, and parts it ran."""
    calls = {"reports": 0, "parts": 0}
    report, run_part = vars(pages)["report"], vars(pages).get("_run_part")

    def counting_report(*args: Any, **kwargs: Any) -> Any:
        calls["reports"] += 1
        return report(*args, **kwargs)

    def counting_part(*args: Any, **kwargs: Any) -> Any:
        calls["parts"] += 1
        assert run_part is not None
        return run_part(*args, **kwargs)

    monkeypatch.setattr(pages, "report", counting_report)
    monkeypatch.setattr(pages, "_run_part", counting_part, raising=False)
    return calls


@pytest.mark.parametrize(("query", "message"), [
    ({"grain": "fortnight"},
     "Unknown grain “fortnight”: choose one of total, 15min, 30min, hour, day, week, month."),
    (CENTURIES, "A report by hour over this period would have about 2,629,729 periods "
                "(at most 200,000): choose a coarser grain or a shorter period."),
    # the hourly chat-concurrency chart of a dataset with agent time and chat
    ({**CENTURIES, "grain": "month"}, "A report by hour over this period would have about "
                                      "2,629,729 periods (at most 200,000)"),
    # (a bad zone was refused at once before too: the page's period is read in it first)
    ({"tz": "Mars/Base"}, "Unknown time zone “Mars/Base”"),
    ({"from": "2024-03-06", "to": "2024-03-05"}, "The To date is before the From date"),
    ({"as_of": "yesterday"}, "As of: “yesterday” is not a date."),
])
def test_a_bad_request_is_refused_before_any_part_runs(
        client: TestClient, counted: dict[str, int], query: dict[str, str],
        message: str) -> None:
    page = client.get("/", params={**query, "lang": "en"})
    assert page.status_code == 400
    assert error_message(page.text).startswith(message)
    assert counted == {"reports": 0, "parts": 0}


def test_a_failing_part_does_not_wait_for_the_others(
        client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """One part fails: the page answers its 400 while another part is still at work (it
    waited for every part before: its reader waited for the whole dashboard)."""
    release, finished = threading.Event(), threading.Event()

    def failing(*args: Any) -> Any:
        raise UsageError("the profile failed")

    def slow(*args: Any) -> Any:
        release.wait(20)
        finished.set()
        return []

    monkeypatch.setattr(pages, "_per_channel", failing)
    monkeypatch.setattr(pages, "_funnel", slow)
    try:
        page = client.get("/", params={"tz": "Asia/Tokyo", "lang": "en"})
        assert page.status_code == 400
        assert error_message(page.text) == "the profile failed"
        assert not finished.is_set(), "the 400 waited for the slow part"
    finally:
        release.set()


def test_a_part_not_begun_when_another_failed_never_begins() -> None:
    stop = threading.Event()
    ran: list[str] = []
    assert pages._run_part(stop, ran.append, "before") is None
    stop.set()
    with pytest.raises(pages._Stopped):
        pages._run_part(stop, ran.append, "after")
    assert ran == ["before"]


AGENTS = ",".join(f"v{i}" for i in range(201))


@pytest.mark.parametrize(("lang", "message"), [
    ("en", "Agent: 201 values chosen; a filter takes at most 200 values at once. Choose "
           "fewer values."),
    ("uk", "Оператор: вибрано значень — 201, а в одному фільтрі їх може бути не більше "
           "200. Виберіть менше значень."),
    ("ru", "Оператор: выбрано значений — 201, а в одном фильтре их может быть не больше "
           "200. Выберите меньше значений."),
])
def test_more_than_200_values_of_a_filter_is_refused_on_the_dashboard(
        client: TestClient, counted: dict[str, int], lang: str, message: str) -> None:
    page = client.get("/", params={"agent_id": AGENTS, "lang": lang})
    assert page.status_code == 400
    assert error_message(page.text) == message
    assert counted == {"reports": 0, "parts": 0}
    # the form keeps what was typed
    assert "v200" in page.text


@pytest.mark.parametrize(("path", "query"), [
    ("/api/v1/report", {"metrics": "offered"}),
    ("/api/v1/drill", {"metric": "offered"}),
    ("/api/v1/contacts", {"metric": "offered"}),
])
def test_the_api_takes_at_most_200_values_of_a_filter(
        client: TestClient, path: str, query: dict[str, str]) -> None:
    answer = client.get(path, params={**query, "agent_id": AGENTS})
    assert answer.status_code == 400
    assert answer.json()["detail"] == ("filter agent_id has 201 values: a filter takes at "
                                       "most 200 values at once")
    queues = client.get(path, params={**query, "campaign": AGENTS})
    assert queues.status_code == 400 and queues.json()["detail"].startswith(
        "filter campaign has 201 values")


def test_200_values_of_a_filter_are_taken(client: TestClient) -> None:
    answer = client.get("/api/v1/report", params={
        "metrics": "offered", "agent_id": ",".join(f"v{i}" for i in range(200))})
    assert answer.status_code == 200, answer.text

"""Languages (en, ru, uk), agent pages and the Gantt data behind them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

import omnikpi
from omnikpi.demo import DEMO_DATA_DIR


@pytest.fixture(scope="module")
def client(make_app: Callable[..., FastAPI]) -> TestClient:
    return TestClient(make_app())


@pytest.mark.parametrize(("header", "word"), [
    ("uk-UA,uk;q=0.9,en;q=0.5", "Рівень сервісу"), ("ru", "Уровень сервиса"),
    ("de-DE", "Service level"), ("", "Service level"),
])
def test_language_from_the_browser(client: TestClient, header: str, word: str) -> None:
    page = client.get("/", headers={"accept-language": header})
    assert word in page.text


def test_language_choice_is_remembered(make_app: Callable[..., FastAPI]) -> None:
    client = TestClient(make_app())
    chosen = client.get("/?lang=ru", headers={"accept-language": "en"})
    assert "Уровень сервиса" in chosen.text and chosen.cookies.get("lang") == "ru"
    again = client.get("/", headers={"accept-language": "en"})
    assert "Уровень сервиса" in again.text


def test_agent_page_shows_its_timeline_and_kpis(client: TestClient) -> None:
    listing = client.get("/agents")
    assert listing.status_code == 200 and "/agent/chat-01" in listing.text
    page = client.get("/agent/chat-01", params={"tz": "Europe/Kyiv"})
    assert page.status_code == 200 and "gantt" in page.text
    occupancy = omnikpi.report_result(DEMO_DATA_DIR, metrics=["occupancy"],
                                      by=["agent_id"]).rows
    value = next(r["occupancy"] for r in occupancy if r["agent_id"] == "chat-01")
    assert f"{value * 100:.1f} %" in page.text
    dataset = omnikpi.load_dataset(DEMO_DATA_DIR)
    rows = dataset.con.execute(
        "SELECT count(*) FROM agent_states WHERE agent_id = 'chat-01'").fetchone()
    assert rows is not None and page.text.count('"state":') == rows[0]


def test_state_drill_down_reproduces_occupancy(client: TestClient) -> None:
    from omnikpi.web.deps import Filters
    from omnikpi.web.service import states_page

    state = client.app.state.omnikpi  # type: ignore[attr-defined]
    filters = Filters(where={"agent_id": ["chat-01"]})
    num = states_page(state, filters, "occupancy", "numerator", 1, 1000)
    den = states_page(state, filters, "occupancy", "denominator", 1, 1000)
    ratio = sum(r["seconds"] for r in num["rows"]) / sum(r["seconds"] for r in den["rows"])
    occupancy = omnikpi.report_result(DEMO_DATA_DIR, metrics=["occupancy"],
                                      where={"agent_id": ["chat-01"]}).rows[0]["occupancy"]
    assert ratio == pytest.approx(occupancy)
    page = client.get("/drill", params={"metric": "occupancy", "agent_id": "chat-01"})
    assert f"{den['total']} state interval(s)" in page.text


def test_dashboard_has_trend_funnel_and_concurrency_charts(client: TestClient) -> None:
    page = client.get("/", params={"tz": "Europe/Kyiv"}).text
    assert 'id="trend"' in page and 'id="funnel"' in page and 'id="concurrency"' in page

"""The agent table and an agent's Gantt in a real headless Chromium, at desktop (1440 px)
and phone (390 px) widths; screenshots in out/screenshots/agents*.png."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

import omnikpi
from omnikpi.demo import DEMO_DATA_DIR
from omnikpi.formatting import human
from tests.web.conftest import needs_browser, running_server

SHOTS = Path(__file__).resolve().parents[2] / "out" / "screenshots"

pytestmark = needs_browser


@pytest.fixture(scope="module")
def base_url(make_app: Callable[..., FastAPI]) -> Iterator[str]:
    with running_server(make_app()) as url:
        yield url


@pytest.mark.parametrize("width", [1440, 390])
def test_agent_table_sorts_and_the_gantt_draws(base_url: str, browser: Any,
                                               width: int) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    SHOTS.mkdir(parents=True, exist_ok=True)
    suffix = "" if width == 1440 else "-phone"
    browser.set_window_size(width, 900)
    browser.get(f"{base_url}/agents?tz=Europe/Kyiv")
    # sort by AHT through the header, twice: descending, then ascending
    aht = {r["agent_id"]: r["aht"] for r in omnikpi.report_result(
        DEMO_DATA_DIR, metrics=["aht"], by=["agent_id"], tz="Europe/Kyiv").rows
        if r["agent_id"] and r["aht"] is not None}
    slowest = max(aht, key=lambda a: aht[a])
    browser.find_element(By.CSS_SELECTOR, "th[data-key='aht'] a").click()
    WebDriverWait(browser, 20).until(lambda d: "sort=aht" in d.current_url)
    first = browser.find_element(By.CSS_SELECTOR, "#agent-table tbody tr")
    assert first.get_attribute("data-agent") == slowest
    cell = first.find_element(By.CSS_SELECTOR, "td[data-metric='aht']")
    assert cell.text == human(aht[slowest], "seconds")
    browser.save_screenshot(str(SHOTS / f"agents{suffix}.png"))
    # the page never scrolls sideways; the table scrolls inside its box
    page_width = browser.execute_script("return document.documentElement.scrollWidth")
    assert page_width <= width
    # open the agent's page: tiles, the day's Gantt drawn by Plotly, its legend
    first.find_element(By.CSS_SELECTOR, "td a").click()
    WebDriverWait(browser, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR,
                                                               "#gantt .main-svg"))
    assert f"/agents/{slowest}" in browser.current_url
    drawn = browser.find_elements(By.CSS_SELECTOR, "#gantt .bars path")
    data = re.search(r"const bars = (\[.*?\]);", browser.page_source, re.S)
    assert data and len(drawn) == len(json.loads(data.group(1))) > 30
    legend = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#gantt-legend li")]
    assert legend[:2] == ["Available", "Handling"]
    assert browser.find_element(By.ID, "gantt-day").text == "Mar 6, 2024"
    gantt_width = browser.execute_script(
        "return document.getElementById('gantt').getBoundingClientRect().width")
    assert gantt_width <= width
    browser.execute_script("document.getElementById('day-nav').scrollIntoView()")
    browser.save_screenshot(str(SHOTS / f"agents-gantt{suffix}.png"))
    # the previous day, through its link
    browser.find_element(By.ID, "day-previous").click()
    WebDriverWait(browser, 20).until(lambda d: "day=2024-03-05" in d.current_url)
    assert browser.find_element(By.ID, "gantt-day").text == "Mar 5, 2024"
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []

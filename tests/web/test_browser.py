"""The dashboard in a real headless Chromium (Debian's chromium + chromium-driver)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

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


def test_dashboard_shows_the_engines_numbers(base_url: str, browser: object) -> None:
    from selenium.webdriver.common.by import By

    driver = browser
    driver.get(f"{base_url}/?tz=Europe/Kyiv")  # type: ignore[attr-defined]
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SHOTS / "dashboard.png"))  # type: ignore[attr-defined]
    tile = driver.find_element(By.CSS_SELECTOR, "[data-metric='offered']")  # type: ignore[attr-defined]
    expected = omnikpi.report_result(DEMO_DATA_DIR, metrics=["offered"], tz="Europe/Kyiv",
                                     where={"channel": ["voice", "chat"]}).rows[0]["offered"]
    assert tile.find_element(By.CLASS_NAME, "value").text == f"{expected:,}"
    # the chart was drawn by Plotly served from the Python package (offline)
    assert driver.find_elements(By.CSS_SELECTOR, "#profile .main-svg")  # type: ignore[attr-defined]
    # change a filter through the form: the URL carries it and the number follows
    # the queue picker (filters.js): search, tick, apply
    driver.find_element(By.ID, "picker-queue").click()  # type: ignore[attr-defined]
    driver.find_element(  # type: ignore[attr-defined]
        By.CSS_SELECTOR, "#picker-queue ~ .picker-pop .picker-search").send_keys("sales")
    driver.find_element(  # type: ignore[attr-defined]
        By.CSS_SELECTOR, "#picker-queue ~ .picker-pop input[value=sales]").click()
    driver.find_element(By.ID, "apply").click()  # type: ignore[attr-defined]
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 20).until(lambda d: "queue=sales" in d.current_url)
    sales = omnikpi.report_result(DEMO_DATA_DIR, metrics=["offered"], tz="Europe/Kyiv",
                                  where={"queue": ["sales"]}).rows[0]["offered"]
    value = driver.find_element(By.CSS_SELECTOR, "[data-metric='offered'] .value").text  # type: ignore[attr-defined]
    assert value == f"{sales:,}"
    # drill down from the tile to the contacts behind it
    driver.find_element(By.CSS_SELECTOR, "[data-metric='offered']").click()  # type: ignore[attr-defined]
    count = driver.find_element(By.ID, "count").text  # type: ignore[attr-defined]
    assert count.startswith(f"{sales:,} contacts")  # grouped, as the tile writes it
    driver.save_screenshot(str(SHOTS / "drill.png"))  # type: ignore[attr-defined]


def test_build_and_export_a_report(base_url: str, browser: object) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver = browser
    driver.get(f"{base_url}/builder")  # type: ignore[attr-defined]
    for metric in ("offered", "abandon_rate"):
        driver.find_element(By.CSS_SELECTOR, f"input.metric[value='{metric}']").click()  # type: ignore[attr-defined]
    driver.find_element(By.CSS_SELECTOR, "input.dim[value='queue']").click()  # type: ignore[attr-defined]
    driver.find_element(By.ID, "preview").click()  # type: ignore[attr-defined]
    WebDriverWait(driver, 20).until(lambda d: d.find_elements(By.ID, "preview-table"))
    cells = driver.find_elements(By.CSS_SELECTOR, "#preview-table tbody tr:first-child td")  # type: ignore[attr-defined]
    expected = omnikpi.report_result(DEMO_DATA_DIR, metrics=["offered", "abandon_rate"],
                                     by=["queue"]).rows[0]
    # values in their units, as on the dashboard (the raw value is the cell's data-raw)
    assert [c.text for c in cells][:2] == [expected["queue"],
                                           human(expected["offered"], "count")]
    assert cells[1].get_attribute("data-raw") == str(expected["offered"])
    driver.save_screenshot(str(SHOTS / "builder.png"))  # type: ignore[attr-defined]
    link = driver.find_element(By.ID, "export-csv").get_attribute("href")  # type: ignore[attr-defined]
    import httpx

    exported = httpx.get(link).text.splitlines()
    assert exported[0] == "queue,offered,abandon_rate"
    assert exported[1].startswith(f"{expected['queue']},{expected['offered']},")


@pytest.mark.parametrize(("dimension", "value"), [("site", "kyiv"), ("tenant", "telco")])
def test_agent_time_tiles_of_one_site_or_tenant(base_url: str, browser: object,
                                                dimension: str, value: str) -> None:
    """A branch's or a client's dashboard: the agent-time tiles show that site's or
    tenant's own figures (once all of it fell in a nameless group and the tiles were
    empty)."""
    from selenium.webdriver.common.by import By

    from omnikpi.formatting import human

    driver = browser
    driver.get(f"{base_url}/?tz=Europe/Kyiv&{dimension}={value}")  # type: ignore[attr-defined]
    driver.save_screenshot(str(SHOTS / f"dashboard-{dimension}.png"))  # type: ignore[attr-defined]
    metrics = ["occupancy", "utilization"]
    expected = omnikpi.report_result(DEMO_DATA_DIR, metrics=metrics, tz="Europe/Kyiv",
                                     where={dimension: [value]}).rows[0]
    pooled = omnikpi.report_result(DEMO_DATA_DIR, metrics=metrics, tz="Europe/Kyiv").rows[0]
    for metric in metrics:
        assert expected[metric] is not None and expected[metric] != pooled[metric]
        shown = driver.find_element(  # type: ignore[attr-defined]
            By.CSS_SELECTOR, f"[data-metric='{metric}'] .value").text
        assert shown == human(expected[metric], "ratio"), metric

"""The dashboard's charts and tiles, checked on the data the page hands to Plotly: one
chart per channel, explicit null points at gaps, the previous period (equal to a report
of that period), trend arrows by the metric's direction, and tiles a filter cannot
apply to."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

import omnikpi
from omnikpi.demo import DEMO_DATA_DIR
from tests.web.conftest import needs_browser, running_server

TZ = "Europe/Kyiv"
DAY = {"tz": TZ, "from": "2024-03-06", "to": "2024-03-07"}
"""One day of the demo data (4–6 March in Kyiv); the day before it has data too."""
SHOTS = Path(__file__).resolve().parents[2] / "out" / "screenshots"


@pytest.fixture(scope="module")
def client(make_app: Callable[..., FastAPI]) -> TestClient:
    return TestClient(make_app())


@pytest.fixture(scope="module")
def whole(client: TestClient) -> str:
    return client.get("/", params={"tz": TZ}).text


@pytest.fixture(scope="module")
def one_day(client: TestClient) -> str:
    return client.get("/", params=DAY).text


def chart_data(page: str, name: str) -> Any:
    found = re.search(rf"const {name} = (.*?);\n", page)
    assert found, f"no data for the chart {name}"
    return json.loads(found.group(1))


def tile(page: str, metric: str, section: int = 0) -> str:
    found = re.findall(rf'<(?:a|div) class="tile[^"]*"[^>]*data-metric="{metric}".*?</(?:a|div)>',
                       page, re.S)
    assert found, f"no tile for {metric}"
    return str(found[section])


def report(metrics: list[str], **options: Any) -> list[dict[str, Any]]:
    return omnikpi.report_result(DEMO_DATA_DIR, metrics=metrics, tz=TZ, **options).rows


def test_one_small_chart_per_channel(whole: str) -> None:
    rows = report(["offered", "service_level"], by=["channel"], grain="hour")
    channels = list(dict.fromkeys(r["channel"] for r in rows))
    profile = chart_data(whole, "profile")
    assert sorted(c["channel"] for c in profile) == sorted(channels) == \
        ["chat", "email", "social", "voice"]
    assert len(re.findall(r'<div id="profile-\d+" class="chart small"', whole)) == 4
    for chart in profile:  # one channel's figures per chart, equal to the report's
        mine = {r["period_start"]: r for r in rows if r["channel"] == chart["channel"]}
        plotted = {r["period_start"]: r for r in chart["rows"] if r["offered"] is not None}
        assert plotted.keys() == mine.keys()
        for start, row in mine.items():
            assert plotted[start]["offered"] == row["offered"]
            assert plotted[start]["service_level"] == pytest.approx(row["service_level"])


def test_null_points_where_an_interval_has_no_data(whole: str) -> None:
    voice = next(c for c in chart_data(whole, "profile") if c["channel"] == "voice")
    starts = [r["period_start"] for r in voice["rows"]]
    # every hour of 4–6 March in Kyiv (UTC+2, no DST change), in order
    assert len(starts) == 72 and starts[0] == "2024-03-04T00:00:00+02:00" \
        and starts[-1] == "2024-03-06T23:00:00+02:00" and starts == sorted(starts)
    with_data = {r["period_start"] for r in report(["offered"], grain="hour",
                                                   where={"channel": ["voice"]})}
    nights = [r for r in voice["rows"] if r["period_start"] not in with_data]
    assert len(nights) == 72 - len(with_data) > 0
    assert all(r["offered"] is None and r["service_level"] is None for r in nights)
    # a gap inside the series (between hours with data), where a line used to cross
    filled = [i for i, r in enumerate(voice["rows"]) if r["offered"] is not None]
    assert any(voice["rows"][i]["offered"] is None for i in range(filled[0], filled[-1]))


def test_no_previous_period_before_the_first_day_of_data(whole: str) -> None:
    assert chart_data(whole, "trendBefore") == []
    assert "data-change" not in whole and "arrows: change against" not in whole
    assert "Service level and abandon rate, voice + chat, by day, Mar 4\u2009–\u20096" in whole
    assert "Chat sessions per agent, by hour, Mar 4\u2009–\u20096" in whole


def test_previous_period_equals_a_report_of_that_period(one_day: str) -> None:
    assert "arrows: change against Mar 5, 2024" in one_day
    assert "Service level and abandon rate, voice + chat, by day, Mar 6, 2024" in one_day
    before = report(["service_level", "abandon_rate"], grain="day", from_="2024-03-05",
                    to="2024-03-06", where={"channel": ["voice", "chat"]})
    plotted = chart_data(one_day, "trendBefore")
    assert [r["previous_start"] for r in plotted] == [r["period_start"] for r in before] \
        == ["2024-03-05T00:00:00+02:00"]
    assert plotted[0]["period_start"] == "2024-03-06T00:00:00+02:00"  # overlaid on the day
    assert plotted[0]["service_level"] == pytest.approx(before[0]["service_level"])
    assert plotted[0]["abandon_rate"] == pytest.approx(before[0]["abandon_rate"])
    # a tile's change: this day's figure minus the previous day's, same channels
    continuous = {"channel": ["voice", "chat"]}
    now = report(["asa"], from_="2024-03-06", to="2024-03-07", where=continuous)[0]["asa"]
    then = report(["asa"], from_="2024-03-05", to="2024-03-06", where=continuous)[0]["asa"]
    shown = re.search(r'data-change="([^"]+)"', tile(one_day, "asa"))
    assert shown and float(shown.group(1)) == pytest.approx(now - then)
    # the profile's previous day, per channel, shifted onto this day
    voice = next(c for c in chart_data(one_day, "profile") if c["channel"] == "voice")
    hours = report(["offered"], grain="hour", from_="2024-03-05", to="2024-03-06",
                   where={"channel": ["voice"]})
    shifted = {r["previous_start"]: r["offered"] for r in voice["previous"]
               if r.get("previous_start")}
    assert shifted == {r["period_start"]: r["offered"] for r in hours}


def test_trend_arrows_follow_the_metrics_direction(one_day: str) -> None:
    # abandon rate of voice + chat, checked by hand from the two days' reports:
    # 14.0 % on 6 March against 10.8 % on 5 March — up, and up is worse
    continuous = {"channel": ["voice", "chat"]}
    now = report(["abandon_rate"], from_="2024-03-06", to="2024-03-07",
                 where=continuous)[0]["abandon_rate"]
    then = report(["abandon_rate"], from_="2024-03-05", to="2024-03-06",
                  where=continuous)[0]["abandon_rate"]
    assert round(now * 100, 1) == 14.0 and round(then * 100, 1) == 10.8
    abandon = tile(one_day, "abandon_rate")
    assert 'data-verdict="worse"' in abandon
    assert re.search(r'class="trend worse"[^>]*>▲ \+3\.2 pp</span>', abandon)
    # the blocked rate fell (1.7 % of voice + chat on 5 March, none on 6 March): down is
    # better for it
    now = report(["blocked_rate"], from_="2024-03-06", to="2024-03-07",
                 where=continuous)[0]["blocked_rate"]
    then = report(["blocked_rate"], from_="2024-03-05", to="2024-03-06",
                  where=continuous)[0]["blocked_rate"]
    assert now == 0 and round(then * 100, 1) == 1.7
    blocked = tile(one_day, "blocked_rate")
    assert 'data-verdict="better"' in blocked and "▼ −1.7 pp" in blocked
    # a count without a direction is neither better nor worse
    assert 'data-verdict="same"' in tile(one_day, "offered")


def test_a_tile_a_filter_cannot_apply_to_says_so(client: TestClient) -> None:
    page = client.get("/", params={"tz": TZ, "channel": "fax"}).text
    # utilization is paid shift time: it has no channel at all
    utilization = tile(page, "utilization")
    assert "not available for channel fax" in utilization and 'class="tile na"' in utilization
    unfiltered = report(["utilization"])[0]["utilization"]
    assert f"{unfiltered * 100:.1f}" not in utilization and "data-raw" not in utilization
    ukrainian = client.get("/", params={"tz": TZ, "channel": "fax", "lang": "uk"}).text
    assert "недоступно з фільтром: канал fax" in tile(ukrainian, "utilization")
    assert "Надійшло та рівень сервісу, по годинах, 4–6 бер." in ukrainian  # its titles
    assert "Рівень сервісу та частка втрачених, по днях, 4–6 бер." in ukrainian
    # agent time has no queue either (a site or tenant filter does apply to it: those
    # tiles' figures are checked in test_browser.py)
    queue = client.get("/", params={"tz": TZ, "queue": "sales", "lang": "en"}).text
    assert "not available for queue sales" in tile(queue, "occupancy")
    assert "not available" not in tile(queue, "aht")


def test_occupancy_filtered_by_a_channel_shares_the_waiting(client: TestClient) -> None:
    """Occupancy takes the page's channel filter: agents' available time recorded without
    a channel is shared among the channels they worked (docs/decisions.md), so voice reads
    its own figure — the engine's, neither 100 % nor the unfiltered one."""
    page = client.get("/", params={"tz": TZ, "channel": "voice", "lang": "en"}).text
    voice = report(["occupancy"], where={"channel": ["voice"]})[0]["occupancy"]
    everyone = report(["occupancy"])[0]["occupancy"]
    assert round(voice, 3) not in (1.0, round(everyone, 3))
    assert f">{voice * 100:.1f} %<" in tile(page, "occupancy")
    # nobody works fax: no value, not the unfiltered figure
    fax = tile(client.get("/", params={"tz": TZ, "channel": "fax"}).text, "occupancy")
    assert f"{everyone * 100:.1f}" not in fax


def test_the_chat_concurrency_chart_takes_the_channel_filter(client: TestClient,
                                                             whole: str) -> None:
    """The hourly chat-sessions chart follows the page's channel filter as its tile does:
    on a chat filter, the engine's hourly ACCS of chat's share of the agents' time; on a
    voice filter, no chart (it used to draw the unfiltered chat figure under "voice")."""
    hourly = {r["period_start"]: r["accs"]
              for r in report(["accs"], grain="hour", where={"channel": ["chat"]})
              if r["accs"] is not None}
    chat = client.get("/", params={"tz": TZ, "channel": "chat"}).text
    drawn = {r["period_start"]: r["accs"] for r in chart_data(chat, "conc")
             if r["accs"] is not None}
    assert drawn and drawn == pytest.approx(hourly)
    assert len(drawn) == len(hourly) > 10
    assert {r["period_start"] for r in chart_data(whole, "conc")} >= set(hourly)
    voice = client.get("/", params={"tz": TZ, "channel": "voice"}).text
    assert 'id="concurrency"' in whole and 'id="concurrency"' in chat
    assert 'id="concurrency"' not in voice and "const conc =" not in voice


@needs_browser
def test_charts_drawn_in_a_browser_at_desktop_and_phone_width(
        make_app: Callable[..., FastAPI], browser: Any) -> None:
    """Plotly (fingerprinted, under the page's CSP) draws every small multiple; at 390 px
    nothing scrolls sideways. Screenshots: out/screenshots/dashboard-charts-*.png."""
    from selenium.webdriver.common.by import By

    SHOTS.mkdir(parents=True, exist_ok=True)
    with running_server(make_app()) as url:
        for width, name in ((1440, "desktop"), (390, "phone")):
            browser.set_window_size(width, 1000)
            browser.get(f"{url}/?tz={TZ}&from=2024-03-06&to=2024-03-07&lang=en")
            drawn = browser.find_elements(By.CSS_SELECTOR, "#profile .chart .main-svg")
            assert len(drawn) >= 4, name
            assert browser.find_elements(By.CSS_SELECTOR, "#trend .main-svg")
            # the days as the language writes them, like the other charts (not ISO dates)
            ticks = [t.text for t in browser.find_elements(By.CSS_SELECTOR,
                                                           "#trend .xtick text")]
            assert ticks and all(re.fullmatch(r"[A-Z][a-z]{2} \d{1,2}", t) for t in ticks), \
                ticks
            wide = settled_overflow(browser)
            assert wide <= 0, f"{name}: {wide} px sideways"
            height = browser.execute_script("return document.body.scrollHeight")
            browser.set_window_size(width, min(height + 140, 6000))
            browser.save_screenshot(str(SHOTS / f"dashboard-charts-{name}.png"))
        errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == []


WIDER_THAN_THE_WINDOW = """
const limit = document.documentElement.clientWidth;
return [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > limit + 0.5)
  .slice(-8).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
    + (e.className && e.className.baseVal === undefined ? '.' + e.className : '')
    + ' ' + Math.round(e.getBoundingClientRect().right));
"""
"""The elements whose right edge passes the window (printed when a page scrolls sideways)."""


def settled_overflow(browser: Any, seconds: float = 10.0) -> int:
    """How far the page scrolls sideways once Plotly's responsive charts have taken their
    box's width (they are drawn first at their default width, then resized: a loaded
    machine can be caught in between)."""
    deadline = time.monotonic() + seconds
    while True:
        wide = int(browser.execute_script(
            "return document.documentElement.scrollWidth - window.innerWidth"))
        if wide <= 0:
            return wide
        if time.monotonic() > deadline:
            print("wider than the window:", browser.execute_script(WIDER_THAN_THE_WINDOW))
            return wide
        time.sleep(0.2)


@needs_browser
@pytest.mark.parametrize("lang", ["ru", "uk"])
def test_date_ticks_put_the_day_before_the_month(make_app: Callable[..., FastAPI],
                                                 browser: Any, lang: str) -> None:
    """Plotly's date axes in Russian and Ukrainian read "4 бер", as these languages write
    a date (the locale gave Plotly the month names but kept English's "бер 4")."""
    from selenium.webdriver.common.by import By

    with running_server(make_app()) as url:
        browser.set_window_size(1440, 1000)
        browser.get(f"{url}/?tz={TZ}&lang={lang}")
        browser.find_elements(By.CSS_SELECTOR, "#concurrency .main-svg")
        ticks = [t.get_attribute("textContent") for t in browser.find_elements(
            By.CSS_SELECTOR, "#concurrency .xtick text, #profile .xtick text")]
        month = r"[а-яіїєґ]{3}"
        dated = [t for t in ticks if re.search(month, t)]
        assert dated, ticks
        assert all(re.search(rf"\d{{1,2}} {month}", t) for t in dated), dated
        assert not [t for t in dated if re.search(rf"{month} \d", t)], dated


def test_a_duration_tile_says_its_clock(client: TestClient) -> None:
    """"Longest wait 15:13" (913 s) beside "15:02:34" read as 15 hours to a director: a
    duration tile says which clock it shows, in the page's language."""
    page = client.get("/", params={"tz": TZ, "lang": "uk"}).text
    values = re.findall(r'data-metric="(\w+)"[^>]*>\s*<span class="name">.*?'
                        r'<span class="value">([^<]+)(?: <span class="clock">([^<]+)</span>)?'
                        r'</span>', page, re.S)
    clocks = {value.count(":"): clock for _, value, clock in values if ":" in value}
    assert clocks == {1: "хв:с", 2: "год:хв:с"}, values
    assert all(clock == "" for _, value, clock in values if ":" not in value), values

"""Overnight shifts and the days the clocks change (Kyiv: 29 March 2026, 03:00 EET ->
04:00 EEST at 01:00Z; 25 October 2026, 04:00 EEST -> 03:00 EET at 01:00Z).

The schedule page lists an overnight shift's breaks after midnight under the day the shift
starts (they can be moved there); the agent timeline and the coverage chart draw real time
from the day's start (a bar is as long as the state, the hour the clock shows twice is two
hours of the chart), their hover texts the local clock with the offset where it repeats.
Hand-computed values throughout; the browser test looks at the ticks and hover texts in
Chromium (screenshots in out/screenshots/wfm-clock-change-*.png)."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.web.conftest import needs_browser, running_server

SHOTS = Path(__file__).resolve().parents[2] / "out" / "screenshots"
KYIV = "Europe/Kyiv"
SHIFTS = """agent_id,start,end,paid,site,tenant
a1,2026-03-28T20:00:00Z,2026-03-29T04:00:00Z,true,kyiv,bank
a2,2026-03-29T06:00:00Z,2026-03-29T10:00:00Z,true,lviv,bank
b1,2026-10-24T22:00:00+03:00,2026-10-25T06:00:00+02:00,true,kyiv,bank
c1,2026-10-24T23:00:00Z,2026-10-25T03:00:00Z,true,kyiv,bank
"""
ACTIVITIES = """agent_id,activity,start,end,paid
a1,break,2026-03-28T22:00:00Z,2026-03-28T22:15:00Z,true
a1,lunch,2026-03-29T00:00:00Z,2026-03-29T00:30:00Z,false
a1,meeting,2026-03-29T02:00:00Z,2026-03-29T02:30:00Z,true
a2,training,2026-03-29T07:00:00Z,2026-03-29T08:00:00Z,true
b1,work,2026-10-24T19:00:00Z,2026-10-25T04:00:00Z,true
b1,break,2026-10-24T23:00:00Z,2026-10-24T23:15:00Z,true
b1,lunch,2026-10-25T00:30:00Z,2026-10-25T01:30:00Z,false
"""
STATES = """agent_id,state,reason,start,end,channel,site,tenant
a1,available,,2026-03-28T19:55:00Z,2026-03-28T20:05:30.500Z,,kyiv,bank
a1,handling,,2026-03-28T20:05:30.500Z,2026-03-28T21:00:00Z,voice,kyiv,bank
a1,available,,2026-03-28T21:00:00Z,2026-03-28T22:02:00Z,,kyiv,bank
a1,not_ready,break,2026-03-28T22:02:00Z,2026-03-28T22:15:00Z,,kyiv,bank
a1,available,,2026-03-28T22:15:00Z,2026-03-29T00:00:00Z,,kyiv,bank
a1,not_ready,lunch,2026-03-29T00:00:00Z,2026-03-29T00:30:00Z,,kyiv,bank
a1,handling,,2026-03-29T00:30:00Z,2026-03-29T02:00:00Z,voice,kyiv,bank
a1,not_ready,meeting,2026-03-29T02:00:00Z,2026-03-29T02:30:00Z,,kyiv,bank
a1,acw,,2026-03-29T02:30:00Z,2026-03-29T03:40:00Z,voice,kyiv,bank
b1,available,,2026-10-24T19:00:00Z,2026-10-24T23:00:00Z,,kyiv,bank
b1,not_ready,break,2026-10-24T23:00:00Z,2026-10-24T23:15:00Z,,kyiv,bank
b1,available,,2026-10-24T23:15:00Z,2026-10-25T00:30:00Z,,kyiv,bank
b1,not_ready,lunch,2026-10-25T00:30:00Z,2026-10-25T01:30:00Z,,kyiv,bank
b1,handling,,2026-10-25T01:30:00Z,2026-10-25T04:00:00Z,email,kyiv,bank
"""


def write_data(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name, text in (("shifts", SHIFTS), ("shift_activities", ACTIVITIES),
                       ("agent_states", STATES)):
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def app(make_app: Callable[..., FastAPI],
        tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    return make_app(write_data(tmp_path_factory.mktemp("clock") / "data"),
                    live_updates=False)


def breaks_of(html: str) -> dict[str, list[str]]:
    """The breaks table: agent -> the activities shown ("lunch 02:00–02:30")."""
    table = re.search(r'<table class="roster" id="breaks">(.*?)</table>', html, re.S)
    assert table
    return {agent: re.findall(r"<span>([^<]*)</span>", cell) for agent, cell in re.findall(
        r'<tr data-agent="([^"]+)">(.*?)</tr>', table.group(1), re.S)}


def options_of(html: str, start: str) -> list[str]:
    """The texts of the new-start choices of the activity starting at ``start`` (UTC)."""
    form = re.search(rf'<form class="move"[^>]*data-start="{start}">(.*?)</form>', html, re.S)
    assert form, f"no move form for the activity at {start}"
    return re.findall(r"<option [^>]*>([^<]*)</option>", form.group(1))


def test_an_overnight_shifts_breaks_are_listed_under_the_day_it_starts(app: FastAPI) -> None:
    with TestClient(app) as client:
        def page(day: str, tz: str) -> str:
            answer = client.get("/wfm/schedule", params={"day": day, "tz": tz})
            assert answer.status_code == 200
            text: str = answer.text
            return text

        # a1: 22:00 EET on the 28th to 07:00 EEST; break 00:00 EET, lunch 02:00 EET,
        # meeting 05:00 EEST (02:00Z, after the clocks went forward at 01:00Z)
        assert breaks_of(page("2026-03-28", KYIV)) == {
            "a1": ["break 00:00–00:15", "lunch 02:00–02:30", "meeting 05:00–05:30"]}
        assert breaks_of(page("2026-03-29", KYIV)) == {"a2": ["training 10:00–11:00"]}
        assert breaks_of(page("2026-03-28", "UTC")) == {
            "a1": ["break 22:00–22:15", "lunch 00:00–00:30", "meeting 02:00–02:30"]}
        assert breaks_of(page("2026-03-29", "UTC")) == {"a2": ["training 07:00–08:00"]}
        # b1: 22:00 EEST on 24 October to 06:00 EET; the lunch (00:30Z-01:30Z) is the hour
        # the clocks show twice, 03:30 to 03:30
        october = page("2026-10-24", KYIV)
        assert breaks_of(october) == {
            "b1": ["break 02:00–02:15", "lunch 03:30 (+03:00)–03:30 (+02:00)"]}
        # its new start, every 15 minutes of the shift (19:00Z-04:00Z, an hour long):
        # 22:00 .. 03:00 the first time, 03:00 .. 05:00 the second: 33 choices, none twice
        lunch = options_of(october, "2026-10-25T00:30:00Z")
        assert len(lunch) == 33 == len(set(lunch))
        assert lunch[:2] == ["22:00", "22:15"] and lunch[-1] == "05:00"
        assert lunch[20:26] == ["03:00 (+03:00)", "03:15 (+03:00)", "03:30 (+03:00)",
                                "03:45 (+03:00)", "03:00 (+02:00)", "03:15 (+02:00)"]
        assert breaks_of(page("2026-10-25", KYIV)) == {}  # c1 has no breaks


def test_a_break_after_midnight_is_moved_from_its_shifts_day(
        make_app: Callable[..., FastAPI], tmp_path: Path) -> None:
    folder = write_data(tmp_path / "data")
    with TestClient(make_app(folder, live_updates=False)) as client:
        page = client.get("/wfm/schedule", params={"day": "2026-03-28", "tz": KYIV}).text
        choices = options_of(page, "2026-03-29T00:00:00Z")  # a1's lunch, 02:00 EET
        assert choices[choices.index("02:45") + 1] == "04:00"  # 03:00-04:00 never is
        token = re.search(r'name="csrf_token" value="([^"]*)"', page)
        assert token
        moved = client.post("/wfm/schedule/move", follow_redirects=False, data={
            "agent_id": "a1", "start": "2026-03-29T00:00:00Z",
            "new_start": "2026-03-29T00:45:00Z", "day": "2026-03-28", "tz": KYIV,
            "csrf_token": token.group(1)})
        assert moved.status_code == 303, moved.text
        after = client.get(moved.headers["location"]).text
    # 00:45Z-01:15Z: 02:45 EET to 04:15 EEST, half an hour
    assert breaks_of(after) == {
        "a1": ["break 00:00–00:15", "lunch 02:45–04:15", "meeting 05:00–05:30"]}
    with (folder / "shift_activities.csv").open(encoding="utf-8", newline="") as handle:
        lunch = [r for r in csv.DictReader(handle) if r["activity"] == "lunch"
                 and r["agent_id"] == "a1"]
    assert len(lunch) == 1 and lunch[0]["start"].startswith("2026-03-29T00:45:00")


def bars_of(html: str) -> list[dict[str, Any]]:
    found = re.search(r"const bars = (\[.*?\]);", html, re.S)
    assert found
    bars: list[dict[str, Any]] = json.loads(found.group(1))
    return bars


def test_the_timeline_draws_real_time_on_the_days_the_clocks_change(app: FastAPI) -> None:
    with TestClient(app) as client:
        spring = client.get("/agents/a1", params={"tz": KYIV, "day": "2026-03-29"}).text
        autumn = client.get("/agents/b1", params={"tz": KYIV, "day": "2026-10-25"}).text
    # the day starts at 22:00Z (00:00 EET): an axis position is the time since then
    assert [(b["key"], b["start"][11:19], b["end"][11:19], b["ms"], b["shown"])
            for b in bars_of(spring)] == [
        ("available", "00:00:00", "00:02:00", 120_000, ["00:00:00", "00:02:00"]),
        ("not_ready:break", "00:02:00", "00:15:00", 780_000, ["00:02:00", "00:15:00"]),
        ("available", "00:15:00", "02:00:00", 6_300_000, ["00:15:00", "02:00:00"]),
        ("not_ready:lunch", "02:00:00", "02:30:00", 1_800_000, ["02:00:00", "02:30:00"]),
        # 00:30Z-02:00Z: 90 minutes, 02:30 EET to 05:00 EEST, ending where the meeting
        # starts (drawn to 04:00 on the wall clock's axis, an hour before the meeting)
        ("handling", "02:30:00", "04:00:00", 5_400_000, ["02:30:00", "05:00:00"]),
        ("not_ready:meeting", "04:00:00", "04:30:00", 1_800_000, ["05:00:00", "05:30:00"]),
        ("acw", "04:30:00", "05:40:00", 4_200_000, ["05:30:00", "06:40:00"])]
    assert '"2026-03-29T00:00:00.000", "2026-03-29T23:00:00.000"' in spring  # 23 hours
    # the day starts at 21:00Z (00:00 EEST) and is 25 hours long
    assert [(b["key"], b["start"][11:19], b["end"][11:19], b["ms"], b["shown"])
            for b in bars_of(autumn)] == [
        ("available", "00:00:00", "02:00:00", 7_200_000, ["00:00:00", "02:00:00"]),
        ("not_ready:break", "02:00:00", "02:15:00", 900_000, ["02:00:00", "02:15:00"]),
        ("available", "02:15:00", "03:30:00", 4_500_000, ["02:15:00", "03:30:00 (+03:00)"]),
        ("not_ready:lunch", "03:30:00", "04:30:00", 3_600_000,
         ["03:30:00 (+03:00)", "03:30:00 (+02:00)"]),
        ("handling", "04:30:00", "07:00:00", 9_000_000, ["03:30:00 (+02:00)", "06:00:00"])]
    assert '"2026-10-25T00:00:00.000", "2026-10-26T01:00:00.000"' in autumn


def test_the_coverage_chart_keeps_the_repeated_hour_apart(app: FastAPI) -> None:
    with TestClient(app) as client:
        page = client.get("/wfm/schedule", params={"day": "2026-10-25", "tz": KYIV}).text
    found = re.search(r"const points = (\[.*?\]);", page, re.S)
    assert found
    points = [(p["t"][11:16], p["shown"], p["scheduled"]) for p in json.loads(found.group(1))]
    # b1 works 21:00Z-04:00Z of the day but its break (23:00Z-23:15Z, half an interval)
    # and lunch (00:30Z-01:30Z); c1 works 23:00Z-03:00Z. Positions: time since 21:00Z.
    assert points == [
        ("00:00", "00:00", 1), ("00:30", "00:30", 1), ("01:00", "01:00", 1),
        ("01:30", "01:30", 1), ("02:00", "02:00", 1.5), ("02:30", "02:30", 2),
        ("03:00", "03:00 (+03:00)", 2), ("03:30", "03:30 (+03:00)", 1),
        ("04:00", "03:00 (+02:00)", 1), ("04:30", "03:30 (+02:00)", 2),
        ("05:00", "04:00", 2), ("05:30", "04:30", 2), ("06:00", "05:00", 1),
        ("06:30", "05:30", 1)]


@pytest.fixture(scope="module")
def base_url(app: FastAPI) -> Iterator[str]:
    with running_server(app) as url:
        yield url


TICKS = """return [...document.querySelectorAll('#ID .xtick')].map(t => [t.textContent,
  t.getBoundingClientRect().left + t.getBoundingClientRect().width / 2])"""
HOVER = """const gd = document.getElementById('gantt');
const i = gd.data.findIndex(t => t.name.includes(arguments[0]));
Plotly.Fx.hover(gd, [{curveNumber: i, pointNumber: 0}]);
const text = document.querySelector('#gantt .hoverlayer .hovertext');
return text && text.textContent;"""


@needs_browser
@pytest.mark.parametrize("width", [1440, 390])
def test_the_ticks_and_hover_texts_are_the_local_clock(base_url: str, browser: Any,
                                                       width: int) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.set_window_size(width, 900)

    def ticks(path: str, chart: str) -> list[tuple[str, float]]:
        browser.get(base_url + path)
        WebDriverWait(browser, 20).until(lambda d: d.execute_script(
            f"const a = document.getElementById('{chart}')._fullLayout; "
            "return a && a.xaxis.tickmode === 'array'"))
        return [(text, x) for text, x in browser.execute_script(TICKS.replace("ID", chart))]

    def hover(trace: str) -> str:
        text: str = WebDriverWait(browser, 20).until(
            lambda d: d.execute_script(HOVER, trace))
        return text

    autumn = ticks("/agents/b1?tz=Europe/Kyiv&day=2026-10-25&lang=uk", "gantt")
    browser.save_screenshot(str(SHOTS / f"wfm-clock-change-gantt-{width}.png"))
    labels = [t for t, _ in autumn]
    assert "03:00+03:00" in labels  # the first 03:00, named
    if width == 1440:
        assert labels[:6] == ["00:00", "02:00", "03:00+03:00", "03:00+02:00", "04:00",
                              "06:00"]
        x = dict(autumn)  # an hour apart each, then two hours
        assert x["03:00+02:00"] - x["03:00+03:00"] == pytest.approx(
            x["03:00+03:00"] - x["02:00"], abs=1)
        assert x["06:00"] - x["04:00"] == pytest.approx(2 * (x["04:00"] - x["03:00+02:00"]),
                                                        abs=1)
    assert hover("обід") == "Не готовий: обід 03:30:00 (+03:00)–03:30:00 (+02:00)"
    spring = ticks("/agents/a1?tz=Europe/Kyiv&day=2026-03-29&lang=en", "gantt")
    assert "03:00" not in [t for t, _ in spring]  # 03:00-04:00 never is on the clock
    if width == 1440:
        x = dict(spring)  # 02:00 to 04:00 is one hour, 04:00 to 06:00 two
        assert x["06:00"] - x["04:00"] == pytest.approx(2 * (x["04:00"] - x["02:00"]), abs=1)
    assert hover("Handling") == "Handling 02:30:00–05:00:00"
    coverage = ticks("/wfm/schedule?tz=Europe/Kyiv&day=2026-10-25", "coverage")
    browser.save_screenshot(str(SHOTS / f"wfm-clock-change-coverage-{width}.png"))
    assert "03:00+03:00" in [t for t, _ in coverage]

"""The schedule page on a generated demo schedule: coverage and roster, a break moved
(coverage updates by the hand-computed amounts, the file and the audit log record it), the
roster as XLSX; then the same move in a real Chromium at 1440 and 390 px (screenshots in
out/screenshots/wfm-schedule-*.png)."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from omnikpi.demo import DEMO_DATA_DIR
from omnikpi.wfm.schedule import build_schedule, read_plan, rules_from_toml, write_schedule
from omnikpi.wfm.schedule.inputs import read_agents
from omnikpi.wfm.schedule.rules import rules_from_options
from tests.web.conftest import needs_browser, running_server
from tests.web.test_dashboard_charts import settled_overflow

CASE = Path(__file__).resolve().parents[1] / "unit" / "wfm" / "schedule_demo"
SHOTS = Path(__file__).resolve().parents[2] / "out" / "screenshots"
POINTS = re.compile(r"const points = (\[.*?\]);", re.S)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's contacts and agent states with a schedule generated for them."""
    folder = tmp_path_factory.mktemp("wfm-schedule") / "data"
    folder.mkdir()
    for name in ("contacts.csv", "agent_states.csv"):
        shutil.copy(DEMO_DATA_DIR / name, folder / name)
    rules = rules_from_toml(CASE / "rules.toml", rules_from_options(8, "07:00-12:00", 30, 30))
    write_schedule(build_schedule(read_plan(CASE / "plan.csv"),
                                  read_agents(CASE / "agents.csv"), rules, 30, 2), folder)
    return folder


@pytest.fixture(scope="module")
def app(make_app: Callable[..., FastAPI], data: Path) -> FastAPI:
    return make_app(data, live_updates=False)


def _points(html: str) -> dict[str, float]:
    found = POINTS.search(html)
    assert found, "the page has no coverage points"
    return {p["t"]: p["scheduled"] for p in json.loads(found.group(1))}


def _first_break(html: str) -> tuple[str, str]:
    found = re.search(r'name="agent_id" value="([^"]+)">\s*<input type="hidden" '
                      r'name="start" value="([^"]+)"', html)
    assert found
    return found.group(1), found.group(2)


def test_move_a_break_updates_coverage_and_is_audited(app: FastAPI, data: Path) -> None:
    with TestClient(app) as client:
        page = client.get("/wfm/schedule?day=2024-03-05")
        assert page.status_code == 200
        assert 'id="under">0' in page.text  # the demo schedule covers the requirement
        before = _points(page.text)
        assert len(before) >= 25 and all(t.startswith("2024-03-05") for t in before)
        agent, start = _first_break(page.text)
        old = datetime.fromisoformat(start.replace("Z", "+00:00"))
        new = old + timedelta(minutes=30)
        token = re.search(r'name="csrf_token" value="([^"]*)"', page.text)
        assert token
        moved = client.post("/wfm/schedule/move", follow_redirects=False, data={
            "agent_id": agent, "start": start, "new_start": f"{new:%Y-%m-%dT%H:%M:%SZ}",
            "day": "2024-03-05", "tz": "UTC", "csrf_token": token.group(1)})
        assert moved.status_code == 303, moved.text
        after_page = client.get(moved.headers["location"])
        assert 'id="moved-note"' in after_page.text
        # back at the agent's row, which takes the focus (it went to the page's top)
        assert moved.headers["location"].endswith("#moved-agent")
        assert re.search(r'<th scope="row" translate="no" id="moved-agent" tabindex="-1">'
                         + re.escape(agent) + "</th>", after_page.text)
        after = _points(after_page.text)
        # a 15-minute break leaves one half-hour and enters another: ±0.5 agent there
        changed = {t: after[t] - before[t] for t in before if after[t] != before[t]}

        def slot(moment: datetime) -> str:
            return moment.replace(minute=moment.minute // 30 * 30).strftime("%Y-%m-%dT%H:%M")

        assert changed == {slot(old): 0.5, slot(new): -0.5}
        rows = list(csv.DictReader((data / "shift_activities.csv").open(encoding="utf-8")))
        assert any(r["agent_id"] == agent and r["start"] == f"{new:%Y-%m-%dT%H:%M:%SZ}"
                   and r["activity"] == "break" for r in rows)
        audit = client.get("/api/v1/audit").json()
        entry = next(e for e in audit if e["action"] == "schedule_activity_moved")
        assert json.loads(entry["detail"]) == {"agent_id": agent, "activity": "break",
                                               "from": start,
                                               "to": f"{new:%Y-%m-%dT%H:%M:%SZ}"}
        # outside the shift: refused with a message, nothing written
        text = (data / "shift_activities.csv").read_text(encoding="utf-8")
        outside = {"agent_id": agent, "start": f"{new:%Y-%m-%dT%H:%M:%SZ}",
                   "new_start": f"{new + timedelta(hours=12):%Y-%m-%dT%H:%M:%SZ}",
                   "csrf_token": token.group(1)}
        refused = client.post("/wfm/schedule/move", data=outside)
        assert refused.status_code == 400 and "inside the shift" in refused.text
        assert (data / "shift_activities.csv").read_text(encoding="utf-8") == text
        # on the schedule, at the agent's row (a bare error page had no way back)
        assert 'id="move-refused"' in refused.text and 'href="#refused-agent"' in refused.text
        assert re.search(r'<th scope="row" translate="no" id="refused-agent" tabindex="-1">'
                         + re.escape(agent) + "</th>", refused.text)
        # in the page's language and clock (it was "…the shift 2024-03-05T07:00:00Z–…")
        russian = client.post("/wfm/schedule/move?lang=ru",
                              data={**outside, "tz": "Europe/Kyiv"})
        said = re.search(r"перерыв: должен остаться в пределах смены, (\d\d:\d\d)–"
                         r"(\d\d:\d\d)\.", russian.text)
        assert russian.status_code == 400 and said, russian.text[-1500:]


def test_roster_xlsx(app: FastAPI) -> None:
    from openpyxl import load_workbook

    with TestClient(app) as client:
        answer = client.get("/wfm/schedule/roster.xlsx?day=2024-03-05")
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert rows[0][:4] == ("Agent", "Site", "2024-03-04", "2024-03-05")
    assert len(rows) == 1 + 33
    cells = [c for r in rows[1:] for c in r[2:5]]
    worked = [c for c in cells if c != "off"]
    assert len(worked) == 89  # every shift of the three days, one per agent and day
    assert all(re.fullmatch(r"\d\d:\d\d–\d\d:\d\d", str(c)) for c in worked)


def test_a_day_without_a_schedule_is_said_not_swapped(app: FastAPI) -> None:
    """``day=2030-01-01`` showed 4 March titled as the answer, and its roster download
    was 4 March's week, without a word."""
    with TestClient(app) as client:
        page = client.get("/wfm/schedule?day=2030-01-01&lang=uk")
        assert page.status_code == 200
        assert re.search(r'id="unscheduled-day"[^>]*>У графіку немає змін на 1 січ\. 2030.р\.: '
                         r"показано його перший день\.<", page.text)
        assert 'id="unscheduled-day"' not in client.get("/wfm/schedule?day=2024-03-05").text
        assert client.get("/wfm/schedule/roster.xlsx?day=2030-01-01").status_code == 404
        garbage = client.get("/wfm/schedule?day=someday&lang=ru")
        assert garbage.status_code == 400 and "is not a date" not in garbage.text


@pytest.fixture(scope="module")
def base_url(app: FastAPI) -> Iterator[str]:
    with running_server(app) as url:
        yield url


@needs_browser
def test_move_a_break_in_the_browser(base_url: str, browser: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.set_window_size(1440, 900)
    browser.get(f"{base_url}/wfm/schedule?day=2024-03-06&lang=en")
    WebDriverWait(browser, 20).until(
        lambda d: d.execute_script("return !!document.querySelector('#coverage .main-svg')"))
    read = "return document.getElementById('coverage').data[0].y"
    before = browser.execute_script(read)
    assert sum(before) > 0
    browser.save_screenshot(str(SHOTS / "wfm-schedule-1440.png"))
    form = browser.find_element(By.CSS_SELECTOR, "#breaks form.move")
    choice = Select(form.find_element(By.NAME, "new_start"))
    index = next(i for i, o in enumerate(choice.options) if o.is_selected())
    choice.select_by_index(index + 2)  # half an hour later
    form.find_element(By.TAG_NAME, "button").click()
    WebDriverWait(browser, 20).until(lambda d: d.find_elements(By.ID, "moved-note"))
    WebDriverWait(browser, 20).until(
        lambda d: d.execute_script("return !!document.querySelector('#coverage .main-svg')"))
    after = browser.execute_script(read)
    assert sorted(a - b for a, b in zip(after, before, strict=True) if a != b) == [-0.5, 0.5]
    browser.save_screenshot(str(SHOTS / "wfm-schedule-moved-1440.png"))
    browser.set_window_size(390, 900)
    browser.get(f"{base_url}/wfm/schedule?day=2024-03-06&lang=uk")
    WebDriverWait(browser, 20).until(
        lambda d: d.execute_script("return !!document.querySelector('#coverage .main-svg')"))
    assert settled_overflow(browser) <= 1
    browser.save_screenshot(str(SHOTS / "wfm-schedule-390-uk.png"))
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"
              and "favicon" not in e["message"]]
    assert not errors, errors

"""The wallboard in Debian's Chromium: log in, watch, and see posted events arrive."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from omnikpi.auth.accounts import create_api_key, create_user
from omnikpi.store.db import session_scope
from tests.web.conftest import needs_browser, running_server
from tests.web.tenants import write_two_tenants

SHOTS = Path(__file__).resolve().parents[2] / "out" / "screenshots"
pytestmark = needs_browser


def test_wallboard_updates_when_events_are_posted(make_app: Callable[..., FastAPI],
                                                  browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    app = make_app(write_two_tenants(tmp_path / "data"), auth_required=True, tz="Europe/Kyiv")
    with session_scope(app.state.omnikpi.database_url) as session:
        create_user(session, "lead", "wallboard-pass", "supervisor", tenant="A")
        key = create_api_key(session, "pbx")
    with running_server(app) as url:
        browser.get(f"{url}/wallboard")
        assert "/login" in browser.current_url  # pages need a session
        browser.find_element(By.ID, "username").send_keys("lead")
        browser.find_element(By.ID, "password").send_keys("wallboard-pass")
        browser.find_element(By.ID, "login").click()
        WebDriverWait(browser, 20).until(lambda d: d.current_url.endswith("/wallboard"))
        board = browser.find_element(By.ID, "wallboard")
        WebDriverWait(browser, 20).until(lambda d: board.get_attribute("data-seq") != "-1")
        assert browser.find_element(By.ID, "t-waiting").text == "0"
        now = datetime.now(UTC)
        rows = [{"contact_id": f"b{i}", "channel": "voice", "queue": "support", "tenant": t,
                 "site": "kyiv", "arrived_at": (now - timedelta(seconds=30 + i)).isoformat()}
                for i, t in enumerate("AAB")]
        posted = httpx.post(f"{url}/api/v1/events", headers={"X-API-Key": key},
                            json={"table": "contacts", "rows": rows}).json()
        assert posted["accepted"] == 3
        WebDriverWait(browser, 10).until(
            lambda d: int(board.get_attribute("data-seq") or -1) >= posted["seq"])
        # the supervisor of tenant A sees A's two waiting calls, not B's
        assert browser.find_element(By.ID, "t-waiting").text == "2"
        cells = [c.text for c in browser.find_elements(By.CSS_SELECTOR, "#queues tbody td")]
        assert cells[:5] == ["A", "kyiv", "support", "voice", "2"]
        assert "B" not in cells[:1]
        SHOTS.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(SHOTS / "wallboard.png"))
        # the waiting calls are answered: the board follows without a reload
        answered = [{**r, "first_response_at": now.isoformat(), "agent_id": "a1"}
                    for r in rows[:2]]
        again = httpx.post(f"{url}/api/v1/events", headers={"X-API-Key": key},
                           json={"table": "contacts", "rows": answered}).json()
        WebDriverWait(browser, 10).until(
            lambda d: int(board.get_attribute("data-seq") or -1) >= again["seq"])
        assert browser.find_element(By.ID, "t-waiting").text == "0"
        # in Ukrainian the script writes the agent's state in the page's language, and the
        # ids and site (data) marked as such; at phone width nothing scrolls sideways
        states = [{"agent_id": "a9", "state": "not_ready", "reason": "lunch", "tenant": "A",
                   "site": "kyiv", "start": (now - timedelta(minutes=3)).isoformat()}]
        posted = httpx.post(f"{url}/api/v1/events", headers={"X-API-Key": key},
                            json={"table": "agent_states", "rows": states}).json()
        assert posted["accepted"] == 1
        browser.set_window_size(390, 900)
        browser.get(f"{url}/wallboard?lang=uk")
        board = browser.find_element(By.ID, "wallboard")
        WebDriverWait(browser, 20).until(
            lambda d: int(board.get_attribute("data-seq") or -1) >= posted["seq"])
        rows = [[c.text for c in r.find_elements(By.TAG_NAME, "td")]
                for r in browser.find_elements(By.CSS_SELECTOR, "#agents tbody tr")]
        assert ["kyiv", "не готовий", "lunch", "1"] in rows, rows
        assert browser.find_element(By.ID, "t-longest").text == "0 с"
        marked = browser.execute_script(
            "return [...document.querySelectorAll('#agents tbody td')]"
            ".map(td => td.getAttribute('translate'))")
        assert marked[:4] == ["no", None, "no", None]
        assert browser.execute_script(
            "return document.documentElement.scrollWidth - window.innerWidth") <= 1
        browser.save_screenshot(str(SHOTS / "wallboard-uk-390.png"))
        browser.set_window_size(1440, 900)

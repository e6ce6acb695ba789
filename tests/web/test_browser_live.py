"""The wallboard in Debian's Chromium: log in, watch, and see posted events arrive."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from omnikpi.auth.accounts import create_api_key, create_user
from omnikpi.store.db import session_scope
from tests.web.conftest import midday_zone, needs_browser, running_server
from tests.web.tenants import write_two_tenants

SHOTS = Path(__file__).resolve().parents[2] / "out" / "screenshots"


def cells_of(browser: Any, rows: str) -> list[list[str]]:
    """The texts of the cells of the rows ``rows`` selects, read in one script call: the
    board redraws its tables on every snapshot, so reading cell by cell can meet a row
    that was replaced meanwhile."""
    return list(browser.execute_script(
        "return [...document.querySelectorAll(arguments[0])].map(r => "
        "[...r.querySelectorAll('td')].map(td => td.innerText))", rows))
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
        cells = [c for row in cells_of(browser, "#queues tbody tr") for c in row]
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
        rows = cells_of(browser, "#agents tbody tr")
        # the reason in the page's words, as the agent timeline gives it
        assert ["kyiv", "не готовий", "обід", "1"] in rows, rows
        assert browser.find_element(By.ID, "t-longest").text == "0 с"
        # a1 holds b0 and b1 (answered, not ended) and reported no state: handling, as the
        # queue rows count them busy
        assert [r for r in rows if r[1] == "обробка"] == [["kyiv", "обробка", "—", "1"]], rows
        marked = browser.execute_script(
            "return [...document.querySelectorAll('#agents tbody tr')].map(tr => "
            "[...tr.children].map(td => td.getAttribute('translate')))")
        assert marked[rows.index(["kyiv", "не готовий", "обід", "1"])] == [
            "no", None, None, None]
        assert browser.execute_script(
            "return document.documentElement.scrollWidth - window.innerWidth") <= 1
        browser.save_screenshot(str(SHOTS / "wallboard-uk-390.png"))
        browser.set_window_size(1440, 900)


def test_tv_mode_and_the_agent_table(make_app: Callable[..., FastAPI], browser: Any,
                                     tmp_path: Path) -> None:
    """An empty day says so; the agent table colours and sorts; a board saved from the
    wallboard opens by its URL; the TV mode rotates through the saved boards, dark and
    large, at 1920×1080, and fits a phone."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    app = make_app(write_two_tenants(tmp_path / "data"), auth_required=True, tz=midday_zone())
    with session_scope(app.state.omnikpi.database_url) as session:
        create_user(session, "floor", "tv-pass-123", "supervisor", tenant="A")
        key = create_api_key(session, "pbx-tv")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with running_server(app) as url:
        browser.set_window_size(1440, 900)
        # English from the first page on, whatever the browser's language: no page of the
        # login's redirect can still be loading in another language when the English one
        # is asked for (with an earlier test's uk cookie, before the ``browser`` fixture
        # cleared cookies, it once was)
        browser.get(f"{url}/login?next=/tv&lang=en")
        browser.find_element(By.ID, "username").send_keys("floor")
        browser.find_element(By.ID, "password").send_keys("tv-pass-123")
        browser.find_element(By.ID, "login").click()
        WebDriverWait(browser, 20).until(lambda d: d.current_url.endswith("/tv"))
        browser.get(f"{url}/tv?lang=en")
        WebDriverWait(browser, 20).until(
            lambda d: d.execute_script("return document.documentElement.lang") == "en")
        board = browser.find_element(By.ID, "wallboard")
        WebDriverWait(browser, 20).until(lambda d: board.get_attribute("data-seq") != "-1")
        assert browser.find_element(By.ID, "no-data").is_displayed()  # nothing today yet
        # the agents' sortable headers (buttons) are as large as the other tables' headers
        sizes = browser.execute_script(
            "return ['#agent-table th button', '#agents th'].map(s => "
            "getComputedStyle(document.querySelector(s)).fontSize)")
        assert sizes[0] == sizes[1], sizes
        now = datetime.now(UTC).replace(microsecond=0)

        def ago(minutes: float) -> str:
            return (now - timedelta(minutes=minutes)).isoformat()

        states = [
            {"agent_id": "a1", "state": "available", "start": ago(2), "site": "kyiv",
             "tenant": "A"},
            {"agent_id": "a2", "state": "handling", "start": ago(1), "site": "kyiv",
             "tenant": "A", "channel": "voice"},
            # a3: on a break since 15 min ago, at lunch for the last 9 without a gap: not
            # ready for 15 min, as the not-ready alert judges it
            {"agent_id": "a3", "state": "not_ready", "reason": "break", "start": ago(15),
             "end": ago(9), "site": "kyiv", "tenant": "A"},
            {"agent_id": "a3", "state": "not_ready", "reason": "lunch", "start": ago(9),
             "site": "kyiv", "tenant": "A"},
            {"agent_id": "a4", "state": "not_ready", "reason": "break", "start": ago(3),
             "site": "kyiv", "tenant": "A"},
            {"agent_id": "b9", "state": "not_ready", "start": ago(30), "tenant": "B"},
        ]
        contacts = [
            {"contact_id": "t1", "channel": "voice", "queue": "sales", "site": "kyiv",
             "tenant": "A", "arrived_at": ago(1.5), "first_response_at": ago(1),
             "agent_id": "a2"},
            {"contact_id": "t2", "channel": "voice", "queue": "sales", "site": "kyiv",
             "tenant": "A", "arrived_at": ago(0.5)},
            {"contact_id": "t3", "channel": "email", "queue": "mail", "site": "kyiv",
             "tenant": "A", "arrived_at": ago(90)},
        ]
        for table, rows in (("agent_states", states), ("contacts", contacts)):
            posted = httpx.post(f"{url}/api/v1/events", headers={"X-API-Key": key},
                                json={"table": table, "rows": rows}).json()
            assert posted["accepted"] == len(rows), posted
        WebDriverWait(browser, 10).until(
            lambda d: int(board.get_attribute("data-seq") or -1) >= posted["seq"])
        assert not browser.find_element(By.ID, "no-data").is_displayed()

        def agent_rows() -> list[tuple[str, str, str]]:
            return [tuple(r) for r in browser.execute_script(
                "return [...document.querySelectorAll('#agent-table tbody tr')].map(r => "
                "[r.dataset.agent || '', r.className, r.querySelectorAll('td')[1].innerText])")]

        # tenant A only; by state, the longest in a state first within it
        rows = agent_rows()
        assert [r[0] for r in rows] == ["a1", "a2", "a3", "a4"], rows
        # not ready for 15 min (9 of them at lunch) vs 3 min: amber by the spell, as the
        # alert (it was by the current reason's 9 min)
        assert "amber" in rows[2][1] and "amber" not in rows[3][1]
        cells = cells_of(browser, '#agent-table tr[data-agent="a2"]')[0]
        assert cells[4:6] == ["sales", "voice"], cells
        assert re.fullmatch(r"\d\d:\d\d:\d\d \(1 min \d+ s\)", cells[6]), cells
        # sorting by time in state, then the other way round
        browser.find_element(By.CSS_SELECTOR, 'button.sort[data-key="in_state_s"]').click()
        assert [r[0] for r in agent_rows()] == ["a2", "a1", "a4", "a3"]
        browser.find_element(By.CSS_SELECTOR, 'button.sort[data-key="in_state_s"]').click()
        assert [r[0] for r in agent_rows()] == ["a3", "a4", "a1", "a2"]
        queue = cells_of(browser, "#queues tbody tr:first-child")[0]
        # the e-mail queue: agents available / busy / not ready, then its backlog of one
        assert queue[2] == "mail" and queue[6:9] == ["1", "0", "2"], queue
        assert (queue[13], queue[14]) == ("1", "1.5 h"), queue
        # a wall screen cannot scroll: the queue table's fifteen columns fit 1280 px in
        # Ukrainian (its last column fell behind a scroll bar at 1440)
        browser.set_window_size(1280, 800)
        for lang in ("uk", "en"):
            browser.get(f"{url}/tv?lang={lang}")
            WebDriverWait(browser, 20).until(lambda d: d.find_element(
                By.ID, "wallboard").get_attribute("data-seq") != "-1")
            assert browser.execute_script(
                "const t = document.querySelector('#queues'); "
                "return t.scrollWidth - t.closest('.table-scroll').clientWidth") <= 1, lang
        browser.set_window_size(1920, 1080)
        browser.save_screenshot(str(SHOTS / "tv-1920x1080.png"))

        # save two boards from the wallboard: sales only (team), mail only (own)
        for name, cut, team in (("Sales floor", "queue=sales", True),
                                ("Mail desk", "queue=mail", False)):
            browser.set_window_size(1440, 900)
            browser.get(f"{url}/wallboard?{cut}")
            # the summary opens the panel (a click on the <details> box lands wherever its
            # middle is); under load the form can take a moment to show, and a click that
            # met the live board redrawing is lost (CI once waited 10 s for a panel that
            # never opened): a person clicks again, and so does the test
            for _attempt in range(3):
                browser.find_element(By.CSS_SELECTOR, "#boards > summary").click()
                try:
                    WebDriverWait(browser, 8).until(
                        lambda d: d.find_element(By.ID, "board-name").is_displayed())
                    break
                except TimeoutException:
                    continue
            assert browser.find_element(By.ID, "board-name").is_displayed()
            browser.find_element(By.ID, "board-name").send_keys(name)
            if team:
                browser.find_element(By.CSS_SELECTOR, 'input[name="shared"]').click()
            browser.find_element(By.CSS_SELECTOR, 'input[value="offered"]').click()
            browser.find_element(By.ID, "save-board-button").click()
            WebDriverWait(browser, 10).until(lambda d: "board=" in d.current_url)
        shared_url = browser.current_url  # the mail board, as a link to share
        board = browser.find_element(By.ID, "wallboard")
        WebDriverWait(browser, 20).until(lambda d: board.get_attribute("data-seq") != "-1")
        assert [r[2] for r in cells_of(browser, "#queues tbody tr")] == ["mail"]
        assert not browser.find_element(By.CSS_SELECTOR, '[data-tile="offered"]').is_displayed()
        assert browser.find_element(By.ID, "t-backlog").text.startswith("1 · 1.5")
        browser.save_screenshot(str(SHOTS / "wallboard-board-1440.png"))
        browser.set_window_size(390, 900)
        browser.get(shared_url + "&lang=uk")
        board = browser.find_element(By.ID, "wallboard")
        WebDriverWait(browser, 20).until(lambda d: board.get_attribute("data-seq") != "-1")
        assert browser.execute_script(
            "return document.documentElement.scrollWidth - window.innerWidth") <= 1
        # numbers as the language writes them: a decimal comma, the unit word translated
        assert browser.find_element(By.ID, "t-backlog").text.startswith("1 · 1,5 год")
        assert browser.find_element(By.ID, "g-sl").text == "≥ 80,0 %"
        browser.save_screenshot(str(SHOTS / "wallboard-board-uk-390.png"))

        # the TV rotates through both boards (every 5 s here), dark, without the header
        browser.set_window_size(1920, 1080)
        browser.get(f"{url}/tv?rotate=5&lang=ru")
        name = browser.find_element(By.ID, "board-name")
        first = name.text
        assert first in ("Mail desk", "Sales floor")
        assert not browser.find_element(By.TAG_NAME, "header").is_displayed()
        assert browser.execute_script(
            "return getComputedStyle(document.body).backgroundColor") == "rgb(16, 20, 24)"
        board = browser.find_element(By.ID, "wallboard")
        WebDriverWait(browser, 20).until(lambda d: board.get_attribute("data-seq") != "-1")
        browser.save_screenshot(str(SHOTS / "tv-ru-1920x1080-first.png"))
        WebDriverWait(browser, 12).until(lambda d: name.text != first)
        WebDriverWait(browser, 20).until(lambda d: board.get_attribute("data-seq") != "-1")
        queues = {r[2] for r in cells_of(browser, "#queues tbody tr")}
        assert queues == ({"sales"} if name.text == "Sales floor" else {"mail"})
        assert not browser.find_element(By.CSS_SELECTOR, '[data-tile="offered"]').is_displayed()
        browser.save_screenshot(str(SHOTS / "tv-ru-1920x1080-second.png"))
        browser.set_window_size(390, 844)
        assert browser.execute_script(
            "return document.documentElement.scrollWidth - window.innerWidth") <= 1
        browser.save_screenshot(str(SHOTS / "tv-ru-390.png"))
        browser.set_window_size(1440, 900)


def test_a_wallboard_left_for_another_closes_its_stream(
    make_app: Callable[..., FastAPI], browser: Any, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Going from board to board, each page left closes its live stream. A browser opens
    at most six connections to one server, and it kept the streams of the pages it held
    for "back": the seventh board waited a minute for its page (the TV test once took
    78 s for that)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from omnikpi.web.routes import live as live_routes

    monkeypatch.setattr(live_routes, "HEARTBEAT_SECONDS", 0.5)  # a gone screen noticed soon
    app = make_app(write_two_tenants(tmp_path / "data"), tz=midday_zone())
    hub = app.state.omnikpi.live
    assert hub is not None
    browser.set_page_load_timeout(20)  # without the fix the seventh page waited ~60 s
    try:
        with running_server(app) as url:
            for n in range(7):
                browser.get(f"{url}/wallboard?queue=q{n}&lang=en")
                board = browser.find_element(By.ID, "wallboard")
                WebDriverWait(browser, 10).until(
                    lambda d, b=board: b.get_attribute("data-seq") != "-1")
            WebDriverWait(browser, 10).until(lambda d: len(hub.subscribers) == 1)
            browser.back()  # from the browser's cache: the stream opens again
            assert browser.current_url.endswith("queue=q5&lang=en")
            WebDriverWait(browser, 10).until(lambda d: [
                "q5" in str(s.where) for s in list(hub.subscribers)] == [True])
    finally:
        browser.set_page_load_timeout(300)


def test_a_rule_firing_on_many_agents_is_one_banner_line(
        make_app: Callable[..., FastAPI], browser: Any, tmp_path: Path) -> None:
    """Six agents on a long break fire one rule six times: the TV shows one line for it
    (the three longest-held, "and 3 more" in the page's language) beside the queue's own
    alert, and the numbers stay on the screen."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    app = make_app(write_two_tenants(tmp_path / "data"), tz=midday_zone())
    with session_scope(app.state.omnikpi.database_url) as session:
        key = create_api_key(session, "pbx-banner")
    now = datetime.now(UTC).replace(microsecond=0)
    with running_server(app) as url:
        for rule in ({"name": "Long break", "kind": "not_ready_over", "threshold": 60,
                      "minutes": 0},
                     {"name": "Long wait", "kind": "longest_wait_over", "threshold": 30,
                      "minutes": 0}):
            made = httpx.post(f"{url}/api/v1/alerts", json=rule)
            assert made.status_code == 200, made.text
        states = [{"agent_id": f"op{i}", "state": "not_ready", "reason": "break",
                   "site": "kyiv", "tenant": "A",
                   "start": (now - timedelta(minutes=5 + i)).isoformat()} for i in range(6)]
        waiting = [{"contact_id": "w1", "channel": "voice", "queue": "sales", "tenant": "A",
                    "site": "kyiv", "arrived_at": (now - timedelta(seconds=90)).isoformat()}]
        for table, rows in (("agent_states", states), ("contacts", waiting)):
            posted = httpx.post(f"{url}/api/v1/events", headers={"X-API-Key": key},
                                json={"table": table, "rows": rows}).json()
            assert posted["accepted"] == len(rows), posted
        browser.set_window_size(1920, 1080)
        browser.get(f"{url}/tv?lang=ru")

        def banner(driver: Any) -> list[str]:
            return list(driver.execute_script(
                "return [...document.querySelectorAll('#alerts .alert')]"
                ".map(p => p.textContent)"))

        WebDriverWait(browser, 20).until(lambda d: len(banner(d)) == 2)
        lines = sorted(banner(browser))
        assert lines[0].startswith("⚠ Long break: ") and lines[0].endswith(" · и ещё 3")
        assert lines[0].count(" · ") == 3
        # the longest-held first: op5 has been on its break for 10 minutes
        assert lines[0].index("op5") < lines[0].index("op4") < lines[0].index("op3")
        assert "op2" not in lines[0]
        assert lines[1].startswith("⚠ Long wait: ")
        tiles = browser.find_element(By.ID, "live-tiles")
        assert tiles.location["y"] + tiles.size["height"] < 1080
        SHOTS.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(SHOTS / "tv-banner-ru-1920x1080.png"))


@pytest.mark.parametrize(("lang", "queues", "agents"), [
    ("en", "No queue has contacts or agents today.", "No agent is logged in."),
    ("uk", "Сьогодні в жодній черзі немає звернень і операторів.",
     "Жоден оператор не в системі.")], ids=["en", "uk"])
def test_an_empty_board_says_so_in_its_tables_on_a_phone(
        make_app: Callable[..., FastAPI], browser: Any, lang: str, queues: str,
        agents: str) -> None:
    """The demo's data is of 2024: nothing today. On a phone the queues are cards, and
    with none the section showed its heading over nothing; each table now says it is
    empty, in one row across it that fits the screen."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.set_window_size(390, 900)
    try:
        with running_server(make_app()) as url:
            browser.get(f"{url}/wallboard?lang={lang}")
            board = browser.find_element(By.ID, "wallboard")
            WebDriverWait(browser, 20).until(lambda d: board.get_attribute("data-seq") != "-1")
            assert cells_of(browser, "#queues tbody tr") == [[queues]]
            assert cells_of(browser, "#agents tbody tr") == [[agents]]
            assert cells_of(browser, "#agent-table tbody tr") == [[agents]]
            # measured in one script: the board redraws its tables every 2 s, and an
            # element found before a redraw is stale when its size is asked after it
            right = browser.execute_script(
                "const r = document.querySelector('#queues tr.empty td')"
                ".getBoundingClientRect(); return r.x + r.width;")
            assert right <= 390
            assert browser.execute_script(
                "return document.documentElement.scrollWidth") <= browser.execute_script(
                "return document.documentElement.clientWidth")
    finally:
        browser.set_window_size(1440, 900)

"""Calibration by a site supervisor and a coaching record with before/after scores, in
Debian's Chromium (two-tenant dataset: tenant A's site kyiv, agents a1 and a2).

Before/after, worked by hand: a1 was evaluated 10 days ago with greet ✗ (0 %) and today
with greet ✓ (100 %); a session on greet held 5 days ago shows 0 % → 100 %, change +100.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update

from omnikpi.auth.accounts import create_user
from omnikpi.store.db import session_scope
from omnikpi.store.models import QaEvaluation
from tests.web.conftest import browser_log_in, csrf, log_in, needs_browser, running_server
from tests.web.tenants import write_two_tenants

SHOTS = Path(__file__).resolve().parents[2] / "out" / "screenshots"
pytestmark = needs_browser
PASSWORD = "coaching-pass-2"
ITEMS = ("Style | greet | Greets by the standard | 1 | no | no\n"
         "Content | correct | Gives correct information | 3 | yes | no\n")


def _evaluate(lead: TestClient, item: int, greet: str) -> int:
    page = lead.get(f"/qa/evaluate/{item}").text
    names = {k: n for n, k in re.findall(r'name="(item_\d+)" value="0" data-key="([^"]+)"',
                                         page)}
    form_id = re.search(r'name="form_id" value="(\d+)"', page)
    assert form_id
    done = lead.post(f"/qa/evaluate/{item}", data={
        "csrf_token": csrf(lead, "/qa"), "form_id": form_id.group(1),
        names["greet"]: greet, names["correct"]: "1"}, follow_redirects=False)
    assert done.status_code == 303, done.text
    return int(done.headers["location"].rsplit("/", 1)[1])


def _prepare(app: FastAPI) -> None:
    """Accounts, a form, and a1's evaluations: greet ✗ 10 days ago, greet ✓ today."""
    with session_scope(app.state.omnikpi.database_url) as session:
        create_user(session, "lead", PASSWORD, "admin")
        create_user(session, "kyiv-sup", PASSWORD, "supervisor", tenant="A", sites=["kyiv"])
        create_user(session, "a-quality", PASSWORD, "client", tenant="A")
    lead = log_in(TestClient(app), "lead", PASSWORD)
    token = csrf(lead, "/qa")
    assert lead.post("/qa/forms", data={"csrf_token": token, "key": "calls", "name": "Calls",
                                        "items": ITEMS}, follow_redirects=False
                     ).status_code == 303
    drawn = lead.post("/qa/samples", data={"csrf_token": token, "name": "all", "rate": "1",
                                           "seed": "1"}, follow_redirects=False)
    page = lead.get(drawn.headers["location"]).text
    items = {c: int(i) for c, i in re.findall(
        r'<tr><td[^>]*>([^<]+)</td>.*?href="/qa/evaluate/(\d+)"', page, re.S)}
    old = _evaluate(lead, items["a-1"], "0")
    with session_scope(app.state.omnikpi.database_url) as session:
        session.execute(update(QaEvaluation).where(QaEvaluation.id == old).values(
            evaluated_at=datetime.now(UTC) - timedelta(days=10)))
    _evaluate(lead, items["a-2"], "1")


def _shot(browser: Any, name: str, show: Any = None) -> None:
    """Screenshots at desktop and phone width (``show`` scrolled into view), no sideways
    scroll."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1440, 390):
        browser.set_window_size(width, 900)
        if show is not None:
            browser.execute_script("arguments[0].scrollIntoView()", show)
        browser.save_screenshot(str(SHOTS / f"{name}-{width}.png"))
        scroll = browser.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert scroll <= 1, f"{name} at {width} px scrolls sideways by {scroll} px"
    browser.set_window_size(1366, 900)


def test_site_supervisor_calibrates_and_coaches(make_app: Callable[..., FastAPI],
                                                browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    app = make_app(write_two_tenants(tmp_path / "data"), auth_required=True,
                   live_updates=False)
    _prepare(app)
    with running_server(app) as url:
        browser_log_in(browser, url, "kyiv-sup", PASSWORD)
        # 1. calibration: find a1's contacts, tick them, invite the client's quality lead
        browser.get(f"{url}/qa")
        browser.find_element(By.ID, "pick-calibration").click()
        search = browser.find_element(By.ID, "calibration-search")
        search.find_element(By.NAME, "agent").send_keys("a1")
        browser.find_element(By.ID, "search-contacts").click()
        WebDriverWait(browser, 20).until(lambda d: "agent=a1" in d.current_url)
        boxes = browser.find_elements(By.CSS_SELECTOR, "input[name=contact]")
        assert [b.get_attribute("value") for b in boxes] == ["a-2", "a-1"]
        browser.find_element(By.CSS_SELECTOR, "#calibration-form input[name=name]"
                             ).send_keys("kyiv week")
        # started with nothing ticked: said in the page, and the name typed stays
        browser.find_element(By.ID, "start-calibration").click()
        refused = browser.find_element(By.ID, "calibration-error")
        assert refused.is_displayed() and refused.text == "Choose at least one contact."
        assert "agent=a1" in browser.current_url
        for box in boxes:
            box.click()
        assert not refused.is_displayed()
        browser.find_element(By.ID, "start-calibration").click()  # the lead alone
        assert refused.text == "Invite at least two evaluators."
        assert browser.find_element(By.CSS_SELECTOR, "#calibration-form input[name=name]"
                                    ).get_attribute("value") == "kyiv week"
        people = {b.get_attribute("value"): b for b in
                  browser.find_elements(By.CSS_SELECTOR, "input[name=evaluator]")}
        assert "kyiv-sup" in people and "a-quality" in people
        people["a-quality"].click()
        _shot(browser, "qa-calibration-new")
        browser.find_element(By.ID, "start-calibration").click()
        WebDriverWait(browser, 20).until(
            lambda d: re.search(r"/qa/calibrations/\d+$", d.current_url))
        session_url = browser.current_url
        assert "kyiv week" in browser.find_element(By.TAG_NAME, "h1").text
        # 2. an untouched form is refused in the page, naming the items left
        browser.find_element(By.CSS_SELECTOR, "a[href$='/evaluate/a-1']").click()
        browser.find_element(By.ID, "submit-evaluation").click()
        error = browser.find_element(By.ID, "evaluation-error")
        assert error.is_displayed() and "Greets by the standard" in error.text
        assert "Gives correct information" in error.text
        assert "/evaluate/a-1" in browser.current_url
        _shot(browser, "qa-evaluate-unanswered", error)
        for yes in browser.find_elements(By.CSS_SELECTOR,
                                         "#evaluation-form input[type=radio][value='1']"):
            yes.click()
        assert not error.is_displayed()
        browser.find_element(By.ID, "submit-evaluation").click()
        WebDriverWait(browser, 20).until(lambda d: d.current_url == session_url)
        scores = browser.find_element(By.ID, "calibration-scores").text
        assert "100.00" in scores
        _shot(browser, "qa-calibration-site-supervisor")
        # 3. coaching a1 on greet, held 5 days ago: greet before 0 %, after 100 %
        browser.get(f"{url}/qa/coaching")
        Select(browser.find_element(By.NAME, "subject")).select_by_visible_text("a1 · A")
        browser.find_element(By.ID, "choose-agent").click()
        WebDriverWait(browser, 20).until(lambda d: d.find_elements(By.ID, "coaching-form"))
        # offered by form and key, as exported (the shipped forms share keys)
        greet = browser.find_element(By.CSS_SELECTOR, "input[name=item][value='calls/greet']")
        assert greet.is_selected()  # a1's operator error on greet is proposed
        held = (date.today() - timedelta(days=5)).isoformat()
        browser.execute_script("arguments[0].value = arguments[1]",
                               browser.find_element(By.NAME, "held_on"), held)
        browser.find_element(By.NAME, "actions").send_keys("Use the standard greeting")
        greet.click()  # no item left: said in the page before anything is sent
        browser.find_element(By.ID, "save-coaching").click()
        refused = browser.find_element(By.ID, "coaching-error")
        assert refused.text == "Choose at least one item the session covered."
        greet.click()
        assert not refused.is_displayed()
        browser.find_element(By.ID, "save-coaching").click()
        WebDriverWait(browser, 20).until(
            lambda d: re.search(r"/qa/coaching/\d+$", d.current_url))
        row = browser.find_element(By.CSS_SELECTOR,
                                   "#before-after tr[data-item='calls/greet']")
        cells = [c.text for c in row.find_elements(By.TAG_NAME, "td")]
        assert cells == ["Greets by the standard", "0 %", "1", "100 %", "1", "+100"]
        _shot(browser, "qa-coaching-before-after")
        browser.get(f"{url}/qa/coaching")
        # the items covered by their text (the key stays in the title)
        history = browser.find_element(By.ID, "coaching-history")
        assert "Greets by the standard" in history.text
        assert history.find_element(By.CSS_SELECTOR, "span[title='calls/greet']")

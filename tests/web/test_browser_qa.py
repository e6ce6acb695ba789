"""QA in Debian's Chromium: create a form, draw a sample, evaluate two contacts, and see
contact_quality appear in the dashboard."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import FastAPI

import omnikpi
from omnikpi.auth.accounts import create_user
from omnikpi.demo import DEMO_DATA_DIR
from omnikpi.store.db import session_scope
from tests.web.conftest import browser_log_in, needs_browser, running_server

SHOTS = Path(__file__).resolve().parents[2] / "out" / "screenshots"
pytestmark = needs_browser
ITEMS = ("Preparation | history | Read the customer's history | 2 | no | yes\n"
         "Content | correct | Gave correct information | 4 | yes | no\n"
         "Style | tone | Polite, friendly tone | 1 | no | no")


def test_qa_flow_changes_contact_quality(make_app: Callable[..., FastAPI], browser: Any,
                                         tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    data = tmp_path / "data"
    shutil.copytree(DEMO_DATA_DIR, data)
    app = make_app(data, auth_required=True, live_updates=False)
    with session_scope(app.state.omnikpi.database_url) as session:
        create_user(session, "qa-lead", "quality-lead-1", "supervisor", all_tenants=True)
    as_of = (datetime.now(UTC) + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    with running_server(app) as url:
        browser_log_in(browser, url, "qa-lead", "quality-lead-1")
        browser.get(f"{url}/?as_of={as_of}")
        assert browser.find_elements(By.CSS_SELECTOR, "[data-metric='offered']")
        assert not browser.find_elements(By.CSS_SELECTOR, "[data-metric='contact_quality']")
        # 1. a form
        browser.get(f"{url}/qa")
        browser.find_element(By.CSS_SELECTOR, "#new-form summary").click()
        form = browser.find_element(By.ID, "form-form")
        form.find_element(By.NAME, "key").send_keys("calls")
        form.find_element(By.NAME, "name").send_keys("Calls and chats")
        form.find_element(By.NAME, "pass_score").send_keys("70")
        form.find_element(By.NAME, "items").send_keys(ITEMS)
        browser.find_element(By.ID, "save-form").click()
        WebDriverWait(browser, 20).until(lambda d: "/qa/forms/" in d.current_url)
        assert len(browser.find_elements(By.CSS_SELECTOR, "#form-items tbody tr")) == 3
        # 2. a sample: 1 % of handled contacts, at least one per agent (the field takes a
        # percent, as a QA lead says it; the sample stores the share)
        browser.get(f"{url}/qa")
        sample = browser.find_element(By.ID, "sample-form")
        rate = sample.find_element(By.NAME, "rate")
        assert "%" in rate.find_element(By.XPATH, "..").text
        rate.clear()
        rate.send_keys("1")
        minimum = sample.find_element(By.NAME, "min_per_agent")
        minimum.clear()
        minimum.send_keys("1")
        Select(sample.find_element(By.NAME, "form_id")).select_by_visible_text(
            "Calls and chats v1")
        browser.find_element(By.ID, "draw").click()
        WebDriverWait(browser, 30).until(lambda d: "/qa/samples/" in d.current_url)
        assert browser.find_element(By.ID, "sample-rate").text == "1 %"
        links = browser.find_elements(By.CSS_SELECTOR, "#sample-items a.evaluate")
        expected = omnikpi.load_dataset(data).con.execute(
            "SELECT count(DISTINCT agent_id) FROM contacts WHERE agent_id IS NOT NULL"
        ).fetchone()
        assert expected is not None and len(links) >= expected[0]
        targets = [a.get_attribute("href") for a in links[:2]]
        # 3. evaluate two contacts: one passes, one fails the critical item
        for target, fail in zip(targets, (False, True), strict=True):
            browser.get(target)
            # the form starts unanswered: every item is scored (yes) before one fails
            for yes in browser.find_elements(By.CSS_SELECTOR,
                                             "#evaluation-form input[type=radio][value='1']"):
                yes.click()
            if fail:
                browser.find_element(
                    By.CSS_SELECTOR, "input[data-key='correct'][value='0']").click()
                SHOTS.mkdir(parents=True, exist_ok=True)
                browser.save_screenshot(str(SHOTS / "qa-evaluate.png"))
            browser.find_element(By.ID, "submit-evaluation").click()
            WebDriverWait(browser, 20).until(lambda d: "/qa/evaluations/" in d.current_url)
            assert bool(browser.find_elements(By.ID, "critical")) == fail
            # the verdict against the form's pass score (70), and the contact it judged
            verdict = browser.find_element(By.ID, "verdict")
            assert verdict.get_attribute("data-verdict") == ("fail" if fail else "pass")
            assert verdict.text.startswith("Failed: critical error" if fail else "Passed:")
            browser.find_element(By.ID, "contact-link").click()
            assert browser.current_url.endswith("#contact")
            assert browser.find_element(By.ID, "contact").is_displayed()
        # 4. the dashboard as of now: one of two evaluated contacts is defective
        browser.get(f"{url}/?as_of={as_of}")
        tile = browser.find_element(By.CSS_SELECTOR, "[data-metric='contact_quality'] .value")
        expected_quality = omnikpi.report_result(data, metrics=["contact_quality"],
                                                 as_of=as_of).rows[0]["contact_quality"]
        assert expected_quality == 0.5
        assert tile.text.startswith("50")
        SHOTS.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(SHOTS / "qa-dashboard.png"))

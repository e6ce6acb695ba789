"""Accessibility fixes in Debian's Chromium: keys on the selects that reload the page, the
filter picker closing when the focus leaves it, the player's single-letter keys only inside
it, the skip link, the what-if's message taking the focus, the wallboard's live region, and
axe's rules ``target-size``, ``color-contrast`` and ``page-has-heading-one``.
Screenshots in out/screenshots/a11y-*.png."""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from omnikpi.demo import DEMO_DATA_DIR
from tests.web.conftest import browser_log_in, needs_browser, running_server
from tests.web.qa_setup import people_and_qa
from tests.web.test_recordings_web import PASSWORD as RECORDED_PASSWORD
from tests.web.test_recordings_web import site  # noqa: F401  (the recorded call's app)

pytestmark = needs_browser

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "out" / "screenshots"
AXE = REPO / "tests" / "web" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "a11y-browser-pass-1"
RUN_RULES = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: 'rule', values: arguments[0]}, resultTypes: ['violations']})
  .then(r => done(r.violations.map(v => ({id: v.id, nodes: v.nodes.slice(0, 5).map(
          n => n.target.join(' ') + ' ' + (n.failureSummary || ''))}))),
        e => done([{id: 'axe-error', nodes: [String(e)]}]));
"""


def axe(browser: Any, rules: list[str]) -> list[dict[str, Any]]:
    if not AXE.exists():
        pytest.fail(f"axe-core is not installed at {AXE}: run `make test`")
    browser.execute_script(AXE.read_text(encoding="utf-8"))
    return list(browser.execute_async_script(RUN_RULES, rules))


@pytest.fixture(scope="module")
def served(make_app: Callable[..., FastAPI]) -> Iterator[str]:
    with running_server(make_app()) as url:
        yield url


def active_id(browser: Any) -> str:
    return str(browser.execute_script(
        "const a = document.activeElement; return a ? (a.id || a.className || a.tagName) : ''"))


# -- 3: a select that reloads the page, moved through with the keyboard ----------------------


def test_arrows_on_the_period_select_do_not_leave_the_page(served: str, browser: Any) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select, WebDriverWait

    browser.set_window_size(1440, 900)
    browser.get(f"{served}/?tz=UTC&lang=en")
    start = browser.current_url
    preset = browser.find_element(By.ID, "preset")
    browser.execute_script("arguments[0].focus()", preset)
    # the keys as a person presses them (an element's send_keys clicks a select first)
    ActionChains(browser).send_keys(Keys.ARROW_DOWN).send_keys(Keys.ARROW_DOWN).perform()
    time.sleep(1.5)  # a submitted form would have left by now
    assert browser.current_url == start
    chosen = Select(preset).first_selected_option
    assert chosen.get_attribute("value") == "yesterday"
    day = chosen.get_attribute("data-from")
    assert browser.find_element(By.ID, "filter-from").get_attribute("value") == day
    ActionChains(browser).send_keys(Keys.ENTER).perform()  # Enter applies it
    WebDriverWait(browser, 30).until(lambda d: "to_day=" in d.current_url)
    assert f"from={day}" in browser.current_url
    # the mouse applies at once, as before
    browser.get(f"{served}/?tz=UTC&lang=en")
    Select(browser.find_element(By.ID, "preset")).select_by_value("today")
    WebDriverWait(browser, 30).until(lambda d: "to_day=" in d.current_url)


def test_arrows_on_the_scenario_select_do_not_leave_the_page(served: str,
                                                             browser: Any) -> None:
    """And Run with nothing changed: the message below the form takes the focus."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select, WebDriverWait

    browser.set_window_size(1440, 900)
    browser.get(f"{served}/wfm/whatif?lang=en")
    start = browser.current_url
    scenario = browser.find_element(By.ID, "f-scenario")
    first = Select(scenario).first_selected_option.get_attribute("value")
    browser.execute_script("arguments[0].focus()", scenario)
    ActionChains(browser).send_keys(Keys.ARROW_DOWN).perform()
    time.sleep(1.5)
    assert browser.current_url == start
    moved = Select(scenario).first_selected_option.get_attribute("value")
    assert moved != first
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    WebDriverWait(browser, 30).until(lambda d: f"scenario={moved}" in d.current_url)
    # Run without a change: the problem is said below, and the focus is there
    browser.find_element(By.ID, "run-whatif").click()
    WebDriverWait(browser, 60).until(lambda d: d.find_elements(By.ID, "whatif-problems"))
    WebDriverWait(browser, 5).until(lambda d: active_id(d) == "whatif-problems")
    assert browser.execute_script(
        "const r = document.getElementById('whatif-problems').getBoundingClientRect();"
        "return r.top >= 0 && r.bottom <= window.innerHeight")
    browser.save_screenshot(str(SHOTS / "a11y-whatif-problems.png"))


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_the_what_if_chart_s_legend_leaves_its_dates_readable(served: str, browser: Any,
                                                              lang: str) -> None:
    """390 px: the legend under the plot wrapped to several rows and took the room of the
    slanted dates, which were cut to "4 б" (uk), or was cut off by the chart's bottom
    (en). Above the plot, it leaves the dates below the plot their room."""
    from selenium.webdriver.support.ui import WebDriverWait

    browser.set_window_size(390, 900)
    browser.get(f"{served}/wfm/whatif?scenario=demo&run=1&agents-0=3&lang={lang}")
    WebDriverWait(browser, 90).until(lambda d: d.execute_script(
        "return document.querySelectorAll('#whatif-chart .xtick text').length > 0"))
    found = browser.execute_script("""
      const box = el => el.getBoundingClientRect();
      const chart = box(document.getElementById('whatif-chart'));
      const legend = box(document.querySelector('#whatif-chart g.legend'));
      const plot = box(document.querySelector('#whatif-chart .nsewdrag'));
      const ticks = [...document.querySelectorAll('#whatif-chart .xtick text')].map(box)
        .filter(t => t.height > 0);
      return [legend.top >= chart.top && legend.bottom <= plot.top,
              ticks.length > 0 && ticks.every(t => t.top >= plot.bottom
                                                   && t.bottom <= chart.bottom)];""")
    assert found == [True, True]


# -- 6: the filter picker closes when the focus leaves it --------------------------------


def test_the_picker_closes_when_the_focus_leaves_it(served: str, browser: Any) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.set_window_size(1440, 900)
    browser.get(f"{served}/?tz=UTC&lang=en")
    toggle = browser.find_element(By.ID, "picker-queue")
    browser.execute_script("arguments[0].focus()", toggle)
    toggle.send_keys(Keys.ENTER)
    assert toggle.get_attribute("aria-expanded") == "true"
    assert active_id(browser) == "picker-search"  # the search field has the focus
    # Tab moves through the pop (still open), then out of it: closed
    inside = "return document.getElementById('picker-queue').parentElement" \
             ".contains(document.activeElement)"
    for _ in range(40):
        ActionChains(browser).send_keys(Keys.TAB).perform()
        if not browser.execute_script(inside):
            break
        assert toggle.get_attribute("aria-expanded") == "true"
    assert not browser.execute_script(inside)
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not browser.find_element(By.CSS_SELECTOR, "#picker-queue ~ .picker-pop") \
        .is_displayed()


# -- 13: the skip link -----------------------------------------------------------------------


@pytest.mark.parametrize("width", [1440, 390])
def test_the_skip_link_is_the_first_key_stop(served: str, browser: Any, width: int) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    browser.set_window_size(width, 900)
    browser.get(f"{served}/agents?lang=uk")
    ActionChains(browser).send_keys(Keys.TAB).perform()
    assert active_id(browser) == "skip-link"
    link = browser.switch_to.active_element
    assert link.text == "Перейти до вмісту" and link.is_displayed()
    assert browser.execute_script(
        "const r = document.activeElement.getBoundingClientRect();"
        "return r.top >= 0 && r.left >= 0 && r.right <= window.innerWidth")
    browser.save_screenshot(str(SHOTS / f"a11y-skip-link-{width}.png"))
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    assert active_id(browser) == "main"


# -- 1, 5, 9: the wallboard and the TV -----------------------------------------------------


def test_the_wallboard_says_its_state_not_its_clock(served: str, browser: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.set_window_size(1440, 900)
    browser.get(f"{served}/wallboard?lang=en")
    WebDriverWait(browser, 20).until(
        lambda d: d.find_element(By.ID, "wallboard").get_attribute("data-seq") != "-1")
    in_live_region = ("return !!document.getElementById(arguments[0])"
                      ".closest('[aria-live], [role=status], [role=alert], [role=log]')")
    assert not browser.execute_script(in_live_region, "live-at")
    assert browser.execute_script(in_live_region, "live-state")
    assert browser.find_element(By.ID, "live-state").get_attribute("textContent") \
        == "Live: the numbers update by themselves."
    # the clock ticks and the region stays as it was (nothing new to say)
    seen = browser.find_element(By.ID, "live-at").text
    WebDriverWait(browser, 20).until(lambda d: d.find_element(By.ID, "live-at").text != seen)
    assert browser.execute_script(
        "return document.getElementById('live-state').dataset.state") == "on"


@pytest.mark.parametrize("width", [1440, 390])
def test_the_tv_has_a_name_and_readable_notes(served: str, browser: Any, width: int) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.set_window_size(width, 900)
    browser.get(f"{served}/tv?lang=ru")
    WebDriverWait(browser, 20).until(
        lambda d: d.find_element(By.ID, "wallboard").get_attribute("data-seq") != "-1")
    assert browser.find_element(By.ID, "board-name").text == "Табло"
    # both notes shown (one is shown at a time), for the contrast check
    browser.execute_script("for (const id of ['all-available', 'availability-unknown'])"
                           " document.getElementById(id).hidden = false;")
    problems = axe(browser, ["color-contrast", "page-has-heading-one"])
    browser.save_screenshot(str(SHOTS / f"a11y-tv-{width}.png"))
    assert problems == [], json.dumps(problems, ensure_ascii=False)


# -- 8, 12: axe's heading and target-size rules on the fixed pages -----------------------


@pytest.mark.parametrize(("path", "width"), [
    ("/?lang=ru", 390), ("/?lang=en", 1440), ("/builder?lang=uk", 390),
    ("/drill?metric=aht&lang=en", 1440), ("/agents?lang=en", 390),
    ("/agents/sales-01?lang=uk", 1440), ("/wallboard?lang=en", 390),
    ("/wfm/staffing?kind=day&lang=en", 1440), ("/wfm/schedule?lang=ru", 390),
    ("/wfm/whatif?lang=uk", 1440), ("/no/such/page?lang=en", 390),
])
def test_axe_finds_a_heading_and_large_enough_targets(served: str, browser: Any, path: str,
                                                      width: int) -> None:
    browser.set_window_size(width, 900)
    browser.get(served + path)
    problems = axe(browser, ["page-has-heading-one", "target-size", "empty-table-header"])
    name = re.sub(r"\W+", "-", path.split("?")[0]).strip("-") or "dashboard"
    browser.save_screenshot(str(SHOTS / f"a11y-{name}-{width}.png"))
    assert problems == [], json.dumps(problems, ensure_ascii=False)


@pytest.mark.parametrize("width", [1440, 390])
def test_the_qa_pages_targets_and_headers(make_app: Callable[..., FastAPI], browser: Any,
                                          width: int, tmp_path: Path) -> None:
    data = tmp_path / "data"  # the evaluation is written into the dataset's folder
    shutil.copytree(DEMO_DATA_DIR, data)
    app = make_app(data, auth_required=True, live_updates=False)
    qa = people_and_qa(app, data, PASSWORD)
    with running_server(app) as url:
        browser.set_window_size(width, 900)
        browser_log_in(browser, url, "lead", PASSWORD)
        for path in ("/qa", qa.pages["qa-sample"]):
            browser.get(f"{url}{path}?lang=en")
            problems = axe(browser, ["target-size", "empty-table-header",
                                     "page-has-heading-one"])
            assert problems == [], (path, json.dumps(problems, ensure_ascii=False))
        browser.save_screenshot(str(SHOTS / f"a11y-qa-sample-{width}.png"))
        # the forbidden page of an agent's account has its heading too
        browser.execute_cdp_cmd("Network.clearBrowserCookies", {})
        browser_log_in(browser, url, "person", PASSWORD)
        browser.get(f"{url}/qa/errors?lang=en")
        assert axe(browser, ["page-has-heading-one"]) == []


# -- 2: the player's single-letter keys only inside it ---------------------------------------


def test_the_players_letter_keys_work_only_inside_it(
        site: tuple[FastAPI, Path, int], browser: Any) -> None:  # noqa: F811
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.support.ui import WebDriverWait

    with running_server(site[0]) as url:
        browser.set_window_size(1440, 900)
        browser_log_in(browser, url, "lead", RECORDED_PASSWORD)
        browser.get(f"{url}/qa?lang=en")
        item = re.search(r'href="/qa/evaluate/(\d+)"', browser.page_source)
        assert item
        browser.get(f"{url}/qa/evaluate/{item.group(1)}?lang=en")
        wait = WebDriverWait(browser, 20)
        wait.until(lambda d: d.execute_script(
            "return window.omnikpiPlayers && window.omnikpiPlayers[0].data !== null "
            "&& document.querySelector('.recording-player audio').readyState >= 1"))

        def paused() -> bool:
            return bool(browser.execute_script(
                "return document.querySelector('.recording-player audio').paused"))

        def now() -> float:
            return float(browser.execute_script(
                "return document.querySelector('.recording-player audio').currentTime"))

        # a link outside the player has the focus: k, l and j do nothing
        browser.execute_script("document.querySelector('header a.brand').focus()")
        for key in "klj":
            ActionChains(browser).send_keys(key).perform()
        time.sleep(0.5)
        assert paused() and now() == 0
        assert "/qa/evaluate/" in browser.current_url
        # inside the player (its play button, its waveform) they work
        browser.execute_script(
            "document.querySelector('.recording-player [data-act=play]').focus()")
        ActionChains(browser).send_keys("k").perform()
        wait.until(lambda d: not paused())
        ActionChains(browser).send_keys("k").perform()
        wait.until(lambda d: paused())
        browser.execute_script("document.querySelector('.recording-player canvas').focus()")
        before = now()
        ActionChains(browser).send_keys("l").perform()
        assert now() == pytest.approx(before + 5, abs=0.3)

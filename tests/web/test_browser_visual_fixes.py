"""Visual fixes measured in Debian's Chromium: the wallboard's and TV's key numbers on a
phone, TV's queue table within a 1280–1920 px screen in every language, not-ready reasons in
the page's language, the dashboard's "·" on the status's line, the builder's boxes with
their labels, the schedule's Move buttons on a phone."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from omnikpi.demo import DEMO_DATA_DIR
from tests.web.conftest import midday_zone, needs_browser, running_server

pytestmark = [needs_browser, pytest.mark.browser]
HEIGHT = 900


@pytest.fixture(scope="module")
def url(make_app: Callable[..., FastAPI],
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo (a copy of its folder: live events are written beside it) served, with
    three queues' contacts and seven agents posted live today."""
    data = tmp_path_factory.mktemp("visual-browser") / "data"
    shutil.copytree(DEMO_DATA_DIR, data)
    app = make_app(data, tz=midday_zone())
    with running_server(app) as base:
        now = datetime.now(UTC)

        def ago(seconds: int) -> str:
            return (now - timedelta(seconds=seconds)).isoformat()

        queues = [("sales", "voice", "kyiv"), ("support", "voice", "lviv"),
                  ("webchat", "chat", "lviv")]
        contacts = []
        for i in range(30):
            queue, channel, site = queues[i % 3]
            start = 3000 - 60 * i
            contacts.append({"contact_id": f"v{i}", "channel": channel, "queue": queue,
                             "tenant": "bank", "site": site, "arrived_at": ago(start),
                             "accepted_at": ago(start - 40 - 3 * i),
                             "first_response_at": ago(start - 40 - 3 * i),
                             "agent_id": "sales-01", "ended_at": ago(start - 200)})
        contacts += [{"contact_id": f"w{i}", "channel": "voice", "queue": "support",
                      "tenant": "bank", "site": "lviv", "arrived_at": ago(100 + 70 * i)}
                     for i in range(3)]
        states = [("support-02", "available", None, 1473, "lviv"),
                  ("sales-01", "available", None, 213, "kyiv"),
                  ("support-03", "handling", None, 2733, "lviv"),
                  ("chat-02", "not_ready", "break", 2313, "lviv"),
                  ("support-01", "not_ready", "lunch", 1053, "lviv")]
        for table, rows in (("contacts", contacts), ("agent_states", [
                {"agent_id": a, "state": s, "reason": r, "start": ago(t), "tenant": "bank",
                 "site": site} for a, s, r, t, site in states])):
            posted = httpx.post(f"{base}/api/v1/events", json={"table": table, "rows": rows})
            assert posted.json()["accepted"] == len(rows), posted.text
        yield base


def _open_board(browser: Any, address: str, width: int) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    browser.set_window_size(width, HEIGHT)
    browser.get(address)
    WebDriverWait(browser, 20).until(lambda d: d.execute_script(
        "return document.querySelectorAll('#queues tbody tr').length >= 3 && "
        "document.querySelectorAll('#agent-table tbody tr').length >= 5"))


LINES_OF_AGENT_CELLS = """
const lines = td => {
  const range = document.createRange(); range.selectNodeContents(td);
  return new Set([...range.getClientRects()].filter(r => r.width > 0)
    .map(r => Math.round(r.top))).size; };
return [...document.querySelectorAll(
  '#agent-table tbody td:nth-child(1), #agent-table tbody td:nth-child(4)')]
  .map(td => [td.textContent, lines(td)]);"""
"""Each agent id and time-in-state cell with the lines it takes (one script: the board
redraws every two seconds)."""

@pytest.mark.parametrize("page", ["/wallboard", "/tv"])
@pytest.mark.parametrize("lang", ["en", "ru", "uk"])
def test_key_numbers_are_in_view_on_a_phone(browser: Any, url: str, page: str,
                                            lang: str) -> None:
    """390 px: every queue's SL, abandon, ASA and longest wait are inside the viewport
    (they were behind an unseen sideways scroll), and the agent table's durations and
    agent ids are on one line each."""
    _open_board(browser, f"{url}{page}?lang={lang}", 390)
    boxes = browser.execute_script("""
      return [...document.querySelectorAll('#queues tbody tr')].map(tr =>
        [6, 11, 12, 13].map(n => { const r = tr.children[n - 1].getBoundingClientRect();
                                    return [r.left, r.right, r.width]; }));""")
    width = browser.execute_script("return document.documentElement.clientWidth")
    for row in boxes:
        for left, right, cell_width in row:
            assert cell_width > 0 and left >= 0 and right <= width, (boxes, width)
    # no sideways scroll of the page itself
    assert browser.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    ) <= 0
    # measured in one script: the board redraws every two seconds, and a cell found in
    # one call was gone by the next
    lines = browser.execute_script(LINES_OF_AGENT_CELLS)
    assert lines and all(count == 1 for _text, count in lines), lines


@pytest.mark.parametrize("width", [1280, 1440, 1920])
@pytest.mark.parametrize("lang", ["en", "ru", "uk"])
def test_tv_queue_table_fits_the_screen(browser: Any, url: str, width: int, lang: str) -> None:
    """TV mode: the fifteen queue columns end inside the screen ("самое старое" and
    "найстаріше" were cut off at 1440 px)."""
    _open_board(browser, f"{url}/tv?lang={lang}", width)
    right, last, screen = browser.execute_script("""
      const t = document.getElementById('queues');
      const th = t.querySelector('thead th:last-child');
      return [t.getBoundingClientRect().right, th.getBoundingClientRect().right,
              document.documentElement.clientWidth];""")
    assert right <= screen and last <= screen, (right, last, screen)


@pytest.mark.parametrize(("page", "lang", "words"), [
    ("/wallboard", "ru", ("перерыв", "обед")), ("/tv", "uk", ("перерва", "обід")),
    ("/wallboard", "en", ("break", "lunch"))])
def test_not_ready_reasons_in_the_page_language(browser: Any, url: str, page: str,
                                                lang: str, words: tuple[str, str]) -> None:
    _open_board(browser, f"{url}{page}?lang={lang}", 1440)
    reasons = browser.execute_script(
        "return [...document.querySelectorAll('#agent-table tbody td:nth-child(3), "
        "#agents tbody td:nth-child(3)')].map(td => td.textContent)")
    for word in words:
        assert reasons.count(word) == 2, reasons
    if lang != "en":
        assert "break" not in reasons and "lunch" not in reasons


@pytest.mark.parametrize("width", [1440, 390])
@pytest.mark.parametrize("lang", ["ru", "uk"])
def test_dashboard_separator_stays_with_the_status(browser: Any, url: str, width: int,
                                                   lang: str) -> None:
    """"цель ≥ 80,0 % · ✗ не выполнена": the "·" is on the line of the status word, never
    left alone at the end of the line above."""
    from selenium.webdriver.support.ui import WebDriverWait

    browser.set_window_size(width, HEIGHT)
    browser.get(f"{url}/?lang={lang}")
    WebDriverWait(browser, 20).until(
        lambda d: d.execute_script("return document.querySelectorAll('.target .goal-word').length"))
    found = browser.execute_script("""
      const out = [];
      for (const target of document.querySelectorAll('.tile .target')) {
        const word = target.querySelector('.goal-word'); if (!word) continue;
        const walker = document.createTreeWalker(target, NodeFilter.SHOW_TEXT);
        let dot = null;
        while (walker.nextNode()) { const i = walker.currentNode.data.indexOf('·');
          if (i >= 0) { dot = document.createRange(); dot.setStart(walker.currentNode, i);
                        dot.setEnd(walker.currentNode, i + 1); break; } }
        if (!dot) continue;
        const mark = word.querySelector('[aria-hidden]') || word;
        out.push([Math.round(dot.getBoundingClientRect().top),
                  Math.round(mark.getClientRects()[0].top), target.textContent]);
      }
      return out;""")
    assert found
    for dot_top, word_top, text in found:
        assert abs(dot_top - word_top) <= 3, (text, dot_top, word_top)


@pytest.mark.parametrize("lang", ["en", "ru", "uk"])
def test_builder_boxes_stay_with_their_labels(browser: Any, url: str, lang: str) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    browser.set_window_size(390, HEIGHT)
    browser.get(f"{url}/builder?lang={lang}")
    WebDriverWait(browser, 20).until(
        lambda d: d.execute_script("return document.querySelectorAll('input.dim').length"))
    broken = browser.execute_script("""
      return [...document.querySelectorAll('input.dim')].map(box => {
        const label = box.closest('label'); const b = box.getBoundingClientRect();
        const range = document.createRange(); range.selectNodeContents(label);
        range.setStartAfter(box);
        const text = [...range.getClientRects()].filter(r => r.width > 0);
        return [label.textContent.trim(), text.length ? Math.abs(text[0].top - b.top) : 0,
                new Set(text.map(r => Math.round(r.top))).size];
      }).filter(([, gap, lines]) => gap > 12 || lines > 1);""")
    assert broken == [], broken


@pytest.mark.parametrize("lang", ["en", "ru", "uk"])
def test_schedule_breaks_wrap_on_a_phone(browser: Any, url: str, lang: str) -> None:
    """390 px: every Move button of the breaks list is inside the screen (they were cut off
    behind the list's sideways scroll)."""
    browser.set_window_size(390, HEIGHT)
    browser.get(f"{url}/wfm/schedule?lang={lang}")
    deadline = time.monotonic() + 10
    while not browser.execute_script("return document.querySelectorAll('form.move').length"):
        assert time.monotonic() < deadline, "no break to move"
        time.sleep(0.2)
    outside = browser.execute_script("""
      const width = document.documentElement.clientWidth;
      return [...document.querySelectorAll('form.move button, form.move select')]
        .map(b => b.getBoundingClientRect()).filter(r => r.right > width || r.left < 0)
        .map(r => [r.left, r.right]);""")
    assert outside == []
    zone = browser.execute_script("return document.getElementById('schedule-zone').innerText")
    assert "UTC" in zone


SMALL_TARGETS = """
return [...document.querySelectorAll(arguments[0])]
  .filter(el => el.offsetParent !== null)
  .map(el => [el.tagName + (el.name ? '[' + el.name + ']' : ''),
              Math.round(el.getBoundingClientRect().height)])
  .filter(([, height]) => height < 40);"""


@pytest.mark.parametrize("page", ["/?lang=uk", "/builder?lang=ru", "/wfm/schedule?lang=en"])
def test_controls_are_a_finger_s_target_on_a_phone(browser: Any, url: str, page: str) -> None:
    """390 px: the filter bar's inputs were 19–21 px high, the builder's boxes' labels
    19 px, the schedule's Move buttons 21 px (WCAG 2.5.5 asks 44; 40 here). Every
    visible input, select and button, the header's links and the builder's choices are
    40 px high at least, and no control pushes the page sideways."""
    browser.set_window_size(390, HEIGHT)
    browser.get(f"{url}{page}")
    time.sleep(1)
    controls = ("input:not([type=hidden]):not([type=checkbox]):not([type=radio]), select, "
                "button, header nav a, .metric-grid label, label.dim-choice")
    assert browser.execute_script(SMALL_TARGETS, controls) == []
    assert browser.execute_script(
        "return document.documentElement.scrollWidth <= "
        "document.documentElement.clientWidth")

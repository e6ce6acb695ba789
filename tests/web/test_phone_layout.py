"""Phone layout (390 px) measured in Debian's Chromium: a wide table says it scrolls (a
shadow at the hidden side) and keeps its row names in view while the figures scroll (the
agents, the staffing levels and the day's plan hid their columns past the screen's edge with
nothing to say so); the what-if tables break a metric's name between words and keep a change
with its unit ("заблокированны" above "х", "±0,0 в." above "п."); a desktop shows no shadow."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI

from omnikpi.demo import DEMO_DATA_DIR
from tests.web.conftest import needs_browser, running_server

pytestmark = [needs_browser, pytest.mark.browser]
PHONE, DESKTOP, HEIGHT = 390, 1440, 844
WIDE_TABLES = [("/agents", "#agent-table"), ("/wfm/staffing", "#levels"),
               ("/wfm/staffing?kind=day", "#plan")]


@pytest.fixture(scope="module")
def url(make_app: Callable[..., FastAPI],
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo (a copy of its folder) served."""
    data = tmp_path_factory.mktemp("phone-layout") / "data"
    shutil.copytree(DEMO_DATA_DIR, data)
    with running_server(make_app(data)) as base:
        yield base


def _open(browser: Any, address: str, width: int, ready: str) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    browser.set_window_size(width, HEIGHT)
    browser.get(address)
    WebDriverWait(browser, 60).until(lambda d: d.execute_script(
        f"return document.querySelectorAll({ready!r}).length > 0"))


def _join(path: str, lang: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}lang={lang}"


MEASURE_BOX = """
const table = document.querySelector(arguments[0]), box = table.parentElement;
const style = getComputedStyle(box);
const before = {overflow: style.overflowX, cue: style.backgroundImage,
                hidden: box.scrollWidth - box.clientWidth};
box.scrollLeft = box.scrollWidth;
const edge = box.getBoundingClientRect().left;
const firsts = [...table.querySelectorAll('tbody tr')].map(tr => tr.children[0]
  .getBoundingClientRect().left - edge);
box.scrollLeft = 0;
const root = document.documentElement;
return [before, firsts, root.scrollWidth - root.clientWidth];
"""
"""The table's box (its overflow, its background, how much it hides), each row's first
cell's left against the box's left once scrolled to the end, the page's own sideways
scroll."""


@pytest.mark.parametrize("page, table", WIDE_TABLES)
@pytest.mark.parametrize("lang", ["en", "ru", "uk"])
def test_wide_table_says_it_scrolls_on_a_phone(browser: Any, url: str, page: str, table: str,
                                               lang: str) -> None:
    """390 px: the table scrolls inside its box, not the page; the box draws a shadow (a
    gradient background) at the side where columns are hidden; scrolled to the end, every
    row's name is still at the box's left edge."""
    _open(browser, f"{url}{_join(page, lang)}", PHONE, f"{table} tbody tr")
    box, firsts, page_scroll = browser.execute_script(MEASURE_BOX, table)
    assert page_scroll <= 0
    assert box["overflow"] == "auto" and box["hidden"] > 0, box
    assert "gradient" in box["cue"], box
    assert firsts and all(abs(left) <= 1 for left in firsts), firsts


@pytest.mark.parametrize("page, table", WIDE_TABLES)
def test_desktop_has_no_shadow(browser: Any, url: str, page: str, table: str) -> None:
    """1440 px: the tables fit and their boxes are plain white, as before."""
    _open(browser, f"{url}{_join(page, 'en')}", DESKTOP, f"{table} tbody tr")
    box, _firsts, page_scroll = browser.execute_script(MEASURE_BOX, table)
    assert page_scroll <= 0 and box["hidden"] <= 0, box
    assert box["cue"] == "none", box


WHATIF_CELLS = """
const lines = el => { const range = document.createRange(); range.selectNodeContents(el);
  return new Set([...range.getClientRects()].filter(r => r.width > 0)
    .map(r => Math.round(r.top))).size; };
const names = [...document.querySelectorAll('table.compare td:first-child')]
  .filter(td => lines(td) > td.textContent.trim().split(/\\s+/).length)
  .map(td => td.textContent);
const changes = [...document.querySelectorAll('table.compare td.change')]
  .filter(td => !td.textContent.includes('(') && lines(td) > 1).map(td => td.textContent);
return [names, changes, document.querySelectorAll('table.compare tbody tr').length];
"""
"""Metric names on more lines than they have words (a word cut), and changes without a
verdict on more than one line (a number torn from its unit)."""


@pytest.mark.parametrize("lang", ["en", "ru", "uk"])
def test_whatif_tables_keep_words_whole_on_a_phone(browser: Any, url: str,
                                                   lang: str) -> None:
    """390 px, the demo scenario with 10 % more volume: "Доля заблокированных" breaks
    between its words, "= ±0,0 в. п." stays on one line."""
    _open(browser, f"{url}/wfm/whatif?scenario=demo&run=1&volume=10&lang={lang}", PHONE,
          "table.compare tbody tr")
    names, changes, rows = browser.execute_script(WHATIF_CELLS)
    assert rows > 10
    assert names == [] and changes == [], (names, changes)
    assert browser.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    ) <= 0

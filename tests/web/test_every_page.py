"""Every page in Debian's Chromium as its users see it: at 1440 px and 390 px, in en, ru and
uk, logged in as a supervisor (the agent's own pages as an agent).

English is crawled at desktop width, Russian at phone width and Ukrainian at desktop width
(``WIDTHS``): the templates are the same in every language, so each width is read in a
Cyrillic language (English words left in the markup, text only one layout shows, long
words that push a phone page sideways — Cyrillic words are the longer ones), and every
string's ru and uk translation is checked by name in ``test_translations.py``. Each view
costs a page load and a screenshot on a loaded CI worker; the full crawl was eight minutes
of it, and English at phone width (a minute) was dropped to keep CI under 30 minutes.

Per page and view the crawl checks what a person would notice first:
- the page loads without an error status and without console errors;
- nothing scrolls sideways at phone width (tables scroll inside their own box);
- a Russian or Ukrainian page shows no English words of the interface (text and the
  title/placeholder/aria-label/alt attributes), data values excepted;
- axe-core (the npm package, installed by ``make test``) finds no serious or critical
  accessibility violation (at desktop width in English, at phone width in Russian: the
  markup is the same in every language, and axe is half of a view's time);
- the filters and a tile's drill-down link are reachable with the keyboard.

Every screenshot is kept in ``out/screenshots/pages/`` to be looked at. All problems of the
crawl are gathered and reported together, so one run lists everything to fix.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from zoneinfo import available_timezones

import pytest
from fastapi import FastAPI

import omnikpi
from omnikpi.demo import DEMO_DATA_DIR
from tests.web.conftest import browser_log_in, needs_browser, running_server
from tests.web.qa_setup import people_and_qa
from tests.web.test_dashboard_charts import settled_overflow

pytestmark = needs_browser

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "out" / "screenshots" / "pages"
AXE = REPO / "tests" / "web" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "every-page-pass-1"
WIDTHS = {"en": (1440,), "ru": (390,), "uk": (1440,)}
LANGUAGES = ("en", "ru", "uk")
AXE_VIEWS = {("en", 1440), ("ru", 390)}
"""Where axe runs: each width once, in two languages (the checks split between two
workers)."""
TYPED_BY_THE_TEST = {"Calls", "Greets", "the", "standard", "Gives", "correct", "information",
                     "Style", "Content", "greet", "lead", "calls", "week", "calibration",
                     "Lead", "Person", "person", "second", "fax"}
"""Latin words the test itself types into the app (form names, items, user names, the
channel=fax filter)."""
NOT_WORDS_OF_THE_INTERFACE = {
    "OmniKPI", "API", "CSV", "XLSX", "PDF", "JSON", "TOML", "KPI", "UTC", "GMT", "IVR", "SMS",
    "ASA", "AHT", "FCR", "NPS", "CSAT", "CDSAT", "CES", "ESAT", "ACW", "ACD", "ACCS", "WAPE",
    "Erlang", "Krippendorff", "Plotly", "Chromium", "OpenAPI", "Swagger", "SQL", "DuckDB",
    "Spark", "min", "max", "sec", "ISO", "id", "ids", "QA", "SLA",
}
"""Names, units and abbreviations written the same in every language."""
WORD = re.compile(r"[A-Za-z][A-Za-z']{2,}")
IDENTIFIER = re.compile(r"`[^`]*`|\b[A-Za-z]\w*_\w+\b|\([a-z]+(?:_[a-z]+)*\)")
"""Code shown on purpose: `quoted`, snake_case parameter and column ids, and a metric id in
parentheses after its name — the same in every language."""

COLLECT_TEXT = """
const out = [];
const skip = (el) => el.closest('script,style,code,pre,noscript,[translate="no"],.modebar');
const shown = (el) => { const s = getComputedStyle(el);
  return s.display !== 'none' && s.visibility !== 'hidden' && el.getClientRects().length > 0; };
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
  const node = walker.currentNode, el = node.parentElement;
  const text = node.textContent.trim();
  if (text && el && !skip(el) && shown(el)) out.push(text);
}
for (const el of document.querySelectorAll('[title],[placeholder],[aria-label],[alt],'
                                           + 'input[type=submit],input[type=button]')) {
  if (skip(el)) continue;
  for (const a of ['title', 'placeholder', 'aria-label', 'alt']) {
    const v = el.getAttribute(a); if (v) out.push(v);
  }
  if (el.matches('input[type=submit],input[type=button]') && el.value) out.push(el.value);
}
out.push(document.title);
return out;
"""

RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']}).then(
  r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
          .map(v => ({id: v.id, impact: v.impact, help: v.help,
                      nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))),
  e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));
"""


def _data_words() -> set[str]:
    """Latin words that are data, not interface: queue, channel, site, tenant, agent ids
    and not-ready reasons of the demo, and time-zone names."""
    dataset = omnikpi.load_dataset(DEMO_DATA_DIR)
    words: set[str] = set()
    for table, columns in {"contacts": ("queue", "channel", "site", "tenant", "agent_id",
                                        "contact_id", "customer_id"),
                           "agent_states": ("agent_id", "reason", "site", "tenant")}.items():
        if not dataset.has(table):
            continue
        present = {str(row[0]) for row in dataset.con.execute(f"DESCRIBE {table}").fetchall()}
        for column in (c for c in columns if c in present):
            values = dataset.con.execute(
                f'SELECT DISTINCT CAST("{column}" AS VARCHAR) FROM {table}').fetchall()
            for (value,) in values:
                words.update(WORD.findall(str(value or "")))
    for zone in available_timezones():
        words.update(WORD.findall(zone))
    return words


def english_words(texts: list[str], allowed: set[str]) -> list[str]:
    """The texts holding a Latin word that is neither data nor a name: on a ru/uk page,
    untranslated interface."""
    found = []
    for text in texts:
        words = [w for w in WORD.findall(IDENTIFIER.sub(" ", text))
                 if w not in allowed and w.upper() not in allowed
                 and w.lower() not in {a.lower() for a in allowed}]
        if words:
            found.append(text[:80])
    return sorted(set(found))


def test_english_words_finds_untranslated_text() -> None:
    """The checker itself: it flags English interface text and lets data through."""
    allowed = {"sales", "Europe", "Kyiv", "API"}
    assert english_words(["Очередь: sales", "Europe/Kyiv", "API"], allowed) == []
    assert english_words(["Service level", "Уровень", "channel"], allowed) == [
        "Service level", "channel"]
    assert english_words(["Уровень сервиса (service_level): `top_box`, scale_max"],
                         allowed) == []
    assert english_words(["(Service level)"], allowed) == ["(Service level)"]


@pytest.fixture(scope="module")
def site(make_app: Callable[..., FastAPI],
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The demo app with accounts, a QA form, a sample, an evaluation and a calibration
    session, served on a real port; the pages to visit."""
    data = tmp_path_factory.mktemp("every-page") / "data"
    shutil.copytree(DEMO_DATA_DIR, data)
    with (data / "surveys.csv").open("a") as surveys:  # one quarantined row: the data-
        # quality page lists a problem and the dashboard says a row was left out
        surveys.write("support-000042,cust01679,csat,9,1,5,2024-03-04T06:12:18.853Z,\n")
    app = make_app(data, auth_required=True, live_updates=False)
    qa = people_and_qa(app, data, PASSWORD)
    pages = {
        "dashboard": "/", "dashboard-filtered": "/?channel=fax", "builder": "/builder",
        "agents": "/agents", "agent": f"/agents/{qa.agent_id}", "wallboard": "/wallboard",
        "tv": "/tv", "alerts": "/alerts", "qa": "/qa", **qa.pages, "schedules": "/schedules",
        "wfm-schedule": "/wfm/schedule", "data-quality": "/data", "audit": "/audit",
        "wfm-staffing": "/wfm/staffing?model=erlang_a",
        "wfm-staffing-email": "/wfm/staffing?kind=email",
        "wfm-staffing-day": "/wfm/staffing?kind=day",
        "wfm-whatif": "/wfm/whatif?scenario=demo&agents-0=7&capacity-2=2&volume=10&run=1",
        "drill-sl": "/drill?metric=service_level", "drill-csat": "/drill?metric=csat",
        "bad-input": "/?from=2024-13-45",
    }
    with running_server(app) as url:
        yield {"url": url, "pages": pages, "agent_id": qa.agent_id}


def _log_in(driver: Any, url: str, user: str) -> None:
    driver.delete_all_cookies()
    browser_log_in(driver, url, user, PASSWORD)


def _visit(driver: Any, url: str, name: str, lang: str, width: int,
           allowed: set[str], problems: list[str], axe: str | None) -> None:
    driver.set_window_size(width, 900)
    driver.get_log("browser")  # drop what earlier pages logged
    separator = "&" if "?" in url else "?"
    driver.get(f"{url}{separator}lang={lang}")
    view = f"{name} [{lang}, {width} px]"
    driver.save_screenshot(str(SHOTS / f"{name}-{lang}-{width}.png"))
    errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"
              and "favicon" not in e["message"] and "bad-input" not in name]
    if errors:
        problems.append(f"{view}: console errors {errors[:3]}")
    overflow = settled_overflow(driver)
    if overflow > 1:
        problems.append(f"{view}: scrolls sideways by {overflow} px")
    if lang != "en":
        untranslated = english_words(driver.execute_script(COLLECT_TEXT), allowed)
        if untranslated:
            problems.append(f"{view}: English text {untranslated[:12]}")
    if axe is not None:
        driver.execute_script(axe)
        violations = driver.execute_async_script(RUN_AXE)
        if violations:
            problems.append(f"{view}: axe {json.dumps(violations, ensure_ascii=False)}")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_page_in_every_language_and_width(site: dict[str, Any], browser: Any,
                                                lang: str) -> None:
    """One language per test, so that the two workers of the suite share the crawl."""
    if not AXE.exists():
        pytest.fail(f"axe-core is not installed at {AXE}: run `make test` (it installs "
                    "tests/web/axe with npm)")
    axe = AXE.read_text(encoding="utf-8") if any(lang == a for a, _ in AXE_VIEWS) else None
    SHOTS.mkdir(parents=True, exist_ok=True)
    allowed = _data_words() | NOT_WORDS_OF_THE_INTERFACE | TYPED_BY_THE_TEST
    browser.set_script_timeout(60)
    problems: list[str] = []
    url = site["url"]
    _log_in(browser, url, "lead")
    for name, path in site["pages"].items():
        for width in WIDTHS[lang]:
            _visit(browser, url + path, name, lang, width, allowed, problems,
                   axe if (lang, width) in AXE_VIEWS else None)
    # the agent role: their own page and the QA pages they may open
    _log_in(browser, url, "person")
    for name, path in {"own-agent": f"/agents/{site['agent_id']}", "own-qa": "/qa",
                       "own-coaching": "/qa/coaching"}.items():
        for width in WIDTHS[lang]:
            _visit(browser, url + path, name, lang, width, allowed, problems,
                   axe if (lang, width) in AXE_VIEWS else None)
    browser.delete_all_cookies()
    for width in WIDTHS[lang]:
        _visit(browser, url + "/login", "login", lang, width, allowed, problems,
               axe if (lang, width) in AXE_VIEWS else None)
    assert not problems, "\n".join(problems)


def test_filters_and_drill_down_by_keyboard(site: dict[str, Any], browser: Any) -> None:
    """Tab from the top of the dashboard reaches the filter fields, Apply, and a tile's
    drill-down link, in that order."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    _log_in(browser, site["url"], "lead")
    browser.set_window_size(1440, 900)
    browser.get(f"{site['url']}/?lang=en")
    reached: list[str] = []
    for _ in range(80):
        ActionChains(browser).send_keys(Keys.TAB).perform()
        reached.append(browser.execute_script(
            "const e = document.activeElement; return (e.name || e.id || '') + '|' + "
            "(e.closest('[data-metric]') ? 'tile' : e.tagName.toLowerCase())"))
    names = [r.split("|")[0] for r in reached]
    assert "from" in names and "apply" in names, reached
    tile = next((i for i, r in enumerate(reached) if r.endswith("|tile")), None)
    assert tile is not None and tile > names.index("apply"), reached

"""Accessibility fixes of the web pages, read from their HTML (no browser): one level-one
heading per page, a skip link, words beside colours, the wallboard's clock outside its live
region, named charts, labelled table headers, the login error tied to its fields.

The behaviour (keys, focus, axe's rules) is checked in Chromium by
``test_browser_a11y_fixes.py``."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from omnikpi.demo import DEMO_DATA_DIR
from omnikpi.web.i18n import translator
from tests.web.conftest import log_in
from tests.web.qa_setup import QaSite, people_and_qa

PASSWORD = "a11y-fixes-pass-1"
STATIC = Path(__file__).resolve().parents[2] / "src" / "omnikpi" / "web" / "static"
ONE_DAY = "from=2024-03-06&to_day=2024-03-06&tz=UTC"
"""A day with a previous one in the demo: the tiles have trend arrows."""


@pytest.fixture(scope="module")
def client(make_app: Callable[..., FastAPI]) -> Iterator[TestClient]:
    with TestClient(make_app(live_updates=True)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def qa(make_app: Callable[..., FastAPI], tmp_path_factory: pytest.TempPathFactory) -> QaSite:
    """The demo with accounts and an evaluation, on a copy: the evaluation is written into
    the dataset's folder (into the shipped demo, it failed the run)."""
    data = tmp_path_factory.mktemp("a11y-qa") / "data"
    shutil.copytree(DEMO_DATA_DIR, data)
    return people_and_qa(make_app(data, auth_required=True, live_updates=False), data,
                         PASSWORD)


def body(page: str) -> str:
    return page[page.index("<body"):]


def h1s(page: str) -> list[str]:
    """The texts of the page's level-one headings (tags stripped, spaces collapsed)."""
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", h)).strip()
            for h in re.findall(r"<h1\b[^>]*>(.*?)</h1>", page, re.S)]


# -- 8, 9: one h1 on every page, never empty ------------------------------------------------


@pytest.mark.parametrize(("path", "heading"), [
    ("/", "Dashboard"), ("/builder", "Report builder"),
    ("/drill?metric=aht", "Average handle time"),
    ("/agents", "Agents"), ("/agents/sales-01", "Agent sales-01"),
    ("/wallboard", "Wallboard"), ("/tv", "Wallboard"),
    ("/wfm/staffing", "Staffing calculator"), ("/wfm/staffing?kind=chat", "Staffing calculator"),
    ("/wfm/staffing?kind=email", "Staffing calculator"),
    ("/wfm/staffing?kind=day", "Staffing calculator"), ("/wfm/schedule", "Work schedule"),
    ("/wfm/whatif", "What-if"), ("/no/such/page", "Page not found"),
])
def test_every_page_has_one_level_one_heading(client: TestClient, path: str,
                                              heading: str) -> None:
    page = client.get(path + ("&" if "?" in path else "?") + "lang=en").text
    found = h1s(page)
    assert len(found) == 1 and found[0].startswith(heading), found


def test_the_forbidden_page_has_its_heading(qa: QaSite, make_app: Callable[..., FastAPI]
                                            ) -> None:
    agent = log_in(TestClient(qa.lead.app), "person", PASSWORD)
    page = agent.get("/qa/errors?lang=uk")
    assert page.status_code == 403
    assert h1s(page.text) == ["Недоступно для цього облікового запису"]


def test_the_tv_without_a_saved_board_names_itself(client: TestClient) -> None:
    """Its heading was an empty ``<h1 id="board-name">``."""
    page = client.get("/tv?lang=ru").text
    assert re.search(r'<h1 class="board-name" id="board-name"[^>]*>Табло</h1>', page), page


# -- 13: the skip link -------------------------------------------------------------------


@pytest.mark.parametrize("lang, text", [("en", "Skip to content"),
                                        ("ru", "Перейти к содержимому"),
                                        ("uk", "Перейти до вмісту")])
def test_the_first_link_of_a_page_skips_to_its_content(client: TestClient, lang: str,
                                                       text: str) -> None:
    page = body(client.get(f"/agents?lang={lang}").text)
    first = re.search(r"<(a|button|input|select|textarea)\b[^>]*>", page)
    assert first and 'class="skip-link"' in first.group(0) and 'href="#main"' in first.group(0)
    assert f'class="skip-link" href="#main">{text}</a>' in page
    assert '<main id="main" tabindex="-1">' in page


# -- 1: the wallboard's clock outside its live region --------------------------------------


@pytest.mark.parametrize("path", ["/wallboard", "/tv"])
def test_the_wallboard_clock_is_not_announced(client: TestClient, path: str) -> None:
    page = client.get(path + "?lang=uk").text
    status = re.search(r'<p class="live-status"[^>]*>(.*?)</p>', page, re.S)
    assert status, page
    opening = re.search(r'<p class="live-status"[^>]*>', page)
    assert opening and "aria-live" not in opening.group(0)  # the clock is in #live-at
    # the live region is its own element, saying the state in the page's language
    live_at = re.search(r'<span id="live-at">', status.group(1))
    state = re.search(r'<span id="live-state" class="visually-hidden" role="status" '
                      r'data-on="([^"]+)" data-off="([^"]+)"></span>', status.group(1))
    assert live_at and state
    assert state.groups() == ("Онлайн: цифри оновлюються самі.",
                              "Не онлайн: з&#39;єднання з сервером втрачено; "
                              "перепідключення…")
    script = (STATIC / "wallboard.js").read_text(encoding="utf-8")
    assert "sayState(\"on\")" in script and "sayState(\"off\")" in script


# -- 4: good and bad in words, not colour alone ------------------------------------------


@pytest.mark.parametrize("lang", ["en", "ru", "uk"])
def test_dashboard_tiles_say_met_or_missed_and_better_or_worse(client: TestClient,
                                                               lang: str) -> None:
    _ = translator(lang)
    page = client.get(f"/?{ONE_DAY}&lang={lang}").text
    tiles = re.findall(r'<a class="tile (good|bad)[^"]*".*?</a>', page, re.S)
    assert {"good", "bad"} <= set(tiles)
    for tile in re.finditer(r'<a class="tile (good|bad) ?"(.*?)</a>', page, re.S):
        status, inside = tile.groups()
        word = _("met") if status == "good" else _("missed")
        sign = "✓" if status == "good" else "✗"
        assert (f'<span class="goal-word {status}"><span aria-hidden="true">{sign} </span>'
                f'{word}</span>') in inside, inside
    verdicts = re.findall(r'<span class="trend (better|worse)"[^>]*>[^<]*</span> '
                          r'<span class="verdict-word (better|worse)">\(([^)]*)\)</span>', page)
    assert {v[0] for v in verdicts} == {"better", "worse"}
    for shown, said, word in verdicts:
        assert shown == said and word == _(shown) and (lang == "en" or word != shown)


def test_the_agent_tiles_say_met_or_missed(client: TestClient) -> None:
    page = client.get("/agents/sales-01?lang=uk").text
    assert re.search(r'<span class="goal-word (good|bad)"><span aria-hidden="true">[✓✗] '
                     r'</span>(досягнута|не досягнута)</span>', page)


def test_what_if_changes_say_better_or_worse(client: TestClient) -> None:
    page = client.get("/wfm/whatif?scenario=erlang_c&agents-0=12&run=1&lang=ru").text
    cells = re.findall(r'<td class="change (better|worse)">([^<]*)</td>', page)
    assert {c[0] for c in cells} >= {"better"}
    for verdict, text in cells:
        assert text.endswith({"better": " (лучше)", "worse": " (хуже)"}[verdict]), text
    # an unchanged figure stays as it was
    assert '<td class="change same">= ±0</td>' in page


def test_the_wallboard_marks_its_cells_and_tiles_in_words(client: TestClient) -> None:
    page = client.get("/wallboard?lang=uk").text
    assert ('<div class="tiles" id="live-tiles" data-met="досягнута" '
            'data-missed="не досягнута" data-attention="потребує уваги">') in page
    for tile in ("sl", "abandon", "asa"):
        assert f'<div class="target" id="g-{tile}"></div><div class="verdict" id="v-{tile}">' \
            in page
    css = (STATIC / "wallboard.css").read_text(encoding="utf-8")
    for cls, sign in (("good", "✓"), ("bad", "✗"), ("warn", "!")):
        assert f'td[data-flag].{cls}::after {{ content: "\\00a0{sign}"; ' \
               f'content: "\\00a0{sign}" / attr(data-flag); }}' in css
    script = (STATIC / "wallboard.js").read_text(encoding="utf-8")
    assert "td.dataset.flag" in script and 'verdict.textContent' in script


# -- 5: the TV's notes readable ------------------------------------------------------------


def test_the_tv_notes_are_light_on_dark() -> None:
    css = (STATIC / "wallboard.css").read_text(encoding="utf-8")
    assert ".wallboard.tv .note { color: #ced4da; }" in css


# -- 7: the what-if's problems get the focus -----------------------------------------------


def test_the_what_if_problems_can_take_the_focus(client: TestClient) -> None:
    page = client.get("/wfm/whatif?scenario=erlang_c&run=1&lang=en").text
    assert '<div class="error-box" role="alert" tabindex="-1" id="whatif-problems">' in page
    assert 'document.getElementById("whatif-problems");\n  if (problems) problems.focus();' \
        in page


# -- 10: no empty column header --------------------------------------------------------------


@pytest.mark.parametrize("page_name", ["qa", "qa-sample"])
def test_qa_tables_have_no_empty_header(qa: QaSite, page_name: str) -> None:
    path = "/qa" if page_name == "qa" else qa.pages["qa-sample"]
    page = qa.lead.get(f"{path}?lang=ru").text
    table = "qa-queue" if page_name == "qa" else "sample-items"
    head = re.search(rf'<table class="contacts" id="{table}"><thead><tr>(.*?)</tr>', page, re.S)
    assert head, page
    headers = re.findall(r"<th\b[^>]*>(.*?)</th>", head.group(1), re.S)
    assert all(re.sub(r"<[^>]+>", "", h).strip() for h in headers), headers
    assert headers[-1] == '<span class="visually-hidden">действие</span>'


# -- 11: the login error ---------------------------------------------------------------------


def test_the_login_error_is_an_alert_tied_to_the_fields(qa: QaSite) -> None:
    fresh = TestClient(qa.lead.app)
    token = re.search(r'name="csrf_token" value="([^"]+)"', fresh.get("/login").text)
    assert token
    page = fresh.post("/login?lang=uk", data={"username": "lead", "password": "wrong",
                                              "csrf_token": token.group(1), "next": "/"}).text
    assert '<div role="alert" id="login-alert"><p class="error" id="login-error">' in page
    for field in ("username", "password"):
        tag = re.search(rf'<input name="{field}"[^>]*>', page)
        assert tag and 'aria-invalid="true"' in tag.group(0) \
            and 'aria-describedby="login-error"' in tag.group(0), tag
    clean = fresh.get("/login").text
    assert "aria-invalid" not in clean and 'role="alert"' not in clean
    # the name typed stays (it was emptied by a redirect), the password does not, and the
    # focus goes to the password; the sentence starts with a capital
    assert re.search(r'<input name="username" id="username" value="lead"[^>]*>', page)
    tag = re.search(r'<input name="password"[^>]*>', page)
    assert tag and "value=" not in tag.group(0) and "autofocus" in tag.group(0)
    said = re.search(r'id="login-error">([^<]+)<', page)
    assert said and said.group(1)[0].isupper(), said


# -- 12: targets of 24 px ------------------------------------------------------------------


def test_header_links_and_evaluate_links_are_24_px_targets() -> None:
    css = (STATIC / "style.css").read_text(encoding="utf-8")
    assert re.search(r"header nav a \{[^}]*min-height: 24px;[^}]*min-width: 24px;", css)
    assert re.search(r"a\.evaluate \{[^}]*min-height: 24px;", css)


# -- 14: the charts have names and their numbers -------------------------------------------


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_dashboard_charts_are_named_images_with_their_numbers(client: TestClient,
                                                              lang: str) -> None:
    _ = translator(lang)
    page = client.get(f"/?{ONE_DAY}&lang={lang}").text
    charts = re.findall(r'<div id="(profile-\d+|trend|funnel|concurrency)" class="chart[^"]*"'
                        r'[^>]*?role="img"\s+aria-label="([^"]+)"', page)
    ids = [c[0] for c in charts]
    assert {"profile-1", "trend", "funnel", "concurrency"} <= set(ids), ids
    assert len(ids) == len(re.findall(r'<div id="(?:profile-\d+|trend|funnel|concurrency)"',
                                      page))
    for _id, label in charts:
        assert label.startswith(_("Chart") + ": ") and len(label) > 20, label
    for table in ("profile-table", "trend-table", "concurrency-table"):
        link = re.search(rf'<a id="{table}" href="([^"]+)">([^<]+)</a>', page)
        assert link and link.group(2) == _("The same numbers as a table")
        answer = client.get(link.group(1).replace("&amp;", "&"))
        assert answer.status_code == 200 and 'id="error"' not in answer.text, link.group(1)
        assert 'id="preview-table"' in answer.text
    assert re.search(r'<p class="chart-table" id="funnel-summary">[^<]+ \d+', page)


def test_the_player_says_its_keys_work_inside_it() -> None:
    script = (STATIC / "recording_player.js").read_text(encoding="utf-8")
    assert "|| players[0]" not in script  # a key anywhere on the page played the first
    template = (STATIC.parent / "templates" / "_recording_player.html").read_text()
    assert '_("Keys while the focus is in the player:")' in template


def test_every_scrolling_table_takes_the_keyboard_focus() -> None:
    """A table that scrolls in its own box is reached by keys only when the box takes
    focus (axe: scrollable-region-focusable, serious): the builder's preview and the
    drill-down's tables could be scrolled with a pointer only, on a phone past their
    third column."""
    templates = STATIC.parent / "templates"
    boxes = [(path.name, tag) for path in sorted(templates.glob("*.html"))
             for tag in re.findall(r'<div [^>]*class="[^"]*\btable-scroll\b[^>]*>',
                                   path.read_text())]
    assert len(boxes) >= 6
    assert [found for found in boxes if 'tabindex="0"' not in found[1]] == []

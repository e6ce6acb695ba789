"""Visual fixes, read in the pages' HTML: the wallboard's queue cards on a phone (their
labels handed to the style), not-ready reasons in the page's language, alert thresholds in
their unit, the dashboard's "·" kept with the met / missed word, the builder's boxes kept
with their labels, the work schedule's zone and chart titles (the layout itself is
measured in a real Chromium: test_browser_visual_fixes.py)."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from omnikpi.demo import DEMO_DATA_DIR

STATIC = Path(__file__).resolve().parents[2] / "src" / "omnikpi" / "web" / "static"


@pytest.fixture(scope="module")
def app(make_app: Callable[..., FastAPI], tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    """The demo on a copy of its folder (live events and alert rules write beside it)."""
    data = tmp_path_factory.mktemp("visual") / "data"
    shutil.copytree(DEMO_DATA_DIR, data)
    return make_app(data)


def _words(html: str) -> dict[str, object]:
    found = re.search(r'<script type="application/json" id="wallboard-words">(.*?)</script>',
                      html, re.S)
    assert found, "the board has no words island"
    return dict(json.loads(found.group(1)))


@pytest.mark.parametrize("page", ["/wallboard", "/tv"])
def test_queue_cards_get_their_labels_on_a_phone(app: FastAPI, page: str) -> None:
    """On a phone each queue is a card of label / value pairs: the template hands the
    column labels (in the page's language) to wallboard.css, which writes them before
    each value; the SL cell (the 11th) has its label."""
    with TestClient(app) as client:
        html = client.get(f"{page}?lang=ru").text
    table = re.search(r'<table class="contacts" id="queues" style="([^"]*)"', html)
    assert table, "the queue table hands no labels to the style"
    style = table.group(1)
    assert "--h1: &#39;клиент (тенант)&#39;" in style or "--h1: 'клиент (тенант)'" in style
    assert re.search(r"--h11: (&#39;|')SL(&#39;|')", style)
    assert re.search(r"--h15: (&#39;|')самое старое(&#39;|')", style)
    css = (STATIC / "wallboard.css").read_text()
    phone = css[css.index("@media (max-width: 600px)"):]
    assert "#queues td:nth-child(11)::before { content: var(--h11" in phone
    # durations and agent ids on one line
    assert "#agent-table td, #agents td, #chats td { white-space: nowrap; }" in css


@pytest.mark.parametrize(("lang", "words"), [("ru", {"break": "перерыв", "lunch": "обед"}),
                                            ("uk", {"break": "перерва", "lunch": "обід"}),
                                            ("en", {"break": "break", "lunch": "lunch"})])
def test_board_names_not_ready_reasons_as_the_timeline(app: FastAPI, lang: str,
                                                       words: dict[str, str]) -> None:
    """The board's words carry the reasons the agent's timeline translates; wallboard.js
    writes them in the agent table and the agents-by-state table."""
    with TestClient(app) as client:
        for page in ("/wallboard", "/tv"):
            reasons = _words(client.get(f"{page}?lang={lang}").text)["reasons"]
            assert isinstance(reasons, dict)
            for code, word in words.items():
                assert reasons[code] == word
    script = (STATIC / "wallboard.js").read_text()
    assert script.count("cell(tr, reasonName(a.reason), \"\", reasonIsData(a.reason))") == 2
    assert "cell(tr, a.reason," not in script


def test_alert_rules_show_thresholds_in_their_unit(app: FastAPI) -> None:
    """An SL rule's 0.8 is "80 %", a long-wait rule's 120 s "2 min" ("2 мин" in Russian),
    its clear level 90 s "1 min 30 s": as the firings' sentences write them."""
    with TestClient(app) as client:
        for rule in ({"name": "Sales SL", "kind": "sl_below", "threshold": 0.8, "minutes": 5,
                      "queue": "sales"},
                     {"name": "Long wait", "kind": "longest_wait_over", "threshold": 120,
                      "minutes": 1, "clear_threshold": 90}):
            assert client.post("/api/v1/alerts", json=rule).status_code in (200, 201)
        shown = {lang: re.findall(r'<td class="(threshold|clear-threshold)">([^<]*)</td>',
                                  client.get(f"/alerts?lang={lang}").text)
                 for lang in ("en", "ru", "uk")}
    assert shown["en"] == [("threshold", "80 %"), ("clear-threshold", ""),
                           ("threshold", "2 min"), ("clear-threshold", "1 min 30 s")]
    assert shown["ru"] == [("threshold", "80 %"), ("clear-threshold", ""),
                           ("threshold", "2 мин"), ("clear-threshold", "1 мин 30 с")]
    assert ("threshold", "2 хв") in shown["uk"]


def test_dashboard_target_separator_travels_with_the_status(app: FastAPI) -> None:
    """"target ≥ 80,0 % · ✗ missed": the "·" is inside the status's nowrap group, so a
    wrapped status never leaves a lone "·" at the end of the line."""
    with TestClient(app) as client:
        html = client.get("/?lang=ru").text
    targets = re.findall(r'<span class="target">(.*?)</span></span></span>', html, re.S)
    judged = [t for t in targets if "goal-word" in t]
    assert judged, "no tile was judged against a target"
    for target in judged:
        assert re.search(r'<span class="goal-status"><span class="goal-sep">·&nbsp;</span>'
                         r'<span class="goal-word (good|bad)">', target), target
        assert " · <span" not in target
    assert ".goal-status { white-space: nowrap; }" in (STATIC / "style.css").read_text()


def test_builder_keeps_each_box_with_its_label(app: FastAPI) -> None:
    """Each "Cut by" box and its label are one unbreakable label; the line breaks between
    the labels (they were written with nothing between them)."""
    with TestClient(app) as client:
        html = client.get("/builder?lang=ru").text
    labels = re.findall(r'(<label[^>]*>)<input type="checkbox" class="dim"', html)
    assert len(labels) >= 5
    assert all('class="inline dim-choice"' in label for label in labels)
    assert re.search(r'</label> <label class="inline dim-choice">', html)
    assert ".builder label.dim-choice { display: inline-block; white-space: nowrap;" in \
        (STATIC / "style.css").read_text()


@pytest.mark.parametrize(("lang", "times_in", "axis"), [
    ("en", "Times in", "agents at work"), ("ru", "Время:", "операторов на работе"),
    ("uk", "Час:", "операторів на роботі")], ids=["en", "ru", "uk"])
def test_schedule_says_its_zone_and_offers_the_zone_picker(app: FastAPI, lang: str,
                                                           times_in: str, axis: str) -> None:
    with TestClient(app) as client:
        html = client.get(f"/wfm/schedule?lang={lang}").text
        kyiv = client.get(f"/wfm/schedule?lang={lang}&tz=Europe/Kyiv").text
    zone = re.search(r'<p class="note" id="schedule-zone">(.*?)</p>', html, re.S)
    assert zone and times_in in zone.group(1) and "UTC" in zone.group(1)
    assert re.search(r'<select name="tz" id="tz-select">.*<option selected>UTC</option>.*'
                     r"<option>Europe/Kyiv</option>", html, re.S)
    assert '<option selected>Europe/Kyiv</option>' in kyiv
    assert "Europe/Kyiv</span></p>" in kyiv
    # the chart's axes: x says the zone, y what it counts
    assert json.dumps(axis) in html or axis in html
    assert re.search(r'title: \{text: "[^"]*UTC"', html)
    # the breaks wrap on a phone
    assert "table.roster#breaks td { white-space: normal; }" in html

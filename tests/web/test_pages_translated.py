"""The wallboard, alerts, QA and login pages and the header in Russian and Ukrainian, read
from the HTML the server sends (the browser crawl in test_every_page.py checks the same
pages as shown; these run without a browser, in seconds).

The HTML's visible text and its title/placeholder/aria-label/alt attributes are read as the
crawl reads them: ``script``, ``style``, ``code`` and elements marked ``translate="no"``
(data: queue names, agent ids, names typed by users) are left out.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from omnikpi.demo import DEMO_DATA_DIR
from omnikpi.live.alert_kinds import ALERT_KINDS, sentence
from omnikpi.store.db import session_scope
from omnikpi.store.models import AlertEvent, AlertRule
from omnikpi.web.i18n import translator
from omnikpi.web.routes.live import alert_message
from omnikpi.web.routes.live_alerts_page import ALERT_KIND_NAMES
from tests.web.qa_setup import people_and_qa
from tests.web.test_every_page import (
    NOT_WORDS_OF_THE_INTERFACE,
    TYPED_BY_THE_TEST,
    _data_words,
    english_words,
)

PASSWORD = "translated-pages-1"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
SKIPPED = {"script", "style", "code", "pre", "noscript"}


class _Texts(HTMLParser):
    """The texts a reader sees in a page, data and code left out (as the crawl does)."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.stack: list[bool] = []  # per open element: is its content skipped

    def _skipping(self) -> bool:
        return bool(self.stack) and self.stack[-1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        skip = self._skipping() or tag in SKIPPED or values.get("translate") == "no"
        if not skip:
            for name in ("title", "placeholder", "aria-label", "alt"):
                if values.get(name):
                    self.texts.append(str(values[name]))
            if tag == "input" and values.get("type") in ("submit", "button") and \
                    values.get("value"):
                self.texts.append(str(values["value"]))
        if tag not in VOID:
            self.stack.append(skip)

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if data.strip() and not self._skipping():
            self.texts.append(data.strip())


def shown_texts(html: str) -> list[str]:
    parser = _Texts()
    parser.feed(html)
    return parser.texts


@pytest.fixture(scope="module")
def site(make_app: Callable[..., FastAPI],
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The demo app (live updates off) with an admin, an agent, a QA form, a sample, an
    evaluation, a calibration session and an alert that fired."""
    data = tmp_path_factory.mktemp("translated") / "data"
    shutil.copytree(DEMO_DATA_DIR, data)
    app = make_app(data, auth_required=True, live_updates=False)
    qa = people_and_qa(app, data, PASSWORD)
    with session_scope(app.state.omnikpi.database_url) as session:
        rule = AlertRule(name="Sales SL", kind="sl_below", threshold=0.8, minutes=5,
                         queue="sales")
        session.add(rule)
        session.flush()
        session.add(AlertEvent(rule_id=rule.id, subject="agent a7",
                               message="3 chats open, capacity 2", delivered=True))
    yield {"app": app, "lead": qa.lead, "pages": {
        "wallboard": "/wallboard", "alerts": "/alerts", "qa": "/qa", **qa.pages},
        "evaluation": qa.pages["qa-evaluation"]}


@pytest.fixture(scope="module")
def allowed() -> set[str]:
    return _data_words() | NOT_WORDS_OF_THE_INTERFACE | TYPED_BY_THE_TEST


@pytest.mark.parametrize("lang", ["ru", "uk"])
def test_my_pages_show_no_english_interface_words(site: dict[str, Any], allowed: set[str],
                                                  lang: str) -> None:
    problems = {}
    for name, path in site["pages"].items():
        page = site["lead"].get(f"{path}{'&' if '?' in path else '?'}lang={lang}")
        assert page.status_code == 200, (name, page.text[:300])
        found = english_words(shown_texts(page.text), allowed)
        if found:
            problems[name] = found
    login = TestClient(site["app"]).get(f"/login?lang={lang}")
    found = english_words(shown_texts(login.text), allowed)
    if found:
        problems["login"] = found
    assert problems == {}


def test_the_reader_leaves_out_data_and_code() -> None:
    html = ('<p title="Hello">Очередь <span translate="no">sales team</span> <code>x y</code>'
            '<input name="a" placeholder="Type"><br>конец</p><script>var word;</script>')
    assert shown_texts(html) == ["Hello", "Очередь", "Type", "конец"]
    english = '<p>Очередь</p><td>submitted</td><label title="SL as a ratio">порог</label>'
    assert english_words(shown_texts(english), {"SL"}) == ["SL as a ratio", "submitted"]


def test_the_header_names_the_role_in_the_page_language(site: dict[str, Any]) -> None:
    who = re.compile(r'<span class="who" id="who">(.*?)</span>\s*<form', re.S)
    strip = re.compile(r"<[^>]+>")
    shown = {lang: strip.sub("", who.findall(site["lead"].get(f"/qa?lang={lang}").text)[0])
             for lang in ("en", "ru", "uk")}
    assert shown == {"en": "lead (admin)", "ru": "lead (администратор)",
                     "uk": "lead (адміністратор)"}


def test_wallboard_with_live_updates_off_opens_no_stream(site: dict[str, Any]) -> None:
    page = site["lead"].get("/wallboard?lang=ru").text
    assert 'data-live="off"' in page
    assert "Обновления в реальном времени на этом сервере выключены" in page
    assert "connecting" not in page and "подключение" not in page
    words = json.loads(re.findall(
        r'<script type="application/json" id="wallboard-words">(.*?)</script>', page, re.S)[0])
    assert words["states"] == {"available": "свободен", "handling": "обработка",
                               "acw": "постобработка", "hold": "удержание",
                               "not_ready": "не готов", "logged_out": "вне системы"}
    assert words["sort"] == {"ascending": "по возрастанию", "descending": "по убыванию"}
    assert words["channels"]["voice"] == "голос"
    assert words["units"] == {"h": "ч", "min": "мин", "s": "с"}
    # the industry's SL and ASA stay as a TV's short headers, spelt out on hover
    assert '<abbr title="Уровень сервиса">SL</abbr>' in page
    assert '<abbr title="Среднее время ответа">ASA</abbr>' in page
    assert site["lead"].get("/api/v1/live/stream").status_code == 503


def test_wallboard_with_live_updates_on_says_it_connects(
        make_app: Callable[..., FastAPI]) -> None:
    with TestClient(make_app()) as client:
        page = client.get("/wallboard?lang=uk").text
    assert 'data-live="on"' in page
    words = json.loads(re.findall(
        r'<script type="application/json" id="wallboard-words">(.*?)</script>', page, re.S)[0])
    assert words["states"]["not_ready"] == "не готовий"
    assert words["off"] == ("Оновлення в реальному часі на цьому сервері вимкнено: табло не "
                            "показує цифр.")


def test_alert_kinds_and_messages_in_the_page_language(site: dict[str, Any]) -> None:
    page = site["lead"].get("/alerts?lang=uk").text
    options = re.findall(r'<option value="([a-z_]+)"[^>]*>([^<]+)</option>', page)
    assert options[:3] == [("sl_below", "рівень сервісу нижче"),
                           ("abandon_over", "частка втрачених вища"),
                           ("longest_wait_over", "найдовше очікування більше")]
    assert ("not_ready_over", "не готовий довше") in options
    assert [k for k, _ in options] == list(ALERT_KINDS) == list(ALERT_KIND_NAMES)
    assert "Спрацьовує, коли звернення в черзі чекає довше за поріг у секундах." in page
    assert "<td>відкрито чатів: 3, ліміт 2</td>" in page
    assert '<td translate="no">оператор a7</td>' in page
    assert "<td>надіслано</td>" in page


def test_alert_message_keeps_the_numbers() -> None:
    assert alert_message("service level 61.5% below 80%", "ru") == \
        "уровень сервиса 61.5% ниже 80%"
    assert alert_message("longest wait 95 s over 60 s", "uk") == \
        "найдовше очікування 95 с більше 60 с"
    assert alert_message("voice/sales is unavailable to customers", "ru") == \
        "voice/sales недоступен клиентам"
    assert alert_message("3 chats open, capacity 2", "en") == "3 chats open, capacity 2"
    assert alert_message("something else", "ru") == "something else"
    facts = {"kind": "sl_below", "value": 0.62, "threshold": 0.8, "unit": "ratio",
             "subject": {"tenant": "A", "queue": "Sales", "channel": "voice"},
             "held_s": 300}
    assert sentence(facts) == "SL 62 % < 80 % on queue Sales (voice, A) for 5 min"
    assert sentence(facts, translator("ru")) == \
        "Уровень сервиса 62 % < 80 %: очередь Sales (голос, A) уже 5 мин"
    assert sentence(facts, translator("uk")) == \
        "Рівень сервісу 62 % < 80 %: черга Sales (голос, A) вже 5 хв"


def test_qa_statuses_kinds_and_contact_card_translated(site: dict[str, Any]) -> None:
    lead = site["lead"]
    evaluation = lead.get(f"{site['evaluation']}?lang=ru").text
    assert ('<span id="evaluation-status" data-status="submitted">отправлена</span>'
            in evaluation)
    overview = lead.get("/qa?lang=uk").text
    assert "<td>надіслано</td>" in overview
    assert ", будь-який)</li>" in overview
    assert '<option value="any">будь-який</option>' in overview
    form = lead.get(f"{site['pages']['qa-form']}?lang=ru").text
    assert "каналы: любой" in form
    card = lead.get(f"{site['pages']['qa-evaluate']}?lang=ru").text
    labels = re.findall(r'<th scope="row">([^<]+)</th>', card)
    assert labels[:10] == ["обращение", "канал", "очередь", "оператор", "клиент", "тема",
                           "поступило", "первый ответ", "конец", "решено"]
    sample = lead.get(f"{site['pages']['qa-sample']}?lang=uk").text
    assert sample.count("<td>очікує</td>") >= 1


def test_every_new_word_has_both_translations() -> None:
    for lang in ("ru", "uk"):
        _ = translator(lang)
        for word in ("pending", "submitted", "acknowledged", "disputed", "any", "text",
                     "admin", "supervisor", "client", "available", "not_ready", "logged_out",
                     *ALERT_KIND_NAMES.values()):
            assert _(word) != word, (lang, word)


def test_login_messages_in_the_page_language(site: dict[str, Any]) -> None:
    client = TestClient(site["app"])
    token = re.findall(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)[0]
    wrong = client.post("/login?lang=ru", data={"username": "lead", "password": "not it",
                                               "csrf_token": token, "next": "/"})
    assert wrong.status_code == 401 and wrong.url.path == "/login"
    assert wrong.headers["www-authenticate"] == 'Bearer realm="OmniKPI"'
    assert '<p class="error" id="login-error">Неверное имя пользователя или пароль</p>' \
        in wrong.text
    # a link cannot make the login page say something of its own
    crafted = client.get("/login?lang=uk&error=Call++1-555+to+unlock").text
    assert "Call" not in crafted
    assert "Неправильне ім&#39;я користувача або пароль" in crafted
    waited = client.get("/login?lang=uk&error=too+many+failed+logins%3B+try+again+in+42+s")
    assert "Забагато невдалих входів; спробуйте знову через 42 с" in waited.text

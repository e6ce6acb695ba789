"""The drill-down's messages in the page's language, and its XLSX's period.

A user test on the demo data found the drill-down page showing the engine's English
("to must be after from (the window is [from, to))", "cannot sort by 'bogus'…") on
Russian and Ukrainian pages, where the dashboard says the same in the reader's language;
a refused parameter's expectation left in English inside a Russian sentence
(«…недопустимое значение (a finite number from 0 to 1,000,000,000)»); and the drill's XLSX
saying "2024-03-05 — 2024-03-06" for the one day 5 March (the window's exclusive end).
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from omnikpi.errors import UsageError
from omnikpi.web.i18n import translator
from omnikpi.web.page_errors import page_message
from tests.web.test_every_page import NOT_WORDS_OF_THE_INTERFACE, english_words

LATIN = re.compile(r"[A-Za-z]{2,}")
TYPED = {"Mars", "Olympus", "bogus"}
"""Latin words the test types into the address (they are quoted back, as typed)."""
ALLOWED = NOT_WORDS_OF_THE_INTERFACE | TYPED | {"Europe", "Kyiv", "America", "New_York"}


@pytest.fixture(scope="module")
def client(make_app: Callable[..., FastAPI]) -> TestClient:
    return TestClient(make_app())


def message_of(text: str) -> str:
    found = re.search(r'id="message"[^>]*>(.*?)</p>', text, re.S)
    assert found, text[-2000:]
    return html.unescape(found.group(1)).strip()


def error_of(text: str) -> str:
    found = re.search(r'id="error-message"[^>]*>(.*?)</p>', text, re.S)
    assert found, text[-2000:]
    return html.unescape(found.group(1)).strip()


REVERSED = "metric=aht&from=2024-03-06&to_day=2024-03-04"
BAD_INPUTS = {
    "reversed window": REVERSED,
    "unknown zone": "metric=aht&tz=Mars/Olympus",
    "bad date": "metric=aht&from=2024-13-45",
    "bad sort": "metric=aht&sort=bogus",
    "page 0": "metric=aht&page=0",
    "bad part": "metric=aht&part=x",
}
SAID = {
    ("reversed window", "ru"): "Дата «По» раньше даты «С»: выберите дату «По» не раньше даты "
                               "«С» (оба дня включаются).",
    ("reversed window", "uk"): "Дата «По» раніша за дату «З»: виберіть дату «По» не ранішу "
                               "за дату «З» (обидва дні включно).",
    ("unknown zone", "ru"): "Неизвестный часовой пояс «Mars/Olympus»",
    ("unknown zone", "uk"): "Невідомий часовий пояс «Mars/Olympus»",
    ("bad date", "ru"): "«2024-13-45» — не дата.",
    ("bad date", "uk"): "«2024-13-45» — не дата.",
    ("bad sort", "ru"): "Строки нельзя упорядочить по «bogus»",
    ("bad sort", "uk"): "Рядки не можна впорядкувати за «bogus»",
    ("page 0", "ru"): "Номер страницы — от 1 до 1\u00a0000\u00a0000",
    ("page 0", "uk"): "Номер сторінки — від 1 до 1\u00a0000\u00a0000",
    ("bad part", "ru"): "Выберите, какие строки показать",
    ("bad part", "uk"): "Виберіть, які рядки показати",
}


@pytest.mark.parametrize("lang", ["ru", "uk"])
@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_a_bad_drill_input_is_said_in_the_pages_language(client: TestClient, case: str,
                                                         lang: str) -> None:
    page = client.get(f"/drill?{BAD_INPUTS[case]}&lang={lang}")
    assert page.status_code == 400
    said = message_of(page.text)
    assert english_words([said], ALLOWED) == [], said
    assert SAID[case, lang] in said, said


def test_the_reversed_window_reads_as_the_dashboard_says_it(client: TestClient) -> None:
    """The same input, the same sentence on the drill-down as on the dashboard."""
    drill = message_of(client.get(f"/drill?{REVERSED}&lang=uk").text)
    dashboard = error_of(client.get("/?from=2024-03-06&to_day=2024-03-04&lang=uk").text)
    assert drill == dashboard


@pytest.mark.parametrize("lang", ["ru", "uk"])
def test_a_drill_download_with_a_bad_part_is_said_in_the_pages_language(
        client: TestClient, lang: str) -> None:
    """A download link a person opened: the error page in their language."""
    got = client.get(f"/drill.xlsx?metric=aht&part=x&lang={lang}",
                     headers={"accept": "text/html"})
    assert got.status_code == 400
    said = error_of(got.text)
    assert english_words([said], ALLOWED) == [] and SAID["bad part", lang] in said, said


@pytest.mark.parametrize(("lang", "said"), [
    ("ru", "Параметр service_level.threshold_seconds: «abc» — недопустимое значение: укажите "
           "число от 0 до 1\u00a0000\u00a0000\u00a0000."),
    ("uk", "Параметр service_level.threshold_seconds: «abc» — неприпустиме значення: вкажіть "
           "число від 0 до 1\u00a0000\u00a0000\u00a0000."),
])
def test_a_refused_parameter_value_says_what_is_expected_in_the_pages_language(
        client: TestClient, lang: str, said: str) -> None:
    query = "/?param=service_level.threshold_seconds=abc"
    page = client.get(f"{query}&lang={lang}")
    assert page.status_code == 400
    shown = error_of(page.text)
    assert shown == said
    # no Latin fragment but the parameter's name and the value typed
    rest = shown.replace("service_level.threshold_seconds", "").replace("abc", "")
    assert not LATIN.search(rest), shown
    # the English page keeps the engine's words
    assert error_of(client.get(f"{query}&lang=en").text) == (
        "Parameter service_level.threshold_seconds: “abc” is not a valid value (a finite "
        "number from 0 to 1,000,000,000).")


@pytest.mark.parametrize(("message", "lang", "said"), [
    ("bad value 'x' for parameter m.n: expected a whole number from 1 to 1,000,000,000",
     "ru", "Параметр m.n: «x» — недопустимое значение: укажите целое число от 1 до "
           "1\u00a0000\u00a0000\u00a0000."),
    ("bad value 'x' for parameter m.n: expected a finite number from 0.5 to 1,000,000,000",
     "uk", "Параметр m.n: «x» — неприпустиме значення: вкажіть число від 0,5 до "
           "1\u00a0000\u00a0000\u00a0000."),
    ("bad value 'x' for parameter m.n: expected true or false", "ru",
     "Параметр m.n: «x» — недопустимое значение: укажите 1 (да) или 0 (нет)."),
    ("bad value 'x' for parameter m.n: choose one of a1, b2", "uk",
     "Параметр m.n: «x» — неприпустиме значення: виберіть одне зі значень a1, b2."),
])
def test_every_kind_of_expectation_is_translated(message: str, lang: str, said: str) -> None:
    """The kinds ``Param.parse`` (metrics/base.py) words, numbers as the language writes
    them."""
    assert page_message(UsageError(message), translator(lang)) == said


PERIODS = {
    "from=2024-03-05&to_day=2024-03-05": "2024-03-05 — 2024-03-05",
    "from=2024-03-04&to_day=2024-03-06": "2024-03-04 — 2024-03-06",
    # a shared URL's exclusive day boundary: the last day, as the page says it
    "from=2024-03-04&to=2024-03-07": "2024-03-04 — 2024-03-06",
    # an instant is not a day: kept as given
    "from=2024-03-04T09:00&to=2024-03-04T11:00": "2024-03-04T09:00 — 2024-03-04T11:00",
}


def test_the_drill_xlsx_says_the_days_chosen(client: TestClient) -> None:
    """The sheet's period is the page's: the last day chosen, not the window's exclusive
    end (the CSV has no header: raw rows only)."""
    for query, period in PERIODS.items():
        got = client.get(f"/drill.xlsx?metric=offered&{query}&lang=en")
        assert got.status_code == 200
        sheet = load_workbook(io.BytesIO(got.content))["drill"]
        assert sheet["A6"].value == "Period" and sheet["B6"].value == period, query
        if "T" not in query:
            page = client.get(f"/drill?metric=offered&{query}&lang=en").text
            first, last = period.split(" — ")
            shown = re.search(r'id="period-days">(.*?)</span>', page)
            assert shown and shown.group(1) == f"{first} – {last}", query


@pytest.mark.parametrize(("query", "expected"), [
    # the drill form has no metric list and no parameter field: Apply sent the same bad
    # value again, a dead end but for editing the address
    ("metric=nope&channel=voice", "/?channel=voice&lang=uk"),
    ("metric=service_level&param=service_level.threshold_seconds=abc&channel=voice",
     "/drill?metric=service_level&channel=voice&lang=uk"),
    ("metric=aht&part=x&sort=bogus", "/drill?metric=aht&lang=uk"),
])
def test_a_value_the_drill_form_cannot_change_has_a_way_out(
        client: TestClient, query: str, expected: str) -> None:
    page = client.get(f"/drill?{query}&lang=uk")
    assert page.status_code == 400
    found = re.search(r'<a id="start-again" href="([^"]+)">([^<]+)</a>', page.text)
    assert found, page.text[-3000:]
    assert html.unescape(found.group(1)) == expected
    assert english_words([found.group(2)], ALLOWED) == [], found.group(2)
    assert client.get(html.unescape(found.group(1))).status_code == 200


@pytest.mark.parametrize("query", [
    "metric=aht&part=all&from=2024-03-06&to=2024-03-04",   # a value the form shows: the
    "metric=aht&part=all&as_of=garbage",                   # link kept it, and led back
    "metric=aht&part=all&tz=Mars/Base",                    # to the same refusal
    "metric=nope&from=2024-03-06&to=2024-03-04",
])
def test_a_value_the_form_can_change_has_no_link_back_to_it(client: TestClient,
                                                            query: str) -> None:
    page = client.get(f"/drill?{query}")
    assert page.status_code == 400 and 'id="start-again"' not in page.text

"""A QA form refused on /qa (the "New form or new version" form, the calibration form
with typed contact ids) keeps the QA page: HTTP 400, the form as typed, and the sentence
in the page's language next to it. It ended on the generic error page in English, the
form lost."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from omnikpi.auth.accounts import create_user
from omnikpi.store.db import session_scope
from omnikpi.web.i18n import translator
from omnikpi.web.routes.qa import QA_SENTENCES
from tests.web.conftest import csrf, log_in
from tests.web.tenants import write_two_tenants

PASSWORD = "quality-pass-1"
GOOD_ITEMS = ("Style | greet | Greets by the standard | 1 | no | no\n"
              "Content | correct | Gives correct information | 3 | yes | no\n")


@pytest.fixture(scope="module")
def app(make_app: Callable[..., FastAPI], tmp_path_factory: pytest.TempPathFactory
        ) -> FastAPI:
    """Contacts a-1, a-2 …, the admin ``lead``, the supervisor ``ann`` and form 1."""
    data = write_two_tenants(tmp_path_factory.mktemp("qa-form-errors") / "data")
    application = make_app(data, auth_required=True, live_updates=False)
    with session_scope(application.state.omnikpi.database_url) as session:
        create_user(session, "lead", PASSWORD, "admin")
        create_user(session, "ann", PASSWORD, "supervisor", all_tenants=True)
    lead = log_in(TestClient(application), "lead", PASSWORD)
    made = lead.post("/qa/forms", data={"csrf_token": csrf(lead, "/qa"), "key": "calls",
                                        "name": "Calls", "pass_score": "70",
                                        "items": GOOD_ITEMS}, follow_redirects=False)
    assert made.status_code == 303, made.text
    return application


@pytest.fixture(scope="module")
def lead(app: FastAPI) -> TestClient:
    return log_in(TestClient(app), "lead", PASSWORD)


def send(client: TestClient, path: str, lang: str, data: dict[str, str]) -> Response:
    """The form posted as a browser posts it (asking for HTML) on a page in ``lang``."""
    return client.post(f"{path}?lang={lang}", data={"csrf_token": csrf(client, "/qa"), **data},
                       headers={"accept": "text/html"}, follow_redirects=False)


def message(page: str) -> str:
    found = re.search(r'<p id="error-message">(.*?)</p>', page, re.S)
    assert found, page
    return html.unescape(found.group(1))


def form_of(page: str, form_id: str) -> str:
    found = re.search(rf'<form [^>]*id="{form_id}".*?</form>', page, re.S)
    assert found, page
    return html.unescape(found.group(0))


def value_of(form: str, name: str) -> str:
    found = re.search(rf'<input name="{name}"[^>]* value="([^"]*)"', form)
    assert found, (name, form)
    return found.group(1)


def selected_of(form: str, name: str) -> str:
    select = re.search(rf'<select name="{name}">(.*?)</select>', form, re.S)
    assert select, (name, form)
    found = re.search(r'<option value="([^"]*)"[^>]* selected', select.group(1))
    assert found, (name, form)
    return found.group(1)


def textarea_of(form: str, name: str) -> str:
    found = re.search(rf'<textarea name="{name}"[^>]*>\n?(.*?)</textarea>', form, re.S)
    assert found, (name, form)
    return found.group(1)


PASS_SCORE = {"en": "The pass score must be a number from 0 to 100.",
              "uk": "Прохідний бал — це число від 0 до 100.",
              "ru": "Проходной балл — это число от 0 до 100."}
WEIGHTS = {"en": "Weights must be numbers from 0 to 1,000,000, and not all 0.",
           "uk": "Ваги — числа від 0 до 1 000 000, і не всі нулі.",
           "ru": "Веса — числа от 0 до 1 000 000, и не все нули."}
BAD_FORMS: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    "pass score not a number": ({"pass_score": "abc"}, PASS_SCORE),
    "pass score over 100": ({"pass_score": "150"}, PASS_SCORE),
    "weight not a number": (
        {"items": "Style | greet | Greets | 1 | no | no\nContent | correct | Correct | x\n"},
        {"en": "Item line 2: the weight “x” is not a number.",
         "uk": "Рядок пунктів 2: вага «x» — не число.",
         "ru": "Строка пунктов 2: вес «x» — не число."}),
    "critical maybe": (
        {"items": "Style | greet | Greets | 1 | maybe | no\n"},
        {"en": "Item line 1: “critical” is “maybe”: write yes or no.",
         "uk": "Рядок пунктів 1: у полі «критичний» стоїть «maybe»: напишіть yes або no "
               "(так / ні).",
         "ru": "Строка пунктов 1: в поле «критичный» стоит «maybe»: напишите yes или no "
               "(да / нет)."}),
    "N/A allowed maybe, after an empty first line": (
        {"items": "\nStyle | greet | Greets | 1 | no | maybe\n"},
        {"en": "Item line 2: “N/A allowed” is “maybe”: write yes or no.",
         "uk": "Рядок пунктів 2: у полі «дозволено „незастосовно“» стоїть «maybe»: "
               "напишіть yes або no (так / ні).",
         "ru": "Строка пунктов 2: в поле «допускается „неприменимо“» стоит «maybe»: "
               "напишите yes или no (да / нет)."}),
    "duplicate item key": (
        {"items": "Style | greet | Greets | 1 | no | no\nStyle | greet | Again | 1 | no | no\n"},
        {"en": "Item keys must be unique; used on more than one line: greet.",
         "uk": "Ключі пунктів мають бути різними; у кількох рядках стоїть: greet.",
         "ru": "Ключи пунктов должны быть разными; в нескольких строках стоит: greet."}),
    "all weights 0": (
        {"items": "Style | greet | Greets | 0 | no | no\nContent | correct | Correct | 0\n"},
        WEIGHTS),
    "a negative weight": (
        {"items": "Style | greet | Greets | -1 | no | no\nContent | correct | Correct | 2\n"},
        WEIGHTS),
}


@pytest.mark.parametrize("lang", ["en", "uk", "ru"])
@pytest.mark.parametrize("case", sorted(BAD_FORMS))
def test_a_refused_qa_form_keeps_the_page_the_form_and_the_language(
        lead: TestClient, case: str, lang: str) -> None:
    bad, said = BAD_FORMS[case]
    typed = {"key": "sales-calls", "name": "Sales calls", "channel_kind": "voice",
             "pass_score": "75", "items": GOOD_ITEMS, **bad}
    answer = send(lead, "/qa/forms", lang, typed)
    assert answer.status_code == 400, answer.text
    page = answer.text
    assert 'id="qa-links"' in page  # the QA page, not the error page
    assert message(page) == said[lang]
    form = form_of(page, "form-form")
    assert value_of(form, "key") == typed["key"]
    assert value_of(form, "name") == typed["name"]
    assert value_of(form, "pass_score") == typed["pass_score"]
    assert selected_of(form, "channel_kind") == "voice"
    assert textarea_of(form, "items") == typed["items"]  # every line, as typed
    assert '<details id="new-form" open>' in page  # the form is shown, not folded
    # the page's other forms are as they always are
    assert value_of(form_of(page, "sample-form"), "name") != typed["name"]
    assert '<details id="typed-calibration">' in page


CALIBRATION = {"name": "w46", "form_id": "1", "contacts": "a-1  nosuch-1",
               "evaluators": "lead ann", "reference": "lead"}
BAD_CALIBRATIONS = {
    "unknown contact": (
        {},
        {"en": "Unknown contacts: nosuch-1. Type the ids of contacts you may see.",
         "uk": "Невідомі звернення: nosuch-1. Введіть номери звернень, які вам видно.",
         "ru": "Неизвестные обращения: nosuch-1. Введите номера обращений, которые вам "
               "видны."}),
    "unknown evaluators": (
        {"contacts": "a-1 a-2", "evaluators": "demo, ghost"},
        {"en": "No account is named demo, ghost: invite evaluators by the names of their "
               "accounts.",
         "uk": "Немає облікового запису з ім'ям demo, ghost: запросіть оцінювачів за "
               "іменами їхніх облікових записів.",
         "ru": "Нет учётной записи с именем demo, ghost: пригласите оценщиков по именам их "
               "учётных записей."}),
}


@pytest.mark.parametrize("lang", ["en", "uk", "ru"])
@pytest.mark.parametrize("case", sorted(BAD_CALIBRATIONS))
def test_a_refused_calibration_keeps_the_page_the_form_and_the_language(
        lead: TestClient, case: str, lang: str) -> None:
    bad, said = BAD_CALIBRATIONS[case]
    typed = {**CALIBRATION, **bad}
    answer = send(lead, "/qa/calibrations", lang, typed)
    assert answer.status_code == 400, answer.text
    page = answer.text
    assert 'id="qa-links"' in page
    assert message(page) == said[lang]
    form = form_of(page, "calibration-typed-form")
    for field in ("name", "contacts", "evaluators", "reference"):
        assert value_of(form, field) == typed[field], field
    assert selected_of(form, "form_id") == typed["form_id"]
    assert re.search(r'<details id="typed-calibration" open>', page)


def test_a_calibration_without_contacts_keeps_its_sentence(lead: TestClient) -> None:
    answer = send(lead, "/qa/calibrations", "uk", {**CALIBRATION, "contacts": ""})
    assert answer.status_code == 400
    assert message(answer.text) == \
        "Виберіть хоча б одне звернення і запросіть хоча б двох оцінювачів."
    assert value_of(form_of(answer.text, "calibration-typed-form"), "name") == "w46"


def test_a_script_still_gets_the_services_json(lead: TestClient) -> None:
    """A form posted without asking for HTML keeps the JSON answer and its message."""
    answer = lead.post("/qa/forms", data={"csrf_token": csrf(lead, "/qa"), "key": "k",
                                          "name": "K", "pass_score": "150",
                                          "items": GOOD_ITEMS})
    assert answer.status_code == 400
    assert answer.json()["detail"] == "form: pass_score must be a number from 0 to 100"
    unknown = lead.post("/qa/calibrations", data={"csrf_token": csrf(lead, "/qa"),
                                                  **CALIBRATION})
    assert unknown.status_code == 400
    assert unknown.json()["detail"] == "unknown contact(s): nosuch-1"


def test_good_forms_are_still_saved(lead: TestClient) -> None:
    made = send(lead, "/qa/forms", "uk", {"key": "chats", "name": "Chats",
                                          "channel_kind": "text", "pass_score": "80",
                                          "items": GOOD_ITEMS})
    assert made.status_code == 303 and made.headers["location"].startswith("/qa/forms/")
    started = send(lead, "/qa/calibrations", "uk", {**CALIBRATION, "contacts": "a-1 a-2"})
    assert started.status_code == 303
    assert started.headers["location"].startswith("/qa/calibrations/")
    page = lead.get("/qa?lang=en").text
    assert 'id="error-message"' not in page
    assert '<details id="new-form">' in page and '<details id="typed-calibration">' in page


@pytest.mark.parametrize("lang", ["ru", "uk"])
def test_every_sentence_of_the_qa_forms_is_translated(lang: str) -> None:
    _ = translator(lang)
    missing = [sentence for _pattern, sentence in QA_SENTENCES if _(sentence) == sentence]
    assert missing == []


def test_a_forms_weights_are_written_as_the_language_does(lead: TestClient) -> None:
    """Weights 1 and 2.5 read "1.0" and "2.5" on a Ukrainian page (Python's floats)."""
    made = send(lead, "/qa/forms", "uk", {
        "key": "weights", "name": "Weights", "channel_kind": "voice", "pass_score": "80",
        "items": "Style | greet | Greets | 1 | no | no\nStyle | close | Closes | 2.5 | no | no"})
    assert made.status_code == 303
    page = lead.get(made.headers["location"] + "?lang=uk").text
    cells = [c for c in re.findall(r"<td>([^<]*)</td>", page) if c.strip()]
    assert "1" in cells and "2,5" in cells and "1.0" not in cells and "2.5" not in cells

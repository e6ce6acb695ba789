"""A form refused when sent keeps its page: the report builder's "Save as" with a blank or
too long name, and the QA sample form with To before From, answer with the page as it was
(everything chosen still chosen, the values as typed) and a sentence in the page's
language — not an error page holding only a filter bar whose Apply went to the POST's
address (a 405), with pydantic's or the engine's English inside a Russian sentence."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from omnikpi.auth.accounts import create_user
from omnikpi.definitions import NAME_MAX
from omnikpi.store.db import session_scope
from omnikpi.store.models import SavedReport
from omnikpi.web.i18n import translator
from omnikpi.web.limits import NAME_CHARS
from tests.web.conftest import csrf, log_in
from tests.web.test_every_page import NOT_WORDS_OF_THE_INTERFACE, english_words

PASSWORD = "failed-forms-pass-1"
QUERY = "metrics=offered,service_level&by=queue&grain=day&tz=Europe/Kyiv&channel=voice"
HTML = {"accept": "text/html"}
FORM = re.compile(r"<form\b([^>]*)>")


@pytest.fixture(scope="module")
def app(make_app: Callable[..., FastAPI]) -> FastAPI:
    application = make_app(auth_required=True, live_updates=False)
    with session_scope(application.state.omnikpi.database_url) as session:
        create_user(session, "admin", PASSWORD, "admin")
    return application


@pytest.fixture
def admin(app: FastAPI) -> TestClient:
    return log_in(TestClient(app), "admin", PASSWORD)


def message(page: str) -> str:
    found = re.search(r'<p id="error-message">(.*?)</p>', page, re.S)
    assert found, page[:2000]
    return html.unescape(found.group(1)).strip()


def forms(page: str) -> dict[str, dict[str, str]]:
    """Each form's attributes by its id (or its action when it has none)."""
    out = {}
    for attributes in FORM.findall(page):
        attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', attributes))
        out[attrs.get("id") or attrs.get("action", "")] = attrs
    return out


def no_form_reads_the_post(page: str, posted: str, own: str) -> None:
    """The page's filter form targets the page itself: no GET form sends to the address
    of the POST that failed (its Apply answered 405 "Method Not Allowed")."""
    found = forms(page)
    for attrs in found.values():
        if attrs.get("method", "get").lower() == "get":
            assert attrs.get("action") != posted, attrs
    if "filters" in found:
        assert found["filters"]["action"] == own, found["filters"]


def checked(page: str, cls: str, value: str) -> bool:
    return re.search(rf'class="{cls}" value="{value}"\s+checked', page) is not None


def builder_kept(page: str) -> None:
    """The builder with the metrics, cuts and filters of the query still chosen."""
    assert FORM.search(page) and forms(page)["builder"]["action"] == "/builder"
    assert checked(page, "metric", "offered") and checked(page, "metric", "service_level")
    assert not checked(page, "metric", "aht")
    assert checked(page, "dim", "queue")
    assert 'id="metrics-field" value="offered,service_level"' in page
    assert 'id="save-form"' in page and f'maxlength="{NAME_MAX}"' in page
    save_name = re.search(r'<input name="name" id="save-name"[^>]*>', page)
    assert save_name and "required" in save_name.group(0)
    no_form_reads_the_post(page, "/builder/save", "/builder")


def in_language(text: str, lang: str) -> None:
    assert text and english_words([text], NOT_WORDS_OF_THE_INTERFACE) == [], text
    assert re.search("[а-яіїєґ]", text, re.I), text
    assert "String should have" not in text and "saved report" not in text


@pytest.mark.parametrize(("name", "status"), [
    ("Ш" * (NAME_MAX + 20), 400),  # over the name's limit, within the form's
    ("x" * (NAME_CHARS + 50), 422),  # over the form's limit (the field says maxlength)
])
@pytest.mark.parametrize("lang", ["ru", "uk"])
def test_a_too_long_name_keeps_the_builder_with_a_translated_sentence(
        admin: TestClient, app: FastAPI, name: str, status: int, lang: str) -> None:
    saved = admin.post(f"/builder/save?lang={lang}", headers=HTML, data={
        "csrf_token": csrf(admin), "name": name, "query": QUERY}, follow_redirects=False)
    assert saved.status_code == status, saved.text[:500]
    page = saved.text
    builder_kept(page)
    assert f'value="{name}"' in page  # the name as typed, to shorten
    assert 'id="preview-table"' in page  # the preview stays
    said = message(page)
    in_language(said, lang)
    assert str(len(name)) in said and str(NAME_MAX) in said
    assert said == translator(lang)(
        "The name has {length} characters: a report name has at most {limit}. Shorten it "
        "and save again.").format(length=len(name), limit=NAME_MAX)
    with session_scope(app.state.omnikpi.database_url) as session:
        assert session.query(SavedReport).count() == 0


@pytest.mark.parametrize("name", ["", "   "])
@pytest.mark.parametrize("lang", ["ru", "uk"])
def test_a_blank_name_keeps_the_builder_with_a_translated_sentence(
        admin: TestClient, name: str, lang: str) -> None:
    saved = admin.post(f"/builder/save?lang={lang}", headers=HTML, data={
        "csrf_token": csrf(admin), "name": name, "query": QUERY}, follow_redirects=False)
    assert saved.status_code == 400, saved.text[:500]
    builder_kept(saved.text)
    said = message(saved.text)
    in_language(said, lang)
    assert said == translator(lang)("Type a name to save the report under.")


def test_a_good_name_still_saves(admin: TestClient) -> None:
    name = "Я" * NAME_MAX
    saved = admin.post("/builder/save", data={"csrf_token": csrf(admin), "name": name,
                                              "query": QUERY}, follow_redirects=False)
    assert saved.status_code == 303, saved.text[:500]


@pytest.mark.parametrize("lang", ["uk", "ru"])
def test_a_reversed_sample_period_keeps_the_qa_page_as_typed(admin: TestClient,
                                                             lang: str) -> None:
    drawn = admin.post(f"/qa/samples?lang={lang}", headers=HTML, data={
        "csrf_token": csrf(admin, "/qa"), "name": "березень", "rate": "0.05", "seed": "7",
        "min_per_agent": "3", "from": "2024-03-06", "to": "2024-03-04", "evaluator": "admin",
        "risk": "1"}, follow_redirects=False)
    assert drawn.status_code == 400, drawn.text[:500]
    page = drawn.text
    assert 'id="sample-form"' in page and 'id="qa-links"' in page  # the QA page
    sample_form = page[page.index('id="sample-form"'):]
    sample_form = sample_form[:sample_form.index("</form>")]
    for typed in ('name="from" value="2024-03-06"', 'name="to" value="2024-03-04"',
                  'value="березень"', 'name="rate" value="0.05"', 'name="seed" value="7"',
                  'name="min_per_agent" value="3"', 'id="risk" checked'):
        assert typed in sample_form, typed
    said = message(page)
    in_language(said, lang)
    assert said == translator(lang)(
        "The To date is before the From date: choose a To date on or after the From date "
        "(both days are included).")
    no_form_reads_the_post(page, "/qa/samples", "/qa")
    assert 'action="/qa/samples"' not in re.sub(r'<form method="post" action="/qa/samples"',
                                                "", page)


def test_an_unknown_sample_zone_keeps_the_qa_page_and_saves_nothing(admin: TestClient
                                                                     ) -> None:
    """Without From or To the zone was never read, and the sample was saved with
    "Mars/Base" as its zone (its page said so)."""
    drawn = admin.post("/qa/samples?lang=en", headers=HTML, data={
        "csrf_token": csrf(admin, "/qa"), "name": "nowhere", "rate": "0.05", "seed": "7",
        "tz": "Mars/Base"}, follow_redirects=False)
    assert drawn.status_code == 400, drawn.text[:500]
    assert 'id="sample-form"' in drawn.text and "Mars/Base" in drawn.text
    assert "nowhere" not in admin.get("/qa").text.split('id="sample-form"')[0]


def test_a_sample_of_a_period_without_contacts_is_refused_in_words(admin: TestClient
                                                                    ) -> None:
    """A period after the data saved "0 of 0" for the evaluator with no sentence."""
    drawn = admin.post("/qa/samples?lang=uk", headers=HTML, data={
        "csrf_token": csrf(admin, "/qa"), "name": "порожня", "rate": "0.05", "seed": "7",
        "from": "2030-01-01", "to": "2030-01-02"}, follow_redirects=False)
    assert drawn.status_code == 400, drawn.text[:500]
    assert ("У цьому періоді немає оброблених звернень для вибірки: нічого не збережено. "
            "Оберіть інший період.") in drawn.text
    assert 'value="порожня"' in drawn.text  # the form as typed


@pytest.mark.parametrize(("fields", "sentence"), [
    ({"key": "calls", "name": "Дзвінки", "items": ""},
     "У формі потрібен хоча б один пункт: введіть по одному пункту в рядку."),
    ({"key": "calls", "name": "", "items": "Style | greet | Greets"},
     "Формі потрібна назва: за нею оцінювачі обирають форму.")])
def test_a_form_without_items_or_name_keeps_the_qa_page_as_typed(
        admin: TestClient, fields: dict[str, str], sentence: str) -> None:
    """A form sent with no item lines was the framework's bare page "items is needed",
    the form lost; one with no name was saved nameless."""
    sent = admin.post("/qa/forms?lang=uk", headers=HTML, data={
        "csrf_token": csrf(admin, "/qa"), **fields}, follow_redirects=False)
    assert sent.status_code == 400, sent.text[:500]
    assert message(sent.text) == sentence
    assert 'id="form-form"' in sent.text and 'value="calls"' in sent.text


def test_a_script_still_gets_json(admin: TestClient) -> None:
    """A form posted by a script that does not ask for HTML keeps the JSON answer."""
    drawn = admin.post("/qa/samples", data={
        "csrf_token": csrf(admin, "/qa"), "name": "s", "rate": "1", "seed": "1",
        "from": "2024-03-06", "to": "2024-03-04"}, follow_redirects=False)
    assert drawn.status_code == 400 and "to must be after from" in drawn.json()["detail"]


def test_a_posted_form_refused_by_the_framework_has_no_filter_form_to_its_address(
        admin: TestClient) -> None:
    """A POST the framework refuses (the query field missing) answers the shared error
    page, whose filter form read the POST's address: its Apply answered 405."""
    refused = admin.post("/builder/save?lang=uk", data={"csrf_token": csrf(admin),
                                                        "name": "x"}, headers=HTML)
    assert refused.status_code == 422 and "text/html" in refused.headers["content-type"]
    no_form_reads_the_post(refused.text, "/builder/save", "/builder")
    assert 'id="filters"' not in refused.text


@pytest.mark.parametrize(("name", "said"), [
    ("a\x07b", "У назві є керівний або невидимий символ: введіть її заново без цього символу."),
    ("!!!", "У назві звіту має бути хоча б одна літера або цифра."),
])
def test_a_name_of_control_characters_or_no_letters_is_said_in_the_pages_language(
        admin: TestClient, name: str, said: str) -> None:
    refused = admin.post("/builder/save?lang=uk", data={
        "csrf_token": csrf(admin), "name": name, "query": QUERY}, follow_redirects=False)
    assert refused.status_code == 400
    assert message(refused.text) == said
    builder_kept(refused.text)

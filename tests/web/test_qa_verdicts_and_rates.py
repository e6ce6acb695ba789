"""The QA pages a QA lead reads every day, on the two-tenant dataset (tenant A: agents a1
and a2; contact a-1 arrived 2026-11-02 09:00 UTC, a-2 09:10, a-4 — a chat with two
messages — 10:00).

Hand-worked: the form weighs greet 1, correct 3 (critical), offer 1 (N/A allowed), pass
score 70. a-1 all met: 100, passed. a-2 greet and offer not met: 3 / 5 = 60, below 70:
failed. a-4 correct not met: 2 / 5 = 40 and a critical error: failed. A form without a pass
score gives no verdict unless a critical item failed.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from omnikpi.auth.accounts import create_user
from omnikpi.qa.forms import passes
from omnikpi.store.db import session_scope
from omnikpi.store.models import QaEvaluation, QaSample
from tests.web.conftest import csrf, log_in
from tests.web.tenants import write_two_tenants

PASSWORD = "round-two-pass-1"
ITEMS = ("Style | greet | Greets by the standard | 1 | no | no\n"
         "Content | correct | Gives correct information | 3 | yes | no\n"
         "Content | offer | Makes the relevant offer | 1 | no | yes\n")
NNBSP = "\u202f"


@pytest.fixture(scope="module")
def app(make_app: Callable[..., FastAPI], tmp_path_factory: pytest.TempPathFactory
        ) -> FastAPI:
    data = write_two_tenants(tmp_path_factory.mktemp("qa-verdicts") / "data")
    application = make_app(data, auth_required=True, live_updates=False)
    with session_scope(application.state.omnikpi.database_url) as session:
        create_user(session, "lead", PASSWORD, "admin")
        create_user(session, "a1-person", PASSWORD, "agent", tenant="A", agent_id="a1")
    return application


@pytest.fixture(scope="module")
def lead(app: FastAPI) -> TestClient:
    return log_in(TestClient(app), "lead", PASSWORD)


def make_form(lead: TestClient, key: str, pass_score: str) -> str:
    made = lead.post("/qa/forms", data={"csrf_token": csrf(lead, "/qa"), "key": key,
                                        "name": key.title(), "channel_kind": "any",
                                        "pass_score": pass_score, "items": ITEMS},
                     follow_redirects=False)
    assert made.status_code == 303, made.text
    return str(made.headers["location"].rsplit("/", 1)[1])


def sample_items(lead: TestClient, name: str) -> dict[str, int]:
    """A sample of every handled contact (rate 1, a share: the API's format) → contact id
    → its sample item."""
    drawn = lead.post("/qa/samples", data={"csrf_token": csrf(lead, "/qa"), "name": name,
                                           "rate": "1", "seed": "1", "min_per_agent": "1"},
                      follow_redirects=False)
    assert drawn.status_code == 303, drawn.text
    page = lead.get(drawn.headers["location"]).text
    return {c: int(i) for c, i in re.findall(
        r'<tr><td translate="no">([^<]+)</td>(?:(?!<tr>).)*?href="/qa/evaluate/(\d+)"', page,
        re.S)}


def evaluate(lead: TestClient, item: int, form_id: str, failing: set[str]) -> int:
    url = f"/qa/evaluate/{item}?form_id={form_id}"
    page = lead.get(url).text
    answers = {name: "0" if key in failing else "1" for name, key in re.findall(
        r'name="(item_\d+)" value="0" data-key="([^"]+)"', page)}
    done = lead.post(f"/qa/evaluate/{item}", data={
        "csrf_token": csrf(lead, url), "form_id": form_id, "comment": "", **answers},
        follow_redirects=False)
    assert done.status_code == 303, done.text
    return int(done.headers["location"].rsplit("/", 1)[1])


def text_of(page: str, element_id: str) -> str:
    """The text of the element of id ``element_id``, tags dropped, spaces collapsed."""
    found = re.search(rf'<(\w+)[^>]* id="{element_id}"[^>]*>(.*?)</\1>', page, re.S)
    assert found, element_id
    # spaces collapsed, not the narrow no-break space a Russian date keeps before "г."
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(re.sub(r"<[^>]+>", "", found.group(2)))
                  ).strip()


@pytest.fixture(scope="module")
def evaluations(app: FastAPI, lead: TestClient) -> dict[str, int]:
    form_id = make_form(lead, "calls", "70")
    no_pass = make_form(lead, "nopass", "")
    items = sample_items(lead, "every contact")
    made = {"passed": evaluate(lead, items["a-1"], form_id, set()),
            "below": evaluate(lead, items["a-2"], form_id, {"greet", "offer"}),
            "critical": evaluate(lead, items["a-4"], form_id, {"correct"}),
            "no pass score": evaluate(lead, items["a-5"], no_pass, set())}
    with session_scope(app.state.omnikpi.database_url) as session:
        session.execute(update(QaEvaluation).where(QaEvaluation.id == made["passed"]).values(
            evaluated_at=datetime(2026, 11, 3, 14, 5, tzinfo=UTC)))
    return made


def test_an_evaluation_says_when_the_contact_was_and_when_it_was_evaluated(
        lead: TestClient, evaluations: dict[str, int]) -> None:
    url = f"/qa/evaluations/{evaluations['passed']}"
    for lang, contact, evaluated in (
            ("en", "Nov 2, 2026, 09:00", "Nov 3, 2026, 14:05"),
            ("ru", f"2 нояб. 2026{NNBSP}г., 09:00", f"3 нояб. 2026{NNBSP}г., 14:05"),
            ("uk", f"2 лист. 2026{NNBSP}р., 09:00", f"3 лист. 2026{NNBSP}р., 14:05")):
        page = lead.get(url, params={"lang": lang}).text
        assert text_of(page, "contact-at") == contact
        assert text_of(page, "evaluated-at") == evaluated
        assert 'datetime="2026-11-03T14:05:00+00:00"' in page
        assert 'datetime="2026-11-02T09:00:00+00:00"' in page


def test_an_evaluation_gives_its_verdict_against_the_pass_score(
        lead: TestClient, evaluations: dict[str, int]) -> None:
    said = {name: lead.get(f"/qa/evaluations/{number}", params={"lang": "en"}).text
            for name, number in evaluations.items()}
    assert text_of(said["passed"], "verdict") == \
        "Passed: the score 100.00 is at or above the pass score 70."
    assert text_of(said["below"], "verdict") == \
        "Failed: the score 60.00 is below the pass score 70."
    assert text_of(said["critical"], "verdict") == (
        "Failed: critical error — a critical item was not met, whatever the score. "
        "The score 40.00 is also below the pass score 70.")
    assert text_of(said["no pass score"], "verdict") == \
        "No verdict: this form has no pass score."
    verdicts = {name: re.search(r'data-verdict="(\w+)"', page) for name, page in said.items()}
    assert {name: v.group(1) for name, v in verdicts.items() if v} == {
        "passed": "pass", "below": "fail", "critical": "fail", "no pass score": "none"}
    assert 'id="critical"' in said["critical"]
    assert 'id="critical"' not in said["below"] and 'id="critical"' not in said["passed"]
    assert text_of(said["below"], "pass-score") == "70"
    russian = lead.get(f"/qa/evaluations/{evaluations['below']}", params={"lang": "ru"}).text
    assert text_of(russian, "verdict") == "Не пройдено: балл 60,00 ниже проходного балла 70."
    ukrainian = lead.get(f"/qa/evaluations/{evaluations['critical']}",
                         params={"lang": "uk"}).text
    assert text_of(ukrainian, "verdict").startswith("Не пройдено: критична помилка — ")


def test_the_verdict_is_the_calibration_verdict() -> None:
    """One rule, shared with calibration sessions' "same verdict"."""
    assert passes(70.0, False, 70.0) and not passes(69.99, False, 70.0)
    assert not passes(100.0, True, 70.0) and not passes(100.0, True, None)
    assert passes(10.0, False, None)


def test_an_evaluation_links_to_its_contact_with_the_transcript(
        lead: TestClient, evaluations: dict[str, int]) -> None:
    page = lead.get(f"/qa/evaluations/{evaluations['critical']}", params={"lang": "en"}).text
    assert re.search(r'<a href="#contact" id="contact-link"[^>]*>a-4</a>', page)
    contact = page[page.index('id="contact"'):]
    assert "a-4" in contact and 'id="transcript"' in contact
    assert contact.count("<li class=") == 2  # the chat's two messages
    assert "cust-a4" in contact  # the contact's card


def test_an_agent_reads_their_evaluation_with_its_verdict_and_contact(
        app: FastAPI, evaluations: dict[str, int]) -> None:
    agent = log_in(TestClient(app), "a1-person", PASSWORD)
    page = agent.get(f"/qa/evaluations/{evaluations['below']}", params={"lang": "en"})
    assert page.status_code == 200
    assert text_of(page.text, "verdict").startswith("Failed:")
    assert re.search(r'id="contact-link"[^>]*>a-2</a>', page.text)
    assert text_of(page.text, "contact-at") == "Nov 2, 2026, 09:10"


def test_the_coaching_session_headers_are_distinct_in_every_language(
        lead: TestClient, evaluations: dict[str, int]) -> None:
    made = lead.post("/qa/coaching", data={
        "csrf_token": csrf(lead, "/qa/coaching"), "subject": str(evaluations["passed"]),
        "held_on": "2026-11-02", "item": ["greet"], "actions": "Greet by the script"},
        follow_redirects=False)
    assert made.status_code == 303, made.text
    expected = {
        "en": ["item", "score before", "evaluations before", "score after",
               "evaluations after", "change"],
        "ru": ["пункт", "балл до", "оценок до", "балл после", "оценок после", "изменение"],
        "uk": ["пункт", "бал до", "оцінок до", "бал після", "оцінок після", "зміна"]}
    for lang, headers in expected.items():
        page = lead.get(made.headers["location"], params={"lang": lang}).text
        table = page[page.index('id="before-after"'):page.index("</thead>")]
        assert re.findall(r"<th[^>]*>([^<]+)</th>", table) == headers
        history = lead.get("/qa/coaching", params={"lang": lang}).text
        history = history[history.index('id="coaching-history"'):]
        shown = re.findall(r"<th[^>]*>([^<]+)</th>", history[:history.index("</thead>")])
        assert len(set(shown)) == len(shown) == 5, shown


def test_the_sampling_rate_is_typed_and_shown_as_a_percent(
        app: FastAPI, lead: TestClient) -> None:
    form = lead.get("/qa", params={"lang": "en"}).text
    form = form[form.index('id="sample-form"'):]
    form = form[:form.index("</form>")]
    assert "sampling rate, % of contacts" in form
    assert re.search(r'name="rate" value="3"[^>]* max="100"', form)
    assert '<input type="hidden" name="rate_unit" value="percent">' in form
    # the page sends 2.5 (%): the sample stores the share, and says 2.5 %
    drawn = lead.post("/qa/samples", data={
        "csrf_token": csrf(lead, "/qa"), "name": "two and a half", "rate": "2.5",
        "rate_unit": "percent", "seed": "1", "min_per_agent": "1"}, follow_redirects=False)
    assert drawn.status_code == 303, drawn.text
    # a script sends the share, as the CLI's --rate takes it
    scripted = lead.post("/qa/samples", data={
        "csrf_token": csrf(lead, "/qa"), "name": "three", "rate": "0.03", "seed": "1",
        "min_per_agent": "1"}, follow_redirects=False)
    assert scripted.status_code == 303, scripted.text
    with session_scope(app.state.omnikpi.database_url) as session:
        rates = dict(session.execute(select(QaSample.name, QaSample.rate)).tuples().all())
    assert rates["two and a half"] == pytest.approx(0.025)
    assert rates["three"] == pytest.approx(0.03)
    assert text_of(lead.get(drawn.headers["location"], params={"lang": "en"}).text,
                   "sample-rate") == "2.5 %"
    assert text_of(lead.get(drawn.headers["location"], params={"lang": "ru"}).text,
                   "sample-rate") == "2,5 %"
    assert text_of(lead.get(scripted.headers["location"], params={"lang": "uk"}).text,
                   "sample-rate") == "3 %"
    listed = lead.get("/qa", params={"lang": "en"}).text.split('id="qa-samples"')[1]
    assert '<td class="sample-rate">2.5 %</td>' in listed.split("two and a half")[1]


@pytest.mark.parametrize("lang", ["en", "ru", "uk"])
def test_a_percent_over_100_is_refused_as_a_percent(lead: TestClient, lang: str) -> None:
    refused = lead.post(f"/qa/samples?lang={lang}", headers={"Accept": "text/html"}, data={
        "csrf_token": csrf(lead, "/qa"), "name": "too many", "rate": "150",
        "rate_unit": "percent", "seed": "1"}, follow_redirects=False)
    assert refused.status_code == 400, refused.text[:300]
    said = text_of(refused.text, "error-message")
    assert said == {
        "en": "The sampling rate is a percent of the handled contacts: more than 0 and at "
              "most 100, such as 3 for 3 %.",
        "ru": "Доля выборки указывается в процентах от обработанных обращений: больше 0 и "
              "не больше 100, например 3 для 3 %.",
        "uk": "Частка вибірки вказується у відсотках від оброблених звернень: більше 0 і "
              "не більше 100, наприклад 3 для 3 %."}[lang]
    form = refused.text[refused.text.index('id="sample-form"'):]
    assert 'name="rate" value="150"' in form
    assert '<input type="hidden" name="rate_unit" value="percent">' in form
    # a script's share over 1 is still refused as a share
    script = lead.post("/qa/samples", data={"csrf_token": csrf(lead, "/qa"), "name": "x",
                                            "rate": "3", "seed": "1"})
    assert script.status_code == 400 and "share between 0 and 1" in script.json()["detail"]

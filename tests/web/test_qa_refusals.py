"""QA refusals and permissions found by an exploratory pass: who may save the operator's
forms, blank form items, a sample sent again with another risk or zone, refusals said in
the page's language, an agent's answer given once, and a client reading the calibration
evaluations it made."""

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
from omnikpi.store.models import QaEvaluation, QaForm
from tests.web.conftest import csrf, log_in
from tests.web.tenants import write_two_tenants

PASSWORD = "quality-pass-1"
ITEMS = ("Style | greet | Greets by the standard | 1 | no | no\n"
         "Content | correct | Gives correct information | 3 | yes | no\n"
         "Content | offer | Makes the relevant offer | 1 | no | yes\n")


@pytest.fixture(scope="module")
def app(make_app: Callable[..., FastAPI], tmp_path_factory: pytest.TempPathFactory
        ) -> FastAPI:
    """Tenants A (site kyiv) and B; the admin ``lead`` has saved the voice form (id 1)."""
    data = write_two_tenants(tmp_path_factory.mktemp("qa-refusals") / "data")
    application = make_app(data, auth_required=True, live_updates=False)
    with session_scope(application.state.omnikpi.database_url) as session:
        create_user(session, "lead", PASSWORD, "admin")
        create_user(session, "kyivsup", PASSWORD, "supervisor", sites=["kyiv"])
        create_user(session, "sup-a", PASSWORD, "supervisor", tenant="A")
        create_user(session, "a1-person", PASSWORD, "agent", tenant="A", agent_id="a1")
        create_user(session, "client-a", PASSWORD, "client", tenant="A")
        create_user(session, "client-a2", PASSWORD, "client", tenant="A")
    lead = log_in(TestClient(application), "lead", PASSWORD)
    made = lead.post("/qa/forms", data={"csrf_token": csrf(lead, "/qa"), "key": "voice",
                                        "name": "Voice", "channel_kind": "voice",
                                        "pass_score": "70", "items": ITEMS},
                     follow_redirects=False)
    assert (made.status_code, made.headers["location"]) == (303, "/qa/forms/1")
    return application


def login(app: FastAPI, user: str) -> TestClient:
    return log_in(TestClient(app), user, PASSWORD)


def send(client: TestClient, path: str, lang: str, data: dict[str, str],
         page: str = "/qa") -> Response:
    """The form posted as a browser posts it (asking for HTML) on a page in ``lang``."""
    return client.post(f"{path}?lang={lang}", data={"csrf_token": csrf(client, page), **data},
                       headers={"accept": "text/html"}, follow_redirects=False)


def message(page: str) -> str:
    found = re.search(r'<p id="error-message">(.*?)</p>', page, re.S)
    assert found, page
    return html.unescape(found.group(1)).strip()


def evaluation_of_a1(app: FastAPI, contact: str = "a-1") -> int:
    """A fresh evaluation of agent a1 (tenant A) made with the voice form."""
    with session_scope(app.state.omnikpi.database_url) as session:
        row = QaEvaluation(form_id=1, contact_id=contact, agent_id="a1", tenant="A",
                           site="kyiv", evaluator="lead", score=80.0)
        session.add(row)
        session.flush()
        return row.id


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_a_site_supervisor_does_not_replace_the_operators_form(app: FastAPI,
                                                               lang: str) -> None:
    """A supervisor of the Kyiv site (no tenant) saving "Kyiv voice" wrote the operator's
    shelf: tenant A's supervisor then got "Kyiv voice" as the voice form."""
    kyiv = login(app, "kyivsup")
    typed = {"key": "voice", "name": "Kyiv voice", "items": "g|only|Only item|1",
             "channel_kind": "voice"}
    refused = send(kyiv, "/qa/forms", lang, typed)
    assert refused.status_code == 403
    assert message(refused.text) == {
        "en": "Your account supervises sites, not a client: the forms you may use are the "
              "operator's, which every site and client uses. An administrator saves them.",
        "ru": "Ваша учётная запись руководит площадками, а не клиентом: анкеты, которыми вы "
              "пользуетесь, — анкеты оператора, общие для всех площадок и клиентов. "
              "Сохраняет их администратор."}[lang]
    assert 'value="Kyiv voice"' in refused.text  # the form as typed
    script = kyiv.post("/qa/forms", data={"csrf_token": csrf(kyiv, "/qa"), **typed})
    assert script.status_code == 403
    assert script.json()["detail"].startswith("a supervisor of sites saves no forms")
    with session_scope(app.state.omnikpi.database_url) as session:
        names = [f.name for f in session.query(QaForm).filter(QaForm.form_key == "voice")]
    assert names == ["Voice"]
    page = login(app, "sup-a").get("/qa?lang=en").text
    assert "Kyiv voice" not in page and "Voice" in page


@pytest.mark.parametrize("lang", ["ru", "uk"])
def test_a_form_item_with_a_blank_group_key_and_text_is_refused(app: FastAPI,
                                                                lang: str) -> None:
    """``|  |  |1`` was saved as an item without a key, whose answers the dataset then
    quarantined."""
    lead = login(app, "lead")
    answer = send(lead, "/qa/forms", lang, {"key": "blank", "name": "Blank",
                                            "items": "G | a | A\n|  |  |1"})
    assert answer.status_code == 400
    assert message(answer.text) == {
        "ru": "Строка пунктов 2: у каждого пункта должны быть группа, ключ и текст.",
        "uk": "Рядок пунктів 2: кожен пункт має мати групу, ключ і текст."}[lang]
    with session_scope(app.state.omnikpi.database_url) as session:
        assert session.query(QaForm).filter(QaForm.form_key == "blank").count() == 0


def test_a_sample_sent_again_with_risk_or_another_zone_is_a_new_sample(app: FastAPI) -> None:
    """The same name, rate, seed and period with *risk-weighted* ticked (or another zone)
    opened the plain sample sent a minute before."""
    lead = login(app, "lead")
    form = {"csrf_token": csrf(lead, "/qa"), "name": "risk test", "rate": "0.5",
            "seed": "3", "from": "2026-11-02", "to": "2026-11-02"}

    def draw(**more: str) -> str:
        made = lead.post("/qa/samples", data={**form, **more}, follow_redirects=False)
        assert made.status_code == 303, made.text
        return str(made.headers["location"])

    plain = draw()
    risky = draw(risk="1")
    kyiv = draw(tz="Europe/Kyiv")
    assert len({plain, risky, kyiv}) == 3
    assert (draw(), draw(risk="1"), draw(tz="Europe/Kyiv")) == (plain, risky, kyiv)
    summaries = {url: re.search(r'<p id="sample-summary">(.*?)</p>',
                                lead.get(url + "?lang=en").text, re.S)
                 for url in (plain, risky, kyiv)}
    shown = {url: html.unescape(re.sub(r"<[^>]+>", "", found.group(1)))
             for url, found in summaries.items() if found}
    assert "risk-weighted" in shown[risky] and "time zone UTC" in shown[risky]
    assert "risk-weighted" not in shown[plain] and "time zone UTC" in shown[plain]
    assert "time zone Europe/Kyiv" in shown[kyiv] and "risk-weighted" not in shown[kyiv]


def evaluate_page(client: TestClient, item: int) -> tuple[str, dict[str, str]]:
    """The form id and the answer fields (item key → field name) of a sample item."""
    page = client.get(f"/qa/evaluate/{item}").text
    form_id = re.search(r'name="form_id" value="(\d+)"', page)
    assert form_id, page
    fields = {key: name for name, key in re.findall(
        r'name="(item_\d+)" value="0" data-key="([^"]+)"', page)}
    return form_id.group(1), fields


@pytest.fixture(scope="module")
def sample_item(app: FastAPI) -> int:
    """A contact in lead's queue (kept unevaluated: every answer sent is refused)."""
    lead = login(app, "lead")
    made = lead.post("/qa/samples", data={"csrf_token": csrf(lead, "/qa"), "name": "refusals",
                                          "rate": "1", "seed": "5", "evaluator": "lead"},
                     follow_redirects=False)
    items = re.findall(r'href="/qa/evaluate/(\d+)"', lead.get(made.headers["location"]).text)
    return int(items[0])


def answers(fields: dict[str, str], **given: str) -> dict[str, str]:
    return {name: given.get(key, "1") for key, name in fields.items()}


REFUSED_ANSWERS: dict[str, tuple[Callable[[dict[str, str]], dict[str, str]], str, str]] = {
    # the items as the form shows them (their keys, in Python's quotes, were listed)
    "no answer": (lambda f: {f["offer"]: "1"},
                  "Оцените каждый пункт или отметьте «неприменимо». Пункты без ответа: "
                  '"Greets by the standard"; "Gives correct information".',
                  "Оцініть кожен пункт або позначте «незастосовно». Пункти без відповіді: "
                  '"Greets by the standard"; "Gives correct information".'),
    "N/A not allowed": (lambda f: answers(f, greet="na"),
                        # the item as the page shows it: its key is not on the page
                        "Пункт «Greets by the standard» нельзя отметить «неприменимо»: "
                        "оцените его.",
                        "Пункт «Greets by the standard» не можна позначити «незастосовно»: "
                        "оцініть його."),
    "score out of range": (lambda f: answers(f, greet="2"),
                           "Пункт «Greets by the standard»: балл «2» должен быть от 0 до 1.",
                           "Пункт «Greets by the standard»: бал «2» має бути від 0 до 1."),
    "error kind": (lambda f: {**answers(f, greet="0"),
                              "kind_" + f["greet"].removeprefix("item_"): "x"},
                   "Невыполненный пункт — ошибка оператора или ошибка процесса, а не «x».",
                   "Невиконаний пункт — помилка оператора або помилка процесу, а не «x»."),
    "long comment": (lambda f: {**answers(f), "comment": "c" * 20_000},
                     "В комментарии 20\u00a0000 символов, а можно не больше 10\u00a0000. "
                     "Сократите его и отправьте снова.",
                     "У коментарі 20\u00a0000 символів, а можна не більше 10\u00a0000. "
                     "Скоротіть його й надішліть знову."),
}


@pytest.mark.parametrize("lang", ["ru", "uk"])
@pytest.mark.parametrize("case", sorted(REFUSED_ANSWERS))
def test_refused_answers_are_said_in_the_pages_language(app: FastAPI, sample_item: int,
                                                        case: str, lang: str) -> None:
    lead = login(app, "lead")
    form_id, fields = evaluate_page(lead, sample_item)
    given, ru, uk = REFUSED_ANSWERS[case]
    refused = send(lead, f"/qa/evaluate/{sample_item}", lang,
                   {"form_id": form_id, **given(fields)})
    assert refused.status_code == 400
    assert message(refused.text) == {"ru": ru, "uk": uk}[lang]
    # no filter form stands above a refused POST: the hint sends back to the form (it
    # said "change the values above and press Apply")
    assert {"ru": "Вернитесь к форме, исправьте значения и отправьте её снова.",
            "uk": "Поверніться до форми, виправте значення й надішліть її знову."}[lang] \
        in refused.text
    # a script keeps the service's words, and nothing was stored
    script = lead.post(f"/qa/evaluate/{sample_item}", data={
        "csrf_token": csrf(lead, "/qa"), "form_id": form_id, **given(fields)})
    assert script.status_code == 400 and script.json()["detail"].isascii()
    with session_scope(app.state.omnikpi.database_url) as session:
        assert session.query(QaEvaluation).filter(
            QaEvaluation.sample_item_id == sample_item).count() == 0


@pytest.mark.parametrize(("lang", "said"), [
    ("ru", "Минимум на оператора — целое число от 0 до 2\u00a0147\u00a0483\u00a0647."),
    ("uk", "Мінімум на оператора — ціле число від 0 до 2\u00a0147\u00a0483\u00a0647.")])
def test_a_sample_refused_for_its_minimum_is_said_in_one_language(app: FastAPI, lang: str,
                                                                 said: str) -> None:
    """"мин. на оператора must be between 0 and 2,147,483,647": half translated."""
    refused = send(login(app, "lead"), "/qa/samples", lang, {
        "name": "big", "rate": "0.5", "seed": "1", "min_per_agent": "-1"})
    assert refused.status_code == 400 and message(refused.text) == said


def test_a_coaching_session_without_its_date_names_the_field_in_ukrainian(
        app: FastAPI) -> None:
    lead = login(app, "lead")
    evaluation = evaluation_of_a1(app)
    refused = send(lead, "/qa/coaching", "uk", {"subject": str(evaluation), "actions": "a"},
                   page="/qa/coaching")
    assert refused.status_code == 422
    assert message(refused.text) == \
        "дата проведення: поле обов’язкове, заповніть його й надішліть знову."


@pytest.mark.parametrize(("lang", "said"), [
    ("ru", "Объясните, почему вы оспариваете оценку: напишите это в комментарии и нажмите "
           "«Оспорить»."),
    ("uk", "Поясніть, чому ви оскаржуєте оцінку: напишіть це в коментарі й натисніть "
           "«Оскаржити».")])
def test_a_dispute_without_a_reason_keeps_the_evaluation_page(app: FastAPI, lang: str,
                                                              said: str) -> None:
    """It ended on the generic error page, in English, advising to "change the values
    above and press Apply" with no form above."""
    agent = login(app, "a1-person")
    evaluation = evaluation_of_a1(app)
    page = f"/qa/evaluations/{evaluation}"
    refused = send(agent, f"{page}/respond", lang, {"action": "dispute", "comment": " "},
                   page=page)
    assert refused.status_code == 400
    assert message(refused.text) == said
    assert 'id="respond-form"' in refused.text  # the buttons to answer with, still there
    assert "Apply" not in refused.text and "Примен" not in refused.text
    bad_action = send(agent, f"{page}/respond", lang, {"action": "x"}, page=page)
    assert bad_action.status_code == 400
    assert message(bad_action.text) == {
        "ru": "Подтвердите или оспорьте оценку кнопками под ней.",
        "uk": "Підтвердьте або оскаржте оцінку кнопками під нею."}[lang]


def test_an_agents_answer_is_final(app: FastAPI) -> None:
    """Acknowledged, then disputed: the status flipped and the first answer was lost."""
    agent = login(app, "a1-person")
    evaluation = evaluation_of_a1(app)
    page = f"/qa/evaluations/{evaluation}"
    first = agent.post(f"{page}/respond", data={
        "csrf_token": csrf(agent, page), "action": "acknowledge", "comment": "fair"},
        follow_redirects=False)
    assert first.status_code == 303
    again = agent.post(f"{page}/respond", data={
        "csrf_token": csrf(agent, page), "action": "dispute", "comment": "changed my mind"})
    assert again.status_code == 409
    assert again.json()["detail"] == "this evaluation is already acknowledged: an agent " \
        "answers an evaluation once"
    shown = send(agent, f"{page}/respond", "uk", {"action": "acknowledge"}, page=page)
    assert shown.status_code == 409
    assert message(shown.text) == "Ви вже відповіли на цю оцінку: відповідь змінити не можна."
    with session_scope(app.state.omnikpi.database_url) as session:
        row = session.get(QaEvaluation, evaluation)
        assert row is not None and (row.status, row.agent_comment) == ("acknowledged", "fair")


def test_an_invited_client_reads_its_own_calibration_evaluations(app: FastAPI) -> None:
    """An invited client account scored every contact of a session and was refused (403)
    the page and the list of the evaluations it had just made."""
    lead = login(app, "lead")
    made = lead.post("/qa/calibrations", data={
        "csrf_token": csrf(lead, "/qa"), "name": "client cal", "form_id": "1",
        "contacts": "a-1 a-2", "evaluators": "lead client-a", "reference": "lead"},
        follow_redirects=False)
    assert made.status_code == 303, made.text
    session_url = made.headers["location"]
    client = login(app, "client-a")

    def score(who: TestClient, contact: str) -> int:
        url = f"{session_url}/evaluate/{contact}"
        page = who.get(url).text
        fields = dict(re.findall(r'name="(item_\d+)" value="0" data-key="([^"]+)"', page))
        done = who.post(url, data={"csrf_token": csrf(who, url), "form_id": "1",
                                   **dict.fromkeys(fields, "1")}, follow_redirects=False)
        assert done.status_code == 303, done.text
        with session_scope(app.state.omnikpi.database_url) as session:
            return max(e.id for e in session.query(QaEvaluation).filter(
                QaEvaluation.evaluator == ("lead" if who is lead else "client-a"),
                QaEvaluation.contact_id == contact,
                QaEvaluation.calibration_id.is_not(None)))

    lead_a1 = score(lead, "a-1")
    mine_a1 = score(client, "a-1")
    assert client.get(f"/qa/evaluations/{mine_a1}").status_code == 200
    # blind until it has scored every contact: not the reference's evaluation yet
    assert client.get(f"/qa/evaluations/{lead_a1}").status_code == 403
    listed = {e["id"] for e in client.get("/api/v1/qa/evaluations").json()}
    assert listed == {mine_a1}
    mine_a2 = score(client, "a-2")
    page = client.get(f"/qa/evaluations/{mine_a2}?lang=en")
    assert page.status_code == 200 and "client-a" in page.text
    assert 'id="respond-form"' not in page.text
    # scored every contact: the session's evaluations, as the session's page shows them
    assert client.get(f"/qa/evaluations/{lead_a1}").status_code == 200
    listed = {e["id"] for e in client.get("/api/v1/qa/evaluations").json()}
    assert listed == {mine_a1, mine_a2, lead_a1}
    # never an evaluation of an agent; a client not invited has no QA at all (403)
    ordinary = evaluation_of_a1(app)
    assert client.get(f"/qa/evaluations/{ordinary}").status_code == 403
    assert client.get(f"/qa/evaluations/{ordinary + 1000}").status_code == 403
    other = login(app, "client-a2")
    assert other.get(f"/qa/evaluations/{mine_a1}").status_code == 403
    assert other.get("/api/v1/qa/evaluations").status_code == 403
    assert other.get(f"/qa/evaluations/{ordinary}").status_code == 403
    # nor may a client answer one as an agent would
    assert client.post(f"/qa/evaluations/{mine_a1}/respond", data={
        "csrf_token": csrf(client, f"/qa/evaluations/{mine_a1}"),
        "action": "acknowledge"}).status_code == 403

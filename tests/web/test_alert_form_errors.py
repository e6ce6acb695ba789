"""The alerts page's form refused in the page's language, the values typed kept.

Found on ``/alerts?lang=uk`` and ``?lang=ru``: a bad webhook address was refused in
English ("a webhook must be an http(s) URL with a host", "webhook host '127.0.0.1'
resolves to …"); a 300-character name got pydantic's "String should have at most 150
characters" and came back empty; a ``sl_below`` rule at 0.8 clearing at 0.5 was stored (it
cleared while still in breach and fired again); the rules table printed ``0.75``,
``300.0`` and ``5.0`` on pages that write ``0,75`` and ``300``.

No test needs the network: the addresses fail before a lookup, 127.0.0.1 is a literal
address, and the name that cannot be resolved is refused by a stand-in for the lookup.
"""

from __future__ import annotations

import html
import re
import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from omnikpi.auth.accounts import create_user
from omnikpi.live.alert_kinds import (
    CLEAR_AT_OR_ABOVE,
    CLEAR_AT_OR_BELOW,
    KINDS,
    breached,
    clear_level_problem,
    recovered,
)
from omnikpi.store.db import session_scope
from omnikpi.web.limits import NAME_CHARS
from tests.web.conftest import bearer_client

PASSWORD = "alert-form-password-1"
ERROR = re.compile(r'<p id="error-message">(.*?)</p>', re.S)


@pytest.fixture(scope="module")
def app(make_app: Callable[..., FastAPI]) -> FastAPI:
    application = make_app(auth_required=True, live_updates=False)
    with session_scope(application.state.omnikpi.database_url) as session:
        create_user(session, "root", PASSWORD, "admin")
    return application


@pytest.fixture
def admin(app: FastAPI) -> Iterator[TestClient]:
    """The administrator, with no rule left from another test."""
    with bearer_client(app, "root", PASSWORD) as client:
        yield client
        for rule in client.get("/api/v1/alerts").json()["rules"]:
            client.post(f"/alerts/{rule['id']}/delete")


def form(**fields: str) -> dict[str, str]:
    return {"name": "Sales SL", "kind": "sl_below", "threshold": "0,8", "minutes": "5",
            "window_minutes": "", "clear_threshold": "", "tenant": "", "site": "",
            "queue": "sales", "channel": "", "webhook_url": "", "emails": "", **fields}


def message(page: str) -> str:
    found = ERROR.search(page)
    assert found, page[:2000]
    return html.unescape(found.group(1))


def typed(page: str, field: str) -> str:
    found = re.search(rf'<input name="{field}"[^>]*?value="([^"]*)"', page)
    assert found, field
    return html.unescape(found.group(1))


def rule_count(client: TestClient) -> int:
    return len(client.get("/api/v1/alerts").json()["rules"])


# -- 1. the webhook's address ---------------------------------------------------------------

@pytest.mark.parametrize(("lang", "address", "said"), [
    ("uk", "not a url", "Адреса вебхука має бути адресою http або https з іменем хоста, "
                        "наприклад https://example.com/hook."),
    ("ru", "not a url", "Адрес вебхука должен быть адресом http или https с именем хоста, "
                        "например https://example.com/hook."),
    ("uk", "https://u:p@example.com/x", "Адреса вебхука не може містити ім’я користувача "
                                        "або пароль: видаліть частину до «@»."),
    ("ru", "https://u:p@example.com/x", "Адрес вебхука не может содержать имя пользователя "
                                        "или пароль: удалите часть до «@»."),
    ("uk", "https://93.184.216.34:99999/x", "В адресі вебхука неправильний порт: порт — "
                                            "число не більше 65535."),
    ("uk", "http://127.0.0.1:9/x", "Хост вебхука «127.0.0.1» — це 127.0.0.1, адреса цього "
                                   "комп’ютера або приватної мережі: адміністратор може "
                                   "дозволити хост у конфігурації ([alerts] "
                                   "webhook_allowed_hosts)."),
    ("ru", "http://127.0.0.1:9/x", "Хост вебхука «127.0.0.1» — это 127.0.0.1, адрес этого "
                                   "компьютера или частной сети: администратор может "
                                   "разрешить хост в конфигурации ([alerts] "
                                   "webhook_allowed_hosts)."),
    ("uk", "https://example.invalid/x", "Хост вебхука «example.invalid» не знайдено: "
                                        "перевірте адресу."),
    ("ru", "https://example.invalid/x", "Хост вебхука «example.invalid» не найден: "
                                        "проверьте адрес."),
], ids=["uk-not-url", "ru-not-url", "uk-user-password", "ru-user-password", "uk-bad-port",
        "uk-loopback", "ru-loopback", "uk-unknown-host", "ru-unknown-host"])
def test_a_bad_webhook_address_is_refused_in_the_pages_language(
        admin: TestClient, monkeypatch: pytest.MonkeyPatch, lang: str, address: str,
        said: str) -> None:
    def no_such_host(host: str, *args: Any, **kwargs: Any) -> Any:
        if host == "example.invalid":  # what the resolver says, without asking DNS
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    real = socket.getaddrinfo
    monkeypatch.setattr("omnikpi.delivery.webhook.socket.getaddrinfo", no_such_host)
    before = rule_count(admin)
    page = admin.post(f"/alerts?lang={lang}", data=form(webhook_url=address))
    assert page.status_code == 400, page.text[:500]
    assert message(page.text) == said
    assert typed(page.text, "webhook_url") == address
    assert typed(page.text, "name") == "Sales SL" and typed(page.text, "threshold") == "0,8"
    assert rule_count(admin) == before


def test_an_edit_with_a_bad_webhook_address_is_refused_in_the_pages_language(
        admin: TestClient) -> None:
    made = admin.post("/api/v1/alerts", json={"name": "Sales SL", "kind": "sl_below",
                                              "threshold": 0.8})
    assert made.status_code == 200, made.text
    page = admin.post(f"/alerts/{made.json()['id']}/edit?lang=uk",
                      data=form(webhook_url="not a url"))
    assert page.status_code == 400
    assert message(page.text).startswith("Адреса вебхука має бути адресою http")
    assert f'action="/alerts/{made.json()["id"]}/edit"' in page.text
    assert typed(page.text, "webhook_url") == "not a url"


# -- 2. a name over the limit ---------------------------------------------------------------

@pytest.mark.parametrize(("lang", "said"), [
    ("uk", "назва: символів — 300, можна не більше 150. Скоротіть і надішліть форму ще раз."),
    ("ru", "название: символов — 300, можно не больше 150. Сократите и отправьте форму ещё "
           "раз."),
], ids=["uk", "ru"])
def test_a_name_over_the_limit_is_refused_in_words_and_kept(admin: TestClient, lang: str,
                                                            said: str) -> None:
    name = "Черга продажів " + "x" * (300 - len("Черга продажів "))
    page = admin.post(f"/alerts?lang={lang}", data=form(name=name, minutes="7"))
    # 422 as the form's other refusals of a value (threshold, minutes) and the builder's
    # name over NAME_CHARS
    assert page.status_code == 422, page.text[:500]
    assert message(page.text) == said
    assert "String should have" not in page.text
    assert typed(page.text, "name") == name and typed(page.text, "minutes") == "7"
    assert rule_count(admin) == 0


def test_the_name_field_has_the_servers_limit(admin: TestClient) -> None:
    page = admin.get("/alerts?lang=uk").text
    assert re.search(rf'<input name="name" required maxlength="{NAME_CHARS}"', page)


def test_a_huge_value_is_refused_without_being_echoed(admin: TestClient) -> None:
    huge = "q" * 20_000
    page = admin.post("/alerts?lang=uk", data=form(queue=huge))
    assert page.status_code == 422
    assert message(page.text).startswith("черга: символів — 20\u00a0000, можна не більше 150")
    assert typed(page.text, "queue") == "" and huge not in page.text


# -- 3. the clearing level on the side the value recovers to --------------------------------

BELOW = [k for k in KINDS.values() if k.direction == "below"]
ABOVE = [k for k in KINDS.values() if k.direction == "above"]


@pytest.mark.parametrize("kind", [k.id for k in BELOW])
def test_a_below_kind_clears_at_or_above_its_threshold(kind: str) -> None:
    assert clear_level_problem(kind, 0.8, 0.5) == CLEAR_AT_OR_ABOVE
    assert clear_level_problem(kind, 0.8, 0.85) is None
    assert clear_level_problem(kind, 0.8, 0.8) is None  # the same as no clearing level
    assert clear_level_problem(kind, 0.8, None) is None


@pytest.mark.parametrize("kind", [k.id for k in ABOVE])
def test_an_above_kind_clears_at_or_below_its_threshold(kind: str) -> None:
    assert clear_level_problem(kind, 0.5, 0.8) == CLEAR_AT_OR_BELOW
    assert clear_level_problem(kind, 0.5, 0.3) is None
    assert clear_level_problem(kind, 0.5, 0.5) is None
    assert clear_level_problem(kind, 300, 400) == CLEAR_AT_OR_BELOW


def test_a_present_kind_or_an_unknown_one_has_no_side() -> None:
    assert clear_level_problem("widget_unavailable", 0.0, 5.0) is None
    assert clear_level_problem("no_such_kind", 0.8, 0.5) is None


@pytest.mark.parametrize("kind", [k.id for k in BELOW + ABOVE])
def test_an_accepted_clearing_level_never_clears_a_breach(kind: str) -> None:
    """What the rule is for: with a level it accepts, no value is at once in breach of
    the threshold and recovered (``live.alerts`` clears on ``recovered``); with a level it
    refuses, some value is (the alert clears while in breach and fires again)."""
    values = [v / 20 for v in range(0, 21)]
    for threshold in (0.25, 0.5, 0.75):
        for level in values:
            flapping = [v for v in values if breached(KINDS[kind], v, threshold)
                        and recovered(KINDS[kind], v, level)]
            accepted = clear_level_problem(kind, threshold, level) is None
            assert accepted == (flapping == []), (threshold, level, flapping)


@pytest.mark.parametrize(("lang", "kind", "threshold", "clear", "said"), [
    ("uk", "sl_below", "0,8", "0,5", "Для цього виду сповіщення знімається, коли значення "
                                     "підніметься до рівня зняття: він не може бути нижчим "
                                     "за поріг."),
    ("ru", "abandon_over", "0,05", "0,1", "Для этого вида оповещение снимается, когда "
                                          "значение опустится до уровня снятия: он не может "
                                          "быть выше порога."),
    ("uk", "longest_wait_over", "300", "400", "Для цього виду сповіщення знімається, коли "
                                              "значення опуститься до рівня зняття: він не "
                                              "може бути вищим за поріг."),
], ids=["uk-sl-below", "ru-abandon-above", "uk-wait-above"])
def test_the_page_refuses_a_clearing_level_on_the_wrong_side(
        admin: TestClient, lang: str, kind: str, threshold: str, clear: str,
        said: str) -> None:
    page = admin.post(f"/alerts?lang={lang}", data=form(
        kind=kind, threshold=threshold, clear_threshold=clear))
    assert page.status_code == 422, page.text[:500]
    assert message(page.text) == said
    assert typed(page.text, "threshold") == threshold
    assert typed(page.text, "clear_threshold") == clear
    assert typed(page.text, "name") == "Sales SL"
    assert rule_count(admin) == 0


@pytest.mark.parametrize(("kind", "threshold", "clear"), [
    ("sl_below", "0,8", "0,85"), ("sl_below", "0,8", "0,8"),
    ("abandon_over", "0,1", "0,05"), ("longest_wait_over", "300", "300")])
def test_the_page_takes_a_clearing_level_on_the_right_side(
        admin: TestClient, kind: str, threshold: str, clear: str) -> None:
    done = admin.post("/alerts?lang=uk", follow_redirects=False, data=form(
        kind=kind, threshold=threshold, clear_threshold=clear))
    assert done.status_code == 303, message(done.text)
    assert admin.get("/api/v1/alerts").json()["rules"][0]["clear_threshold"] == \
        float(clear.replace(",", "."))


def test_the_api_refuses_a_clearing_level_on_the_wrong_side(admin: TestClient) -> None:
    refused = admin.post("/api/v1/alerts", json={"name": "SL", "kind": "sl_below",
                                                 "threshold": 0.8, "clear_threshold": 0.5})
    assert refused.status_code == 422 and refused.json()["detail"] == CLEAR_AT_OR_ABOVE
    made = admin.post("/api/v1/alerts", json={"name": "SL", "kind": "abandon_over",
                                              "threshold": 0.05, "clear_threshold": 0.03})
    assert made.status_code == 200, made.text
    changed = admin.put(f"/api/v1/alerts/{made.json()['id']}", json={
        "name": "SL", "kind": "abandon_over", "threshold": 0.05, "clear_threshold": 0.1})
    assert changed.status_code == 422 and changed.json()["detail"] == CLEAR_AT_OR_BELOW


# -- 4. the rules table's numbers -----------------------------------------------------------

def test_the_rules_table_writes_numbers_as_the_language_does(admin: TestClient) -> None:
    for rule in ({"name": "SL", "kind": "sl_below", "threshold": 0.75, "minutes": 5,
                  "window_minutes": 15, "clear_threshold": 0.825},
                 {"name": "Wait", "kind": "longest_wait_over", "threshold": 1500,
                  "minutes": 2.5}):
        assert admin.post("/api/v1/alerts", json=rule).status_code == 200

    def cells(lang: str) -> list[list[str]]:
        page = admin.get(f"/alerts?lang={lang}").text
        rows = re.findall(r"<tr[^>]*><td><span translate=\"no\">.*?</tr>", page, re.S)
        return [re.findall(r"<td[^>]*>([^<]*)</td>", row)[1:5] for row in rows]

    # thresholds in their figure's unit, as the alerts' sentences say them (a bare 0,75
    # or 1 500 read as nothing); the minutes as numbers of the language
    assert cells("uk") == [["75 %", "5", "15", "82,5 %"], ["25 хв", "2,5", "0", ""]]
    assert cells("en") == [["75 %", "5", "15", "82.5 %"], ["25 min", "2.5", "0", ""]]
    assert cells("ru")[0] == cells("uk")[0]


@pytest.mark.parametrize(("lang", "shown"), [("en", "0.8"), ("ru", "0,8"), ("uk", "0,8")])
def test_the_new_rule_form_offers_its_threshold_as_the_language_writes_it(
        admin: TestClient, lang: str, shown: str) -> None:
    """The empty form's threshold read "0.8" on a Ukrainian page whose every other number
    has a decimal comma."""
    assert typed(admin.get(f"/alerts?lang={lang}").text, "threshold") == shown

"""A form refused by the request's own checks (a 151-character QA form name) is said in
the page's language, naming the limit; it read "назва: «xxx…» — неприпустиме значення
(String should have at most 150 characters)". And the pages' inputs carry the same limits
as ``maxlength``, so a browser stops the typing before the server refuses it (the refused
form came back without what was typed)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from omnikpi.auth.accounts import create_user
from omnikpi.store.db import session_scope
from omnikpi.web.limits import KEY_CHARS, LONG_TEXT_CHARS, NAME_CHARS
from tests.web.conftest import csrf, log_in
from tests.web.tenants import write_two_tenants

PASSWORD = "quality-pass-1"
ITEMS = "Style | greet | Greets by the standard | 1 | no | no\n"


@pytest.fixture(scope="module")
def lead(make_app: Callable[..., FastAPI], tmp_path_factory: pytest.TempPathFactory
         ) -> TestClient:
    data = write_two_tenants(tmp_path_factory.mktemp("validation-words") / "data")
    application = make_app(data, auth_required=True, live_updates=False)
    with session_scope(application.state.omnikpi.database_url) as session:
        create_user(session, "lead", PASSWORD, "admin")
    return log_in(TestClient(application), "lead", PASSWORD)


def refusal(client: TestClient, path: str, lang: str, data: dict[str, str]) -> str:
    answer = client.post(f"{path}?lang={lang}",
                         data={"csrf_token": csrf(client, "/qa"), **data},
                         headers={"accept": "text/html"}, follow_redirects=False)
    assert answer.status_code == 422, answer.text
    found = re.search(r'<p id="error-message">(.*?)</p>', answer.text, re.S)
    assert found, answer.text
    return html.unescape(found.group(1))


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", "name has 151 characters: at most 150 are allowed. Shorten it and send again."),
    ("ru", "название: 151 символов, а можно не больше 150. Сократите и отправьте снова."),
    ("uk", "назва: 151 символів, а можна не більше 150. Скоротіть і надішліть знову."),
])
def test_a_name_too_long_is_said_with_its_limit(lead: TestClient, lang: str,
                                               expected: str) -> None:
    said = refusal(lead, "/qa/forms", lang, {"key": "calls", "name": "x" * 151,
                                             "pass_score": "70", "items": ITEMS})
    assert said == expected


def test_a_missing_field_is_said_in_the_page_language(lead: TestClient) -> None:
    # a sample without its rate (a form without items keeps the QA page as typed now)
    said = refusal(lead, "/qa/samples", "uk", {"name": "week", "seed": "7"})
    assert "поле обов’язкове" in said and "Field required" not in said


def maxlength(page: str, tag: str, name: str) -> int:
    found = re.search(rf'<{tag} name="{name}"[^>]*maxlength="(\d+)"', page)
    assert found, (tag, name)
    return int(found.group(1))


def test_the_qa_and_schedule_forms_stop_typing_at_the_server_limits(
        lead: TestClient) -> None:
    qa = lead.get("/qa").text
    assert maxlength(qa, "input", "key") == KEY_CHARS
    for field in ("name", "evaluator", "reference", "pass_score"):
        assert maxlength(qa, "input", field) == NAME_CHARS
    for field in ("contacts", "evaluators"):
        assert maxlength(qa, "input", field) == LONG_TEXT_CHARS
    assert maxlength(qa, "textarea", "items") == LONG_TEXT_CHARS
    assert len(re.findall(r'<input name="name"[^>]*maxlength="150"', qa)) == 3

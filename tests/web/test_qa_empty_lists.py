"""The QA page's lists say they are empty, in the reader's language, instead of bare
headers: a QA lead opening the module for the first time sees what to do next."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.web.conftest import csrf, log_in
from tests.web.test_qa_web import PASSWORD
from tests.web.test_qa_web import app as app  # the two tenants, a QA lead and an agent

ITEMS = "Style | greet | Greets by the standard | 1 | no | no\n"

EMPTY = {
    "en": {"qa-samples-none": "No sample drawn yet: the form below draws one.",
           "qa-evaluations-none": "No evaluation yet.",
           "qa-forms-none": "No form yet: an evaluation needs one; add it under “New form "
                            "or new version” below.",
           "qa-calibrations-none": "No calibration session yet."},
    "ru": {"qa-samples-none": "Выборок пока нет: форма ниже делает выборку.",
           "qa-evaluations-none": "Оценок пока нет.",
           "qa-forms-none": "Анкет пока нет, а оценке нужна анкета: добавьте её в разделе "
                            "«Новая анкета или версия» ниже.",
           "qa-calibrations-none": "Сессий калибровки пока нет."},
    "uk": {"qa-samples-none": "Вибірок поки немає: форма нижче робить вибірку.",
           "qa-evaluations-none": "Оцінок поки немає.",
           "qa-forms-none": "Анкет поки немає, а оцінюванню потрібна анкета: додайте її в "
                            "розділі «Нова анкета або версія» нижче.",
           "qa-calibrations-none": "Сесій калібрування поки немає."},
}


def note(page: str, element_id: str) -> str | None:
    found = re.search(rf'<p class="note" id="{element_id}">([^<]*)</p>', page)
    return found.group(1) if found else None


@pytest.mark.parametrize("lang", sorted(EMPTY))
def test_a_new_qa_module_says_each_list_is_empty(app: FastAPI, lang: str) -> None:
    lead = log_in(TestClient(app), "lead", PASSWORD)
    page = lead.get("/qa", params={"lang": lang}).text
    for element_id, sentence in EMPTY[lang].items():
        assert note(page, element_id) == sentence, element_id
    for table in ("qa-samples", "qa-evaluations"):
        assert f'id="{table}"' not in page


def test_an_agent_reads_that_none_of_their_contacts_is_evaluated(app: FastAPI) -> None:
    agent = log_in(TestClient(app), "a1-person", PASSWORD)
    page = agent.get("/qa", params={"lang": "en"}).text
    assert note(page, "qa-evaluations-none") == "No evaluation of your contacts yet."
    assert note(page, "qa-samples-none") is None  # an agent draws no sample


def test_the_notes_give_way_to_the_lists(app: FastAPI) -> None:
    lead = log_in(TestClient(app), "lead", PASSWORD)
    token = csrf(lead, "/qa")
    made = lead.post("/qa/forms", data={"csrf_token": token, "key": "calls", "name": "Calls",
                                        "channel_kind": "any", "pass_score": "70",
                                        "items": ITEMS}, follow_redirects=False)
    assert made.status_code == 303, made.text
    drawn = lead.post("/qa/samples", data={"csrf_token": token, "name": "week 45",
                                           "rate": "1.0", "rate_unit": "share", "seed": "3",
                                           "min_per_agent": "1", "evaluator": "lead"},
                      follow_redirects=False)
    assert drawn.status_code == 303, drawn.text
    page = lead.get("/qa", params={"lang": "en"}).text
    assert note(page, "qa-samples-none") is None and note(page, "qa-forms-none") is None
    listed = page.split('id="qa-samples"')[1].split("</table>")[0]
    assert "week 45" in listed and "0 / 6" in listed
    assert note(page, "qa-evaluations-none") == "No evaluation yet."
    assert note(page, "qa-calibrations-none") == "No calibration session yet."

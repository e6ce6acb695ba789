"""An address that leads nowhere: a page in the reader's language with the way back for a
browser, FastAPI's JSON for the API and downloads (whose callers are programs)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient


@pytest.fixture(scope="module")
def client(make_app: Callable[..., FastAPI]) -> Iterator[TestClient]:
    with TestClient(make_app()) as c:
        yield c


@pytest.mark.parametrize(("lang", "sentence"), [
    ("en", "There is nothing at this address, or it is not yours to see."),
    ("uk", "За цією адресою нічого немає, або це не відкрито для вас.")])
def test_a_page_that_does_not_exist_is_a_page(client: TestClient, lang: str,
                                              sentence: str) -> None:
    for address in ("/dashbaord", "/qa/forms/999999"):  # a typo; a form that is not there
        page = client.get(address, params={"lang": lang})
        assert page.status_code == 404
        assert page.headers["content-type"].startswith("text/html")
        assert sentence in page.text and 'href="/"' in page.text
    client.cookies.clear()


def test_the_api_and_files_keep_json(client: TestClient) -> None:
    for address in ("/api/v1/nowhere", "/static/nowhere.css"):
        answer = client.get(address)
        assert answer.status_code == 404 and answer.json() == {"detail": "Not Found"}
    # a form posted to an address that does not take it stays as FastAPI answers it
    assert client.post("/dashbaord").status_code in (404, 405)

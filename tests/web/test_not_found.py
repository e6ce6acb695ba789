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


def test_a_missing_page_keeps_the_reader_s_menu(make_app: Callable[..., FastAPI]) -> None:
    """The 404 page read nobody's rights (no route ran to find them): the single-user
    administrator, and a signed-in supervisor, lost Alerts, Quality and Schedules from its
    menu and saw a shorter site than on every other page."""
    from omnikpi.auth.accounts import create_user
    from omnikpi.store.db import session_scope

    from .conftest import log_in

    with TestClient(make_app()) as alone:
        page = alone.get("/dashbaord").text
        assert all(f'href="{link}"' in page for link in ("/alerts", "/qa", "/schedules",
                                                         "/data", "/audit"))
    app = make_app(auth_required=True)
    with TestClient(app) as browser:
        with session_scope(app.state.omnikpi.database_url) as session:
            create_user(session, "sup", "a long enough password 1", "supervisor",
                        all_tenants=True)
        stranger = browser.get("/dashbaord")
        assert stranger.status_code == 404 and 'href="/alerts"' not in stranger.text
        log_in(browser, "sup", "a long enough password 1")
        page = browser.get("/dashbaord")
        assert page.status_code == 404
        assert all(f'href="{link}"' in page.text for link in ("/alerts", "/qa", "/schedules",
                                                              "/data"))
        assert 'href="/audit"' not in page.text and 'id="logout"' in page.text

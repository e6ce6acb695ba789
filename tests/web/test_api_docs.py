"""The API reference at /docs: for signed-in callers only, every asset from this server
(FastAPI's own pages loaded Swagger UI from a CDN, which the CSP blocked and an offline
contact center cannot reach, and were open to anyone), and it works in a real browser."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from omnikpi.auth.accounts import create_user
from omnikpi.store.db import session_scope
from tests.web.conftest import browser_log_in, log_in, needs_browser, running_server

PASSWORD = "api-docs-pass-1"


@pytest.fixture(scope="module")
def app(make_app: Any) -> FastAPI:
    application: FastAPI = make_app(auth_required=True)
    with session_scope(application.state.omnikpi.database_url) as session:
        create_user(session, "lead", PASSWORD, "supervisor", all_tenants=True)
    return application


def test_the_reference_and_its_schema_need_a_login(app: FastAPI) -> None:
    with TestClient(app) as anonymous:
        page = anonymous.get("/docs", follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"] == "/login?next=/docs"
        assert anonymous.get("/openapi.json").status_code == 401
        assert anonymous.get("/redoc").status_code == 404  # one reference, not two


def test_every_asset_of_the_reference_comes_from_this_server(app: FastAPI) -> None:
    with TestClient(app) as client:
        log_in(client, "lead", PASSWORD)
        page = client.get("/docs", params={"lang": "uk"})
        assert page.status_code == 200 and "Довідник API" in page.text
        linked = re.findall(r'(?:src|href)="([^"]*)"', page.text)
        assert "/docs/assets/swagger-ui-bundle.js" in linked
        assert not [link for link in linked if link.startswith(("http", "//"))], linked
        for needle in ("cdn.", "unpkg", "googleapis", "https://"):
            assert needle not in page.text, needle
        script = client.get("/docs/assets/swagger-ui-bundle.js")
        assert script.status_code == 200 and "SwaggerUIBundle" in script.text
        assert client.get("/docs/assets/swagger-ui.css").status_code == 200
        assert client.get("/docs/assets/index.html").status_code == 404
        schema = client.get("/openapi.json").json()
        assert "/api/v1/report" in schema["paths"] and "/docs" not in schema["paths"]


@pytest.fixture(scope="module")
def base_url(app: FastAPI) -> Iterator[str]:
    with running_server(app) as url:
        yield url


@needs_browser
def test_the_reference_runs_a_request_in_the_browser(base_url: str, browser: Any) -> None:
    """Swagger UI draws every operation under the page's CSP, and "Try it out" on the
    catalog answers 200 with the caller's session."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.set_window_size(1440, 900)
    browser_log_in(browser, base_url, "lead", PASSWORD)
    browser.get_log("browser")  # what the login page logged is not this page's
    browser.get(f"{base_url}/docs")
    wait = WebDriverWait(browser, 30)
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".opblock")) >= 10)
    catalog = browser.find_element(By.ID, "operations-api-catalog_api_v1_catalog_get")
    catalog.find_element(By.CSS_SELECTOR, ".opblock-summary").click()
    wait.until(lambda d: catalog.find_elements(By.CSS_SELECTOR, ".try-out__btn"))
    catalog.find_element(By.CSS_SELECTOR, ".try-out__btn").click()
    catalog.find_element(By.CSS_SELECTOR, ".execute").click()
    answered = ".live-responses-table tr.response .response-col_status"
    wait.until(lambda d: catalog.find_elements(By.CSS_SELECTOR, answered))
    status = catalog.find_element(By.CSS_SELECTOR, answered)
    assert status.text.strip().startswith("200"), status.text
    hosts = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => new URL(e.name).host)")
    assert set(hosts) <= {base_url.split("//")[1]}, hosts
    assert browser.get_log("browser") == []


def test_the_schema_declares_what_the_routes_read_and_answer(app: FastAPI) -> None:
    """``lang`` is read by every API route and was declared on none; the live stream
    answers server-sent events and was declared as JSON."""
    with TestClient(app) as client:
        log_in(client, "lead", PASSWORD)
        schema = client.get("/openapi.json").json()
        undeclared = [path for path, operations in schema["paths"].items()
                      if path.startswith("/api/v1") and "get" in operations
                      and "lang" not in {p["name"] for p in
                                         operations["get"].get("parameters", [])}]
        assert undeclared == []
        stream = schema["paths"]["/api/v1/live/stream"]["get"]["responses"]["200"]
        assert list(stream["content"]) == ["text/event-stream"]

"""Apps for the web tests: each on the demo data with its own fresh SQLite database."""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from omnikpi.demo import DEMO_DATA_DIR
from omnikpi.web.app import create_app


def midday_zone(now: datetime | None = None) -> str:
    """A fixed-offset zone (``Etc/GMT-3`` is UTC+3) where it is now closest to noon.

    The wallboard counts "today" in its zone from the server's real clock; a test that
    posts events from two hours ago, run in UTC between midnight and two, saw them land
    on yesterday and fail. In this zone the test's day is hours from either midnight."""
    now = now or datetime.now(UTC)
    hours = now.hour + now.minute / 60
    offset = min(range(-12, 15), key=lambda h: abs((hours + h) % 24 - 12))
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"


@pytest.fixture(scope="module")
def make_app(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., FastAPI]:
    """``make_app(**options)``: the demo app, no accounts unless ``auth_required=True``."""

    def build(data: Path = DEMO_DATA_DIR, **options: Any) -> FastAPI:
        folder = tmp_path_factory.mktemp("db")
        options.setdefault("auth_required", False)
        options.setdefault("database_url", f"sqlite:///{folder / 'omnikpi.db'}")
        return create_app(data, **options)

    return build


@contextmanager
def running_server(app: FastAPI, **options: Any) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free localhost port (with uvicorn's ``options``);
    yield its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", **options))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
needs_browser = pytest.mark.skipif(
    not (Path(CHROMIUM).exists() and shutil.which(DRIVER))
    and not os.environ.get("OMNIKPI_REQUIRE_BROWSER"),
    reason="Debian's chromium and chromium-driver are not installed here",
)


@pytest.fixture
def browser(browser_of_the_module: Any) -> Any:
    """The module's browser with no cookie left by an earlier test: cookies are kept per
    host, not per port, so a language or a login chosen against one test's server was
    sent to the next one's (a test once read its agent table in Ukrainian)."""
    browser_of_the_module.execute_cdp_cmd("Network.clearBrowserCookies", {})
    return browser_of_the_module


@pytest.fixture(scope="module")
def browser_of_the_module(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Selenium through Debian's chromedriver (one
    start per module: a start takes seconds)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--window-size=1366,768",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "SEVERE"})  # console errors
    driver = webdriver.Chrome(service=Service(executable_path=DRIVER), options=options)
    yield driver
    driver.quit()


def browser_log_in(driver: Any, url: str, user: str, password: str) -> None:
    """Log the browser in through the login form and wait until the server has answered.

    Navigating away right after the click races the form's POST: the next page can load
    before the session cookie is set and land back on the login page.
    """
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(f"{url}/login")
    driver.find_element(By.ID, "username").send_keys(user)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.ID, "login").click()
    WebDriverWait(driver, 20).until(lambda d: "/login" not in d.current_url)


CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf(client: TestClient, page: str = "/wallboard") -> str:
    """The CSRF token a page's forms carry (for posting as that page would).

    By default from the wallboard, which renders no report: the dashboard (``/``) computes
    one, and on a loaded CI worker it once waited longer than the server lets a report
    wait and answered "busy" (503) without the page's forms."""
    found = CSRF_FIELD.search(client.get(page).text)
    assert found, f"{page} has no CSRF field"
    return found.group(1)


def log_in(client: TestClient, user: str, password: str) -> TestClient:
    """Log ``client`` in through the login form, as a browser does (session cookie)."""
    token = CSRF_FIELD.search(client.get("/login").text)
    assert token
    done = client.post("/login", data={"username": user, "password": password,
                                       "csrf_token": token.group(1), "next": "/"},
                       follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/", done.text
    return client


def bearer_client(app: FastAPI, user: str, password: str) -> TestClient:
    """A client of ``app`` logged in as ``user`` with a bearer token (as an API script)."""
    client = TestClient(app)
    token = client.post("/api/v1/auth/token", data={"username": user, "password": password})
    assert token.status_code == 200, token.text
    client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
    return client

"""The header's language links keep the page; a page address giving a one-value
parameter twice is answered with an error page, not a bare JSON text.

Found by a user test: every language link was ``?lang=xx``, so on
``/drill?metric=aht&channel=chat&lang=en`` the "uk" link opened ``/drill?lang=uk`` (another
metric, all the data) and on the dashboard "ru" dropped the filters; and
``/?grain=day&grain=hour`` showed ``{"detail": "grain is given 2 times…"}`` in the browser.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from urllib.parse import parse_qsl, urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.requests import Request

LANG_LINK = re.compile(r'<a class="lang" href="(?P<href>[^"]*)" hreflang="(?P<lang>\w+)"')
FIGURE = re.compile(r'<strong id="figure-value">([^<]*)</strong>')
MESSAGE = re.compile(r'<p id="error-message">([^<]*)</p>')


@pytest.fixture(scope="module")
def client(make_app: Callable[..., FastAPI]) -> TestClient:
    return TestClient(make_app())


def language_links(page: str) -> dict[str, str]:
    """Language → the (unescaped) address of its link in the page's header."""
    return {m["lang"]: html.unescape(m["href"]) for m in LANG_LINK.finditer(page)}


def test_the_language_link_of_a_drill_down_keeps_its_metric_filters_sort_and_page(
        client: TestClient) -> None:
    query = "metric=aht&channel=chat&sort=contact_id&dir=desc&page=2&lang=en"
    page = client.get(f"/drill?{query}")
    assert page.status_code == 200
    assert 'href="/drill?metric=aht&amp;channel=chat&amp;sort=contact_id' in page.text  # escaped
    links = language_links(page.text)
    assert set(links) == {"en", "ru", "uk"}
    uk = urlsplit(links["uk"])
    assert not uk.scheme and not uk.netloc  # a path and a query, no host
    assert uk.path == "/drill"
    assert parse_qsl(uk.query) == [("metric", "aht"), ("channel", "chat"),
                                   ("sort", "contact_id"), ("dir", "desc"), ("page", "2"),
                                   ("lang", "uk")]
    assert dict(parse_qsl(urlsplit(links["en"]).query))["lang"] == "en"


def test_following_the_link_shows_the_same_figure_in_the_other_language(
        client: TestClient) -> None:
    english = client.get("/drill?metric=aht&channel=chat&lang=en")
    figure = FIGURE.search(english.text)
    assert figure is not None
    link = language_links(english.text)["uk"]
    ukrainian = client.get(link)
    assert ukrainian.status_code == 200
    assert '<html lang="uk">' in ukrainian.text
    assert "lang=uk" in ukrainian.headers.get("set-cookie", "")  # remembered, as before
    again = FIGURE.search(ukrainian.text)
    assert again is not None
    assert again.group(1).strip() == figure.group(1).strip()
    # the whole drill-down (aht of chat only), not /drill?lang=uk (offered, every channel)
    assert language_links(ukrainian.text)["en"] == \
        "/drill?metric=aht&channel=chat&lang=en"
    client.cookies.clear()


def test_the_dashboards_language_link_keeps_its_filters_and_every_parameter(
        client: TestClient) -> None:
    query = ("channel=chat&from=2024-03-05&to_day=2024-03-05"
             "&param=service_level.threshold_seconds%3D30&param=abandon_rate.short_abandon_"
             "seconds%3D5")
    page = client.get(f"/?{query}")
    assert page.status_code == 200
    ru = urlsplit(language_links(page.text)["ru"])
    assert ru.path == "/"
    assert parse_qsl(ru.query) == [
        ("channel", "chat"), ("from", "2024-03-05"), ("to_day", "2024-03-05"),
        ("param", "service_level.threshold_seconds=30"),
        ("param", "abandon_rate.short_abandon_seconds=5"), ("lang", "ru")]
    client.cookies.clear()


def test_a_language_link_never_leads_to_another_host() -> None:
    """A path such as ``//host/x`` (a page that is not there) kept as it is would be a link
    to that host; odd characters of a path are percent-encoded."""
    from omnikpi.web.templating import templates

    link = templates.env.from_string("{{ language_url('uk') }}")
    for path, wanted in [("//evil.example/x", "/evil.example/x?lang=uk"),
                         ("/a b/\\x", "/a%20b/%5Cx?lang=uk")]:
        request = Request({"type": "http", "method": "GET", "path": path,
                           "query_string": b"q=%3Cb%3E&lang=en", "headers": []})
        assert html.unescape(link.render(request=request)) == \
            wanted.replace("?", "?q=%3Cb%3E&")


@pytest.mark.parametrize("path", ["/", "/agents", "/builder", "/drill"])
def test_a_page_given_one_value_twice_answers_an_error_page(client: TestClient,
                                                            path: str) -> None:
    answer = client.get(f"{path}?grain=day&grain=hour")
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("text/html")
    message = MESSAGE.search(answer.text)
    assert message is not None, answer.text[:300]
    assert html.unescape(message.group(1)) == \
        "The address gives “grain” more than one value (day, hour): keep one of them."
    assert '<link rel="stylesheet" href="/static/style.' in answer.text
    assert 'id="error"' in answer.text


def test_the_error_page_speaks_the_pages_language_and_the_api_keeps_json(
        client: TestClient) -> None:
    answer = client.get("/?grain=day&grain=hour&lang=uk")
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("text/html")
    assert '<html lang="uk">' in answer.text
    message = MESSAGE.search(answer.text)
    assert message is not None
    assert html.unescape(message.group(1)) == \
        "В адресі параметр «grain» вказано з різними значеннями (day, hour): залиште одне з них."
    client.cookies.clear()
    # a script's answers stay as they were: the API and a download it fetches
    for address in ["/api/v1/report?grain=day&grain=hour",
                    "/drill.csv?metric=aht&grain=day&grain=hour"]:
        answer = client.get(address)
        assert answer.status_code == 400, address
        assert answer.headers["content-type"] == "application/json", address
        assert answer.json() == \
            {"detail": "grain is given 2 times ('day', 'hour'): give it once"}

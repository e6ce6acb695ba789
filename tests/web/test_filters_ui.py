"""The filter form: errors shown inside the page with the form as typed, inclusive days,
pickers filled from the data the caller may see, period presets, the effective period
line, and the report builder keeping its filters through preview, save and reopening."""

from __future__ import annotations

import html
import json
import re
import tomllib
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

import omnikpi
from omnikpi.auth.accounts import create_user
from omnikpi.demo import DEMO_DATA_DIR
from omnikpi.store.db import session_scope
from omnikpi.web.filters import exclusive_to, preset_ranges
from tests.web.conftest import log_in, needs_browser
from tests.web.tenants import MARK, write_two_tenants

PASSWORD = "correct horse battery"
SHOTS = Path(__file__).resolve().parents[2] / "out" / "screenshots"
DAY = "2024-03-05"
"""A day of the demo data (2024-03-03 … 2024-03-06)."""


@pytest.fixture(scope="module")
def client(make_app: Callable[..., FastAPI]) -> Iterator[TestClient]:
    with TestClient(make_app(live_updates=False)) as test_client:
        yield test_client


def error_of(page: str) -> str:
    found = re.search(r'id="error-message">(.*?)</p>', page, re.S)
    assert found, page[:3000]
    return html.unescape(found.group(1).strip())


def field(page: str, name: str) -> str:
    """The value a form field of ``page`` holds (input value or selected option)."""
    found = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', page) or re.search(
        rf'<input[^>]*value="([^"]*)"[^>]*name="{name}"', page)
    if found:
        return html.unescape(found.group(1))
    select = re.search(rf'<select name="{name}".*?</select>', page, re.S)
    assert select, f"no field {name}"
    chosen = re.search(r'<option(?: value="([^"]*)")? selected>([^<]*)<', select.group(0))
    assert chosen, f"nothing selected in {name}"
    return html.unescape(chosen.group(1) or chosen.group(2))


def period_of(page: str) -> str:
    found = re.search(r'id="effective-period">(.*?)</p>', page, re.S)
    assert found, "no period line"
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


ERRORS = [
    # (url, status, the sentence shown, fields kept as typed)
    ("/?from=2024-13-01&queue=sales&tz=Europe/Kyiv", 400,
     "From: “2024-13-01” is not a date. Use a date such as 2024-03-01",
     {"from": "2024-13-01", "queue": "sales", "tz": "Europe/Kyiv"}),
    ("/agents?from=2024-03-05&to_day=2024-03-03", 400,
     "The To date is before the From date: choose a To date on or after the From date",
     {"from": "2024-03-05", "to_day": "2024-03-03"}),
    ("/?tz=Mars/Olympus&channel=voice", 400,
     "Unknown time zone “Mars/Olympus”: choose one from the list",
     {"tz": "Mars/Olympus", "channel": "voice"}),
    ("/builder?metrics=offered&grain=fortnight&site=kyiv", 400,
     "Unknown grain “fortnight”: choose one of total, 15min, 30min, hour, day, week, month.",
     {"grain": "fortnight", "site": "kyiv"}),
    ("/drill?metric=offered&page=abc&from=2024-03-04", 422,
     "page: “abc” is not a whole number.", {"from": "2024-03-04", "metric": "offered"}),
    ("/builder?metrics=nosuch&queue=sales", 400,
     "Unknown metric “nosuch”: choose the metrics from the list.",
     {"metrics": "nosuch", "queue": "sales"}),
    ("/builder?metrics=servce_level", 400,  # the engine's "did you mean" is not kept
     "Unknown metric “servce_level”: choose the metrics from the list.",
     {"metrics": "servce_level"}),
    ("/builder?metrics=qa_score&channel=voice", 422,
     "QA score needs the table qa_evaluations, which this dataset does not have: load it, "
     "or choose other metrics.", {"metrics": "qa_score", "channel": "voice"}),
    ("/agent/chat-01?tz=Nowhere&from=2024-03-04", 400,
     "Unknown time zone “Nowhere”", {"tz": "Nowhere", "from": "2024-03-04"}),
    ("/agents?as_of=soon", 400, "As of: “soon” is not a date.",
     {"as_of": "soon"}),
    ("/?from=1850-01-01", 400,
     "From: 1850-01-01 is outside the years OmniKPI reports on (1900–2199).",
     {"from": "1850-01-01"}),
]


@pytest.mark.parametrize(("url", "status", "message", "kept"), ERRORS,
                         ids=[e[0][:40] for e in ERRORS])
def test_bad_input_is_a_message_in_the_page_with_the_form_as_typed(
        client: TestClient, url: str, status: int, message: str,
        kept: dict[str, str]) -> None:
    page = client.get(url)
    assert page.status_code == status
    assert page.headers["content-type"].startswith("text/html")
    shown = error_of(page.text)
    assert shown.startswith(message), shown
    assert "--" not in shown
    # the page's own layout: navigation and the filter form (the builder's own form)
    assert "<nav>" in page.text
    assert 'id="filters"' in page.text or 'id="builder"' in page.text
    for name, value in kept.items():
        assert field(page.text, name) == value, name


def test_the_builder_keeps_everything_typed_with_its_message(client: TestClient) -> None:
    page = client.get("/builder?metrics=occupancy,aht&by=queue&grain=day&tz=Europe/Kyiv"
                      f"&from=2024-03-04&to_day={DAY}&site=kyiv"
                      "&param=service_level.threshold_seconds=25")
    assert page.status_code == 400
    assert error_of(page.text) == ("Occupancy cannot be cut by “Queue”: its data can be cut "
                                   "only by “Agent”, “Site”, “Tenant”, “Channel”.")
    assert 'id="preview-table"' not in page.text
    for name, value in {"metrics": "occupancy,aht", "by": "queue", "grain": "day",
                        "tz": "Europe/Kyiv", "from": "2024-03-04", "to_day": DAY,
                        "site": "kyiv", "param": "service_level.threshold_seconds=25"}.items():
        assert field(page.text, name) == value, name
    assert re.search(r'class="metric" value="occupancy"\s+checked', page.text)
    assert re.search(r'class="dim" value="queue"\s+checked', page.text)
    bad = client.get("/builder?metrics=offered&param=service_level.threshold_seconds=abc")
    assert bad.status_code == 400 and error_of(bad.text) == (
        "Parameter service_level.threshold_seconds: “abc” is not a valid value (a finite "
        "number from 0 to 1,000,000,000).")
    form = client.get("/builder?metrics=offered&param=threshold")
    assert form.status_code == 400 and "--" not in error_of(form.text)
    assert error_of(form.text).startswith("Parameter “threshold”: write METRIC.NAME=VALUE")


def test_a_filter_the_metric_cannot_have_is_named_with_the_metric(
        client: TestClient) -> None:
    """Paid shifts have no channel: the message names the metric (it said "metric filter
    channel cannot be cut by channel" before) in the reader's language."""
    url = "/builder?metrics=aht,utilization&channel=voice"
    assert error_of(client.get(f"{url}&lang=en").text) == (
        "Utilization cannot be filtered by “Channel”: its data can be filtered only by "
        "“Agent”, “Site”, “Tenant”.")
    assert error_of(client.get(f"{url}&lang=uk").text).startswith(
        "Показник «Утилізація» не можна відфільтрувати за полем «Канал»: його дані "
        "фільтруються лише за полями «Оператор», «Майданчик», «Клієнт (тенант)».")
    client.get("/builder?lang=en")


def test_a_page_message_in_russian_and_ukrainian(client: TestClient) -> None:
    ru = client.get("/?tz=Mars/Olympus&lang=ru")
    assert error_of(ru.text).startswith("Неизвестный часовой пояс «Mars/Olympus»")
    uk = client.get("/?from=2024-03-05&to_day=2024-03-01&lang=uk")
    assert error_of(uk.text).startswith("Дата «По» раніша за дату «З»")
    twice = client.get("/?param=threshold_seconds=30&param=threshold_seconds=40&lang=uk")
    assert error_of(twice.text) == ("Параметр threshold_seconds задано двічі, як «30» і "
                                    "«40»: задайте його один раз.")
    client.get("/builder?lang=en")


def test_the_api_keeps_its_json_errors(client: TestClient) -> None:
    answer = client.get("/api/v1/report?metrics=offered&from=2024-13-01")
    assert answer.status_code == 400
    assert answer.json()["detail"].startswith("bad from '2024-13-01'")  # the query's name
    # the engine's own words for a folder no standard metric can read
    from omnikpi.web.app import _in_query_words
    assert _in_query_words("name the metrics with --metrics (see omnikpi catalog); "
                           "--by, --grain, --tz") == \
        "name the metrics with metrics (see omnikpi catalog); by, grain, tz"
    # a "+" not written %2B arrives as a space: the offset's sign, read back
    lost = client.get("/api/v1/report?metrics=offered&from=2024-03-05T10:00:00 02:00"
                      "&to=2024-03-06 00:00 0200")
    kept = client.get("/api/v1/report?metrics=offered&from=2024-03-05T10:00:00%2B02:00"
                      "&to=2024-03-06 00:00%2B0200")
    assert lost.status_code == 200 and lost.json()["rows"] == kept.json()["rows"]
    answer = client.get("/api/v1/contacts?page=abc")
    assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["query", "page"]


def test_empty_alert_tables_say_so(make_app: Callable[..., FastAPI]) -> None:
    """A new server has no rules and no alerts: the tables say so instead of showing
    their headings alone."""
    fresh = TestClient(make_app())
    page = fresh.get("/alerts").text
    assert 'id="no-rules"' in page and 'id="no-alerts"' in page
    assert "Правил оповещений пока нет" in fresh.get("/alerts?lang=ru").text


def test_a_bad_alert_threshold_keeps_the_alerts_form(client: TestClient) -> None:
    typed = {"name": "Sales SL", "kind": "sl_below", "threshold": "abc", "minutes": "5",
             "queue": "sales", "channel": "voice"}
    page = client.post("/alerts", data=typed, follow_redirects=False)
    assert page.status_code == 422
    assert error_of(page.text) == "The threshold “abc” is not a number."
    for name in ("name", "threshold", "minutes", "queue", "channel"):
        assert field(page.text, name) == typed[name], name
    percent = client.post("/alerts", data={**typed, "threshold": "80"}, follow_redirects=False)
    assert percent.status_code == 422
    assert error_of(percent.text) == ("For this kind the threshold is a ratio from 0 to 1 "
                                      "(0.8 is 80 %).")
    minutes = client.post("/alerts", data={**typed, "threshold": "0.8", "minutes": "-3"},
                          follow_redirects=False)
    assert minutes.status_code == 422
    assert error_of(minutes.text) == "Minutes must be a number from 0 to 1440."
    made = client.post("/alerts", data={**typed, "threshold": "0.8"}, follow_redirects=False)
    assert made.status_code == 303
    rules = client.get("/api/v1/alerts").json()["rules"]
    assert [(r["name"], r["threshold"], r["queue"]) for r in rules] == [("Sales SL", 0.8,
                                                                        "sales")]


# -- inclusive days ------------------------------------------------------------------------


def test_from_equal_to_is_that_one_day(client: TestClient) -> None:
    tz = "Europe/Kyiv"
    expected = omnikpi.report_result(DEMO_DATA_DIR, metrics=["offered"], tz=tz, from_=DAY,
                                     to="2024-03-06", where={"channel": ["voice", "chat"]})
    whole = omnikpi.report_result(DEMO_DATA_DIR, metrics=["offered"], tz=tz,
                                  where={"channel": ["voice", "chat"]})
    day_offered = expected.rows[0]["offered"]
    assert 0 < day_offered < whole.rows[0]["offered"]
    page = client.get(f"/builder?metrics=offered&tz={tz}&from={DAY}&to_day={DAY}"
                      "&channel=voice,chat")
    assert page.status_code == 200
    shown = re.search(r"<tr>\s*<td[^>]*>([^<]*)</td>", page.text)
    assert shown and shown.group(1).replace(",", "").replace("\u202f", "") == str(day_offered)
    assert period_of(page.text).startswith(f"Period {DAY} – {DAY} · Zone {tz} · As of ")
    assert field(page.text, "from") == DAY and field(page.text, "to_day") == DAY
    # the CSV export of the preview reads the same inclusive day
    builder = client.get(f"/builder?metrics=offered&by=channel&tz={tz}&from={DAY}"
                         f"&to_day={DAY}")
    assert builder.status_code == 200 and 'id="preview-table"' in builder.text
    link = re.search(r'id="export-csv" href="([^"]+)"', builder.text)
    assert link and f"to_day={DAY}" in html.unescape(link.group(1))
    csv_rows = client.get(html.unescape(link.group(1))).text.splitlines()
    by_channel = omnikpi.report_result(DEMO_DATA_DIR, metrics=["offered"], by=["channel"],
                                       tz=tz, from_=DAY, to="2024-03-06")
    assert csv_rows[1:] == [f"{r['channel']},{r['offered']}" for r in by_channel.rows]


def test_shared_urls_keep_their_meaning(client: TestClient) -> None:
    # an exclusive day boundary from the API or a saved report: the form shows the last day
    page = client.get("/builder?from=2024-03-04&to=2024-03-06")
    assert field(page.text, "to_day") == DAY
    assert period_of(page.text).startswith(f"Period 2024-03-04 – {DAY} · Zone UTC")
    # a time of day keeps its exact value (a text field named `to`, not a day)
    timed = client.get("/builder?from=2024-03-04T08:30:00&to=2024-03-05T12:00:00")
    assert field(timed.text, "from") == "2024-03-04T08:30:00"
    assert field(timed.text, "to") == "2024-03-05T12:00:00"
    assert 'name="to_day"' not in timed.text
    assert period_of(timed.text).startswith(f"Period 2024-03-04 – {DAY}")
    assert exclusive_to("2024-02-29") == "2024-03-01"
    assert exclusive_to("2024-12-31") == "2025-01-01"
    assert exclusive_to("soon") == "soon"


def test_the_period_line_shows_the_as_of_used(client: TestClient) -> None:
    latest = omnikpi.report_result(DEMO_DATA_DIR, metrics=["offered"])
    assert latest.rows  # the demo has contacts
    # the builder's figures and exports are cut at the page's one as-of (every table's
    # latest event: midnight of the 7th in Kyiv) and its line says so; it said the
    # contacts' 23:57 above a time late computed at 00:00 (6:01:51, 6:01:34 at 23:57)
    page = client.get("/builder?metrics=avg_time_late&channel=email,social&tz=Europe/Kyiv")
    assert period_of(page.text) == ("Period 2024-03-04 – 2024-03-06 · Zone Europe/Kyiv · "
                                    "As of 2024-03-07 00:00")
    at_line = omnikpi.report_result(DEMO_DATA_DIR, metrics=["avg_time_late"],
                                    as_of="2024-03-07T00:00:00", tz="Europe/Kyiv",
                                    where={"channel": ["email", "social"]})
    shown = re.search(r'data-raw="([0-9.]+)"', page.text)
    assert shown and float(shown.group(1)) == pytest.approx(
        at_line.rows[0]["avg_time_late"], abs=0.01)
    # a drill-down's figure is its metric's (the engine's default as-of): so is its line
    # (the demo's last contact event is 2024-03-06 21:57 UTC: 23:57 in Kyiv)
    drill = client.get("/drill?metric=offered&tz=Europe/Kyiv")
    assert period_of(drill.text).endswith("As of 2024-03-06 23:57")
    given = client.get("/agents?as_of=2024-03-05T12:00:00&tz=UTC")
    assert period_of(given.text).endswith("As of 2024-03-05 12:00")
    assert period_of(client.get("/agent/chat-01?tz=UTC").text).startswith("Period 2024-03-03")
    assert period_of(client.get("/drill?metric=offered&tz=UTC").text).startswith("Period ")
    # the dashboard reads every table, whose latest event is midnight of the 7th (Kyiv):
    # its last day is the 6th, as the page's "4–6 Mar" says (the line read "– 2024-03-07")
    dashboard = client.get("/?tz=Europe/Kyiv").text
    assert period_of(dashboard) == ("Period 2024-03-04 – 2024-03-06 · Zone Europe/Kyiv · "
                                    "As of 2024-03-07 00:00")


# -- presets ---------------------------------------------------------------------------------


def test_presets_count_from_the_latest_day() -> None:
    ranges = preset_ranges(date(2024, 3, 6))  # a Wednesday
    assert {k: (a.isoformat(), b.isoformat()) for k, a, b in
            ((k, *v) for k, v in ranges.items())} == {
        "today": ("2024-03-06", "2024-03-06"),
        "yesterday": ("2024-03-05", "2024-03-05"),
        "this_week": ("2024-03-04", "2024-03-06"),
        "last_week": ("2024-02-26", "2024-03-03"),
        "this_month": ("2024-03-01", "2024-03-06"),
        "last_month": ("2024-02-01", "2024-02-29"),
        "last_7_days": ("2024-02-29", "2024-03-06"),
        "last_30_days": ("2024-02-06", "2024-03-06"),
    }
    monday = preset_ranges(date(2025, 1, 6))
    assert monday["this_week"] == (date(2025, 1, 6), date(2025, 1, 6))
    assert monday["last_month"] == (date(2024, 12, 1), date(2024, 12, 31))


def test_presets_on_the_page_follow_the_zone(client: TestClient) -> None:
    def today(tz: str) -> tuple[str, str]:
        page = client.get(f"/agents?tz={tz}").text
        found = re.search(r'value="today" data-from="([^"]+)" data-to="([^"]+)"', page)
        assert found
        return found.group(1), found.group(2)

    # the last event is 2024-03-06 22:00 UTC: already 7 March in Kyiv
    assert today("UTC") == ("2024-03-06", "2024-03-06")
    assert today("Europe/Kyiv") == ("2024-03-07", "2024-03-07")


# -- pickers -------------------------------------------------------------------------------


def options(page: str, name: str) -> list[str]:
    found = re.search(rf'name="{name}"[^>]*data-options=\'([^\']*)\'', page, re.S)
    assert found, f"no picker {name}"
    values: list[str] = json.loads(html.unescape(found.group(1)))
    return values


@pytest.fixture(scope="module")
def tenants_app(make_app: Callable[..., FastAPI],
                tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    folder = write_two_tenants(Path(tmp_path_factory.mktemp("pickers")) / "both")
    application = make_app(folder, auth_required=True, live_updates=False)
    with session_scope(application.state.omnikpi.database_url) as session:
        create_user(session, "root", PASSWORD, "admin")
        create_user(session, "client-a", PASSWORD, "client", tenant="A")
    return application


def test_pickers_offer_only_what_the_user_may_see(tenants_app: FastAPI) -> None:
    with TestClient(tenants_app) as viewer, TestClient(tenants_app) as admin:
        log_in(viewer, "client-a", PASSWORD)
        log_in(admin, "root", PASSWORD)
        mine = viewer.get("/builder?tz=UTC").text
        every = admin.get("/agents?tz=UTC").text
        assert options(viewer.get("/agents").text, "queue") == ["mail", "sales", "web"]
    assert options(mine, "queue") == ["mail", "sales", "web"]
    assert options(mine, "tenant") == ["A"]
    assert options(mine, "site") == ["kyiv"]
    assert options(mine, "agent_id") == ["a1", "a2"]
    assert options(mine, "channel") == ["chat", "email", "voice"]
    assert MARK not in mine
    assert options(every, "queue") == ["mail", f"q-{MARK}", "sales", "web"]
    assert options(every, "tenant") == ["A", "B"]


def test_pickers_on_the_demo_and_the_zone_list(client: TestClient) -> None:
    page = client.get("/builder?queue=sales,nowhere").text
    queues = options(page, "queue")
    assert "sales" in queues and queues == sorted(queues)
    assert field(page, "queue") == "sales,nowhere"  # a value typed by hand is kept
    zones = re.findall(r"<option(?: selected)?>([^<]+)</option>",
                       re.search(r'<select name="tz".*?</select>', page, re.S).group(0))  # type: ignore[union-attr]
    assert zones[:2] == ["UTC", "Europe/Kyiv"] and "Pacific/Auckland" in zones
    assert len(zones) > 300
    # labels and grain names are translated
    ru = client.get("/builder?lang=ru").text
    assert ">Очередь <input" in ru and ">по дням</option>" in ru
    client.get("/builder?lang=en")


# -- the builder keeps its filters -------------------------------------------------------------


def test_builder_round_trip_of_filters(client: TestClient, tmp_path: Path) -> None:
    query = ("metrics=offered,service_level&by=queue&grain=day&tz=Europe/Kyiv"
             f"&from=2024-03-04&to_day={DAY}&channel=voice&queue=sales,support"
             "&param=service_level.threshold_seconds=30")
    preview = client.get(f"/builder?{query}")
    assert preview.status_code == 200 and 'id="preview-table"' in preview.text
    expected = omnikpi.report_result(
        DEMO_DATA_DIR, metrics=["offered", "service_level"], by=["queue"], grain="day",
        tz="Europe/Kyiv", from_="2024-03-04", to="2024-03-06",
        where={"channel": ["voice"], "queue": ["sales", "support"]},
        params={"service_level.threshold_seconds": "30"})
    cells = re.findall(r"<tr>\s*<td>(.*?)</td>", preview.text)
    assert len(cells) == len(expected.rows) > 0
    saved = client.post("/builder/save", data={"name": "Kyiv voice", "query": query},
                        follow_redirects=False)
    assert saved.status_code == 303
    definition = tomllib.loads(client.get("/builder/definition/kyiv-voice.toml").text)
    assert definition == {
        "name": "Kyiv voice", "metrics": ["offered", "service_level"], "by": ["queue"],
        "grain": "day", "tz": "Europe/Kyiv", "from": "2024-03-04", "to": "2024-03-06",
        "params": {"service_level.threshold_seconds": "30"},
        "filters": {"channel": ["voice"], "queue": ["sales", "support"]}}
    reopened = client.get("/builder?definition=kyiv-voice")
    assert reopened.status_code == 200
    for name, value in {"from": "2024-03-04", "to_day": DAY, "tz": "Europe/Kyiv",
                        "grain": "day", "channel": "voice", "queue": "sales,support",
                        "param": "service_level.threshold_seconds=30",
                        "metrics": "offered,service_level", "by": "queue"}.items():
        assert field(reopened.text, name) == value, name
    assert len(re.findall(r"<tr>\s*<td>", reopened.text)) == len(expected.rows)
    # a bad name keeps the builder with what was typed
    refused = client.post("/builder/save", data={"name": "   ", "query": query})
    assert refused.status_code == 400
    assert error_of(refused.text) == "Type a name to save the report under."
    assert field(refused.text, "queue") == "sales,support"
    assert field(refused.text, "to_day") == DAY


# -- in a browser: the picker and a preset -----------------------------------------------------


@pytest.fixture(scope="module")
def served(make_app: Callable[..., FastAPI]) -> Iterator[str]:
    from tests.web.conftest import running_server

    with running_server(make_app(live_updates=False)) as url:
        yield url


@needs_browser
@pytest.mark.parametrize("width", [1440, 390])
def test_pick_a_queue_and_a_preset_in_a_browser(served: str, browser: Any, width: int) -> None:
    from urllib.parse import parse_qs, urlparse

    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.set_window_size(width, 900)
    browser.get(f"{served}/?tz=Europe/Kyiv")
    toggle = browser.find_element(By.ID, "picker-queue")
    assert not browser.find_elements(By.CSS_SELECTOR, "input[name=queue]:not([type=hidden])")
    toggle.click()
    search = browser.find_element(By.CSS_SELECTOR, "#picker-queue ~ .picker-pop .picker-search")
    search.send_keys("sal")
    shown = [e.text for e in browser.find_elements(
        By.CSS_SELECTOR, "#picker-queue ~ .picker-pop .picker-item") if e.is_displayed()]
    assert shown == ["sales"]
    browser.find_element(By.CSS_SELECTOR, "#picker-queue ~ .picker-pop input[value=sales]").click()
    assert toggle.text.startswith("sales")
    browser.save_screenshot(str(SHOTS / f"filters-picker-{width}.png"))
    # the preset submits the form: yesterday of the data's latest day in Kyiv (7 March)
    Select(browser.find_element(By.ID, "preset")).select_by_value("yesterday")
    WebDriverWait(browser, 30).until(lambda d: "to_day=" in d.current_url)
    query = parse_qs(urlparse(browser.current_url).query)
    assert query == {"queue": ["sales"], "from": ["2024-03-06"], "to_day": ["2024-03-06"],
                     "tz": ["Europe/Kyiv"], "grain": ["total"]}
    expected = omnikpi.report_result(DEMO_DATA_DIR, metrics=["offered"], tz="Europe/Kyiv",
                                     from_="2024-03-06", to="2024-03-07",
                                     where={"queue": ["sales"]}).rows[0]["offered"]
    tile = browser.find_element(By.CSS_SELECTOR, "[data-metric='offered'][data-raw]")
    assert int(float(tile.get_attribute("data-raw"))) == expected > 0
    assert browser.find_element(By.ID, "effective-period").text.startswith(
        "Period 2024-03-06 – 2024-03-06 · Zone Europe/Kyiv · As of 2024-03-0")
    assert browser.find_element(By.ID, "picker-queue").text.startswith("sales")
    assert browser.execute_script(  # the filter form fits the width (it wraps)
        "return document.getElementById('filters').getBoundingClientRect().right"
        " <= window.innerWidth + 1")
    browser.save_screenshot(str(SHOTS / f"filters-preset-{width}.png"))
    # a bad period: the message in the page, the form as typed
    browser.get(f"{served}/?from=2024-03-06&to_day=2024-03-01&queue=sales&tz=Europe/Kyiv")
    box = browser.find_element(By.ID, "error")
    assert box.is_displayed() and "The To date is before the From date" in box.text
    assert browser.find_element(By.ID, "filter-to").get_attribute("value") == "2024-03-01"
    assert browser.find_element(By.ID, "picker-queue").text.startswith("sales")
    browser.save_screenshot(str(SHOTS / f"filters-error-{width}.png"))
    # the builder with its filters and preview
    browser.get(f"{served}/builder?metrics=offered,service_level&by=queue&tz=Europe/Kyiv"
                "&from=2024-03-05&to_day=2024-03-06&channel=voice&grain=day")
    assert browser.find_element(By.ID, "picker-channel").text.startswith("voice")
    assert browser.find_elements(By.CSS_SELECTOR, "#preview-table tbody tr")
    assert browser.execute_script(  # nothing sideways: the table scrolls in its box
        "return document.documentElement.scrollWidth <= window.innerWidth")
    browser.save_screenshot(str(SHOTS / f"filters-builder-{width}.png"))


def test_direction_is_a_filter_of_every_page_and_the_api(
        make_app: Callable[..., FastAPI], tmp_path: Path) -> None:
    """Inbound and outbound work apart: the picker offers the data's directions, and the
    API, the builder and the dashboard read the filter (the hand-computed case of
    tests/engines/test_outbound_contacts.py: AHT 300 s inbound, 135 s outbound)."""
    from tests.builders import dataset
    from tests.engines.test_outbound_contacts import inbound_and_outbound

    folder = dataset(tmp_path / "data", contacts=inbound_and_outbound("outbound"))
    with TestClient(make_app(folder, live_updates=False)) as client:
        page = client.get("/builder?metrics=aht&direction=outbound").text
        assert options(page, "direction") == ["inbound", "outbound"]
        assert field(page, "direction") == "outbound"
        api = {direction: client.get("/api/v1/report", params={
            "metrics": "handled,aht,offered", "direction": direction}).json()["rows"]
               for direction in ("inbound", "outbound")}
        assert api["inbound"] == [{"handled": 1, "aht": 300.0, "offered": 2}]
        assert api["outbound"] == [{"handled": 2, "aht": 135.0, "offered": 0}]
        listed = client.get("/api/v1/contacts", params={"direction": "outbound"}).json()
        assert sorted(r["contact_id"] for r in listed["rows"]) == ["o1", "o2", "o3"]
        dashboard = client.get("/?direction=outbound").text
        assert field(dashboard, "direction") == "outbound"
        assert "2:15" in dashboard  # the outbound AHT on its tile


def test_presets_count_from_the_operations_last_day_not_a_later_review(
        make_app: Callable[..., FastAPI], tmp_path: Path) -> None:
    """One QA evaluation made on 2026-12-01 of the demo's March 2024 calls turned "today"
    into 2026-12-01 and every preset into empty days."""
    import shutil

    data = tmp_path / "data"
    shutil.copytree(DEMO_DATA_DIR, data)
    (data / "qa_evaluations.csv").write_text(
        "evaluation_id,contact_id,agent_id,evaluator_id,form_id,evaluated_at,score\n"
        "e1,mail-000001,backoffice-01,lead,calls-v1,2026-12-01T10:00:00Z,90\n")
    with TestClient(make_app(data, live_updates=False)) as client:
        page = client.get("/agents?tz=UTC").text
    found = re.search(r'value="today" data-from="([^"]+)" data-to="([^"]+)"', page)
    assert found and found.groups() == ("2024-03-06", "2024-03-06")


@pytest.mark.parametrize("url", ["/builder?metrics=qa_score&lang=ru",
                                 "/api/v1/report?metrics=qa_score",
                                 "/export.xlsx?metrics=qa_score&lang=uk"])
def test_no_answer_names_the_servers_folder(client: TestClient, url: str) -> None:
    """A client clicking a QA metric read "… but /srv/omnikpi/bank-data has no
    qa_evaluations.csv": the folder is named by its name alone, in pages and JSON."""
    from omnikpi.demo import DEMO_DATA_DIR

    answer = client.get(url)
    assert answer.status_code == 422
    assert str(DEMO_DATA_DIR) not in answer.text
    if url.startswith("/builder"):
        assert error_of(answer.text) == (
            "Для показателя «Оценка QA» нужна таблица qa_evaluations, которой в этом наборе "
            "данных нет: загрузите её или выберите другие показатели.")
    else:
        assert f"but {DEMO_DATA_DIR.name} has no qa_evaluations" in answer.json()["detail"]



def test_a_download_link_clicked_in_a_browser_answers_with_a_page(client: TestClient) -> None:
    """A person who clicked an export link got ``{"detail": "metric occupancy cannot be
    cut by queue…"}`` in English; a script asking for the file still gets the JSON."""
    url = "/export.csv?metrics=occupancy&by=queue&lang=uk"
    clicked = client.get(url, headers={"accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert clicked.status_code == 400
    assert clicked.headers["content-type"].startswith("text/html")
    assert error_of(clicked.text).startswith("Показник «Зайнятість» не можна розрізати")
    script = client.get(url)
    assert script.status_code == 400 and "cannot be cut by queue" in script.json()["detail"]
    drill = client.get("/drill.csv?metric=nosuch", headers={"accept": "text/html"})
    assert drill.status_code in (400, 422) and drill.headers["content-type"].startswith(
        "text/html")


def test_a_filter_value_no_row_holds_is_said_under_the_form(client: TestClient) -> None:
    """``tenant=Bank`` (the data says bank) showed empty tiles and no word."""
    page = client.get("/", params={"tenant": "Bank,telco", "queue": "nosuch",
                                   "lang": "uk"}).text
    notes = [html.unescape(n) for n in re.findall(
        r'<p class="note unmatched-filter" role="status">(.*?)</p>', page, re.S)]
    assert sorted(notes) == [
        "Клієнт (тенант): немає жодного рядка зі значенням «Bank»; у даних є «bank» "
        "(регістр літер важливий).",
        "Черга: немає жодного рядка зі значенням «nosuch».",
    ], notes
    assert "unmatched-filter" not in client.get("/", params={"tenant": "bank"}).text


def test_the_command_line_names_filter_values_no_row_holds(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from omnikpi.cli.main import app as cli

    done = CliRunner().invoke(cli, [
        "report", "--data", str(DEMO_DATA_DIR), "--metrics", "offered", "--format", "csv",
        "--filter", "tenant=Bank,telco", "--filter", "channel=Voice"])
    assert done.exit_code == 0, done.output
    assert "note: no row has tenant 'Bank' (the data has 'bank': values are " \
        "case-sensitive)" in " ".join(done.stderr.split())
    assert "Voice" not in done.stderr  # channels are read in lower case: voice matches

"""Languages (en, ru, uk), agent pages and the Gantt data behind them."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

import omnikpi
from omnikpi.demo import DEMO_DATA_DIR
from omnikpi.formatting import human


@pytest.fixture(scope="module")
def client(make_app: Callable[..., FastAPI]) -> TestClient:
    return TestClient(make_app())


@pytest.mark.parametrize(("header", "word"), [
    ("uk-UA,uk;q=0.9,en;q=0.5", "Рівень сервісу"), ("ru", "Уровень сервиса"),
    ("de-DE", "Service level"), ("", "Service level"),
])
def test_language_from_the_browser(client: TestClient, header: str, word: str) -> None:
    page = client.get("/", headers={"accept-language": header})
    assert word in page.text


def test_language_choice_is_remembered(make_app: Callable[..., FastAPI]) -> None:
    client = TestClient(make_app())
    chosen = client.get("/?lang=ru", headers={"accept-language": "en"})
    assert "Уровень сервиса" in chosen.text and chosen.cookies.get("lang") == "ru"
    again = client.get("/", headers={"accept-language": "en"})
    assert "Уровень сервиса" in again.text


def test_agent_page_shows_its_timeline_and_kpis(client: TestClient) -> None:
    listing = client.get("/agents")
    assert listing.status_code == 200 and "/agents/chat-01" in listing.text
    page = client.get("/agents/chat-01", params={"tz": "Europe/Kyiv"})
    assert page.status_code == 200 and "gantt" in page.text
    occupancy = omnikpi.report_result(DEMO_DATA_DIR, metrics=["occupancy"],
                                      by=["agent_id"]).rows
    value = next(r["occupancy"] for r in occupancy if r["agent_id"] == "chat-01")
    assert f"{value * 100:.1f} %" in page.text
    # the Gantt shows one day: the last with data (6 March in Kyiv), cut at its midnight
    dataset = omnikpi.load_dataset(DEMO_DATA_DIR)
    rows = dataset.con.execute(
        "SELECT count(*) FROM agent_states WHERE agent_id = 'chat-01' "
        "AND \"end\" > epoch_us(TIMESTAMPTZ '2024-03-06 00:00:00+02') "
        "AND start < epoch_us(TIMESTAMPTZ '2024-03-07 00:00:00+02')").fetchone()
    bars = re.search(r"const bars = (\[.*?\]);", page.text, re.S)
    assert rows is not None and bars and len(json.loads(bars.group(1))) == rows[0] > 30


def test_state_drill_down_reproduces_occupancy(client: TestClient) -> None:
    from omnikpi.auth.accounts import Principal
    from omnikpi.auth.scope import UNBOUNDED
    from omnikpi.web.deps import Filters, View
    from omnikpi.web.service import states_page

    app = client.app.state.omnikpi  # type: ignore[attr-defined]
    state = View(app, Principal("admin", "admin"), UNBOUNDED, app.dataset)
    filters = Filters(where={"agent_id": ["chat-01"]})
    num = states_page(state, filters, "occupancy", "numerator", 1, 1000)
    den = states_page(state, filters, "occupancy", "denominator", 1, 1000)
    ratio = sum(r["seconds"] for r in num["rows"]) / sum(r["seconds"] for r in den["rows"])
    occupancy = omnikpi.report_result(DEMO_DATA_DIR, metrics=["occupancy"],
                                      where={"agent_id": ["chat-01"]}).rows[0]["occupancy"]
    assert ratio == pytest.approx(occupancy)
    page = client.get("/drill", params={"metric": "occupancy", "agent_id": "chat-01",
                                        "part": "denominator"})
    assert f"{den['total']} state intervals" in page.text
    assert f"{occupancy * 100:.1f} %" in page.text  # the figure, from the same rows


def _same_rows(ours: list[dict[str, Any]], theirs: list[dict[str, Any]]) -> bool:
    """Equal rows, floats to the last bits (parallel sums may add in another order)."""
    return len(ours) == len(theirs) and all(
        a.keys() == b.keys() and all(
            a[k] == pytest.approx(b[k], rel=1e-12) if isinstance(b[k], float) else a[k] == b[k]
            for k in a)
        for a, b in zip(ours, theirs, strict=True))


def _chart_data(page: str, name: str) -> Any:
    found = re.search(rf"const {name} = (.*?);\n", page)
    assert found, f"no data for the chart {name}"
    return json.loads(found.group(1))


def test_dashboard_charts_plot_the_engines_numbers(client: TestClient) -> None:
    page = client.get("/", params={"tz": "Europe/Kyiv"}).text
    assert 'id="trend"' in page and 'id="funnel"' in page and 'id="concurrency"' in page
    # the accessibility tiles' channels (continuous), not every channel pooled: e-mail
    # answered within its day lifted the line above the voice tile
    trend = omnikpi.report_result(DEMO_DATA_DIR, metrics=["service_level", "abandon_rate"],
                                  grain="day", tz="Europe/Kyiv",
                                  where={"channel": ["voice", "chat"]}).rows
    assert _same_rows(_chart_data(page, "trend"), trend)
    pooled = omnikpi.report_result(DEMO_DATA_DIR, metrics=["service_level"], grain="day",
                                   tz="Europe/Kyiv").rows
    assert [r["service_level"] for r in pooled] != [r["service_level"] for r in trend]
    emails = client.get("/", params={"tz": "Europe/Kyiv", "channel": "email"}).text
    assert _same_rows(_chart_data(emails, "trend"), omnikpi.report_result(
        DEMO_DATA_DIR, metrics=["service_level", "abandon_rate"], grain="day",
        tz="Europe/Kyiv", where={"channel": ["email"]}).rows)
    assert _chart_data(page, "goals") == {"service_level": 0.8, "abandon_rate": 0.05}
    states = omnikpi.report_result(DEMO_DATA_DIR, metrics=["time_in_state"]).rows
    hours = {}
    for row in states:
        hours[row["state"]] = hours.get(row["state"], 0.0) + row["time_in_state"] / 3600
    funnel = dict((label, value) for label, value in _chart_data(page, "funnel"))
    work = hours.get("handling", 0) + hours.get("hold", 0) + hours.get("acw", 0)
    assert funnel["Workload"] == pytest.approx(work)
    assert funnel["Active"] == pytest.approx(work + hours.get("available", 0))
    assert funnel["Logged in"] == pytest.approx(
        sum(v for k, v in hours.items() if k != "logged_out"))
    assert funnel["Logged in"] >= funnel["Active + paid not ready"] >= funnel["Active"] \
        >= funnel["Workload"] > 0
    accs = omnikpi.report_result(DEMO_DATA_DIR, metrics=["accs"], grain="hour",
                                 tz="Europe/Kyiv").rows
    # the chart's hours: the report's rows, and an explicit null at each hour without data
    conc = {r["period_start"]: r for r in _chart_data(page, "conc")}
    assert len(accs) > 5 and all(_same_rows([conc[r["period_start"]]], [r]) for r in accs)
    gaps = [r for start, r in conc.items() if start not in {a["period_start"] for a in accs}]
    assert gaps and all(r["accs"] is None for r in gaps)


def test_an_empty_dashboard_tile_says_why(client: TestClient) -> None:
    """The demo ends on 6 March, before any FCR question's 168-hour window: the tile's
    "—" is starred and the section says what the metric counts, in the page's language
    and at the dashboard's one as-of — the one its period line shows, the latest event of
    every table (22:00 UTC), in its zone. A later as-of gives FCR a value, and the note
    goes."""
    note = re.compile(r'<p class="note tile-note" id="why-empty-fcr">(.*?)</p>', re.S)
    en = client.get("/", params={"tz": "Europe/Kyiv", "lang": "en"}).text
    found = note.search(en)
    assert found, en[:3000]
    assert found.group(1) == (
        "* First-contact resolution: it counts handled contacts with a customer_id whose "
        "168-hour repeat window has ended by as-of (Mar 7, 2024, 00:00), and there are none: "
        "a later as-of or a shorter window_hours may give some.")
    assert re.search(r'data-metric="fcr"[^>]*>\s*<span class="name">First-contact '
                     r'resolution<sup>\*</sup></span>\s*<span class="value">—</span>', en)
    uk = note.search(client.get("/", params={"tz": "UTC", "lang": "uk"}).text)
    assert uk and uk.group(1).startswith(
        "* Вирішення з першого звернення: враховуються оброблені звернення з customer_id, у "
        "яких 168-годинне вікно повторів закінчилося до моменту 6 бер. 2024\u202fр., 22:00")
    later = client.get("/", params={"as_of": "2024-03-20T00:00", "lang": "en"}).text
    assert "why-empty-fcr" not in later and "<sup>*</sup>" not in later
    fcr = omnikpi.report_result(omnikpi.load_dataset(DEMO_DATA_DIR), metrics=["fcr"],
                                as_of="2024-03-20T00:00").rows[0]["fcr"]
    assert fcr is not None and f"{fcr * 100:.1f} %" in later


def test_the_wait_including_ivr_shows_only_with_ivr_sessions(
        client: TestClient, make_app: Callable[..., FastAPI], tmp_path: Path) -> None:
    """Without ``ivr_sessions`` the average wait including IVR is the ASA beside it (its
    declaration says so), so the demo's dashboard leaves that tile out. With two IVR
    sessions of 30 s and 90 s in front of two answered calls, the tile is there with the
    engine's figure: every answered call's wait plus 120 s of IVR over the answered."""
    assert 'data-metric="avg_wait_with_ivr"' not in client.get("/?lang=en").text
    data = tmp_path / "with-ivr"
    shutil.copytree(DEMO_DATA_DIR, data, ignore=shutil.ignore_patterns("_*"))
    contacts = pd.read_csv(data / "contacts.csv")
    answered = contacts[(contacts.channel == "voice") & contacts.first_response_at.notna()]
    first, second = answered.iloc[0], answered.iloc[1]
    rows = []
    for n, (contact, seconds) in enumerate([(first, 30), (second, 90)]):
        arrived = pd.Timestamp(contact.arrived_at)
        rows.append({"session_id": f"ivr-{n}", "contact_id": contact.contact_id,
                     "entered_at": (arrived - pd.Timedelta(seconds=seconds)).isoformat(),
                     "left_at": arrived.isoformat(), "result": "to_queue"})
    pd.DataFrame(rows).to_csv(data / "ivr_sessions.csv", index=False)
    page = TestClient(make_app(data)).get("/?lang=en").text
    tile = re.search(r'data-metric="avg_wait_with_ivr"[^>]*>\s*<span class="name">Average '
                     r'wait including IVR</span>\s*<span class="value">([^<]*)'
                     r'(?: <span class="clock">[^<]*</span>)?</span>', page)
    assert tile, page[:2000]
    dataset = omnikpi.load_dataset(data)
    engine = omnikpi.report_result(dataset, metrics=["avg_wait_with_ivr", "asa"],
                                   where={"channel": ["voice", "chat", "messenger"]}).rows[0]
    answered_live = contacts[contacts.channel.isin(["voice", "chat"])
                             & contacts.first_response_at.notna()
                             & ~contacts.blocked.astype(bool)]
    assert engine["avg_wait_with_ivr"] == pytest.approx(
        engine["asa"] + 120 / len(answered_live), rel=1e-9)
    assert tile.group(1) == human(engine["avg_wait_with_ivr"], "seconds", "en")


def test_the_servers_folder_is_named_to_those_who_run_it_only(
        make_app: Callable[..., FastAPI], tmp_path: Path) -> None:
    """A client of an outsourcer reads the dashboard: the dataset is named by its
    folder's name, not by where the server keeps it; an administrator sees the path."""
    from omnikpi.auth.accounts import create_user
    from omnikpi.store.db import session_scope
    from tests.web.conftest import log_in
    from tests.web.tenants import write_two_tenants

    data = write_two_tenants(tmp_path / "clients-data")
    app = make_app(data, auth_required=True, live_updates=False)
    with session_scope(app.state.omnikpi.database_url) as session:
        create_user(session, "boss", "plum tractor velvet 1", "admin")
        create_user(session, "acme", "plum tractor velvet 2", "client", tenant="A")
    admin = log_in(TestClient(app), "boss", "plum tractor velvet 1").get("/").text
    client = log_in(TestClient(app), "acme", "plum tractor velvet 2").get("/").text
    assert f"<code>{data}</code>" in admin
    assert "<code>clients-data</code>" in client and str(tmp_path) not in client


def test_the_dashboard_s_figures_are_at_the_as_of_it_shows(client: TestClient) -> None:
    """The period line said "As of 2024-03-07 00:00" (every table's last event) while the
    contact tiles were cut at 23:57 (the contacts' own), and their drill-down links carried
    no as-of: rerun at the shown as-of, average time late changed (6:01:34 → 6:01:51)."""
    import html as html_text

    page = client.get("/", params={"tz": "Europe/Kyiv", "lang": "en"}).text
    assert re.search(r'id="period-as-of">2024-03-07 00:00<', page)
    raw = re.search(r'data-metric="avg_time_late" data-raw="([^"]+)"', page)
    assert raw, "no average time late tile"
    at_shown = omnikpi.report_result(
        omnikpi.load_dataset(DEMO_DATA_DIR), metrics=["avg_time_late"],
        where={"channel": ["email", "social"]}, tz="Europe/Kyiv",
        as_of="2024-03-07T00:00").rows[0]["avg_time_late"]
    assert float(raw.group(1)) == pytest.approx(at_shown)
    link = re.search(r'data-metric="avg_time_late"[^>]*\n?[^>]*href="([^"]+)"', page)
    assert link and "as_of=2024-03-06T22%3A00%3A00%2B00%3A00" in html_text.unescape(
        link.group(1))



def test_the_builder_and_its_export_agree_with_the_dashboard_s_tile(
        client: TestClient) -> None:
    """The builder and its exports cut a report at the contacts' last event (21:57 UTC)
    while the dashboard cut the same figure at the page's as-of (22:00, the agent
    states' last): average time late read 6:01:34 in the builder's file and 6:01:51 on
    the tile. All three now use the page's one as-of."""
    params = {"tz": "Europe/Kyiv", "lang": "en"}
    page = client.get("/", params=params).text
    tile = re.search(r'data-metric="avg_time_late" data-raw="([^"]+)"', page)
    assert tile, "no average time late tile"
    asked = {**params, "metrics": "avg_time_late", "channel": "email,social"}
    exported = client.get("/export.csv", params=asked)
    assert exported.status_code == 200
    head, value = exported.text.split()[:2]
    assert head == "avg_time_late"
    assert float(value) == pytest.approx(float(tile.group(1)))
    assert round(float(value)) == 6 * 3600 + 1 * 60 + 51  # 6:01:51, as on the tile
    builder = client.get("/builder", params=asked).text
    assert human(float(value), "seconds") == "6:01:51" and ">6:01:51<" in builder

def test_an_evaluation_made_today_does_not_move_the_dashboard_s_as_of(
        make_app: Callable[..., FastAPI], tmp_path: Path) -> None:
    """A QA evaluation made today of the imported March put the page's as-of at today:
    every e-mail unanswered at the month's end would have become months late."""
    folder = tmp_path / "data"
    shutil.copytree(DEMO_DATA_DIR, folder)
    (folder / "qa_evaluations.csv").write_text(
        "evaluation_id,contact_id,agent_id,evaluator_id,form_id,evaluated_at,score\n"
        "e1,mail-000001,backoffice-01,lead,voice@v1,2026-12-04T08:00:00Z,90\n")
    client = TestClient(make_app(folder, live_updates=False, scheduler=False))
    page = client.get("/", params={"tz": "Europe/Kyiv", "lang": "en"}).text
    assert re.search(r'id="period-as-of">2024-03-07 00:00<', page)
    link = re.search(r'data-metric="avg_time_late"[^>]*\n?[^>]*href="([^"]+)"', page)
    assert link and "as_of=2024-03-06T22%3A00%3A00" in link.group(1)

"""The data-quality page and the dashboard's line about quarantined rows: the web app says
what validation left out, as `omnikpi report` does on stderr (it said nothing before).

The dataset: five surveys of which one scores 7 on a 1–5 scale (quarantined), a roster
file without its required columns (unusable), and a voice contact accepted without a
first response (a note)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

import omnikpi
from omnikpi.auth.accounts import create_user
from omnikpi.config import Config
from omnikpi.demo import DEMO_DATA_DIR
from omnikpi.store.db import session_scope
from omnikpi.web.routes.api import NOTES_HEADER_BYTES, notes_header
from tests.web.conftest import log_in

PASSWORD = "data-quality-pass-1"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("dq") / "data"
    data.mkdir()
    (data / "contacts.csv").write_text(
        "contact_id,channel,queue,tenant,arrived_at,accepted_at,first_response_at,ended_at\n"
        "v1,voice,q1,A,2024-03-05T10:00:00Z,2024-03-05T10:00:10Z,,2024-03-05T10:05:00Z\n"
        "v2,voice,q1,A,2024-03-05T10:01:00Z,2024-03-05T10:01:05Z,2024-03-05T10:01:05Z,"
        "2024-03-05T10:04:00Z\n")
    (data / "surveys.csv").write_text(
        "contact_id,survey,score,scale_min,scale_max,answered_at\n"
        + "".join(f"v2,csat,{s},1,5,2024-03-05T10:10:00Z\n" for s in (5, 4, 7, 2, 5)))
    (data / "roster.csv").write_text("agent,hired\na1,2024-01-01\n")
    (data / "agent_state.csv").write_text("agent_id,state,start,end\n")  # a misspelt name
    return data


@pytest.fixture(scope="module")
def app(make_app: Callable[..., FastAPI], folder: Path) -> FastAPI:
    application = make_app(folder, auth_required=True, scheduler=False)
    with session_scope(application.state.omnikpi.database_url) as session:
        create_user(session, "root", PASSWORD, "admin")
        create_user(session, "sup-a", PASSWORD, "supervisor", tenant="A")
        create_user(session, "client-a", PASSWORD, "client", tenant="A")
        create_user(session, "agent-a", PASSWORD, "agent", tenant="A", agent_id="a1")
    return application


@pytest.fixture(scope="module")
def admin(app: FastAPI) -> TestClient:
    return log_in(TestClient(app), "root", PASSWORD)


def _text(html: str) -> str:
    main = re.split(r"<main\b[^>]*>", html)[1].split("</main>")[0]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


def _cells(html: str, table: str) -> list[list[str]]:
    body = re.search(rf'<table[^>]*id="{table}".*?<tbody>(.*?)</tbody>', html, re.S)
    assert body, table
    return [[" ".join(re.sub(r"<[^>]+>", " ", c).split())
             for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S)]


def test_the_page_lists_what_validation_made_of_every_file(admin: TestClient,
                                                           folder: Path) -> None:
    page = admin.get("/data?lang=en")
    assert page.status_code == 200
    loaded = omnikpi.load_dataset(folder, cache=False)
    assert loaded.quarantined == 1 and loaded.problem_count == 3
    assert _cells(page.text, "tables") == [
        ["contacts", "1", "2", "2", "0", "in use"],
        ["roster", "1", "0", "0", "0", "not usable: see its problems"],
        ["surveys", "1", "5", "4", "1", "in use"]]
    problems = _cells(page.text, "problems")
    assert problems == [
        ["roster.csv", "agent_id", "required column is missing",
         "the whole file is left out"],
        ["roster.csv", "hired_on", "required column is missing",
         "the whole file is left out"],
        ["surveys.csv line 4 (row 3)", "scale_max", "scale_max 5.0 is below score 7.0",
         "row quarantined"]]
    assert [[p.location, p.column or "", p.message] for p in loaded.problems] == \
        [row[:3] for row in problems]
    text = _text(page.text)
    assert "Problems (3)" in text
    assert "contacts , 1 row: Voice contacts with accepted_at but no first_response_at " \
           "count as not answered" in text
    assert "Files not read agent_state.csv : not a table of the data model: did you mean " \
           "agent_states?" in text
    loaded.close()


@pytest.mark.parametrize("lang, words, problems", [
    ("ru", ["Качество данных", "в карантине", "строка в карантине",
            "Голосовые обращения с accepted_at, но без first_response_at"],
     ["нет обязательного столбца", "scale_max 5.0 меньше, чем score 7.0",
      "surveys.csv строка 4 (запись 3)"]),
    ("uk", ["Якість даних", "у карантині", "рядок у карантині",
            "Голосові звернення з accepted_at, але без first_response_at"],
     ["немає обов’язкового стовпця", "scale_max 5.0 менше, ніж score 7.0",
      "surveys.csv рядок 4 (запис 3)"]),
])
def test_the_page_reads_in_russian_and_ukrainian(admin: TestClient, lang: str,
                                                 words: list[str],
                                                 problems: list[str]) -> None:
    page = admin.get(f"/data?lang={lang}").text
    text = _text(page)
    for word in words:
        assert word in text, word
    # the problems too (they read in English among translated headings), not marked
    # English any more; the file names and values stay as the data has them
    cells = _cells(page, "problems")
    assert [row[2] for row in cells] == [problems[0], problems[0], problems[1]]
    assert [row[0] for row in cells] == ["roster.csv", "roster.csv", problems[2]]
    assert 'lang="en" translate="no">scale_max' not in page


def test_the_dashboard_says_rows_were_left_out(admin: TestClient,
                                               make_app: Callable[..., FastAPI]) -> None:
    note = re.search(r'<p[^>]*id="quarantine-note"[^>]*>(.*?)</p>',
                     admin.get("/?lang=en").text, re.S)
    assert note
    text = " ".join(re.sub(r"<[^>]+>", " ", note.group(1)).split())
    assert text == ("Rows quarantined and left out of the KPIs: 1 · Tables left out (their "
                    "files do not follow the data model): roster · Data quality")
    assert 'href="/data"' in note.group(1)
    clean = TestClient(make_app(DEMO_DATA_DIR)).get("/").text
    assert 'id="quarantine-note"' not in clean


def test_who_may_see_it(app: FastAPI) -> None:
    for role in ("client-a", "agent-a"):
        assert log_in(TestClient(app), role, PASSWORD).get("/data").status_code == 403, role
    supervisor = log_in(TestClient(app), "sup-a", PASSWORD)
    page = supervisor.get("/data?lang=en")
    assert page.status_code == 200
    # the source files' problems concern every tenant: not shown to a bounded scope
    assert 'id="problems"' not in page.text and 'id="bounded-note"' in page.text
    assert "scale_max 5.0" not in page.text
    # a bounded scope counts no quarantined row (the quarantine describes every tenant's
    # files) but is told which tables are left out, without the link it may not follow
    dashboard = supervisor.get("/?lang=en").text
    note = re.search(r'<p[^>]*id="quarantine-note"[^>]*>(.*?)</p>', dashboard, re.S)
    assert note and "Rows quarantined" not in note.group(1) and "roster" in note.group(1)
    client = log_in(TestClient(app), "client-a", PASSWORD).get("/?lang=en").text
    client_note = re.search(r'<p[^>]*id="quarantine-note"[^>]*>(.*?)</p>', client, re.S)
    assert client_note and 'href="/data"' not in client_note.group(1)
    assert 'href="/data"' in page.text  # the footer's link, for supervisors and admins
    assert 'href="/data"' not in log_in(TestClient(app), "client-a", PASSWORD).get("/").text


def test_the_single_user_demo_shows_an_administrators_links(
        make_app: Callable[..., FastAPI], folder: Path) -> None:
    """``omnikpi serve --no-auth``: everyone is an administrator, so the navigation has the
    administrator's pages (it showed none of them: the pages did not know the caller)."""
    page = TestClient(make_app(folder)).get("/").text
    for link in ("/alerts", "/wfm/schedule", "/schedules", "/qa", "/data"):
        assert f'href="{link}"' in page, link
    assert 'id="logout"' not in page  # no accounts: nobody to log out


def test_the_lines_an_import_left_out_are_shown_to_administrators(
        make_app: Callable[..., FastAPI], tmp_path: Path) -> None:
    """A CSV export with a line of a field too many, imported: the page lists it with its
    file, line, reason and text (``rejects.csv``); a tenant's supervisor does not see
    other tenants' source lines."""
    from tests.unit.connectors.import_runs import CSV_MAPPING, run_import

    export = tmp_path / "calls.csv"
    export.write_text("id,q,t\nc1,sales,2024-03-05 10:00:00\n"
                      "c2,sales,2024-03-05 10:05:00,a note, with a comma\n"
                      "c3,sales,2024-03-05 10:10:00\n")
    (tmp_path / "m.toml").write_text(CSV_MAPPING)
    data = tmp_path / "data"
    code, output = run_import("csv", export, "--mapping", tmp_path / "m.toml", "--out", data)
    assert code == 0, output
    application = make_app(data, auth_required=True, scheduler=False)
    with session_scope(application.state.omnikpi.database_url) as session:
        create_user(session, "root", PASSWORD, "admin")
        create_user(session, "sup-a", PASSWORD, "supervisor", tenant="A")
    page = log_in(TestClient(application), "root", PASSWORD).get("/data?lang=en")
    text = _text(page.text)
    assert "Lines left out at import (1)" in text
    assert "1 — too many columns" in text
    assert _cells(page.text, "rejects") == [[
        f"{export} line 3", "too many columns: Expected Number of Columns: 3 Found: 5",
        "c2,sales,2024-03-05 10:05:00,a note, with a comma"]]
    for lang, title, kind in (("ru", "Строки, пропущенные при импорте (1)",
                               "слишком много столбцов"),
                              ("uk", "Рядки, пропущені під час імпорту (1)",
                               "забагато стовпців")):
        page = log_in(TestClient(application), "root", PASSWORD).get(f"/data?lang={lang}")
        assert title in _text(page.text) and f"1 — {kind}" in _text(page.text)
        # the reason in the page's language; DuckDB's own words stay as written
        assert _cells(page.text, "rejects")[0][1] == \
            f"{kind}: Expected Number of Columns: 3 Found: 5"
        assert 'lang="en"' not in page.text.split('id="reject-reasons"')[1]
    bounded = log_in(TestClient(application), "sup-a", PASSWORD).get("/data?lang=en")
    assert bounded.status_code == 200 and 'id="rejects"' not in bounded.text


def test_the_page_names_channels_it_does_not_know(make_app: Callable[..., FastAPI],
                                                  tmp_path: Path) -> None:
    """``phone`` is measured as a call (continuous, 20 s) unless configured: the page names
    it, in the reader's language, and a configured channel is no longer named."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "contacts.csv").write_text(
        "contact_id,channel,queue,arrived_at,first_response_at,ended_at\n"
        "p1,phone,q1,2024-03-05T10:00:00Z,2024-03-05T10:00:30Z,2024-03-05T10:05:00Z\n"
        "p2,phone,q1,2024-03-05T10:01:00Z,2024-03-05T10:01:10Z,2024-03-05T10:03:00Z\n"
        "v1,voice,q1,2024-03-05T10:02:00Z,2024-03-05T10:02:10Z,2024-03-05T10:03:00Z\n")
    client = TestClient(make_app(data, auth_required=False, scheduler=False))
    text = _text(client.get("/data?lang=uk").text)
    assert "contacts , 2 рядк" in text and "( phone ): Звернення каналу, якого OmniKPI не " \
        "знає" in text, text
    configured = make_app(data, config=Config.model_validate(
        {"channels": {"phone": {"mode": "continuous"}}}), scheduler=False)
    assert "phone" not in _text(TestClient(configured).get("/data?lang=en").text)


def test_a_bounded_supervisor_counts_the_rows_of_their_scope(
        make_app: Callable[..., FastAPI], tmp_path: Path) -> None:
    """Tenant A's supervisor read the whole dataset's counts (A's and B's contacts) and
    the number of files, under "the counts above are the rows you may see"."""
    data = tmp_path / "data"
    (data / "contacts").mkdir(parents=True)
    (data / "contacts" / "a.csv").write_text(
        "contact_id,channel,queue,tenant,arrived_at\n"
        "a1,voice,q1,A,2024-03-05T10:00:00Z\na2,voice,q1,A,2024-03-05T10:01:00Z\n")
    (data / "contacts" / "b.csv").write_text(
        "contact_id,channel,queue,tenant,arrived_at\n"
        + "".join(f"b{i},voice,q1,B,2024-03-05T10:0{i}:00Z\n" for i in range(5)))
    app = make_app(data, auth_required=True, scheduler=False)
    with session_scope(app.state.omnikpi.database_url) as session:
        create_user(session, "root", PASSWORD, "admin")
        create_user(session, "sup-a", PASSWORD, "supervisor", tenant="A")
    row = re.compile(r'<tr data-table="contacts"[^>]*>(.*?)</tr>', re.S)
    cells = re.compile(r'<td class="num">([^<]*)</td>')
    admin = row.search(log_in(TestClient(app), "root", PASSWORD).get("/data").text)
    assert admin and cells.findall(admin.group(1))[:3] == ["2", "7", "7"]  # files, rows
    bounded = row.search(log_in(TestClient(app), "sup-a", PASSWORD).get("/data").text)
    assert bounded and cells.findall(bounded.group(1)) == ["2", "2"]  # read, loaded


@pytest.mark.parametrize(("lang", "said"), [
    ("en", "no row loaded: see its problems"),
    ("uk", "жоден рядок не завантажено: див. проблеми")])
def test_a_table_of_which_no_row_loads_is_not_in_use(make_app: Callable[..., FastAPI],
                                                      tmp_path: Path, lang: str,
                                                      said: str) -> None:
    """Every instant unreadable: the page said the table was "in use" while its metrics
    read 0."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "contacts.csv").write_text("contact_id,channel,queue,arrived_at\n"
                                       "c1,voice,q,yesterday\nc2,voice,q,soon\n")
    client = TestClient(make_app(data, auth_required=False, scheduler=False))
    [row] = _cells(client.get(f"/data?lang={lang}").text, "tables")
    assert row[-1] == said, row


def test_the_report_api_says_what_the_cli_says_on_stderr(app: FastAPI, admin: TestClient
                                                         ) -> None:
    """``/api/v1/report`` answers the CLI's JSON; the quarantine count and the CLI's notes
    come as headers (a script read a mistyped queue's empty rows as a quiet day)."""
    answer = admin.get("/api/v1/report", params={"metrics": "offered,csat",
                                                 "queue": "Q1,nowhere"})
    assert answer.status_code == 200
    assert answer.json()["rows"] == [{"offered": 0, "csat": None}]
    assert answer.headers["X-OmniKPI-Quarantined-Rows"] == "1"
    notes = json.loads(answer.headers["X-OmniKPI-Notes"])
    assert notes == ["no row has queue 'Q1' (the data has 'q1': values are "
                     "case-sensitive)", "no row has queue 'nowhere'"]
    later = admin.get("/api/v1/report", params={"metrics": "offered", "from": "2025-01-01"})
    assert json.loads(later.headers["X-OmniKPI-Notes"]) == [
        "the report is empty: its period starts after the data's last record "
        "(2024-03-05T10:10+00:00)"]
    clean = admin.get("/api/v1/report", params={"metrics": "offered"})
    assert clean.json()["rows"] == [{"offered": 2}]
    assert "X-OmniKPI-Notes" not in clean.headers
    # a bounded scope counts no quarantined row (the quarantine describes every tenant's)
    bounded = log_in(TestClient(app), "sup-a", PASSWORD).get(
        "/api/v1/report", params={"metrics": "offered"})
    assert bounded.status_code == 200 and "X-OmniKPI-Quarantined-Rows" not in bounded.headers


def test_a_long_list_of_notes_is_cut_with_a_count() -> None:
    notes = [f"metric_{i} has no value: " + "x" * 100 for i in range(40)]
    header = json.loads(notes_header(notes))
    assert len(notes_header(notes)) <= NOTES_HEADER_BYTES
    assert header[:-1] == notes[:len(header) - 1]
    assert header[-1] == f"{40 - len(header) + 1} more notes not shown"
    assert json.loads(notes_header(notes[:2])) == notes[:2]

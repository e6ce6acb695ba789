"""The UI's XLSX and PDF exports carry the header and the page's language."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from pypdf import PdfReader

import omnikpi
from omnikpi.demo import DEMO_DATA_DIR
from omnikpi.export import TABLE_ROW

QUERY = {"metrics": "offered,aht,service_level", "by": "queue", "grain": "day",
         "tz": "Europe/Kyiv", "channel": "voice", "from": "2024-03-04", "to": "2024-03-06"}


def test_xlsx_and_pdf_exports_in_the_pages_language(make_app: Callable[..., FastAPI]) -> None:
    client = TestClient(make_app())
    expected = omnikpi.report_result(DEMO_DATA_DIR, metrics=["offered", "aht", "service_level"],
                                     by=["queue"], grain="day", tz="Europe/Kyiv",
                                     from_="2024-03-04", to="2024-03-06",
                                     where={"channel": ["voice"]})
    first = expected.rows[0]
    book = load_workbook(io.BytesIO(client.get("/export.xlsx",
                                               params={**QUERY, "lang": "ru"}).content))
    sheet = book["report"]
    assert sheet.cell(1, 1).value == "Отчёт OmniKPI"
    assert [sheet.cell(r, 1).value for r in range(2, 7)] == [
        "Период", "Часовой пояс", "На момент", "Интервал", "Фильтры"]
    assert sheet.cell(3, 2).value == "Europe/Kyiv"
    assert sheet.cell(5, 2).value == "по дням"
    assert "Канал: voice" in sheet.cell(6, 2).value
    assert [c.value for c in sheet[TABLE_ROW]] == [
        "Очередь", "Начало периода", "Предложено", "Среднее время обработки (ч:мм:сс)",
        "Уровень сервиса (%)"]
    row = [c.value for c in sheet[TABLE_ROW + 1]]
    assert row[0] == first["queue"]
    assert row[1] == datetime.fromisoformat(first["period_start"]).replace(tzinfo=None)
    assert row[2] == first["offered"]
    assert abs(row[3] - timedelta(seconds=first["aht"])) < timedelta(milliseconds=1)
    assert row[4] == first["service_level"]
    assert len(list(sheet.iter_rows(min_row=TABLE_ROW + 1))) == len(expected.rows)

    body = client.get("/export.pdf", params={**QUERY, "lang": "uk"}).content
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)
    for shown in ("Звіт OmniKPI", "Часовий пояс", "Europe/Kyiv", "Запропоновано",
                  "Середній час обробки", "Рівень сервісу (%)", "Черга"):
        assert shown in text, shown
    assert "service_level" not in text.split("Параметри показників")[0]
    english = client.get("/export.xlsx", params={**QUERY, "title": "Voice, two days"})
    assert load_workbook(io.BytesIO(english.content))["report"].cell(1, 1).value == \
        "Voice, two days"


def test_a_download_is_named_by_its_title_and_period(
        make_app: Callable[..., FastAPI]) -> None:
    client = TestClient(make_app())
    answer = client.get("/export.xlsx", params={**QUERY, "title": "Morning report"})
    # to=2024-03-06 is the exclusive end: the report's days are the 4th and the 5th
    assert answer.headers["content-disposition"] == (
        'attachment; filename="morning-report_2024-03-04_2024-03-05.xlsx"; '
        "filename*=UTF-8''Morning%20report_2024-03-04_2024-03-05.xlsx")
    cyrillic = client.get("/export.csv", params={**QUERY, "title": "Утро"})
    # a title of no Latin letter: the plain name in Latin letters (it was the dates alone,
    # and two reports of one day shared a name), the whole one kept
    assert cyrillic.headers["content-disposition"].startswith(
        'attachment; filename="utro_2024-03-04_2024-03-05.csv"; filename*=UTF-8\'\'%D0%A3')


def test_a_download_names_the_last_day_chosen_and_its_language(
        make_app: Callable[..., FastAPI]) -> None:
    """The form's To day 6 March is sent as to_day (the exclusive end is the 7th): the
    file was named …_2024-03-07 while its sheet said 4–6 March, and "OmniKPI report" in
    every language."""
    client = TestClient(make_app())
    answer = client.get("/export.xlsx", params={
        "metrics": "offered", "from": "2024-03-04", "to_day": "2024-03-06", "lang": "ru"})
    assert answer.status_code == 200
    assert answer.headers["content-disposition"] == (
        'attachment; filename="otchyot-omnikpi_2024-03-04_2024-03-06.xlsx"; '
        "filename*=UTF-8''%D0%9E%D1%82%D1%87%D1%91%D1%82%20OmniKPI_2024-03-04_2024-03-06.xlsx")


def test_a_clients_file_names_the_tenant_it_holds(
        make_app: Callable[..., FastAPI]) -> None:
    """A bank's client downloaded its figures under "Filters: none": read later, beside
    the outsourcer's, they passed for the whole center's."""
    from omnikpi.auth.accounts import create_user
    from omnikpi.store.db import session_scope
    from tests.web.conftest import log_in

    app = make_app(auth_required=True, live_updates=False, scheduler=False)
    with session_scope(app.state.omnikpi.database_url) as session:
        create_user(session, "root", "export-pass-1234", "admin")
        create_user(session, "bank-view", "export-pass-1234", "client", tenant="bank")
    query = {"metrics": "offered", "channel": "voice", "lang": "uk"}

    def filters_line(client: TestClient) -> str:
        sheet = load_workbook(io.BytesIO(client.get("/export.xlsx", params=query).content))
        lines = {row[0]: row[1] for row in sheet["report"].iter_rows(values_only=True)
                 if row and row[0]}
        return str(lines["Фільтри"])

    client = log_in(TestClient(app), "bank-view", "export-pass-1234")
    assert filters_line(client) == "Канал: voice; Клієнт (тенант): bank"
    # asking for a tenant outside the scope adds none of its rows, nor its name (the file
    # said "bank, telco" over the bank's rows alone)
    query["tenant"] = "bank,telco"
    assert filters_line(client) == "Канал: voice; Клієнт (тенант): bank"
    # asking only for a tenant outside the scope is no row: the file says what was asked
    # (it said "bank" over an empty table, read as the bank having no contact)
    query["tenant"] = "telco"
    assert filters_line(client) == "Канал: voice; Клієнт (тенант): telco"
    del query["tenant"]

    def drill_filters(client: TestClient, **extra: str) -> str:
        answer = client.get("/drill.xlsx", params={"metric": "aht", "lang": "uk", **extra})
        assert answer.status_code == 200, answer.text
        sheet = load_workbook(io.BytesIO(answer.content)).active
        assert sheet is not None
        lines = {row[0]: row[1] for row in sheet.iter_rows(values_only=True)
                 if row and row[0]}
        return str(lines["Фільтри"])

    # the drill-down's file too ("—" on the bank's rows; "tenant=bank,telco" as asked)
    assert drill_filters(client) == "tenant=bank"
    assert drill_filters(client, tenant="bank,telco") == "tenant=bank"
    assert drill_filters(client, tenant="telco") == "tenant=telco"
    assert drill_filters(admin := log_in(TestClient(app), "root", "export-pass-1234")) == "—"
    assert drill_filters(admin, tenant="bank,telco") == "tenant=bank,telco"
    assert filters_line(admin) == "Канал: voice"


def test_an_export_too_large_for_its_format_is_refused_before_it_is_made(
        make_app: Callable[..., FastAPI], monkeypatch: pytest.MonkeyPatch) -> None:
    """A PDF of 204,026 rows took a core for four minutes and kept going after its reader
    had left. Past the format's rows (here lowered to 3) the export is refused with the
    sentence in the reader's language; CSV is never refused; the drill-down's XLSX too."""
    from omnikpi.web import limits

    monkeypatch.setitem(limits.EXPORT_ROWS, "pdf", 3)
    monkeypatch.setitem(limits.EXPORT_ROWS, "xlsx", 3)
    client = TestClient(make_app())
    rows = len(omnikpi.report_result(
        DEMO_DATA_DIR, metrics=["offered", "aht", "service_level"], by=["queue"],
        grain="day", tz="Europe/Kyiv", from_="2024-03-04", to="2024-03-06",
        where={"channel": ["voice"]}).rows)
    assert rows > 3
    script = client.get("/export.pdf", params=QUERY)
    assert script.status_code == 400
    assert script.json()["detail"] == (
        f"PDF exports hold at most 3 rows and this one has {rows:,}: choose a coarser "
        "grain, fewer cuts or a shorter period, or download CSV")
    page = client.get("/export.xlsx", params={**QUERY, "lang": "uk"},
                      headers={"Accept": "text/html"})
    assert page.status_code == 400
    assert (f"Файл XLSX вміщує не більше 3 рядків, а в цьому звіті їх {rows}" in
            " ".join(page.text.split()))
    assert client.get("/export.csv", params=QUERY).status_code == 200
    drill = client.get("/drill.xlsx", params={"metric": "offered", "tz": "UTC"})
    assert drill.status_code == 400
    assert drill.json()["detail"].startswith("XLSX exports hold at most 3 rows and this one")


def test_an_export_refuses_a_parameter_it_does_not_read(
        make_app: Callable[..., FastAPI]) -> None:
    """``/export.csv?metrics=aht&quene=x`` answered every queue's figures (the API routes
    refuse a parameter they do not read; the exports did not), and a drill-down export's
    query of 50,000 characters went whole into the audit log."""
    client = TestClient(make_app(scheduler=False))
    misspelt = client.get("/export.csv", params={"metrics": "aht", "quene": "x"})
    assert misspelt.status_code == 400 and "quene" in misspelt.json()["detail"]
    drill = client.get("/drill.csv", params={"metric": "aht", "page": "2"})
    assert drill.status_code == 400 and "page" in drill.json()["detail"]
    long = client.get("/drill.csv", params={"metric": "aht", "tenant": "x" * 20_000})
    assert long.status_code == 400
    assert long.json()["detail"] == "the query has 20,018 characters: at most 10,000"
    # the drill-down page's export links leave out its paging
    page = client.get("/drill", params={"metric": "aht", "size": "100", "page": "2"}).text
    links = re.findall(r'id="export-(?:csv|xlsx)" href="([^"]+)"', page)
    assert len(links) == 2 and not any("size=" in link or "page=" in link for link in links)
    for link in links:
        assert client.get(link.replace("&amp;", "&")).status_code == 200, link

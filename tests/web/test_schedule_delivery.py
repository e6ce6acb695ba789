"""The schedules page and delivery: a schedule's language chosen on the form, a partly
sent run shown as such with "Send again", and the run messages in the page's language
(the uk and ru pages showed the runner's English sentences)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from omnikpi.store.db import session_scope
from omnikpi.store.models_schedules import ReportSchedule
from omnikpi.web.app import create_app
from tests.web.tenants import write_two_tenants


@pytest.fixture()
def client(tmp_path: Path) -> TestClient:
    app = create_app(write_two_tenants(tmp_path / "data"), auth_required=False,
                     database_url=f"sqlite:///{tmp_path / 'app.db'}", live_updates=False,
                     scheduler=False)
    return TestClient(app)


def _url(client: TestClient) -> str:
    return str(client.app.state.omnikpi.database_url)  # type: ignore[attr-defined]


def test_the_form_sets_the_language_and_an_edit_keeps_it(client: TestClient) -> None:
    with client:
        assert client.post("/builder/save", data={
            "name": "Daily volume", "query": "metrics=offered&by=tenant"},
            follow_redirects=False).status_code == 303
        assert client.post("/schedules", data={
            "name": "Утро", "report": "daily-volume", "when": "daily", "tz": "UTC",
            "format": "xlsx", "channel": "email", "target": "a@example.com",
            "lang": "ru"}, follow_redirects=False).status_code == 303
        with session_scope(_url(client)) as session:
            row = session.scalars(select(ReportSchedule)).one()
            assert row.lang == "ru"
            schedule_id = row.id
        form = client.get(f"/schedules?edit={schedule_id}&lang=en").text
        assert '<option value="ru" lang="ru" selected>Русский</option>' in form
        assert client.post(f"/schedules/{schedule_id}/edit", data={
            "name": "Утро", "when": "weekly", "tz": "UTC", "format": "xlsx",
            "channel": "email", "target": "a@example.com"},
            follow_redirects=False).status_code == 303  # no language sent: kept
        with session_scope(_url(client)) as session:
            assert session.get(ReportSchedule, schedule_id).lang == "ru"  # type: ignore[union-attr]
        refused = client.post("/schedules", data={
            "name": "X", "report": "daily-volume", "when": "daily", "tz": "UTC",
            "format": "xlsx", "channel": "email", "target": "a@example.com", "lang": "de"})
        assert refused.status_code == 400 and "unknown language" in refused.text


MESSAGES = {
    "the SMTP server smtp.example.com:587 timed out: the message was not sent within 300 s "
    "([email] send_limit_seconds)":
        "поштовий сервер smtp.example.com:587 не відповів вчасно: лист не надіслано за 300 с",
    "webhook 127.0.0.1:9 failed after 2 attempts: HTTP 500":
        "вебхук 127.0.0.1:9 не прийняв файл (спроб: 2): HTTP 500",
    "the owner 'bank-viewer' no longer belongs to tenant 'bank': the schedule does not run":
        "власник «bank-viewer» більше не належить до клієнта «bank»: розклад не виконується",
    "unknown grain 'fortnight': choose one of total, 15min, 30min, hour, day, week, month":
        "Невідомий інтервал «fortnight»",
    "sent to boss@example.com earlier; the mail server 127.0.0.1:25 refused the message: "
    "552 5.3.4 message size exceeds fixed maximum (the file is 12 kB)":
        "раніше надіслано: boss@example.com; поштовий сервер 127.0.0.1:25 не прийняв лист: "
        "552 5.3.4 message size exceeds fixed maximum (файл — 12 КБ)",
}


def test_run_messages_read_in_the_page_s_language(client: TestClient) -> None:
    """A uk page showed "webhook … failed after 2 attempts: HTTP 500", "the owner … no
    longer belongs to tenant …" and "unknown grain …" in English; a partly sent run
    reads as such and can be sent again."""
    with client:
        url = _url(client)
        with session_scope(url) as session:
            session.add(ReportSchedule(slug="morning", name="Morning", definition=
                                       'metrics = ["offered"]\n', cron="0 8 * * *",
                                       channel="email", target="boss@example.com",
                                       created_at=datetime(2026, 11, 1, tzinfo=UTC)))
        with session_scope(url) as session:
            for day, message in enumerate(MESSAGES, start=2):
                session.execute(text(
                    "INSERT INTO schedule_runs (schedule_id, due_at, started_at, status, "
                    "message, period_from, period_to, attempts) VALUES (1, :due, :due, "
                    ":status, :message, :start, :end, 1)"),
                    {"due": f"2026-11-{day + 1:02d} 08:00:00.000000",
                     "status": "partial" if "earlier" in message else "failed",
                     "message": message, "start": f"2026-11-{day:02d}T00:00:00+00:00",
                     "end": f"2026-11-{day + 1:02d}T00:00:00+00:00"})
        page = client.get("/schedules?lang=uk").text
    for english, ukrainian in MESSAGES.items():
        assert ukrainian in page, (ukrainian, page)
        assert english not in page
    assert "надіслано частково" in page
    assert page.count('class="retry"') == len(MESSAGES)  # the partial run's too

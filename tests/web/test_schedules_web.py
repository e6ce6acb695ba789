"""Scheduled reports in the server: a schedule due while the server was down runs on start,
once (also across a restart and with two processes); the lease keeps one scheduler
working; the schedules page with a run and its file, looked at in a browser."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from omnikpi.config import Config
from omnikpi.definitions import ReportDefinition
from omnikpi.schedules.runner import folder_datasets
from omnikpi.schedules.scheduler import LEASE, Scheduler, lease_holder, take_lease
from omnikpi.schedules.store import NewSchedule, add_schedule, list_schedules, runs_of
from omnikpi.schedules.timing import latest_fire
from omnikpi.store.db import session_scope
from omnikpi.web.app import create_app
from tests.web.conftest import needs_browser, running_server
from tests.web.tenants import write_two_tenants

VOLUME = ReportDefinition(name="Volume", metrics=["offered", "answered"], by=["tenant"])


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_two_tenants(tmp_path_factory.mktemp("schedules-web") / "data")


@contextmanager
def _with_daily_volume(data: Path, url: str, tz: str = "UTC") -> Iterator[TestClient]:
    """A no-login app on ``url`` (its zone ``tz``) whose builder has saved "Daily volume"
    (offered by tenant), the report the schedule forms choose."""
    app = create_app(data, auth_required=False, database_url=url, live_updates=False,
                     scheduler=False, tz=tz)
    with TestClient(app) as client:
        assert client.post("/builder/save", data={
            "name": "Daily volume", "query": "metrics=offered&by=tenant"},
            follow_redirects=False).status_code == 303
        yield client


def wait_for(scheduler: Any, checks: int = 1, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while scheduler.checks < checks and time.monotonic() < deadline:
        time.sleep(0.05)
    assert scheduler.checks >= checks, "the scheduler did not check in time"


def test_a_schedule_due_while_the_server_was_down_runs_on_start_once(
        data: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    out = tmp_path / "out"
    first = create_app(data, auth_required=False, database_url=url, live_updates=False)
    now = datetime.now(UTC)
    with session_scope(url) as session:  # added three days ago; the server was down since
        add_schedule(session, NewSchedule("Morning", VOLUME, "0 8 * * *", "Europe/Kyiv",
                                          "folder", [str(out)], "csv",
                                          since=now - timedelta(days=3)), None)
    with TestClient(first):
        wait_for(first.state.scheduler)
    expected = latest_fire("0 8 * * *", "Europe/Kyiv", datetime.now(UTC))
    with session_scope(url) as session:
        runs = runs_of(session, [s.id for s in list_schedules(session, None)])
    assert [(r.due_at.replace(tzinfo=UTC), r.status) for r in runs] == [
        (expected.astimezone(UTC), "ok")]
    assert [p.name for p in out.iterdir()] == [runs[0].filename]

    # a restart, and two processes starting together: nothing runs again
    second = create_app(data, auth_required=False, database_url=url, live_updates=False)
    third = create_app(data, auth_required=False, database_url=url, live_updates=False)
    with TestClient(second) as client, TestClient(third):
        wait_for(second.state.scheduler)
        wait_for(third.state.scheduler)
        # the run's outcome in the page's language, the path as it is
        page = client.get("/schedules?lang=uk").text
        assert f"записано в {out / runs[0].filename}" in page
    with session_scope(url) as session:
        assert len(runs_of(session, [s.id for s in list_schedules(session, None)])) == 1
    assert len(list(out.iterdir())) == 1


def test_one_process_holds_the_lease_until_it_stops_or_expires(tmp_path: Path) -> None:
    from omnikpi.store.db import upgrade

    url = f"sqlite:///{tmp_path / 'lease.db'}"
    upgrade(url)
    now = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    assert take_lease(url, "a", now)
    assert not take_lease(url, "b", now + timedelta(seconds=30))
    assert take_lease(url, "a", now + timedelta(seconds=30))  # renewed to 08:02:00
    assert not take_lease(url, "b", now + LEASE)
    assert take_lease(url, "b", now + timedelta(seconds=30) + LEASE + timedelta(seconds=1))
    holder = lease_holder(url)
    assert holder is not None and holder[0] == "b"
    one = Scheduler(url, Config(), folder_datasets(), clock=lambda: now + timedelta(hours=1))
    other = Scheduler(url, Config(), folder_datasets(), clock=lambda: now + timedelta(hours=1))
    one.check()
    assert lease_holder(url) == (one.holder, now + timedelta(hours=1) + LEASE)
    other.check()
    assert lease_holder(url) == (one.holder, now + timedelta(hours=1) + LEASE)
    one.stop()  # releases: the other takes over at its next check
    other.check()
    holder = lease_holder(url)
    assert holder is not None and holder[0] == other.holder


@needs_browser
def test_the_schedules_page_in_a_browser(make_app: Callable[..., FastAPI], data: Path,
                                         browser: Any, tmp_path: Path) -> None:
    from omnikpi.schedules.runner import run_due
    from omnikpi.web.routes.schedules import server_datasets
    from tests.web.test_every_page import (
        AXE,
        NOT_WORDS_OF_THE_INTERFACE,
        SHOTS,
        _data_words,
        _visit,
    )

    app = make_app(data, live_updates=False, scheduler=False)
    state = app.state.omnikpi
    with TestClient(app) as client:
        saved = client.post("/builder/save", data={
            "name": "Daily volume", "query": "metrics=offered,answered&by=tenant"},
            follow_redirects=False)
        assert saved.status_code == 303
        for name, when, channel, target in (
                ("Morning volume", "daily", "folder", str(tmp_path / "out")),
                ("Weekly to the floor", "weekly", "email", "floor@example.com")):
            added = client.post("/schedules", data={
                "name": name, "report": "daily-volume", "when": when, "tz": "Europe/Kyiv",
                "format": "csv", "channel": channel, "target": target},
                follow_redirects=False)
            assert added.status_code == 303, added.text
        bad = client.post("/schedules?lang=ru", data={
            "name": "x", "report": "daily-volume", "when": "custom", "cron": "0 25 * * *",
            "tz": "UTC", "format": "csv", "channel": "email", "target": "a@example.com"})
        assert bad.status_code == 400 and "не крон-выражение" in bad.text
    from sqlalchemy import update

    from omnikpi.store.models_schedules import ReportSchedule

    with session_scope(state.database_url) as session:
        session.execute(update(ReportSchedule).values(
            created_at=datetime(2026, 11, 1, tzinfo=UTC)))
    outcomes = run_due(state.database_url, datetime(2026, 11, 3, 7, 0, tzinfo=UTC),
                       state.config, server_datasets(state))
    assert sorted((o.schedule, o.status) for o in outcomes) == [
        ("Morning volume", "ok"), ("Weekly to the floor", "failed")]
    SHOTS.mkdir(parents=True, exist_ok=True)
    allowed = _data_words() | NOT_WORDS_OF_THE_INTERFACE | {
        "Morning", "volume", "Weekly", "floor", "Daily", "out"}
    problems: list[str] = []
    axe = AXE.read_text(encoding="utf-8") if AXE.exists() else None
    with running_server(app) as url:
        for lang in ("en", "ru", "uk"):
            for width in (1440, 390):
                _visit(browser, f"{url}/schedules", "schedules-filled", lang, width, allowed,
                       problems, axe if lang == "en" else None)
        from selenium.webdriver.common.by import By

        browser.get(f"{url}/schedules?lang=en")
        rows = browser.find_elements(By.CSS_SELECTOR, "#runs tbody tr")
        assert len(rows) == 2
        link = browser.find_element(By.CSS_SELECTOR, "#runs a[href$='/file']")
        assert link.text == "morning-volume-2026-11-02.csv"
    assert not problems, "\n".join(problems)


def test_a_schedule_named_in_cyrillic_downloads_its_file(data: Path, tmp_path: Path) -> None:
    """A schedule's key keeps Cyrillic letters, so its file's name does; the download
    header is Latin-1, where that name was a server error (500)."""
    url = f"sqlite:///{tmp_path / 'app.db'}"
    app = create_app(data, auth_required=False, database_url=url, live_updates=False)
    with session_scope(url) as session:
        add_schedule(session, NewSchedule("Утренний отчёт", VOLUME, "0 8 * * *", "UTC",
                                          "folder", [str(tmp_path / "out")], "csv",
                                          since=datetime.now(UTC) - timedelta(days=2)),
                     None)
    with TestClient(app) as client:
        wait_for(app.state.scheduler)
        with session_scope(url) as session:
            run, = runs_of(session, [s.id for s in list_schedules(session, None)])
            assert run.filename is not None and run.filename.startswith("утренний-отчёт-")
        response = client.get(f"/schedules/runs/{run.id}/file")
    assert response.status_code == 200
    assert "offered" in response.text
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="')
    assert "filename*=UTF-8''%D1%83%D1%82%D1%80" in disposition


def test_the_form_sets_the_period_and_never_drops_a_typed_cron(data: Path,
                                                               tmp_path: Path) -> None:
    """The page had no period (a "custom" working-days schedule was saved as *last
    week*), and a cron typed while a preset was chosen was silently replaced by it."""
    url = f"sqlite:///{tmp_path / 'app.db'}"
    with _with_daily_volume(data, url) as client:
        form = {"report": "daily-volume", "tz": "Europe/Kyiv", "format": "csv",
                "channel": "email", "target": "floor@example.com"}
        page = client.get("/schedules").text
        assert '<select name="period" id="schedule-period">' in page
        for name, extra in (("Working days", {"when": "custom", "cron": "30 6 * * 1-5"}),
                            ("Monthly by week", {"when": "monthly", "period": "week"})):
            added = client.post("/schedules", data={**form, "name": name, **extra},
                                follow_redirects=False)
            assert added.status_code == 303, added.text
        ignored = client.post("/schedules?lang=uk", data={
            **form, "name": "Every two minutes", "when": "daily", "cron": "*/2 * * * *"})
        assert ignored.status_code == 400
        assert "Введено крон-вираз «*/2 * * * *», але в «коли» вибрано не «крон-вираз»" \
            in ignored.text
        assert 'value="*/2 * * * *"' in ignored.text  # the form as typed
        # 31 April never comes: refused in words, not saved (it stopped every schedule)
        never = client.post("/schedules?lang=uk", data={
            **form, "name": "Never", "when": "custom", "cron": "0 8 31 4 *"})
        assert never.status_code == 400
        assert "«0 8 31 4 *» не називає жодної наявної дати" in never.text
        hourly = client.post("/schedules?lang=ru", data={
            **form, "name": "Hourly", "when": "custom", "cron": "0 * * * *"})
        assert hourly.status_code == 400
        assert "«0 * * * *» срабатывает чаще, чем меняется период отчёта" in hourly.text
        # deleting asks first: the runs and their files go with the schedule
        listed = client.get("/schedules?lang=uk").text
        assert listed.count('data-confirm="Видалити цей розклад разом з історією') == 2
        assert "confirm_submit" in listed
    with session_scope(url) as session:
        periods = {s.name: (s.cron, s.period) for s in list_schedules(session, None)}
    assert periods == {"Working days": ("30 6 * * 1-5", "day"),
                       "Monthly by week": ("0 8 1 * *", "week")}


def test_a_failed_run_is_sent_again_from_the_page(data: Path, tmp_path: Path,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    """The folder was not there at 08:00: the run failed, the next check found nothing
    due, and that day's report was lost. "Send again" sends it, once, for its period."""
    from sqlalchemy import update

    from omnikpi.schedules.runner import run_due
    from omnikpi.store.models_schedules import ReportSchedule
    from omnikpi.web.routes.schedules import server_datasets

    url = f"sqlite:///{tmp_path / 'app.db'}"
    blocked = tmp_path / "share"
    app = create_app(data, auth_required=False, database_url=url, live_updates=False,
                     scheduler=False)
    state = app.state.omnikpi
    with TestClient(app) as client:
        assert client.post("/builder/save", data={
            "name": "Daily volume", "query": "metrics=offered&by=tenant"},
            follow_redirects=False).status_code == 303
        assert client.post("/schedules", data={
            "name": "Morning", "report": "daily-volume", "when": "daily", "tz": "UTC",
            "format": "csv", "channel": "folder", "target": str(blocked)},
            follow_redirects=False).status_code == 303
        blocked.write_text("a file where the folder should be")  # the share went away
        with session_scope(url) as session:
            session.execute(update(ReportSchedule).values(
                created_at=datetime(2026, 11, 1, tzinfo=UTC)))
        with caplog.at_level("WARNING", logger="omnikpi"):
            failed, = run_due(url, datetime(2026, 11, 3, 9, 0, tzinfo=UTC), state.config,
                              server_datasets(state))
        assert failed.status == "failed"
        # in the server's log too (journalctl), not only on this page
        assert "schedule morning for 2026-11-02: failed (" in caplog.text
        assert "share is a file, not a folder" in caplog.text
        with session_scope(url) as session:
            run, = runs_of(session, [s.id for s in list_schedules(session, None)])
        page = client.get("/schedules").text
        assert f'action="/schedules/runs/{run.id}/retry"' in page
        # the default [schedules] retry_minutes: tried again by itself 10 min later
        assert run.next_try_at is not None and run.next_try_at.replace(tzinfo=None) == \
            datetime(2026, 11, 3, 9, 10)
        assert "tried again by itself at" in page and "09:10" in page
        assert "сам повториться о" in client.get("/schedules?lang=uk").text
        blocked.unlink()  # the share is back
        again = client.post(f"/schedules/runs/{run.id}/retry", follow_redirects=False)
        assert again.status_code == 303
        with session_scope(url) as session:
            sent, = runs_of(session, [s.id for s in list_schedules(session, None)])
        assert (sent.id, sent.status, sent.attempts) == (run.id, "ok", 2)
        page = client.get("/schedules?lang=en").text
        assert "tries: 2" in page and "tried again by itself" not in page
        assert [p.name for p in blocked.iterdir()] == ["morning-2026-11-02.csv"]
        twice = client.post(f"/schedules/runs/{run.id}/retry?lang=uk")
        assert twice.status_code == 409
        assert "ще раз надсилається лише невдалий запуск" in twice.text


def test_a_schedule_that_never_fires_shows_never_and_breaks_no_page(data: Path,
                                                                   tmp_path: Path) -> None:
    """A row saved before such crons were refused (31 April) made /schedules answer 500."""
    from sqlalchemy import text

    url = f"sqlite:///{tmp_path / 'app.db'}"
    with _with_daily_volume(data, url) as client:
        assert client.post("/schedules", data={
            "report": "daily-volume", "tz": "UTC", "format": "csv", "channel": "email",
            "target": "floor@example.com", "name": "Old", "when": "daily"},
            follow_redirects=False).status_code == 303
        with session_scope(url) as session:
            session.execute(text("UPDATE report_schedules SET cron = '0 8 31 4 *'"))
        page = client.get("/schedules?lang=ru")
        assert page.status_code == 200 and "никогда" in page.text


def test_a_schedule_is_edited_paused_and_resumed_keeping_its_history(
        data: Path, tmp_path: Path) -> None:
    """Adding a recipient used to mean deleting the schedule — and its run history — and
    adding it again. Edit keeps the history; a new time sends no period already sent, so
    the report sent at 08:00 is not sent again at 09:00; a paused schedule sends nothing
    and, resumed, does not send what passed meanwhile."""
    from omnikpi.schedules.runner import run_due
    from omnikpi.store.models_schedules import ReportSchedule
    from omnikpi.web.routes.schedules import server_datasets

    url = f"sqlite:///{tmp_path / 'app.db'}"
    out = tmp_path / "out"
    out.mkdir()
    with _with_daily_volume(data, url) as client:
        assert client.post("/schedules", data={
            "name": "Morning", "report": "daily-volume", "when": "daily", "tz": "UTC",
            "format": "csv", "channel": "folder", "target": str(out)},
            follow_redirects=False).status_code == 303
        with session_scope(url) as session:
            row = session.scalars(select(ReportSchedule)).one()
            row.created_at = datetime(2026, 11, 1, tzinfo=UTC)
            schedule_id = row.id
        state = client.app.state.omnikpi  # type: ignore[attr-defined]
        (sent,) = run_due(url, datetime(2026, 11, 3, 8, 30, tzinfo=UTC), state.config,
                          server_datasets(state))
        assert sent.status == "ok"

        form = client.get(f"/schedules?edit={schedule_id}&lang=en").text
        assert f'action="/schedules/{schedule_id}/edit"' in form
        assert 'value="Morning"' in form and "the report it runs now" in form
        assert client.get("/schedules?edit=999").status_code == 404

        refused = client.post(f"/schedules/{schedule_id}/edit", data={
            "name": "Morning", "when": "custom", "cron": "0 25 * * *", "tz": "UTC",
            "format": "csv", "channel": "folder", "target": str(out)})
        assert refused.status_code == 400
        assert f'action="/schedules/{schedule_id}/edit"' in refused.text  # still editing

        edited = client.post(f"/schedules/{schedule_id}/edit", data={
            "name": "Morning", "report": "", "when": "custom", "cron": "0 9 * * *",
            "tz": "UTC", "format": "xlsx", "channel": "folder", "target": str(out)},
            follow_redirects=False)
        assert edited.status_code == 303
        with session_scope(url) as session:
            row = session.get(ReportSchedule, schedule_id)
            assert row is not None
            assert (row.cron, row.format, row.period) == ("0 9 * * *", "xlsx", "day")
            assert "offered" in row.definition  # the report it ran is kept
            assert len(runs_of(session, [schedule_id])) == 1  # the history stayed
        # moved to 09:00 after the 08:00 run: yesterday's report is not sent again at
        # 09:00; the next day's is
        assert run_due(url, datetime(2026, 11, 3, 9, 30, tzinfo=UTC), state.config,
                       server_datasets(state)) == []
        (sent,) = run_due(url, datetime(2026, 11, 4, 9, 30, tzinfo=UTC), state.config,
                          server_datasets(state))
        assert sent.status == "ok" and sent.period.start.date().isoformat() == "2026-11-03"
        with session_scope(url) as session:
            assert len(runs_of(session, [schedule_id])) == 2

        before = datetime.now(UTC)
        assert client.post(f"/schedules/{schedule_id}/pause",
                           follow_redirects=False).status_code == 303
        page = client.get("/schedules?lang=en").text
        assert ">paused<" in page and "Resume sending" in page
        later = datetime.now(UTC) + timedelta(days=2)  # a 09:00 has passed by then
        assert run_due(url, later, state.config, server_datasets(state)) == []
        assert client.post(f"/schedules/{schedule_id}/resume",
                           follow_redirects=False).status_code == 303
        with session_scope(url) as session:
            row = session.get(ReportSchedule, schedule_id)
            assert row is not None and row.enabled
            resumed_from = row.last_due_at
        assert resumed_from is not None
        assert resumed_from.replace(tzinfo=UTC) >= before - timedelta(seconds=1)
        log = [(e.action, json.loads(e.detail)) for e in _audit(url)]
        # each setting changed with its old and new value (the entry named the fields only)
        assert ("schedule_changed", {
            "changed": {"cron": {"old": "0 8 * * *", "new": "0 9 * * *"},
                        "format": {"old": "csv", "new": "xlsx"}},
            "id": schedule_id, "name": "Morning", "owner": None, "report": None,
            "tenant": None}) in log
        added = next(detail for action, detail in log if action == "schedule_added")
        assert (added["channel"], added["target"], added["format"], added["lang"],
                added["report"]) == ("folder", str(out), "csv", "en", "daily-volume")
        assert 'metrics = ["offered"]' in added["definition"]
        assert {"schedule_paused", "schedule_resumed"} <= {action for action, _ in log}


def _audit(url: str) -> list[Any]:
    from omnikpi.auth.accounts import audit_entries

    with session_scope(url) as session:
        entries = audit_entries(session)
        session.expunge_all()
        return entries


@pytest.mark.parametrize(("fields", "said"), [
    ({"when": "custom", "cron": ""}, "Введите крон-выражение: пять полей"),  # not "'custom'"
    ({"target": ""}, "Укажите хотя бы один адрес e-mail."),
    ({"channel": "folder", "target": ""}, "Укажите одну папку."),
    ({"channel": "folder", "target": "relative/dir"}, "Нет ни папки «relative/dir»"),
])
def test_the_form_s_problems_read_in_the_page_s_language(
        data: Path, tmp_path: Path, fields: dict[str, str], said: str) -> None:
    """Four of the form's problems were English sentences on a Russian page, and an empty
    cron field was "'custom' is not a cron expression" (the menu's value, never typed)."""
    url = f"sqlite:///{tmp_path / 'app.db'}"
    app = create_app(data, auth_required=False, database_url=url, live_updates=False,
                     scheduler=False)
    with TestClient(app) as client:
        assert client.post("/builder/save", data={
            "name": "Daily volume", "query": "metrics=offered"},
            follow_redirects=False).status_code == 303
        form = {"name": "x", "report": "daily-volume", "when": "daily", "tz": "UTC",
                "format": "csv", "channel": "email", "target": "a@example.com", **fields}
        refused = client.post("/schedules?lang=ru", data=form)
    assert refused.status_code == 400
    assert said in refused.text and "«custom»" not in refused.text


def test_a_new_schedule_reads_as_the_page_does(data: Path, tmp_path: Path) -> None:
    """Made from the Ukrainian page without touching "language", a schedule sent English
    files; its zone was UTC whatever the server's. The form starts in the page's language
    and with the report's own zone, else the server's (the command line's default)."""
    from omnikpi.store.models_schedules import ReportSchedule

    url = f"sqlite:///{tmp_path / 'app.db'}"
    with _with_daily_volume(data, url, tz="Asia/Kathmandu") as client:
        page = client.get("/schedules?lang=uk").text
        chosen = re.search(r'<select name="lang" id="schedule-lang">.*?</select>', page,
                           re.S)
        assert chosen is not None
        assert re.findall(r'<option value="(\w+)"[^>]*selected', chosen.group(0)) == ["uk"]
        zone_box = re.search(r'<select name="tz" id="schedule-tz".*?</select>', page, re.S)
        assert zone_box is not None
        options = re.findall(r"<option[^>]*?( selected)?>([^<]+)</option>",
                             zone_box.group(0))
        assert options[0] == (" selected", "як у звіті (інакше як на сервері: Asia/Kathmandu)")
        assert options[1] == ("", "Asia/Kathmandu")  # the server's, first of the zones
        assert [name for chosen, name in options if chosen] == [options[0][1]]
        # chosen so: the report's own zone (a builder report names one: UTC unless the
        # builder chose another), not the server's
        for report, query, zone in (("utc-days", "metrics=offered", "UTC"),
                                    ("kyiv-days", "metrics=offered&tz=Europe/Kyiv",
                                     "Europe/Kyiv")):
            assert client.post("/builder/save", data={"name": report, "query": query},
                               follow_redirects=False).status_code == 303
            assert client.post("/schedules", data={
                "name": report, "report": report, "when": "daily", "tz": "",
                "format": "csv", "channel": "email", "target": "boss@example.com"},
                follow_redirects=False).status_code == 303
            with session_scope(url) as session:
                assert session.scalars(select(ReportSchedule).where(
                    ReportSchedule.name == report)).one().tz == zone


def test_a_time_moved_earlier_before_the_run_still_sends_the_day(
        data: Path, tmp_path: Path) -> None:
    """Moved from 08:00 to 07:00 at 07:30, before the 08:00 run: the day the 08:00 run
    was to send is sent at once (the new timing ran from the edit on, so that day was
    never sent). The edit form offers the schedule's own zone, selected, though it is no
    common one: saving it moved a Santiago schedule to UTC, the first option."""
    from omnikpi.schedules.runner import run_due
    from omnikpi.store.models_schedules import ReportSchedule
    from omnikpi.web.routes.schedules import server_datasets

    url = f"sqlite:///{tmp_path / 'app.db'}"
    out = tmp_path / "out"
    out.mkdir()
    with _with_daily_volume(data, url) as client:
        assert client.post("/schedules", data={
            "name": "Morning", "report": "daily-volume", "when": "daily",
            "tz": "America/Santiago", "format": "csv", "channel": "folder",
            "target": str(out)}, follow_redirects=False).status_code == 303
        with session_scope(url) as session:
            row = session.scalars(select(ReportSchedule)).one()
            row.created_at = datetime(2026, 11, 1, tzinfo=UTC)
            schedule_id = row.id
        state = client.app.state.omnikpi  # type: ignore[attr-defined]
        santiago_8 = datetime(2026, 11, 3, 11, 0, tzinfo=UTC)  # 08:00-03:00
        (sent,) = run_due(url, santiago_8 + timedelta(minutes=5), state.config,
                          server_datasets(state))
        assert sent.period.start.isoformat() == "2026-11-02T00:00:00-03:00"

        form = client.get(f"/schedules?edit={schedule_id}&lang=en").text
        assert re.search(r"<option translate=\"no\" selected>America/Santiago</option>", form)
        assert client.post(f"/schedules/{schedule_id}/edit", data={
            "name": "Morning", "report": "", "when": "custom", "cron": "0 7 * * *",
            "tz": "America/Santiago", "format": "csv", "channel": "folder",
            "target": str(out)}, follow_redirects=False).status_code == 303
        # the next day at 07:30, before 08:00 and after the new 07:00
        (sent,) = run_due(url, santiago_8 + timedelta(days=1, minutes=-30), state.config,
                          server_datasets(state))
        assert sent.status == "ok"
        assert sent.period.start.isoformat() == "2026-11-03T00:00:00-03:00"
        assert run_due(url, santiago_8 + timedelta(days=1, minutes=5), state.config,
                       server_datasets(state)) == []

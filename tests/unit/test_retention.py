"""``[retention]``: the audit log, alert firings and scheduled-report runs are deleted once
older than the configured days — by ``omnikpi db prune`` and by the server's scheduler
once a day — never by default, never an ongoing firing or a run waiting for its retry;
and the login-attempt rows, which only serve the 15-minute lock-out, do not pile up."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update
from typer.testing import CliRunner

from omnikpi.auth.accounts import FAILURE_WINDOW, authenticate, create_user
from omnikpi.cli.main import app
from omnikpi.config import Config, RetentionSettings
from omnikpi.schedules.runner import folder_datasets
from omnikpi.schedules.scheduler import Scheduler
from omnikpi.store.db import session_scope, upgrade
from omnikpi.store.models import AlertEvent, AlertRule, AuditEntry, LoginAttempt
from omnikpi.store.models_live import AlertEventDetail
from omnikpi.store.models_schedules import ReportSchedule, ScheduleRun
from omnikpi.store.retention import Pruned, prune

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def _days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


@pytest.fixture()
def database(tmp_path: Path) -> str:
    """Audit entries 400, 100 and 1 days old; firings ended 400 and 1 days ago and one
    started 400 days ago still firing; runs finished 400 days ago (one ok, one failed and
    waiting for its retry), one of yesterday and one running."""
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)
    with session_scope(url) as session:
        for days in (400, 100, 1):
            session.add(AuditEntry(at=_days_ago(days), actor="ana", action=f"login {days}",
                                   detail="{}"))
        rule = AlertRule(name="SL", kind="sl_below", threshold=0.8)
        session.add(rule)
        session.flush()
        for subject, started, ended in (("old", 401, 400), ("recent", 2, 1),
                                        ("ongoing", 400, None)):
            event = AlertEvent(rule_id=rule.id, subject=subject, message=subject,
                               started_at=_days_ago(started),
                               ended_at=None if ended is None else _days_ago(ended))
            session.add(event)
            session.flush()
            session.add(AlertEventDetail(event_id=event.id, kind="sl_below", facts="{}"))
        schedule = ReportSchedule(slug="daily", name="Daily", definition="", cron="0 7 * * *",
                                  channel="folder", target=str(tmp_path),
                                  enabled=False)
        session.add(schedule)
        session.flush()
        for due, finished, status, retry in (
                (401, 400, "ok", None), (400.5, 400, "failed", NOW + timedelta(minutes=5)),
                (2, 1, "ok", None), (0, None, "running", None)):
            session.add(ScheduleRun(schedule_id=schedule.id, due_at=_days_ago(due),
                                    started_at=_days_ago(due), status=status,
                                    finished_at=None if finished is None else
                                    _days_ago(finished), next_try_at=retry,
                                    content=b"file"))
    return url


def _left(url: str) -> tuple[list[str], list[str], list[str], list[tuple[str, str]]]:
    with session_scope(url) as session:
        actions = list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
        firings = list(session.scalars(select(AlertEvent.subject).order_by(AlertEvent.id)))
        details = list(session.scalars(
            select(AlertEvent.subject).join(AlertEventDetail,
                                            AlertEventDetail.event_id == AlertEvent.id)
            .order_by(AlertEvent.id)))
        runs = [(r.status, r.due_at.date().isoformat()) for r in
                session.scalars(select(ScheduleRun).order_by(ScheduleRun.id))]
    return actions, firings, details, runs


def test_nothing_is_deleted_by_default(database: str) -> None:
    before = _left(database)
    with session_scope(database) as session:
        assert prune(session, RetentionSettings(), NOW, actor="server") == Pruned()
    assert _left(database) == before


def test_prune_deletes_only_what_is_older_than_each_setting(database: str) -> None:
    settings = RetentionSettings(audit_days=365, alert_history_days=90,
                                 schedule_runs_days=30)
    with session_scope(database) as session:
        dry = prune(session, settings, NOW, actor="server", dry_run=True)
    assert dry == Pruned(audit_entries=1, alert_firings=1, schedule_runs=1)
    with session_scope(database) as session:
        assert len(session.scalars(select(AuditEntry)).all()) == 3  # a dry run wrote nothing
        done = prune(session, settings, NOW, actor="server")
    assert done == dry
    actions, firings, details, runs = _left(database)
    # 100 days < 365 is kept; the pruning itself is audited last
    assert actions == ["login 100", "login 1", "records_pruned"]
    # the firing ended 400 days ago goes with its details; the one still firing stays
    assert firings == ["recent", "ongoing"] and details == ["recent", "ongoing"]
    # the failed run waiting for its retry and the running one stay, whatever their age
    assert runs == [("failed", "2025-10-30"), ("ok", "2026-12-02"), ("running", "2026-12-04")]
    with session_scope(database) as session:
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "records_pruned")).one()
    assert entry.actor == "server"
    assert json.loads(entry.detail) == {
        "audit_entries": 1, "alert_firings": 1, "schedule_runs": 1, "audit_days": 365,
        "alert_history_days": 90, "schedule_runs_days": 30}
    # a second pass the same day has nothing left to delete and writes no entry
    with session_scope(database) as session:
        assert prune(session, settings, NOW, actor="server") == Pruned()
    assert _left(database)[0] == actions


def test_db_prune_command_dry_run_then_delete(database: str, tmp_path: Path) -> None:
    config = tmp_path / "omnikpi.toml"
    config.write_text("[retention]\naudit_days = 30\n")
    runner = CliRunner()
    args = ["db", "prune", "--config", str(config), "--database-url", database]
    dry = runner.invoke(app, [*args, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert dry.stdout.strip() == ("would delete 2 audit entries, 0 alert firings, "
                                  "0 scheduled-report runs")
    done = runner.invoke(app, args)
    assert done.exit_code == 0, done.output
    assert done.stdout.strip() == ("deleted 2 audit entries, 0 alert firings, "
                                   "0 scheduled-report runs")
    actions, firings, _, runs = _left(database)
    assert actions == ["login 1", "records_pruned"]
    assert len(firings) == 3 and len(runs) == 4
    # without [retention] days the command says so and deletes nothing
    bare = runner.invoke(app, ["db", "prune", "--database-url", database])
    assert bare.exit_code == 0
    assert "no [retention] days are set" in bare.stdout
    assert _left(database)[0] == actions


@pytest.mark.parametrize("line", ["audit_days = 0", "audit_days = -5",
                                  "alert_history_days = 'a year'", "keep = 3"])
def test_bad_retention_settings_are_refused_by_name(tmp_path: Path, line: str) -> None:
    config = tmp_path / "omnikpi.toml"
    config.write_text(f"[retention]\n{line}\n")
    done = CliRunner().invoke(app, ["db", "prune", "--config", str(config),
                                    "--database-url", f"sqlite:///{tmp_path / 'x.db'}"])
    assert done.exit_code == 2
    assert "retention" in done.output and line.split(" ")[0] in done.output


def test_the_scheduler_prunes_once_a_day(database: str, tmp_path: Path) -> None:
    with session_scope(database) as session:  # no scheduled run is due or retried here
        session.execute(delete(ScheduleRun))
    config = Config(retention=RetentionSettings(audit_days=365))
    clock = [NOW]
    scheduler = Scheduler(database, config, folder_datasets(tmp_path), clock=lambda: clock[0])
    scheduler.check()
    assert _left(database)[0] == ["login 100", "login 1", "records_pruned"]
    with session_scope(database) as session:  # another entry ages past the limit
        session.execute(update(AuditEntry).where(AuditEntry.action == "login 100")
                        .values(at=_days_ago(500)))
    clock[0] = NOW + timedelta(hours=1)
    scheduler.check()  # the same day: not again
    assert "login 100" in _left(database)[0]
    clock[0] = NOW + timedelta(days=1)
    scheduler.check()
    assert _left(database)[0] == ["login 1", "records_pruned", "records_pruned"]


def test_login_attempts_older_than_the_lockout_window_are_deleted(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)
    now = datetime.now(UTC)
    with session_scope(url) as session:
        create_user(session, "ana", "a-long-enough-secret", "admin")
        for minutes in (60 * 24 * 30, 16, 14):
            session.add(LoginAttempt(username="sprayed", ip="10.0.0.9", success=False,
                                     at=now - timedelta(minutes=minutes)))
    with session_scope(url) as session:
        assert authenticate(session, "ana", "wrong", "10.0.0.1") is None
    with session_scope(url) as session:
        left = sorted((a.username, a.ip) for a in session.scalars(select(LoginAttempt)))
        ages = [now - a.at.replace(tzinfo=UTC) for a in session.scalars(select(LoginAttempt))]
    # the 14-minute-old failure still counts for the lock-out; the older ones are gone
    assert left == [("ana", "10.0.0.1"), ("sprayed", "10.0.0.9")]
    assert all(age < FAILURE_WINDOW for age in ages)

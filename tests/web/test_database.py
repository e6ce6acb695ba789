"""The application database on SQLite and on PostgreSQL: migrations up and down, and the
account, token, saved-report and alert tables used for real."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, select

from omnikpi.auth.accounts import (
    authenticate,
    create_api_key,
    create_user,
    issue_token,
    resolve_api_key,
    resolve_token,
)
from omnikpi.config import RetentionSettings
from omnikpi.definitions import ReportDefinition
from omnikpi.store.db import (
    _alembic_config,
    current_revision,
    get_engine,
    head_revision,
    session_scope,
    upgrade,
)
from omnikpi.store.models import AlertEvent, AlertRule, AuditEntry
from omnikpi.store.models_live import AlertEventDetail
from omnikpi.store.reports import get_report, list_reports, save_report
from omnikpi.store.retention import prune

TABLES = {"users", "api_keys", "auth_tokens", "login_attempts", "audit_log", "saved_reports",
          "alert_rules", "alert_events"}


def _postgres() -> str | None:
    url = os.environ.get("OMNIKPI_TEST_POSTGRES_URL")
    if not url and os.environ.get("OMNIKPI_REQUIRE_POSTGRES"):
        pytest.fail("OMNIKPI_REQUIRE_POSTGRES is set but OMNIKPI_TEST_POSTGRES_URL is not")
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
        ) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'omnikpi.db'}"
        return
    found = _postgres()
    if not found:
        pytest.skip("no PostgreSQL server (set OMNIKPI_TEST_POSTGRES_URL; CI starts one)")
    command.downgrade(_alembic_config(found), "base")
    yield found
    command.downgrade(_alembic_config(found), "base")


def test_migrations_then_real_use(url: str) -> None:
    """Both checks in one test: the PostgreSQL database is one server's, shared by every
    worker of a parallel run, so its checks must never run side by side (a migration
    dropping the tables under a round trip creating them)."""
    migrations_create_and_drop_every_table(url)
    accounts_tokens_reports_and_rules_round_trip(url)
    messages_never_show_the_password(url)


def messages_never_show_the_password(url: str) -> None:
    """`db upgrade` printed the whole URL, password included, into shell history and
    the journal; so did "not up to date" and a mistyped driver."""
    from sqlalchemy import make_url
    from typer.testing import CliRunner

    from omnikpi.cli.main import app

    runner = CliRunner()
    parsed = make_url(url)
    done = runner.invoke(app, ["db", "upgrade", "--database-url", url])
    assert done.exit_code == 0 and "is at revision" in done.output, done.output
    if parsed.password:
        secret = f":{parsed.password}@"
        assert secret not in done.output and ":***@" in done.output, done.output
        command.downgrade(_alembic_config(url), "base")
        stale = runner.invoke(app, ["users", "list", "--database-url", url])
        assert stale.exit_code == 2 and "not up to date" in stale.output
        assert secret not in stale.output and ":***@" in stale.output, stale.output
        upgrade(url)
    else:  # a SQLite file by its absolute path, whatever folder the command ran in
        assert f"sqlite:///{make_url(url).database}" in done.output


def test_a_sqlite_file_that_cannot_be_written_says_what_to_check() -> None:
    from typer.testing import CliRunner

    from omnikpi.cli.main import app

    done = CliRunner().invoke(app, ["db", "upgrade", "--database-url",
                                    "sqlite:////nonexistent/omnikpi/app.db"])
    assert done.exit_code == 2
    said = " ".join(done.output.split())
    assert "unable to open database file" in said and "check both exist and are writable" \
        in said


def test_a_url_s_password_is_never_printed_and_other_kinds_are_refused() -> None:
    from typer.testing import CliRunner

    from omnikpi.cli.main import app

    runner = CliRunner()
    for url, said in (
            ("postgresql+nosuch://reports:TopSecretPw@127.0.0.1/omnikpi", "cannot open"),
            ("mysql://reports:TopSecretPw@127.0.0.1/omnikpi", "SQLite and PostgreSQL only"),
            ("oracle+cx_oracle://reports:TopSecretPw@db/omnikpi", "SQLite and PostgreSQL only")):
        for command_line in (["db", "upgrade"], ["users", "list"]):
            done = runner.invoke(app, [*command_line, "--database-url", url])
            assert done.exit_code == 2, (url, command_line, done.output)
            assert said in done.output and "TopSecretPw" not in done.output, done.output
            assert "Traceback" not in done.output


def test_a_file_that_is_no_database_or_of_a_newer_version_is_said(tmp_path: Path) -> None:
    """"file is not a database" and a revision a newer OmniKPI wrote (the code rolled back)
    were tracebacks; `users list` told the user to run `db upgrade`, which is what
    crashed."""
    import sqlite3

    from typer.testing import CliRunner

    from omnikpi.cli.main import app

    runner = CliRunner()
    text = tmp_path / "notes.db"
    text.write_text("hello, this is not a database")
    newer = tmp_path / "newer.db"
    upgrade(f"sqlite:///{newer}")
    with sqlite3.connect(newer) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0099'")
    for path, said in ((text, "file is not a database"),
                       (newer, "is at revision 0099, which this version of OmniKPI does not "
                               "know")):
        for command_line in (["db", "upgrade"], ["users", "list"], ["audit"]):
            done = runner.invoke(app, [*command_line, "--database-url", f"sqlite:///{path}"])
            shown = " ".join(done.output.split())
            assert done.exit_code == 2 and said in shown, (command_line, done.output)
            assert "Traceback" not in done.output and "run `omnikpi db upgrade`" not in shown


def test_a_write_the_database_refuses_never_prints_the_password_hash(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A read-only database (a read-only mount) refused `users add`: SQLAlchemy's
    traceback printed the statement's parameters, the new account's Argon2 hash with
    them. The database's own words, exit 2."""
    import sqlite3

    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm import Session
    from typer.testing import CliRunner

    from omnikpi.cli.main import app

    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)

    def refuse(session: Session) -> None:
        raise OperationalError("INSERT INTO users …", {"password_hash": "$argon2id$v=19$x"},
                               sqlite3.OperationalError("attempt to write a readonly database"))

    monkeypatch.setattr(Session, "commit", refuse)
    done = CliRunner().invoke(app, ["users", "add", "ro", "--role", "admin",
                                    "--database-url", url],
                              input="orange cable violin lamp\n")
    shown = " ".join(done.output.split())
    assert done.exit_code == 2, done.output
    assert "refused the command: attempt to write a readonly database" in shown
    assert "argon2" not in done.output and "Traceback" not in done.output


def migrations_create_and_drop_every_table(url: str) -> None:
    assert current_revision(url) is None
    assert upgrade(url) == head_revision()
    assert set(inspect(get_engine(url)).get_table_names()) >= TABLES
    assert upgrade(url) == head_revision()  # a second upgrade changes nothing
    command.downgrade(_alembic_config(url), "base")
    assert not TABLES & set(inspect(get_engine(url)).get_table_names())


def accounts_tokens_reports_and_rules_round_trip(url: str) -> None:
    command.downgrade(_alembic_config(url), "base")  # from nothing, as a new install
    upgrade(url)
    with session_scope(url) as session:
        create_user(session, "ana", "ledger-owl-123", "client", tenant="acme")
        key = create_api_key(session, "pbx", tenant="acme")
    with session_scope(url) as session:
        user = authenticate(session, "ana", "ledger-owl-123", "127.0.0.1")
        assert user is not None and authenticate(session, "ana", "wrong", "127.0.0.1") is None
        token, _ = issue_token(session, user, "bearer")
    with session_scope(url) as session:
        who = resolve_token(session, token)
        assert who is not None and (who.name, who.tenant, who.via) == ("ana", "acme", "bearer")
        assert resolve_token(session, token, "session") is None
        machine = resolve_api_key(session, key)
        assert machine is not None and machine.tenant == "acme"
        definition = ReportDefinition.model_validate(
            {"name": "Daily SL", "metrics": ["service_level"], "grain": "day",
             "filters": {"queue": ["sales"]}})
        assert save_report(session, definition, "ana", "acme") == "daily-sl"
        session.add(AlertRule(name="r", kind="sl_below", threshold=0.8, tenant="acme"))
    with session_scope(url) as session:
        assert [k for k, _ in list_reports(session, "acme")] == ["daily-sl"]
        assert list_reports(session, None) == []
        loaded, text = get_report(session, "daily-sl", "acme")
        assert loaded.filters == {"queue": ["sales"]} and 'grain = "day"' in text
        assert session.scalars(select(AlertRule.tenant)).all() == ["acme"]
    retention_prunes_old_records(url)


def retention_prunes_old_records(url: str) -> None:
    """``[retention]`` deletes on either database (the firing's details first, where the
    foreign key's cascade would not)."""
    old = datetime.now(UTC) - timedelta(days=40)
    with session_scope(url) as session:
        rule = session.scalars(select(AlertRule)).one()
        event = AlertEvent(rule_id=rule.id, subject="q", message="m", started_at=old,
                           ended_at=old)
        session.add(event)
        session.flush()
        session.add(AlertEventDetail(event_id=event.id, kind="sl_below", facts="{}"))
        session.add(AuditEntry(at=old, actor="ana", action="login", detail="{}"))
    settings = RetentionSettings(audit_days=30, alert_history_days=30)
    with session_scope(url) as session:
        pruned = prune(session, settings, datetime.now(UTC), actor="server")
    assert (pruned.audit_entries, pruned.alert_firings) == (1, 1)
    with session_scope(url) as session:
        assert session.scalars(select(AlertEvent)).all() == []
        assert session.scalars(select(AlertEventDetail)).all() == []
        assert "records_pruned" in session.scalars(select(AuditEntry.action)).all()

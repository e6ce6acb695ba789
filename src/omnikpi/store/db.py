"""Opening the application database chosen by ``OMNIKPI_DATABASE_URL`` and migrating it.

The KPI data itself never lives here (it stays in the canonical dataset folder, read by the
engine); this database holds what people create: accounts, saved reports, alert rules, QA.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, InterfaceError
from sqlalchemy.orm import Session, sessionmaker

from omnikpi.errors import UsageError

DEFAULT_URL = "sqlite:///omnikpi.db"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def database_url(url: str | None = None) -> str:
    """The SQLAlchemy URL: the argument, else ``OMNIKPI_DATABASE_URL``, else a SQLite file
    ``omnikpi.db`` in the working directory (no server needed for the demo)."""
    chosen = url or os.environ.get("OMNIKPI_DATABASE_URL") or DEFAULT_URL
    if chosen.startswith("postgresql://"):
        # the maintained driver we ship is psycopg 3
        chosen = "postgresql+psycopg://" + chosen.removeprefix("postgresql://")
    return chosen


KINDS = ("sqlite", "postgresql")
"""The databases OmniKPI is built and tested on."""


def shown_url(url: str | None = None) -> str:
    """The database as a message names it: never the password (messages go to shell
    history, CI logs and the journal), and a SQLite file by its absolute path (a relative
    one depends on the folder the command ran in)."""
    resolved = database_url(url)
    try:
        parsed = make_url(resolved)
    except ArgumentError:
        return resolved.split("@")[-1][:200] if "@" in resolved else resolved[:200]
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return f"sqlite:///{Path(parsed.database or '').resolve()}"
    return parsed.render_as_string(hide_password=True)


def _check_kind(resolved: str) -> None:
    try:
        kind = make_url(resolved).get_backend_name()
    except ArgumentError:
        raise UsageError(f"{shown_url(resolved)} is not a database URL: give "
                         "sqlite:///PATH or postgresql://USER@HOST/NAME") from None
    if kind not in KINDS:
        raise UsageError(f"cannot use the database {shown_url(resolved)}: OmniKPI runs on "
                         "SQLite and PostgreSQL only (sqlite:///PATH or "
                         "postgresql://USER@HOST/NAME)")


@lru_cache(maxsize=8)
def get_engine(url: str | None = None) -> Engine:
    resolved = database_url(url)
    _check_kind(resolved)
    try:
        if resolved.startswith("sqlite"):
            engine = create_engine(resolved, connect_args={"check_same_thread": False})

            @event.listens_for(engine, "connect")
            def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
                cursor = dbapi_connection.cursor()
                cursor.execute("PRAGMA foreign_keys=ON")
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA busy_timeout=5000")
                cursor.close()
        else:
            engine = create_engine(resolved, pool_pre_ping=True)
    except Exception as exc:
        raise UsageError(f"cannot open the database {shown_url(resolved)}: "
                         f"{str(exc).replace(resolved, shown_url(resolved))}") from None
    return engine


@lru_cache(maxsize=8)
def _session_factory(url: str | None) -> sessionmaker[Session]:
    return sessionmaker(get_engine(url), expire_on_commit=False)


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A transaction: committed when the block ends, rolled back on an exception."""
    session = _session_factory(url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _alembic_config(url: str | None):  # type: ignore[no-untyped-def]
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url(url).replace("%", "%%"))
    return config


@contextmanager
def _opening(url: str | None) -> Iterator[None]:
    """A database that cannot be opened (a SQLite file in a missing folder, a server that
    does not answer, a URL of no known kind) is a usage error naming it (no password)."""
    try:
        yield
    except (DatabaseError, InterfaceError, ArgumentError) as exc:  # "file is not a database"
        reason = str(getattr(exc, "orig", None) or exc)
        if database_url(url).startswith("sqlite") and ("unable to open" in reason
                                                       or "readonly" in reason):
            reason += (" (SQLite needs to write the file and its folder, where it keeps a "
                       "journal beside it: check both exist and are writable by this user)")
        raise UsageError(f"cannot open the database {shown_url(url)}: {reason}") from None


def upgrade(url: str | None = None, revision: str = "head") -> str:
    """Apply migrations up to ``revision``; return the revision the database is now at."""
    from alembic import command

    _check_kind(database_url(url))
    with _opening(url):
        if database_state(url) == "newer":
            raise UsageError(newer_message(url, current_revision(url)))
        command.upgrade(_alembic_config(url), revision)
    return current_revision(url) or "base"


def current_revision(url: str | None = None) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with _opening(url), get_engine(url).connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config(None)).get_current_head()
    assert head is not None
    return head


def _missing_sqlite_file(url: str | None) -> Path | None:
    """The SQLite file the URL names when it does not exist (opening it would create an
    empty one: a command run from another folder left ``omnikpi.db`` files about)."""
    try:
        parsed = make_url(database_url(url))
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    path = Path(parsed.database or "").resolve()
    return None if path.exists() else path


def database_state(url: str | None = None) -> str:
    """``missing`` (a SQLite file that is not there: not created by asking),
    ``outdated`` (a migration waits) or ``ok``; the database's own error when it does not
    answer."""
    if _missing_sqlite_file(url) is not None:
        return "missing"
    revision = current_revision(url)
    if revision == head_revision():
        return "ok"
    return "outdated" if revision is None or _known_revision(revision) else "newer"


def _known_revision(revision: str) -> bool:
    """Whether this version's migrations know ``revision`` (one a newer OmniKPI wrote is
    not: the code was rolled back)."""
    from alembic.script import ScriptDirectory

    try:
        return ScriptDirectory.from_config(_alembic_config(None)).get_revision(
            revision) is not None
    except Exception:  # alembic's "Can't locate revision"
        return False


def newer_message(url: str | None, revision: str | None) -> str:
    return (f"the database {shown_url(url)} is at revision {revision}, which this version of "
            "OmniKPI does not know: a newer version migrated it. Run that version (or "
            "restore the database's backup from before the upgrade); `omnikpi db upgrade` "
            "cannot take it back")


def database_problem(exc: BaseException) -> str | None:
    """What a person reads for a database that refused a command (a read-only file, a
    file that is not a database, a revision of a newer version): the database's own words
    without the statement and its parameters — SQLAlchemy's message printed the new
    account's password hash. None for any other exception."""
    from alembic.util import CommandError
    from sqlalchemy.exc import DBAPIError, SQLAlchemyError

    if isinstance(exc, CommandError) and "Can't locate revision" in str(exc):
        return newer_message(None, str(exc).rsplit(" ", 1)[-1].strip("'"))
    if isinstance(exc, DBAPIError):
        reason = str(exc.orig).splitlines()[0] if exc.orig is not None else type(exc).__name__
        hint = (" (SQLite needs to write the file and its folder: check both are writable "
                "by this user)" if "readonly" in reason else "")
        return f"the application database refused the command: {reason}{hint}"
    if isinstance(exc, SQLAlchemyError):
        return f"the application database refused the command: {type(exc).__name__}"
    return None


def require_current(url: str | None = None) -> None:
    """Fail with the command to run when the database is not there or not migrated to the
    newest schema; a missing SQLite file is named, not created."""
    state = database_state(url)
    if state == "missing":
        raise UsageError(
            f"no OmniKPI database at {_missing_sqlite_file(url)}: create it with "
            "`omnikpi db upgrade`, or point OMNIKPI_DATABASE_URL (or --database-url) at the "
            "existing one")
    if state == "outdated":
        raise UsageError(
            f"the database {shown_url(url)} is not up to date: run `omnikpi db upgrade`"
        )
    if state == "newer":
        raise UsageError(newer_message(url, current_revision(url)))

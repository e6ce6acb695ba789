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
from sqlalchemy.exc import ArgumentError, InterfaceError, OperationalError
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


@lru_cache(maxsize=8)
def get_engine(url: str | None = None) -> Engine:
    resolved = database_url(url)
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
        raise UsageError(f"cannot open the database {resolved!r}: {exc}") from exc
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
    except (OperationalError, InterfaceError, ArgumentError) as exc:
        try:
            shown = make_url(database_url(url)).render_as_string(hide_password=True)
        except ArgumentError:
            shown = database_url(url)[:200]
        reason = getattr(exc, "orig", None) or exc
        raise UsageError(f"cannot open the database {shown}: {reason}") from None


def upgrade(url: str | None = None, revision: str = "head") -> str:
    """Apply migrations up to ``revision``; return the revision the database is now at."""
    from alembic import command

    with _opening(url):
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


def require_current(url: str | None = None) -> None:
    """Fail with the command to run when the database is not migrated to the newest schema."""
    if current_revision(url) != head_revision():
        raise UsageError(
            f"the database {database_url(url)} is not up to date: run `omnikpi db upgrade`"
        )

"""`omnikpi db upgrade`, `omnikpi users add`, `omnikpi apikeys add`: the application
database (``OMNIKPI_DATABASE_URL``, default a SQLite file ``omnikpi.db`` here)."""

from __future__ import annotations

import getpass
import sys
from typing import Annotated

import typer

from omnikpi.cli.main import app, fail
from omnikpi.errors import OmniKPIError, UsageError

db_app = typer.Typer(help="The application database (users, saved reports, alerts, QA).",
                     no_args_is_help=True)
users_app = typer.Typer(help="Accounts that log in to the web application.",
                        no_args_is_help=True)
keys_app = typer.Typer(help="API keys for live ingest (POST /api/v1/events).",
                       no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(keys_app, name="apikeys")

DatabaseOption = Annotated[str | None, typer.Option(
    "--database-url", help="SQLAlchemy URL (default: $OMNIKPI_DATABASE_URL or "
                           "sqlite:///omnikpi.db)")]


@db_app.command("upgrade")
def db_upgrade(database_url: DatabaseOption = None) -> None:
    """Apply the database migrations (creates the database file for SQLite)."""
    from omnikpi.store.db import database_url as resolve
    from omnikpi.store.db import upgrade

    try:
        revision = upgrade(database_url)
    except OmniKPIError as exc:
        fail(exc)
    typer.echo(f"database {resolve(database_url)} is at revision {revision}")


def _read_password() -> str:
    """The password from standard input (one line), or a prompt on a terminal."""
    if sys.stdin.isatty():
        first = getpass.getpass("password: ")
        if getpass.getpass("again: ") != first:
            raise UsageError("the two passwords differ")
        return first
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="user name to log in with")],
    role: Annotated[str, typer.Option(help="admin | supervisor | client | agent")],
    tenant: Annotated[str | None, typer.Option(help="the tenant a client (or supervisor) "
                                                    "is bound to")] = None,
    site: Annotated[list[str] | None, typer.Option(help="a supervisor's site (repeat)")] = None,
    agent_id: Annotated[str | None, typer.Option(help="the agent id of this person")] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Create a user; the password is read from standard input."""
    from omnikpi.auth.accounts import audit, create_user
    from omnikpi.store.db import require_current, session_scope

    try:
        require_current(database_url)
        password = _read_password()
        with session_scope(database_url) as session:
            create_user(session, name, password, role, tenant, site, agent_id)
            audit(session, "cli", "user_created", {"name": name, "role": role,
                                                   "tenant": tenant, "sites": site})
    except OmniKPIError as exc:
        fail(exc)
    typer.echo(f"user {name} ({role}) created")


@keys_app.command("add")
def apikeys_add(
    name: Annotated[str, typer.Argument(help="what the key is for, e.g. asterisk-1")],
    tenant: Annotated[str | None, typer.Option(help="bind the key to one tenant's rows")] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Create an ingest key and print it (only its hash is stored: keep it now)."""
    from omnikpi.auth.accounts import create_api_key
    from omnikpi.store.db import require_current, session_scope

    try:
        require_current(database_url)
        with session_scope(database_url) as session:
            key = create_api_key(session, name, tenant)
    except OmniKPIError as exc:
        fail(exc)
    typer.echo(key)

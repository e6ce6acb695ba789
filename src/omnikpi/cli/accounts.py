"""`omnikpi db upgrade|prune`, `omnikpi users add|list|password|disable|enable`, `omnikpi
apikeys add|list|revoke`: the application database (``OMNIKPI_DATABASE_URL``, default a
SQLite file ``omnikpi.db`` here)."""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from omnikpi.cli.actor import cli_actor
from omnikpi.cli.main import app, fail
from omnikpi.errors import OmniKPIError, UsageError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

T = TypeVar("T")

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
    from omnikpi.store.db import shown_url, upgrade

    try:
        revision = upgrade(database_url)
    except OmniKPIError as exc:
        fail(exc)
    typer.echo(f"database {shown_url(database_url)} is at revision {revision}")


@db_app.command("prune")
def db_prune(
    config: Annotated[Path | None, typer.Option(
        help="omnikpi.toml whose \\[retention] says how many days to keep")] = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="count what would be deleted, delete nothing")] = False,
    database_url: DatabaseOption = None,
) -> None:
    """Delete audit entries, alert firings and scheduled-report runs older than
    \\[retention] allows (omnikpi serve does it once a day by itself; run this from cron
    with --no-scheduler)."""
    from datetime import UTC, datetime

    from omnikpi.config import load_config
    from omnikpi.store.retention import prune

    try:
        settings = load_config(config).retention
    except OmniKPIError as exc:
        fail(exc)
    if settings.audit_days is None and settings.alert_history_days is None \
            and settings.schedule_runs_days is None:
        typer.echo("nothing to prune: no [retention] days are set"
                   + (f" in {config}" if config else " (give --config FILE)")
                   + "; every record is kept")
        return
    pruned = _in_database(database_url, lambda session: prune(
        session, settings, datetime.now(UTC), cli_actor(), dry_run=dry_run))
    verb = "would delete" if dry_run else "deleted"
    typer.echo(f"{verb} {pruned.audit_entries} audit entries, {pruned.alert_firings} "
               f"alert firings, {pruned.schedule_runs} scheduled-report runs")


def _in_database(database_url: str | None, work: Callable[[Session], T]) -> T:
    """``work`` in one session of the application database, after checking it is
    migrated; an OmniKPI error ends the command with its message and exit code."""
    from omnikpi.store.db import require_current, session_scope

    try:
        require_current(database_url)
        with session_scope(database_url) as session:
            return work(session)
    except OmniKPIError as exc:
        fail(exc)


def _read_password() -> str:
    """The password from standard input (one line), or a prompt on a terminal."""
    from omnikpi.auth.accounts import FAST_HASHING_FOR_TESTS

    if os.environ.get(FAST_HASHING_FOR_TESTS) == "1":  # as `serve` warns
        typer.echo(f"warning: {FAST_HASHING_FOR_TESTS}=1 stores this password with the "
                   "cheapest Argon2 parameters (meant for test suites): unset it; the hash "
                   "is made strong again at the account's next login", err=True)
    if sys.stdin.isatty():
        first = getpass.getpass("password: ")
        if getpass.getpass("again: ") != first:
            raise UsageError("the two passwords differ")
        return first
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


RoleOption = Annotated[str, typer.Option(help="admin | supervisor | client | agent")]
TenantOption = Annotated[str | None, typer.Option(
    help="the tenant a client (or supervisor) is bound to")]
SiteOption = Annotated[list[str] | None, typer.Option(help="a supervisor's site (repeat)")]
AgentIdOption = Annotated[str | None, typer.Option(help="the agent id of this person")]
AllTenantsOption = Annotated[bool, typer.Option(
    "--all-tenants", help="a supervisor who sees every tenant, on purpose")]
"""The scope options of `users add` and `users set` (one account's scope, one wording)."""
CheckDataOption = Annotated[Path | None, typer.Option(
    "--data", help="a dataset folder: warn when the tenant, a site or the agent id is in "
    "no row of it (the account would see nothing)")]


def _check_binding(data: Path | None, name: str, tenant: str | None,
                   sites: list[str] | None, agent_id: str | None) -> None:
    """Warn (the account is saved) when the data holds no row of what it is bound to."""
    if data is None:
        return
    from omnikpi.auth.scope_data import Binding, unmatched_bindings, warning_text
    from omnikpi.schema.dataset import load_dataset

    try:
        dataset = load_dataset(data)
    except OmniKPIError as exc:
        typer.echo(f"warning: the binding was not checked: {exc}", err=True)
        return
    binding = Binding(name, tenant, tuple(sites or ()), agent_id)
    for account, unmatched in unmatched_bindings(dataset, [binding]).items():
        typer.echo(f"warning: {warning_text(account, unmatched)}", err=True)


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="user name to log in with")],
    role: RoleOption,
    tenant: TenantOption = None,
    site: SiteOption = None,
    agent_id: AgentIdOption = None,
    all_tenants: AllTenantsOption = False,
    database_url: DatabaseOption = None,
    data: CheckDataOption = None,
) -> None:
    """Create a user; the password is read from standard input. Every account but an
    admin is bound explicitly: --tenant (client, agent), --tenant/--site or --all-tenants
    (supervisor)."""
    from omnikpi.auth.accounts import audit, create_user
    from omnikpi.store.db import require_current, session_scope

    try:
        require_current(database_url)
        password = _read_password()
        with session_scope(database_url) as session:
            create_user(session, name, password, role, tenant, site, agent_id, all_tenants)
            audit(session, cli_actor(), "user_created", {
                "name": name, "role": role, "tenant": tenant, "sites": site,
                "agent_id": agent_id, "all_tenants": all_tenants})
    except OmniKPIError as exc:
        fail(exc)
    typer.echo(f"user {name} ({role}) created")
    _check_binding(data, name, tenant, site, agent_id)


@users_app.command("list")
def users_list(database_url: DatabaseOption = None) -> None:
    """Every account with its role and scope; unscoped supervisors are flagged."""
    from sqlalchemy import select

    from omnikpi.auth.accounts import unscoped_supervisors
    from omnikpi.store.db import require_current, session_scope
    from omnikpi.store.models import User

    try:
        require_current(database_url)
        with session_scope(database_url) as session:
            users = list(session.scalars(select(User).order_by(User.username)))
            unscoped = set(unscoped_supervisors(session))
            for user in users:
                scope = ("everything" if user.role == "admin" else
                         "every tenant (--all-tenants)" if user.all_tenants else
                         ", ".join(filter(None, [
                             f"tenant {user.tenant}" if user.tenant else "",
                             f"sites {user.sites}" if user.sites else ""])) or
                         "EVERY TENANT, UNSCOPED")
                agent = f" agent {user.agent_id}" if user.agent_id else ""
                off = " (disabled)" if user.disabled else ""
                typer.echo(f"{user.username}\t{user.role}\t{scope}{agent}{off}")
    except OmniKPIError as exc:
        fail(exc)
    if unscoped:
        typer.echo(f"warning: {len(unscoped)} supervisor(s) see every tenant because they "
                   f"were created without a scope: {', '.join(sorted(unscoped))}; give "
                   "them one with `omnikpi users set NAME --role supervisor --tenant T` "
                   "(or --site, or --all-tenants if that is intended)",
                   err=True)


@users_app.command("set")
def users_set(
    name: Annotated[str, typer.Argument(help="the account's user name")],
    role: RoleOption,
    tenant: TenantOption = None,
    site: SiteOption = None,
    agent_id: AgentIdOption = None,
    all_tenants: AllTenantsOption = False,
    database_url: DatabaseOption = None,
    data: CheckDataOption = None,
) -> None:
    """Give an account a new role and scope, checked as by `users add` (the whole scope
    is given again: what is not named is dropped); every login of the account ends."""
    from omnikpi.auth.accounts import audit, set_scope

    def change(session: Session) -> None:
        set_scope(session, name, role, tenant, site, agent_id, all_tenants)
        audit(session, cli_actor(), "user_scope_set", {
            "name": name, "role": role, "tenant": tenant, "sites": site,
            "agent_id": agent_id, "all_tenants": all_tenants})

    _in_database(database_url, change)
    typer.echo(f"user {name}: now {role}, every login ended")
    _check_binding(data, name, tenant, site, agent_id)


@users_app.command("password")
def users_password(
    name: Annotated[str, typer.Argument(help="the account's user name")],
    database_url: DatabaseOption = None,
) -> None:
    """Set a new password (read from standard input); every login of the account ends."""
    from omnikpi.auth.accounts import audit, existing_user, set_password

    # the account first: a misspelt name was said only after the new password was typed
    _in_database(database_url, lambda session: existing_user(session, name))
    try:
        password = _read_password()
    except OmniKPIError as exc:
        fail(exc)

    def change(session: Session) -> None:
        set_password(session, name, password)
        audit(session, cli_actor(), "password_set", {"name": name})

    _in_database(database_url, change)
    typer.echo(f"user {name}: password changed, every login ended")


def _set_disabled(name: str, disabled: bool, database_url: str | None) -> bool:
    """Whether the account changed (a second `disable` says so and audits nothing)."""
    from omnikpi.auth.accounts import audit, set_disabled

    def change(session: Session) -> bool:
        changed = set_disabled(session, name, disabled)
        if changed:
            audit(session, cli_actor(), "user_disabled" if disabled else "user_enabled",
                  {"name": name})
        return changed

    return _in_database(database_url, change)


@users_app.command("disable")
def users_disable(
    name: Annotated[str, typer.Argument(help="the account's user name")],
    database_url: DatabaseOption = None,
) -> None:
    """Stop an account from logging in (someone who left); its logins end at once. Its
    evaluations and saved reports stay, with their author."""
    if _set_disabled(name, True, database_url):
        typer.echo(f"user {name} disabled: every login ended")
    else:
        typer.echo(f"user {name} was disabled already")


@users_app.command("enable")
def users_enable(
    name: Annotated[str, typer.Argument(help="the account's user name")],
    database_url: DatabaseOption = None,
) -> None:
    """Let a disabled account log in again."""
    if _set_disabled(name, False, database_url):
        typer.echo(f"user {name} enabled")
    else:
        typer.echo(f"user {name} was enabled already")


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
            key = create_api_key(session, name, tenant, cli_actor())
    except OmniKPIError as exc:
        fail(exc)
    typer.echo(key)


@keys_app.command("list")
def apikeys_list(database_url: DatabaseOption = None) -> None:
    """Every key: name, first characters, tenant, created, revoked (the key itself is
    never stored)."""
    from omnikpi.auth.accounts import api_keys

    def lines(session: Session) -> list[str]:
        return [f"{key.name}\t{key.prefix}…\t{key.tenant or 'every tenant'}\t"
                f"created {key.created_at:%Y-%m-%d %H:%M}\t"
                + (f"revoked {key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at
                   else "active") for key in api_keys(session)]

    for line in _in_database(database_url, lines):
        typer.echo(line)


@keys_app.command("revoke")
def apikeys_revoke(
    name: Annotated[str, typer.Argument(help="the key's name (omnikpi apikeys list)")],
    database_url: DatabaseOption = None,
) -> None:
    """Stop a key working (a leaked key, a retired PBX); a running server forgets it
    within 5 seconds."""
    from omnikpi.auth.accounts import audit, revoke_api_key

    def revoke(session: Session) -> bool:
        revoked = revoke_api_key(session, name)
        if revoked:
            audit(session, cli_actor(), "apikey_revoked", {"name": name})
        return revoked

    if _in_database(database_url, revoke):
        typer.echo(f"API key {name} revoked")
    else:
        typer.echo(f"API key {name} was revoked already")

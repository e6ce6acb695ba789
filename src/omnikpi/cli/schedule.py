"""`omnikpi schedule add|list|run-due`: saved reports that run by themselves (the schedules
live in the application database, ``OMNIKPI_DATABASE_URL``)."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from omnikpi.cli.accounts import DatabaseOption
from omnikpi.cli.actor import cli_actor
from omnikpi.cli.main import app, err_console, fail
from omnikpi.errors import OmniKPIError, UsageError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from omnikpi.store.models_schedules import ReportSchedule

schedule_app = typer.Typer(help="Scheduled reports: e-mailed, dropped in a folder or posted "
                                "to a webhook for the period just ended.",
                           no_args_is_help=True)
app.add_typer(schedule_app, name="schedule")

def _iso(instant: datetime | None) -> str | None:
    """An instant for JSON; None for a schedule that never runs."""
    return instant.isoformat() if instant else None


def parse_now(value: str | None, option: str = "--now") -> datetime:
    """An ISO instant option (without an offset: UTC); default the clock."""
    if value is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"{option} {value!r} is not an ISO instant such as "
                         "2026-11-30T08:00:00+02:00") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


@schedule_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="the schedule's name")],
    definition: Annotated[Path, typer.Option(help="saved report definition (TOML/JSON)")],
    cron: Annotated[str, typer.Option(
        help='when: five cron fields ("0 8 * * *" daily at 08:00, "0 8 * * 1" Mondays, '
             '"0 8 1 * *" the 1st) or daily / weekly / monthly')] = "daily",
    tz: Annotated[str | None, typer.Option(
        help="IANA zone of the schedule and its period (default: the report's zone, "
             "else UTC)")] = None,
    email: Annotated[list[str] | None, typer.Option(
        help="recipient (repeat, or comma separated)")] = None,
    folder: Annotated[Path | None, typer.Option(help="drop the file into this folder")] = None,
    webhook: Annotated[str | None, typer.Option(help="POST the file to this URL (signed)")
                       ] = None,
    format: Annotated[str, typer.Option(help="xlsx|pdf|csv")] = "xlsx",
    lang: Annotated[str, typer.Option(
        help="en|ru|uk: the language of the XLSX/PDF header and of the e-mail")] = "en",
    period: Annotated[str | None, typer.Option(
        help="day|week|month just ended (default: from the cron expression)")] = None,
    data: Annotated[Path | None, typer.Option(
        help="dataset folder (default: the server's dataset)")] = None,
    owner: Annotated[str | None, typer.Option(
        help="the account whose scope the runs apply, as the web applies it: a client's "
             "or a supervisor's tenant and sites, an agent's own rows (default: every "
             "tenant)")] = None,
    since: Annotated[str | None, typer.Option(
        help="the first run falls after this ISO instant (default: now)")] = None,
    config: Annotated[Path | None, typer.Option(
        help="omnikpi.toml (\\[alerts] webhook_allowed_hosts for a private webhook)")] = None,
    replace: Annotated[bool, typer.Option(
        "--replace", help="give the schedule of this name these settings, keeping its run "
        "history (a new time goes on from the last run; a period already sent is not "
        "sent again)")] = False,
    database_url: DatabaseOption = None,
) -> None:
    """Add a schedule: the report of a definition file for the period just ended."""
    from sqlalchemy import select

    from omnikpi.auth.accounts import audit, principal_of
    from omnikpi.definitions import load_definition
    from omnikpi.schedules.store import (
        NewSchedule,
        add_or_replace,
        add_schedule,
        settings_of,
        started_before,
    )
    from omnikpi.schedules.timing import next_fire
    from omnikpi.store.db import require_current, session_scope
    from omnikpi.store.models import User

    try:
        given = [(c, v) for c, v in (("email", email), ("folder", folder),
                                     ("webhook", webhook)) if v]
        if len(given) != 1:
            raise UsageError("give one delivery: --email ADDR (repeatable), --folder DIR or "
                             "--webhook URL")
        channel, value = given[0]
        if channel == "email":
            targets = [a for item in email or [] for a in item.split(",") if a.strip()]
        elif channel == "folder":
            targets = [str(Path(str(value)).resolve())]
        else:
            from omnikpi.config import load_config
            from omnikpi.delivery.webhook import resolve

            settings = load_config(config)
            resolve(str(value), settings.alerts.webhook_allowed_hosts)  # early
            targets = [str(value)]
            secret_env = settings.webhooks.secret_env
            if not os.environ.get(secret_env):
                # a warning, not a refusal: the server or timer that runs it may have it
                err_console.print(
                    f"[yellow]warning:[/] ${secret_env} is not set here: webhooks are "
                    "signed, so every run fails unless the process that runs the schedules "
                    "(omnikpi serve, or the schedule run-due timer) has it", highlight=False)
        report = load_definition(definition)
        zone_name = tz or (report.tz if "tz" in report.model_fields_set else "UTC")
        if data is not None and not data.is_dir():  # said now, not at the first run
            raise UsageError(f"--data {data}: no such dataset folder")
        require_current(database_url)
        with session_scope(database_url) as session:
            principal = None
            if owner is not None:
                user = session.scalar(select(User).where(User.username == owner))
                if user is None:
                    raise UsageError(f"no account {owner!r} (omnikpi users list)")
                if user.disabled:  # every run of its schedule would fail
                    raise UsageError(f"the account {owner!r} is disabled: enable it first "
                                     f"(omnikpi users enable {owner}) or name another "
                                     "owner")
                principal = principal_of(user)
            new = NewSchedule(name, report, cron, zone_name, channel, targets, format,
                              period, str(data.resolve()) if data else None,
                              parse_now(since, "--since") if since else None, lang)
            changes = None
            if replace:
                row, changes = add_or_replace(session, new, principal, datetime.now(UTC))
            else:
                row = add_schedule(session, new, principal)
            replaced = changes is not None
            # what is sent, of whose data, where: the log keeps it when the schedule and
            # its history are gone (it held the name, the time and the owner only)
            audit(session, cli_actor(), "schedule_changed" if replaced else "schedule_added",
                  changed_record(row, changes) if changes is not None else
                  {**settings_of(row), "definition_file": str(definition)})
            first = next_fire(row.cron, row.tz, started_before(row))
            typer.echo(f"schedule {row.name!r}{' replaced' if replaced else ''}: {row.cron} "
                       f"({row.tz}), the {row.period} "
                       f"just ended as {row.format} by {row.channel}; next run "
                       f"{first.isoformat() if first else 'never'}")
            if principal is not None and principal.role == "agent":
                # as on the web: an agent's report is their own rows, never the tenant's
                typer.echo(f"{principal.name} is an agent account: each run holds only "
                           f"the rows of agent {principal.agent_id} in tenant "
                           f"{principal.tenant}")
    except OmniKPIError as exc:
        fail(exc)


def changed_record(row: ReportSchedule, changes: dict[str, tuple[str | None, str | None]]
                   ) -> dict[str, object]:
    """A ``schedule_changed`` entry: which schedule, and each setting's old and new value
    (the docs promise "the settings changed"; the entry held the name and time only)."""
    return {"name": row.name, "tenant": row.tenant_key or None, "owner": row.owner,
            "changed": {key: {"old": old, "new": new} for key, (old, new) in changes.items()}}


SERVER_DATASET = "(the server's)"
"""`schedule list`'s data of a schedule added without --data: the dataset of the server
that runs it (`omnikpi serve --data`, or `schedule run-due --data`)."""


@schedule_app.command("list")
def list_(
    format: Annotated[str, typer.Option(help="table|json")] = "table",
    database_url: DatabaseOption = None,
) -> None:
    """Every schedule, its next run and its last run's status."""
    if format not in ("table", "json"):
        fail(UsageError(f"unknown format {format!r}: choose table or json"))
    from omnikpi.schedules.runner import RETRIED, shown_message
    from omnikpi.schedules.store import list_schedules, runs_of, started_before, utc
    from omnikpi.schedules.timing import next_fire
    from omnikpi.store.db import require_current, session_scope

    try:
        require_current(database_url)
        with session_scope(database_url) as session:
            rows = []
            for schedule in list_schedules(session, None):
                last = runs_of(session, [schedule.id], limit=1)
                rows.append({
                    "name": schedule.name, "tenant": schedule.tenant_key or None,
                    "owner": schedule.owner, "cron": schedule.cron, "tz": schedule.tz,
                    "period": schedule.period, "format": schedule.format,
                    "lang": schedule.lang, "delivery": schedule.channel, "target": schedule.target,
                    # the dataset it reports on (null: the server's, or run-due --data):
                    # `add --replace` without --data moves a schedule to the server's
                    "data": schedule.data_path,
                    "paused": not schedule.enabled,
                    "next_run": _iso(next_fire(schedule.cron, schedule.tz,
                                               started_before(schedule)))
                    if schedule.enabled else None,
                    "last_status": last[0].status if last else None,
                    "last_message": shown_message(last[0]) if last else None,
                    "retry_at": _iso(utc(last[0].next_try_at)) if last and
                    last[0].status in RETRIED and last[0].next_try_at else None,
                })
    except OmniKPIError as exc:
        fail(exc)
    if format == "json":
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    shown = ("name", "tenant", "cron", "tz", "period", "format", "lang", "delivery", "target",
             "data", "next_run", "last_status")
    console = Console()
    texts = [[str(row[c] or ("paused" if c == "next_run" and row["paused"] else
                             "never" if c == "next_run" else
                             SERVER_DATASET if c == "data" else "—")) for c in shown]
             for row in rows]
    needed = 1 + sum(3 + max([len(c), *(len(t[i]) for t in texts)])
                     for i, c in enumerate(shown))
    if needed <= console.width:
        table = Table(header_style="bold")
        for column in shown:
            table.add_column(column, no_wrap=True)
        for cells in texts:
            table.add_row(*[Text(cell) for cell in cells])
        console.print(table)
        return
    # too wide for the terminal: one block per schedule, every value whole (a table of ten
    # columns in 80 showed "tena…", "Euro…", "202…" — even the next run was cut)
    for cells in texts:
        block = Table.grid(padding=(0, 2))
        block.add_column(style="bold", no_wrap=True)
        block.add_column(overflow="fold")
        for column, cell in zip(shown[1:], cells[1:], strict=True):
            block.add_row(column, Text(cell))
        console.print(Text(cells[0], style="bold underline"))
        console.print(block)
        console.print()


def _find(session: Session, name: str, tenant: str | None) -> ReportSchedule:
    """The schedule of that name and tenant, or a usage error naming where one is."""
    from sqlalchemy import select

    from omnikpi.definitions import slug
    from omnikpi.store.models_schedules import ReportSchedule

    row = session.scalar(select(ReportSchedule).where(
        ReportSchedule.slug == slug(name), ReportSchedule.tenant_key == (tenant or "")))
    if row is None:
        elsewhere = sorted(t for t in session.scalars(
            select(ReportSchedule.tenant_key).where(
                ReportSchedule.slug == slug(name))) if t != (tenant or ""))
        hint = "".join(f"; tenant {t!r} has one (--tenant {t})" if t else
                       "; the operator has one (no --tenant)" for t in elsewhere)
        raise UsageError(f"no schedule {name!r}"
                         + (f" of tenant {tenant!r}" if tenant else "")
                         + (hint or " (omnikpi schedule list)"))
    return row


TenantOfScheduleOption = Annotated[str | None, typer.Option(
    "--tenant", help="the tenant of a client's schedule (default: the operator's own)")]


def _set_enabled(name: str, tenant: str | None, enabled: bool,
                 database_url: str | None) -> None:
    from omnikpi.auth.accounts import audit
    from omnikpi.schedules.store import set_enabled
    from omnikpi.store.db import require_current, session_scope

    word = "resumed" if enabled else "paused"
    try:
        require_current(database_url)
        with session_scope(database_url) as session:
            row = _find(session, name, tenant)
            changed = set_enabled(session, row, enabled, datetime.now(UTC))
            if changed:
                audit(session, cli_actor(), f"schedule_{word}", {"name": row.name,
                                                                 "tenant": tenant})
    except OmniKPIError as exc:
        fail(exc)
    typer.echo(f"schedule {name!r} {word}" if changed else f"schedule {name!r} was {word} "
               "already")


@schedule_app.command("pause")
def pause(name: Annotated[str, typer.Argument(help="the schedule's name")],
          tenant: TenantOfScheduleOption = None, database_url: DatabaseOption = None) -> None:
    """Pause a schedule: nothing runs or is sent until it is resumed (its history stays)."""
    _set_enabled(name, tenant, False, database_url)


@schedule_app.command("resume")
def resume(name: Annotated[str, typer.Argument(help="the schedule's name")],
           tenant: TenantOfScheduleOption = None, database_url: DatabaseOption = None) -> None:
    """Resume a paused schedule from its next time on (what passed meanwhile is not sent)."""
    _set_enabled(name, tenant, True, database_url)


@schedule_app.command("remove")
def remove(
    name: Annotated[str, typer.Argument(help="the schedule's name")],
    tenant: TenantOfScheduleOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Remove a schedule and its run history (to change one, `schedule add --replace`
    keeps the history; `schedule pause` stops it for a while)."""
    from sqlalchemy import delete

    from omnikpi.auth.accounts import audit
    from omnikpi.schedules.store import settings_of
    from omnikpi.store.db import require_current, session_scope
    from omnikpi.store.models_schedules import ScheduleRun

    try:
        require_current(database_url)
        with session_scope(database_url) as session:
            row = _find(session, name, tenant)
            session.execute(delete(ScheduleRun).where(ScheduleRun.schedule_id == row.id))
            session.delete(row)
            # its runs go with it: the log keeps what it sent where (each try is there too)
            audit(session, cli_actor(), "schedule_deleted", settings_of(row))
    except OmniKPIError as exc:
        fail(exc)
    typer.echo(f"schedule {name!r} removed")


@schedule_app.command("run-due")
def run_due_command(
    now: Annotated[str | None, typer.Option(
        help="the instant to run for (ISO; default: now)")] = None,
    data: Annotated[Path | None, typer.Option(
        help="dataset of schedules added without --data")] = None,
    config: Annotated[Path | None, typer.Option(
        help="omnikpi.toml (\\[email] SMTP, \\[webhooks], thresholds)")] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Run every schedule due at that instant and not yet run, each once (for cron or a
    systemd timer); prints what it ran. Exit 1 when a run failed."""
    from omnikpi.config import load_config
    from omnikpi.schedules.runner import folder_datasets, run_due
    from omnikpi.store.db import require_current

    try:
        moment = parse_now(now)
        if moment > datetime.now(UTC) + timedelta(minutes=1):
            # each run records its instant as done: a mistyped 2030 silenced every schedule
            # until 2030, after sending reports of empty days
            raise UsageError(f"--now {now} is in the future: give the instant to replay, "
                             "no later than the clock")
        settings = load_config(config)
        require_current(database_url)
        outcomes = run_due(database_url, moment, settings, folder_datasets(data))
    except OmniKPIError as exc:
        fail(exc)
    for outcome in outcomes:
        typer.echo(f"{outcome.status}\t{outcome.schedule}\t{outcome.period.label}\t"
                   f"{outcome.message}")
    if not outcomes:
        typer.echo("nothing due", err=True)
    if any(o.status != "ok" for o in outcomes):
        raise typer.Exit(1)

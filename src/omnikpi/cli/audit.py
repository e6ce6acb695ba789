"""`omnikpi audit`: search the audit log from the shell (for a security officer's
question, or a daily copy into a SIEM)."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Literal

import typer

from omnikpi.cli.accounts import DatabaseOption
from omnikpi.cli.main import app, fail
from omnikpi.errors import OmniKPIError


@app.command("audit")
def audit_command(
    actor: Annotated[list[str] | None, typer.Option(
        help="only this actor (an account name, cli:<login>, server); repeatable")] = None,
    action: Annotated[list[str] | None, typer.Option(
        help="only this action (login_failed, export, recording_played…); repeatable")
    ] = None,
    from_: Annotated[str | None, typer.Option(
        "--from", help="from this instant or day (ISO; inclusive)")] = None,
    to: Annotated[str | None, typer.Option(
        help="before this instant or day (ISO; exclusive, as a report's --to)")] = None,
    tz: Annotated[str, typer.Option(
        help="zone of --from/--to without an offset (IANA name)")] = "UTC",
    before_id: Annotated[int | None, typer.Option(
        help="only entries older than this id (the next page)")] = None,
    limit: Annotated[int, typer.Option(
        help="entries at most (1 to 1000; 0: every entry that matches)")] = 200,
    fmt: Annotated[Literal["text", "json", "csv"], typer.Option(
        "--format", help="text (tab-separated), json or csv")] = "text",
    database_url: DatabaseOption = None,
) -> None:
    """Audit-log entries, newest first (times in UTC).

    Logins and failed logins, exports, playbacks, and changes of accounts, keys, rules
    and schedules."""
    from omnikpi.auth.audit_search import (
        MAX_PAGE,
        entry_json,
        every_entry,
        find_entries,
        search_of,
        write_csv,
    )
    from omnikpi.store.db import require_current, session_scope

    try:
        search = search_of(actor or (), action or (), from_, to, tz, before_id,
                           limit or MAX_PAGE)
        require_current(database_url)
        with session_scope(database_url) as session:
            found = every_entry(session, search) if limit == 0 else \
                find_entries(session, search)
            entries = [entry_json(e) for e in found]
    except OmniKPIError as exc:
        fail(exc)
    if fmt == "json":
        typer.echo(json.dumps(entries, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        write_csv(sys.stdout, entries)
    else:
        for e in entries:
            typer.echo("\t".join(str(e[k] if e[k] is not None else "-") for k in
                                 ("id", "at", "actor", "action", "ip", "detail")))
    if limit and len(entries) == search.limit:
        typer.echo(f"more may be older: --before-id {entries[-1]['id']}", err=True)
    elif not entries:
        typer.echo("no entry matches", err=True)

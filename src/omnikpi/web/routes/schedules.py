"""The schedules page: reports that run by themselves (add one from a saved report, see
each run, its status and its file), and the scheduler the server runs in the background.

A bounded account (a client viewer, a supervisor of a tenant) sees and runs only the
schedules it owns, and each run applies the owner's scope (``omnikpi.schedules``); a
folder target writes on the server's disk, so only an administrator may choose one.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from omnikpi.auth.accounts import Principal, audit
from omnikpi.auth.scope import Scope
from omnikpi.delivery import MIME_TYPES
from omnikpi.delivery.disposition import attachment
from omnikpi.delivery.webhook import resolve
from omnikpi.errors import UsageError
from omnikpi.schedules.runner import (
    RETRIED,
    DatasetSource,
    folder_datasets,
    retry_run,
    shown_message,
)
from omnikpi.schedules.scheduler import Scheduler
from omnikpi.schedules.store import (
    CHANNELS,
    FORMATS,
    NewSchedule,
    add_schedule,
    current_definition,
    edit_schedule,
    get_schedule,
    list_schedules,
    run_file,
    runs_of,
    set_enabled,
    settings_of,
    started_before,
    utc,
)
from omnikpi.schedules.timing import PRESETS, Period, next_fire, zone
from omnikpi.store.db import session_scope
from omnikpi.store.models import utcnow
from omnikpi.store.models_schedules import ReportSchedule, ScheduleRun
from omnikpi.store.reports import get_report, list_reports, shelf
from omnikpi.web.audit_trail import record
from omnikpi.web.deps import AppState, RowId, State
from omnikpi.web.filters import COMMON_ZONES, zone_names
from omnikpi.web.i18n import choose_language
from omnikpi.web.limits import LONG_TEXT_CHARS, MAX_INT, NAME_CHARS
from omnikpi.web.page_errors import (
    in_page_language,
    page_message,
    page_sentence,
    translator_of,
)
from omnikpi.web.security import Caller, require_roles
from omnikpi.web.templating import templates

router = APIRouter(include_in_schema=False)
PRESET_OF_CRON = {cron: key for key, cron in PRESETS.items()}
"""The form's "when" choice that a cron expression is (none: a custom expression)."""
ROLES = ("admin", "supervisor", "client")


def server_datasets(state: AppState) -> DatasetSource:
    """The server's own dataset (scoped as the web scopes it) for schedules without a
    folder of their own; other folders loaded once each."""
    others = folder_datasets()

    def source(path: str | None, scope: Scope) -> Any:
        if path is None or Path(path).resolve() == state.data_path.resolve():
            state.refresh()
            return state.dataset_for(scope)
        return others(path, scope)

    return source


def scheduler_for(state: AppState) -> Scheduler:
    return Scheduler(state.database_url, state.config, server_datasets(state))


def zones_with(server_zone: str, *kept: str) -> list[str]:
    """The zones the form offers: every zone (the common ones first, as the builder's),
    the server's first when it is not a common one, and the zones of the schedules
    listed (``Etc/GMT+3``, given on the command line). The form offered only the common
    zones: an edited schedule in America/Santiago had no option selected, so saving it
    to change a recipient moved it to the first, UTC."""
    every = zone_names()
    first = [server_zone] if server_zone not in COMMON_ZONES else []
    extra = sorted({z for z in kept if z and z not in every})
    return list(dict.fromkeys([*first, *extra, *every]))


def _page(request: Request, state: AppState, principal: Principal, error: str | None = None,
          typed: dict[str, str] | None = None, status: int = 200) -> Response:
    with session_scope(state.database_url) as session:
        schedules = list_schedules(session, principal)
        runs = runs_of(session, [s.id for s in schedules])
        saved = list_reports(session, shelf(principal))
        names = {s.id: s.name for s in schedules}
        zones = {s.id: s.tz for s in schedules}
        rows = [{"id": s.id, "name": s.name, "cron": s.cron, "tz": s.tz, "period": s.period,
                 "preset": PRESET_OF_CRON.get(s.cron),
                 "format": s.format, "lang": s.lang, "channel": s.channel,
                 "target": s.target,
                 "owner": s.owner or "", "tenant": s.tenant_key, "enabled": bool(s.enabled),
                 "next": next_fire(s.cron, s.tz, started_before(s))} for s in schedules]
        history = [{"id": r.id, "schedule": names.get(r.schedule_id, ""),
                    "due": utc(r.due_at).astimezone(zone(zones.get(r.schedule_id, "UTC"))),
                    "status": r.status, "attempts": r.attempts or 1,
                    "next_try": utc(r.next_try_at).astimezone(
                        zone(zones.get(r.schedule_id, "UTC")))
                    if r.next_try_at is not None and r.status in RETRIED else None,
                    "retry": r.status in RETRIED,
                    "message": run_message(request, shown_message(r)),
                    "period": _period_text(r.period_from, r.period_to),
                    "file": r.filename if r.content is not None else None} for r in runs]
    return templates.TemplateResponse(request, "schedules.html", {
        "filters": None, "schedules": rows, "runs": history, "saved": saved,
        "formats": FORMATS, "channels": [c for c in CHANNELS
                                         if c != "folder" or principal.role == "admin"],
        "presets": PRESETS, "error": error,
        "zones": zones_with(state.tz, *zones.values()), "server_zone": state.tz,
        # a new schedule reads as the page does: made from the Ukrainian page, it sent
        # English files (and in UTC, the server's zone aside)
        "typed": typed or {"lang": choose_language(request), "tz": ""},
        "period_names": PERIOD_NAMES, "channel_names": CHANNEL_NAMES,
        "when_names": WHEN_NAMES, "status_names": STATUS_NAMES, "lang_names": LANG_NAMES},
        status_code=status)


def _period_text(start: str, end: str) -> str:
    """``2026-11-02`` for a day, ``2026-10`` for a month, ``2026-10-26 – 2026-11-01`` for a
    week (the last day shown, not the exclusive end)."""
    try:
        label = Period(datetime.fromisoformat(start), datetime.fromisoformat(end)).label
    except ValueError:
        return f"{start[:10]} – {end[:10]}"
    return label.replace("_", " – ")


PERIOD_NAMES = {"day": "yesterday", "week": "last week", "month": "last month"}
CHANNEL_NAMES = {"email": "e-mail", "folder": "folder", "webhook": "webhook"}
WHEN_NAMES = {"daily": "every day at 08:00", "weekly": "Mondays at 08:00",
              "monthly": "the 1st of the month at 08:00", "custom": "cron expression"}
STATUS_NAMES = {"running": "running", "ok": "sent", "failed": "failed",
                "partial": "partly sent"}
LANG_NAMES = {"en": "English", "ru": "Русский", "uk": "Українська"}
"""The schedule's language, each named in itself (as the language links do)."""


@router.get("/schedules", response_class=HTMLResponse)
def schedules_page(request: Request, state: State, principal: Caller,
                   edit: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None) -> Response:
    """The page; ``?edit=ID`` fills the form with that schedule's settings."""
    require_roles(principal, *ROLES)
    if edit is None:
        return _page(request, state, principal)
    with session_scope(state.database_url) as session:
        row = _visible_schedule(session, edit, principal)
        typed = _typed_of(row)
    return _page(request, state, principal, typed=typed)


def _visible_schedule(session: Session, schedule_id: int,
                      principal: Principal) -> ReportSchedule:
    """A schedule the caller may see; anyone else's is not there (404, not 403)."""
    try:
        return get_schedule(session, schedule_id, principal)
    except UsageError:
        raise HTTPException(404, "no such schedule") from None


def _typed_of(row: ReportSchedule) -> dict[str, str]:
    """A schedule's settings as the form holds them ("" report: keep the one it runs)."""
    when = PRESET_OF_CRON.get(row.cron, "custom")
    return {"editing": str(row.id), "name": row.name, "report": "", "when": when,
            "cron": row.cron if when == "custom" else "", "period": row.period,
            "tz": row.tz, "format": row.format, "lang": row.lang, "channel": row.channel,
            "target": row.target}


ScheduleForm = Annotated[str, Form(max_length=NAME_CHARS)]


def _form_schedule(state: AppState, principal: Principal, name: str, definition: Any,
                   when: str, cron: str, period: str, tz: str, format: str, channel: str,
                   target: str, lang: str) -> NewSchedule:
    """The page form's fields as a schedule to check and store (new or edited)."""
    if channel == "folder" and principal.role != "admin":
        raise UsageError("only an administrator may write into a server folder")
    if when != "custom" and cron.strip() and cron.strip() != PRESETS.get(when):
        # the expression typed was silently replaced by the preset chosen
        raise UsageError(f"the cron expression '{cron.strip()}' is typed but "
                         "'when' is not 'cron expression'")
    expression = cron if when == "custom" else PRESETS.get(when, "")
    if not expression.strip():  # "'custom' is not a cron expression": the menu's value
        raise UsageError("type the cron expression (five fields, e.g. 0 8 * * *)"
                         if when == "custom" else f"{when!r} is not a cron expression")
    targets = [t for t in re.split(r"[,\s;]+", target) if t] if channel == "email" \
        else [target]
    if channel == "webhook":
        resolve(target, state.config.alerts.webhook_allowed_hosts)
    if not tz:  # "the report's own": the zone the saved report names, as the command
        # line's default (else the server's); a report saved in Kyiv and scheduled on a
        # UTC server's page sent UTC days unless the reader changed the zone
        tz = definition.tz if "tz" in definition.model_fields_set else state.tz
    return NewSchedule(name, definition, expression, tz, channel, targets, format,
                       period or None, lang=lang)


@router.post("/schedules")
def add(request: Request, state: State, principal: Caller,
        name: ScheduleForm, report: ScheduleForm, when: ScheduleForm = "daily",
        cron: ScheduleForm = "", period: ScheduleForm = "", tz: ScheduleForm = "",
        format: ScheduleForm = "xlsx", channel: ScheduleForm = "email",
        target: Annotated[str, Form(max_length=LONG_TEXT_CHARS)] = "",
        lang: ScheduleForm = "en") -> Response:
    """A schedule from the page's form; a bad value keeps the form as typed."""
    require_roles(principal, *ROLES)
    typed = {"name": name, "report": report, "when": when, "cron": cron, "period": period,
             "tz": tz, "format": format, "channel": channel, "target": target, "lang": lang}
    try:
        with session_scope(state.database_url) as session:
            definition, _ = get_report(session, report, shelf(principal))
            row = add_schedule(session, _form_schedule(
                state, principal, name, definition, when, cron, period, tz, format, channel,
                target, lang), principal)
            # what it sends, of whose data, where (the entry named the time only)
            audit(session, principal.name, "schedule_added",
                  {**settings_of(row), "id": row.id, "report": report},
                  request.client.host if request.client else None)
    except UsageError as exc:
        return _page(request, state, principal, _translated(request, str(exc)), typed, 400)
    return RedirectResponse("/schedules", status_code=303)


@router.post("/schedules/{schedule_id}/edit")
def edit(request: Request, state: State, principal: Caller, schedule_id: RowId,
         name: ScheduleForm, report: ScheduleForm = "", when: ScheduleForm = "daily",
         cron: ScheduleForm = "", period: ScheduleForm = "", tz: ScheduleForm = "",
         format: ScheduleForm = "xlsx", channel: ScheduleForm = "email",
         target: Annotated[str, Form(max_length=LONG_TEXT_CHARS)] = "",
         lang: ScheduleForm = "") -> Response:
    """New settings for a schedule the caller may see; its run history stays. An empty
    ``report`` keeps the report it runs, an empty ``lang`` its language."""
    require_roles(principal, *ROLES)
    typed = {"editing": str(schedule_id), "name": name, "report": report, "when": when,
             "cron": cron, "period": period, "tz": tz, "format": format, "channel": channel,
             "target": target, "lang": lang}
    try:
        with session_scope(state.database_url) as session:
            row = _visible_schedule(session, schedule_id, principal)
            definition = get_report(session, report, shelf(principal))[0] if report \
                else current_definition(row)
            changed = edit_schedule(session, row, _form_schedule(
                state, principal, name, definition, when, cron, period, tz, format, channel,
                target, lang or row.lang), utcnow())
            # each setting's old and new value: "target changed" told nobody whose
            # address came or went
            audit(session, principal.name, "schedule_changed",
                  {"id": schedule_id, "name": row.name, "tenant": row.tenant_key or None,
                   "owner": row.owner, "report": report or None,
                   "changed": {key: {"old": old, "new": new}
                               for key, (old, new) in changed.items()}},
                  request.client.host if request.client else None)
    except UsageError as exc:
        return _page(request, state, principal, _translated(request, str(exc)), typed, 400)
    return RedirectResponse("/schedules", status_code=303)


@router.post("/schedules/{schedule_id}/pause")
def pause(request: Request, state: State, principal: Caller, schedule_id: RowId) -> Response:
    """Pause a schedule: nothing runs or is sent until it is resumed."""
    return _pause_or_resume(request, state, principal, schedule_id, "pause")


@router.post("/schedules/{schedule_id}/resume")
def resume(request: Request, state: State, principal: Caller, schedule_id: RowId) -> Response:
    return _pause_or_resume(request, state, principal, schedule_id, "resume")


def _pause_or_resume(request: Request, state: AppState, principal: Principal,
                     schedule_id: int, action: str) -> Response:
    require_roles(principal, *ROLES)
    with session_scope(state.database_url) as session:
        row = _visible_schedule(session, schedule_id, principal)
        if set_enabled(session, row, action == "resume", utcnow()):
            audit(session, principal.name, f"schedule_{action}d", {"id": schedule_id,
                                                                    "name": row.name},
                  request.client.host if request.client else None)
    return RedirectResponse("/schedules", status_code=303)


@router.post("/schedules/runs/{run_id}/retry")
def retry(request: Request, state: State, principal: Caller, run_id: RowId) -> Response:
    """Send a failed run again (its schedule must be the caller's)."""
    require_roles(principal, *ROLES)
    with session_scope(state.database_url) as session:
        run = session.get(ScheduleRun, run_id)
        try:
            if run is None:
                raise UsageError("no such run")
            get_schedule(session, run.schedule_id, principal)
        except UsageError:
            raise HTTPException(404, "no such run") from None
    try:
        retry_run(state.database_url, run_id, state.config, server_datasets(state),
                  actor=principal.name)
    except UsageError as exc:
        return _page(request, state, principal, _translated(request, str(exc)), None, 409)
    with session_scope(state.database_url) as session:
        audit(session, principal.name, "schedule_run_retried", {"run": run_id},
              request.client.host if request.client else None)
    return RedirectResponse("/schedules", status_code=303)


@router.post("/schedules/{schedule_id}/delete")
def delete(request: Request, state: State, principal: Caller,
           schedule_id: RowId) -> Response:
    require_roles(principal, *ROLES)
    with session_scope(state.database_url) as session:
        row = _visible_schedule(session, schedule_id, principal)
        for run in runs_of(session, [row.id], limit=100_000):
            session.delete(run)  # SQLite enforces no ON DELETE CASCADE by default
        session.delete(row)
        # its runs go with it: the log keeps what it sent where (each try is there too)
        audit(session, principal.name, "schedule_deleted",
              {**settings_of(row), "id": schedule_id},
              request.client.host if request.client else None)
    return RedirectResponse("/schedules", status_code=303)


@router.get("/schedules/runs/{run_id}/file")
def file(request: Request, state: State, principal: Caller, run_id: RowId) -> Response:
    """The file a run sent (its schedule must be the caller's). Its download is an export
    in the audit log, as every other file of report data leaving the service is."""
    require_roles(principal, *ROLES)
    with session_scope(state.database_url) as session:
        try:
            run = run_file(session, run_id, principal)
        except UsageError:
            raise HTTPException(404, "no such file") from None
        name = run.filename or f"run-{run_id}"
        content = run.content or b""
    record(request, state.database_url, principal.name, "export",
           {"what": "scheduled report run", "run": run_id, "file": name})
    media = MIME_TYPES.get(name.rpartition(".")[2], "application/octet-stream")
    return Response(content, media_type=media,
                    headers={"Content-Disposition": attachment(name)})


MESSAGES = [
    (re.compile(r"run \d+ is not a failed run: only those are sent again", re.S),
     "This run has not failed (it was sent, or is being sent): only a failed run is sent "
     "again."),
    (re.compile(r"'(?P<value>.*)' is not a cron expression.*", re.S),
     "“{value}” is not a cron expression: five fields, e.g. 0 8 * * * for every day at "
     "08:00."),
    (re.compile(r"'(?P<value>.*)' names no date that exists.*", re.S),
     "“{value}” names no date that exists (such as 31 April), so it would never run."),
    (re.compile(r"'(?P<value>.*)' runs every .*, but each run reports the .*", re.S),
     "“{value}” runs more often than its period changes: the same report would go out "
     "again and again. Run it once per period (daily, weekly, monthly)."),
    (re.compile(r"unknown time zone '(?P<value>.*)'.*", re.S),
     "Unknown time zone “{value}”."),
    (re.compile(r"'(?P<value>.*)' is not an e-mail address \(name@example\.com\)", re.S),
     "“{value}” is not an e-mail address (name@example.com)."),
    (re.compile(r"a schedule named '(?P<value>.*)' exists already", re.S),
     "A schedule named “{value}” exists already."),
    (re.compile(r"no saved report '(?P<value>.*)'", re.S),
     "Choose one of your saved reports."),
    (re.compile(r"(webhook host|a webhook must be) .*", re.S),
     "This webhook address cannot be used: it must be a public http(s) address."),
    (re.compile(r"the cron expression '(?P<value>.*)' is typed but 'when' is not 'cron "
                r"expression'", re.S),
     "The cron expression “{value}” is typed, but “when” is not “cron expression”: choose "
     "it to use the expression, or empty the field."),
    (re.compile(r"only an administrator may write into a server folder", re.S),
     "Only an administrator may write into a server folder."),
    (re.compile(r"type the cron expression \(five fields.*", re.S),
     "Type the cron expression: five fields, e.g. 0 8 * * * for every day at 08:00."),
    (re.compile(r"give at least one e-mail address", re.S),
     "Give at least one e-mail address."),
    (re.compile(r"a folder schedule needs exactly one folder", re.S),
     "Give one folder."),
    (re.compile(r"a webhook schedule needs exactly one URL", re.S),
     "Give one webhook address."),
    (re.compile(r"neither the folder (?P<value>.*) nor its parent .* exists.*", re.S),
     "Neither the folder “{value}” nor the folder it is in exists: create it first (a "
     "mistyped path would send the reports nowhere)."),
    (re.compile(r"(?P<value>.*) is a file, not a folder.*", re.S),
     "“{value}” is a file, not a folder: name the folder to write into."),
]

RUN_MESSAGES = [
    (re.compile(r"e-mailed to (?P<who>.*?); (?P<had>.*) had it already", re.S),
     "e-mailed to {who}; {had} had it already"),
    (re.compile(r"e-mailed to (?P<who>.*)", re.S), "e-mailed to {who}"),
    (re.compile(r"every recipient had it already: (?P<who>.*)", re.S),
     "every recipient had it already: {who}"),
    (re.compile(r"written to (?P<path>.*)", re.S), "written to {path}"),
    (re.compile(r"posted to the webhook \((?P<tries>\d+) attempts?\)"),
     "posted to the webhook (attempts: {tries})"),
    (re.compile(r"webhooks are signed: put the shared secret in \$(?P<env>\S+)"),
     "webhooks are signed: put the shared secret in ${env}"),
    (re.compile(r"internal error: (?P<error>.*)", re.S), "internal error: {error}"),
    (re.compile(r"e-mail is not configured: .*", re.S),
     "e-mail is not configured on the server: the administrator sets the [email] section "
     "of the configuration (docs/scheduled-reports.md)"),
    (re.compile(r"webhook (?P<host>\S+) failed after (?P<tries>\d+) attempts?: "
                r"(?P<problem>.*)", re.S),
     "the webhook {host} did not take the file (attempts: {tries}): {problem}"),
    (re.compile(r"webhook host '(?P<host>.*)' cannot be resolved .*", re.S),
     "the webhook's host “{host}” is not known to the name server"),
    (re.compile(r"sent to (?P<who>.*?); the SMTP server (?P<where>\S+) refused "
                r"(?P<refused>.*)", re.S),
     "sent to {who}; the mail server {where} refused {refused}"),
    (re.compile(r"the SMTP server (?P<where>\S+) refused every recipient: (?P<refused>.*)",
                re.S),
     "the mail server {where} refused every recipient: {refused}"),
    (re.compile(r"the mail server (?P<where>\S+) refused the message: (?P<reply>.*) "
                r"\(the file is (?P<size>[\d,]+) kB\)", re.S),
     "the mail server {where} refused the message: {reply} (the file is {size} kB)"),
    (re.compile(r"the mail server (?P<where>\S+) refused the message: (?P<reply>.*)", re.S),
     "the mail server {where} refused the message: {reply}"),
    (re.compile(r"the SMTP server (?P<where>\S+) answered (?P<reply>.*): it is tried "
                r"again later", re.S),
     "the mail server {where} answered {reply}: it is tried again later"),
    (re.compile(r"the SMTP server (?P<where>\S+) refused the login of (?P<user>.*) "
                r"\((?P<code>\d+)\): .*", re.S),
     "the mail server {where} refused the login of {user} ({code}): the administrator "
     "checks the [email] settings"),
    (re.compile(r"the SMTP server (?P<where>\S+) timed out: the message was not sent "
                r"within (?P<seconds>\S+) s \(\[email\] send_limit_seconds\)", re.S),
     "the mail server {where} timed out: the message was not sent within {seconds} s"),
    (re.compile(r"the SMTP server (?P<where>\S+) failed: (?P<error>.*)", re.S),
     "the mail server {where} failed: {error}"),
    (re.compile(r"cannot reach the SMTP server (?P<where>\S+): (?P<error>.*)", re.S),
     "cannot reach the mail server {where}: {error}"),
    (re.compile(r"the schedule's owner '(?P<owner>.*)' no longer exists or is disabled: "
                r"the schedule does not run", re.S),
     "the schedule's owner “{owner}” no longer exists or is disabled: the schedule does "
     "not run"),
    (re.compile(r"the owner '(?P<owner>.*)' no longer belongs to tenant '(?P<tenant>.*)': "
                r"the schedule does not run", re.S),
     "the owner “{owner}” no longer belongs to tenant “{tenant}”: the schedule does not "
     "run"),
    (re.compile(r"the saved report of schedule '(?P<name>.*?)'(:| cannot be read) "
                r"(?P<problem>.*): choose its report again .*", re.S),
     "the saved report of this schedule no longer reads ({problem}): choose its report "
     "again (Edit)"),
    (re.compile(r"cannot write into the folder (?P<folder>.*?): (?P<error>.*)", re.S),
     "cannot write into the folder {folder}: {error}"),
    (re.compile(r"(?P<folder>.*) is a file, not a folder: the reports are written into a "
                r"folder of that name", re.S),
     "“{folder}” is a file, not a folder: the reports are written into a folder of that "
     "name"),
    (re.compile(r"the schedule names no dataset folder: .*", re.S),
     "the schedule names no dataset: the administrator gives the server's dataset or the "
     "schedule's folder"),
]
"""What a run's outcome says (stored in English by the runner), in the page's language;
the addresses, paths and errors in it stay as they are."""

EARLIER = re.compile(r"sent to (?P<who>.*?) earlier; (?P<rest>.*)", re.S)
"""A try of a partly sent run: who had the file before, then what this try said."""


def run_message(request: Request, text: str) -> str:
    """A run's message in the page's language: the runner's own sentences, else the
    engine's (an unknown grain, metric or dimension) as the report pages word them —
    a uk page showed "webhook … failed after 2 attempts: HTTP 500" in English."""
    _ = translator_of(request)
    earlier = EARLIER.fullmatch(text)
    if earlier:
        return _("sent to {who} earlier; {rest}").format(
            who=earlier["who"], rest=run_message(request, earlier["rest"]))
    sentence = page_sentence(request, text, RUN_MESSAGES)
    if sentence is not None:
        return sentence
    worded = page_message(UsageError(text), _)
    return worded if worded != text else _(text)


def _translated(request: Request, text: str) -> str:
    """A sentence of this page in the page's language (the values typed kept)."""
    return in_page_language(request, text, MESSAGES)

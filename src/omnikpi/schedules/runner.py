"""Running what is due: each scheduled instant of each schedule once, whichever process
gets there first.

A run is claimed by inserting its row — (schedule, instant) is unique — in the same
transaction that moves the schedule's ``last_due_at``; a second process (another server
worker, a cron job at the same minute) fails that insert and skips the run. Then the
report is computed with the owner's scope, written as XLSX, PDF or CSV, delivered, and
the row records the outcome and keeps the file for the history page.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import case, select, update
from sqlalchemy.exc import IntegrityError

from omnikpi.auth.accounts import audit
from omnikpi.auth.scope import Scope, scoped_dataset
from omnikpi.config import Config
from omnikpi.delivery import (
    MIME_TYPES,
    Attachment,
    DeliveryError,
    DeliveryRefused,
    PartlyDelivered,
)
from omnikpi.delivery.disposition import attachment
from omnikpi.delivery.email import send_email
from omnikpi.delivery.folder import drop
from omnikpi.delivery.webhook import post
from omnikpi.engine.result import ReportResult
from omnikpi.engine.run import plan_request, refuse_empty_tables
from omnikpi.errors import OmniKPIError, UsageError
from omnikpi.export import language_translator, to_csv_text, write_pdf, write_xlsx
from omnikpi.schedules.store import current_definition, owner_scope, started_before, utc
from omnikpi.schedules.timing import Period, due_instant, period_ended
from omnikpi.schema.dataset import Dataset, load_dataset
from omnikpi.stated_scope import result_in_scope
from omnikpi.store.db import session_scope
from omnikpi.store.models import utcnow
from omnikpi.store.models_schedules import ReportSchedule, ScheduleRun

log = logging.getLogger("omnikpi.schedules")

STALE_RUN = timedelta(hours=1)
"""A run of ``schedule run-due`` (cron: no heartbeat) still "running" this long after it
started was cut off (the process stopped)."""
LOST_AFTER = timedelta(seconds=90)
"""A server's run whose heartbeat is this old was cut off (its process stopped): the
scheduler's lease length, as the same process renews both."""
RUNNING_ON = "running on "
"""A running run's message while the scheduler of a server runs it: ``running on``, the
lease holder and its heartbeat (``, alive`` and an ISO instant), which the holder renews
while the run lasts (:func:`beat`). A restart during the 08:00 run no longer leaves it
"running" for an hour, refused by "Send again": the heartbeat stops, and a run whose
heartbeat is older than :data:`LOST_AFTER` is tried again. Who holds the lease does not
say whether a run was cut off: a run longer than the lease (a webhook timing out four
times) lost it to another server, which marked the run still being sent "interrupted" and
sent it a second time. A run of ``schedule run-due`` (cron) has no holder: only the hour
tells it was cut off."""
ALIVE = ", alive "


def _running_on(holder: str | None, now: datetime | None = None) -> str:
    """The mark of a run that ``holder`` runs, alive at ``now`` ('' without a holder)."""
    if not holder:
        return ""
    stamp = (now or utcnow()).astimezone(UTC).isoformat()
    return f"{RUNNING_ON}{holder}{ALIVE}{stamp}"


def _alive_at(message: str) -> datetime | None:
    """The heartbeat a running run's mark holds (None: no mark, or one written before
    marks had a heartbeat)."""
    if not message.startswith(RUNNING_ON) or ALIVE not in message:
        return None
    try:
        return utc(datetime.fromisoformat(message.rpartition(ALIVE)[2]))
    except ValueError:
        return None


def beat(database_url: str | None, holder: str, now: datetime) -> int:
    """Renew the heartbeat of the runs ``holder`` is running (the number renewed): the
    scheduler calls it while a run lasts, so no other process takes a run still being sent
    for one that was cut off."""
    mine = f"{RUNNING_ON}{holder}"
    with session_scope(database_url) as session:
        result = session.execute(update(ScheduleRun).where(
            ScheduleRun.status == "running",
            (ScheduleRun.message == mine)
            | ScheduleRun.message.startswith(f"{mine}{ALIVE}", autoescape=True))
            .values(message=_running_on(holder, now)))
        return int(getattr(result, "rowcount", 0) or 0)


def shown_message(run: ScheduleRun) -> str:
    """A run's message as people read it: nothing while it runs (the holder is the
    scheduler's own mark, a host and a process id)."""
    message = run.message or ""
    return "" if message.startswith(RUNNING_ON) else message

DatasetSource = Callable[[str | None, Scope], Dataset]
"""The dataset a run reads: its folder (None: the server's) as ``scope`` may see it."""


@dataclass(frozen=True)
class Outcome:
    schedule: str
    due_at: datetime
    status: str
    message: str
    period: Period


def folder_datasets(default: Path | None = None) -> DatasetSource:
    """Datasets loaded from their folders (once each), scoped per run (the CLI's)."""
    loaded: dict[str, Dataset] = {}

    def source(path: str | None, scope: Scope) -> Dataset:
        chosen = path or (str(default) if default is not None else None)
        if chosen is None:
            raise OmniKPIError("the schedule names no dataset folder: add it with --data "
                               "or give `omnikpi schedule run-due --data DIR`")
        if chosen not in loaded:
            loaded[chosen] = load_dataset(Path(chosen))
        return scoped_dataset(loaded[chosen], scope)

    return source


def render(result: ReportResult, fmt: str, title: str, lang: str = "en") -> bytes:
    """The report as the bytes of an XLSX, PDF or CSV file (with the export header), the
    XLSX and PDF in the schedule's language (CSV is data for programs: its columns stay
    the ids)."""
    if fmt == "csv":
        return to_csv_text(result).encode("utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"report.{fmt}"
        if fmt == "xlsx":
            write_xlsx(result, path, title, lang=lang)
        else:
            write_pdf(result, path, title, lang=lang)
        return path.read_bytes()


def _period_tried(database_url: str | None, schedule_id: int, due_at: datetime,
                  period: Period) -> bool:
    """Whether the schedule has a run of ``period`` already (sent, or failed and retried
    on its own, or sent again by hand): then the instant ``due_at`` passes without
    sending it twice. A timing moved from 08:00 to 09:00 after the 08:00 run sent
    yesterday's report again at 09:00."""
    with session_scope(database_url) as session:
        tried = session.scalar(select(ScheduleRun.id).where(
            ScheduleRun.schedule_id == schedule_id,
            ScheduleRun.period_from == period.start.isoformat(),
            ScheduleRun.period_to == period.end.isoformat()).limit(1))
        if tried is None:
            # the same day, week or month in another zone (the schedule's zone changed
            # after its run): Kyiv's 2 November was sent, and UTC's went out again, other
            # figures under the same Idempotency-Key (the key is the period's name)
            recent = session.execute(select(ScheduleRun.id, ScheduleRun.period_from,
                                            ScheduleRun.period_to).where(
                ScheduleRun.schedule_id == schedule_id,
                ScheduleRun.due_at >= due_at - SAME_NAME_WITHIN)).all()
            tried = next((run for run, start, end in recent
                          if _named(start, end) == period.label), None)
        if tried is not None:
            session.execute(update(ReportSchedule).where(ReportSchedule.id == schedule_id)
                            .values(last_due_at=due_at))
    return tried is not None


SAME_NAME_WITHIN = timedelta(days=62)
"""How far back a run of the period of the same name can be (a month's, sent a month ago
under another zone)."""


def _named(start: str | None, end: str | None) -> str | None:
    """The name of a run's period (its label in the zone it was sent in), None when the
    stored bounds do not read."""
    try:
        return Period(datetime.fromisoformat(str(start)), datetime.fromisoformat(str(end))).label
    except ValueError:
        return None


def _claim(database_url: str | None, schedule_id: int, due_at: datetime,
           period: Period, holder: str | None = None,
           now: datetime | None = None) -> int | None:
    """The new run's id, or None when another process claimed this instant first."""
    try:
        with session_scope(database_url) as session:
            run = ScheduleRun(schedule_id=schedule_id, due_at=due_at, started_at=utcnow(),
                              status="running", period_from=period.start.isoformat(),
                              period_to=period.end.isoformat(),
                              message=_running_on(holder, now))
            session.add(run)
            session.execute(update(ReportSchedule).where(ReportSchedule.id == schedule_id)
                            .values(last_due_at=due_at))
            session.flush()
            return run.id
    except IntegrityError:
        return None


def _tenant_part(schedule: ReportSchedule) -> str:
    """``tenant/`` before a tenant's schedule key: schedules are unique per tenant, and two
    tenants' "Daily" sent the same Idempotency-Key, so a deduplicating receiver dropped the
    second tenant's report."""
    return f"{schedule.tenant_key}/" if schedule.tenant_key else ""


def recipients_of(schedule: ReportSchedule) -> list[str]:
    """An e-mail schedule's addresses."""
    return [a.strip() for a in schedule.target.split(",") if a.strip()]


def targets_now(schedule: ReportSchedule, have: Sequence[str] = ()) -> list[str]:
    """Where a try sends: the e-mail recipients that do not have the file yet (``have``),
    else the folder or the URL."""
    if schedule.channel == "email":
        return [a for a in recipients_of(schedule) if a not in have]
    return [schedule.target]


MAIL_BODY = ("The OmniKPI report \u201c{name}\u201d for {period} ({tz}) is attached as "
             "{filename}.")


def mail_text(schedule: ReportSchedule, period: Period, filename: str) -> tuple[str, str]:
    """The e-mail's subject and body in the schedule's language."""
    _ = language_translator(schedule.lang or "en")
    body = _(MAIL_BODY).format(name=schedule.name, period=period.label, tz=schedule.tz,
                               filename=filename)
    return f"{schedule.name} — {period.label}", body + "\n"


def _email(schedule: ReportSchedule, config: Config, period: Period, filename: str,
           content: bytes, have: Sequence[str]) -> str:
    """Mail the file to the recipients that do not have it (a try after some were
    refused must not send the others a second copy)."""
    recipients = targets_now(schedule, have)
    if not recipients:
        return f"every recipient had it already: {', '.join(have)}"
    subject, body = mail_text(schedule, period, filename)
    send_email(config.email, recipients, subject, body,
               [Attachment(filename, content, MIME_TYPES[schedule.format])])
    earlier = f"; {', '.join(have)} had it already" if have else ""
    return f"e-mailed to {', '.join(recipients)}{earlier}"


def deliver(schedule: ReportSchedule, config: Config, period: Period, filename: str,
            content: bytes, have: Sequence[str] = ()) -> str:
    """Send the file where the schedule says; a sentence saying where it went. ``have``:
    the e-mail recipients that got it at an earlier try."""
    mime = MIME_TYPES[schedule.format]
    if schedule.channel == "email":
        return _email(schedule, config, period, filename, content, have)
    if schedule.channel == "folder":
        path = drop(Path(schedule.target), filename, content)
        return f"written to {path}"
    secret = os.environ.get(config.webhooks.secret_env)
    if not secret:
        raise DeliveryError(f"webhooks are signed: put the shared secret in "
                            f"${config.webhooks.secret_env}")
    tries = post(schedule.target, content, content_type=mime, secret=secret,
                 allowed_hosts=config.alerts.webhook_allowed_hosts,
                 attempts=config.webhooks.attempts,
                 first_retry_seconds=config.webhooks.first_retry_seconds,
                 timeout_seconds=config.webhooks.timeout_seconds,
                 extra_headers={"Content-Disposition": attachment(filename),
                                # the same for every attempt and "Send again" of a run:
                                # a receiver that stored a timed-out attempt drops repeats
                                "Idempotency-Key": quote(
                                    f"{_tenant_part(schedule)}{schedule.slug}/"
                                    f"{period.label}", safe="/"),
                                "X-OmniKPI-Schedule": quote(schedule.slug, safe=""),
                                **({"X-OmniKPI-Tenant": quote(schedule.tenant_key, safe="")}
                                   if schedule.tenant_key else {}),
                                "X-OmniKPI-Period": f"{period.start.isoformat()}/"
                                                    f"{period.end.isoformat()}"})
    return f"posted to the webhook ({tries} attempt{'s' if tries > 1 else ''})"


def next_try(config: Config, attempt: int, lasting: bool, now: datetime) -> datetime | None:
    """When a run that failed at its ``attempt``-th try is tried again: the wait that
    ``[schedules] retry_minutes`` gives that attempt, or None when the tries are used up
    or the error does not pass by itself (``lasting``: a definition, a metric or a folder
    that the schedule names wrongly fails the same way every time)."""
    waits = config.schedules.retry_minutes
    if lasting or attempt > len(waits):
        return None
    return now + timedelta(minutes=waits[attempt - 1])


@dataclass(frozen=True)
class Tried:
    """What one try of a run came to."""

    status: str
    """ok, failed, or partial (some recipients have the file, the others refused it)."""
    message: str
    lasting: bool
    """It fails alike at every try: no automatic try again, a person must act."""
    delivered: tuple[str, ...] = ()
    """The e-mail recipients that have the file, this try's and the earlier ones'."""


RETRIED = ("failed", "partial")
"""The statuses "Send again" and the automatic tries take back."""


def _failure(exc: Exception, have: tuple[str, ...]) -> Tried:
    """A try that raised: partial when some recipients have the file (this try's or an
    earlier one's) — the run said "failed" though they had it — else failed."""
    if isinstance(exc, PartlyDelivered):
        delivered = have + tuple(a for a in exc.delivered if a not in have)
        return Tried("partial", _earlier(have) + str(exc), exc.lasting, delivered)
    return Tried("partial" if have else "failed",
                 _earlier(have) + (str(exc) or exc.__class__.__name__),
                 isinstance(exc, UsageError | DeliveryRefused), have)


def _earlier(have: tuple[str, ...]) -> str:
    return f"sent to {', '.join(have)} earlier; " if have else ""


def _made(database_url: str | None, schedule: ReportSchedule, period: Period,
          config: Config, datasets: DatasetSource) -> tuple[str, bytes]:
    """The run's file (name and bytes), computed with the owner's scope as it is now."""
    with session_scope(database_url) as session:
        scope = owner_scope(session, schedule)
    definition = current_definition(schedule)
    # the schedule sets the whole period: a saved as-of (a fixed report's) would cut
    # every later period at that instant — empty files sent as "ok"
    request = replace(definition.to_request().overridden(
        tz=schedule.tz, from_=period.start.replace(tzinfo=None).isoformat(),
        to=period.end.replace(tzinfo=None).isoformat()), as_of=None)
    dataset = datasets(schedule.data_path, scope)
    # the file states the owner's scope among its filters, as the web's files do: a
    # client's read "Filters: none", or "Tenant: bank, telco", over the bank's rows
    plan = plan_request(dataset, request, config)
    refuse_empty_tables(plan)  # a failed run, not a file of zeros read from nothing
    result = result_in_scope(plan.run(), scope)
    filename = f"{schedule.slug}-{period.label}.{schedule.format}"
    return filename, render(result, schedule.format, schedule.name, schedule.lang or "en")


def _had_it(database_url: str | None, run_id: int) -> tuple[str, ...]:
    """The recipients an earlier try of this run reached."""
    with session_scope(database_url) as session:
        run = session.get(ScheduleRun, run_id)
        held = run.delivered_to if run is not None else None
    return tuple(a for a in (held or "").split(",") if a)


def run_one(database_url: str | None, schedule: ReportSchedule, run_id: int, period: Period,
            config: Config, datasets: DatasetSource, attempt: int = 1,
            now: datetime | None = None, actor: str = "scheduler") -> tuple[str, str]:
    """Compute, write and deliver one claimed run (its ``attempt``-th try); record and
    return (status, message), and audit where the file went (``actor``: who had it sent,
    the scheduler or the person who pressed "Send again"). A failure is given its next
    automatic try, counted from ``now`` (the scheduler's clock; the wall clock when not
    given)."""
    filename, content = None, None
    have = _had_it(database_url, run_id)
    targets = targets_now(schedule, have)
    try:
        filename, content = _made(database_url, schedule, period, config, datasets)
        message = deliver(schedule, config, period, filename, content, have)
        tried = Tried("ok", message, False, have + tuple(targets)
                      if schedule.channel == "email" else ())
    except (OmniKPIError, OSError, ValueError) as exc:
        tried = _failure(exc, have)
    except Exception as exc:  # a bug must not stop the other schedules
        log.exception("schedule %s failed", schedule.slug)
        tried = Tried("failed", f"internal error: {exc.__class__.__name__}: {exc}", True,
                      have)
    finished = utcnow()
    again = next_try(config, attempt, tried.lasting, now or finished) \
        if tried.status in RETRIED else None
    with session_scope(database_url) as session:
        session.execute(update(ScheduleRun).where(ScheduleRun.id == run_id).values(
            status=tried.status, message=tried.message[:2000], finished_at=finished,
            filename=filename, content=content, attempts=attempt, next_try_at=again,
            delivered_to=",".join(tried.delivered) or None))
        audit(session, actor, "export", delivery_record(schedule, run_id, period, targets,
                                                        tried, attempt, filename))
    return tried.status, tried.message


def delivery_record(schedule: ReportSchedule, run_id: int, period: Period,
                    targets: Sequence[str], tried: Tried, attempt: int,
                    filename: str | None) -> dict[str, object]:
    """The audit log's entry of one try: which schedule sent whose data (owner, tenant),
    of which period, as what, where, and how it went. Web downloads were audited, the
    files a schedule sent were not — and its run history goes with the schedule."""
    return {"what": "scheduled report", "schedule": schedule.name,
            "schedule_id": schedule.id, "run": run_id, "attempt": attempt,
            "owner": schedule.owner, "tenant": schedule.tenant_key or None,
            "period": period.label, "from": period.start.isoformat(),
            "to": period.end.isoformat(), "format": schedule.format,
            "lang": schedule.lang or "en", "channel": schedule.channel,
            "targets": list(targets), "file": filename, "status": tried.status,
            "delivered": list(tried.delivered), "message": tried.message[:500]}


@dataclass(frozen=True)
class _Taken:
    """A failed run taken back to run again: its schedule, period, try number, instant."""

    schedule: ReportSchedule | None
    period: Period
    attempt: int
    due_at: datetime


def _take_back(database_url: str | None, run_id: int, now: datetime | None,
               holder: str | None = None, alive_at: datetime | None = None
               ) -> _Taken | None:
    """Mark a failed run running again in one statement — whoever else tries at the same
    moment (a second click, a second server) finds nothing to take — and read what
    running it needs. ``now``: only when its automatic retry has come; ``alive_at``: the
    heartbeat to mark it with (else ``now``). None: not taken."""
    wanted = [ScheduleRun.id == run_id, ScheduleRun.status.in_(RETRIED)]
    if now is not None:
        wanted.append(ScheduleRun.next_try_at <= now)
    with session_scope(database_url) as session:
        result = session.execute(update(ScheduleRun).where(*wanted).values(
            status="running", started_at=utcnow(), finished_at=None, next_try_at=None,
            message=_running_on(holder, alive_at or now)))
        if not int(getattr(result, "rowcount", 0) or 0):
            return None
        run = session.get(ScheduleRun, run_id)
        assert run is not None
        taken = _Taken(session.get(ReportSchedule, run.schedule_id),
                       Period(datetime.fromisoformat(run.period_from),
                              datetime.fromisoformat(run.period_to)),
                       (run.attempts or 1) + 1, run.due_at)
        session.expunge_all()
        return taken


def retry_run(database_url: str | None, run_id: int, config: Config,
              datasets: DatasetSource, actor: str = "scheduler") -> tuple[str, str]:
    """Compute and send a failed run again, for its own period (the receiver was down
    at 08:00: the next check found nothing due, and that day's report was lost); two
    clicks send it once. A partly sent run goes to the recipients that lack it only."""
    taken = _take_back(database_url, run_id, None)
    if taken is None:
        raise UsageError(f"run {run_id} is not a failed run: only those are sent again")
    if taken.schedule is None:
        raise UsageError(f"run {run_id} has no schedule any more")
    return run_one(database_url, taken.schedule, run_id, taken.period, config, datasets,
                   taken.attempt, actor=actor)


def _retry_due(database_url: str | None, now: datetime, config: Config,
               datasets: DatasetSource, holder: str | None = None,
               clock: Callable[[], datetime] | None = None) -> list[Outcome]:
    """Try again the failed runs whose next try has come, of schedules still enabled;
    one process takes each (``_take_back``)."""
    with session_scope(database_url) as session:
        waiting = list(session.execute(
            select(ScheduleRun.id).join(ReportSchedule,
                                        ReportSchedule.id == ScheduleRun.schedule_id)
            .where(ScheduleRun.status.in_(RETRIED), ScheduleRun.next_try_at <= now,
                   ReportSchedule.enabled.is_(True))
            .order_by(ScheduleRun.next_try_at)).scalars())
    outcomes = []
    for run_id in waiting:
        taken = _take_back(database_url, run_id, now, holder,
                           clock() if clock is not None else None)
        if taken is None or taken.schedule is None:
            continue  # another process took it, or someone pressed "Send again"
        schedule, period = taken.schedule, taken.period
        status, message = run_one(database_url, schedule, run_id, period, config, datasets,
                                  taken.attempt, now)
        log.log(logging.WARNING if status != "ok" else logging.INFO,
                "schedule %s for %s, try %d: %s (%s)", schedule.slug, period.label,
                taken.attempt, status, message)
        outcomes.append(Outcome(schedule.name, utc(taken.due_at), status,
                                f"try {taken.attempt}: {message}", period))
    return outcomes


def _cut_off(message: str, started_at: datetime, now: datetime,
             lost_after: timedelta) -> bool:
    """Whether a "running" run was left by a process that stopped: a server's (marked) run
    whose heartbeat is older than ``lost_after`` — one marked before marks had a heartbeat
    judged by its start — or an unmarked one (cron's) started :data:`STALE_RUN` ago."""
    if message.startswith(RUNNING_ON):
        return (_alive_at(message) or utc(started_at)) < now - lost_after
    return utc(started_at) < now - STALE_RUN


def _close_stale(database_url: str | None, now: datetime, config: Config,
                 lost_after: timedelta = LOST_AFTER) -> None:
    """A run left "running" by a process that stopped is failed, and tried again at once
    when it has tries left (a restart during the 08:00 run no longer loses the day). A run
    is judged by its own heartbeat or age (:func:`_cut_off`), whoever holds the lease; it
    is closed only if its mark is still the one read, so a heartbeat renewed meanwhile
    keeps it running."""
    retry = bool(config.schedules.retry_minutes)
    with session_scope(database_url) as session:
        running = [(run_id, message) for run_id, message, started_at in session.execute(
            select(ScheduleRun.id, ScheduleRun.message, ScheduleRun.started_at)
            .where(ScheduleRun.status == "running"))
            if _cut_off(message or "", started_at, now, lost_after)]
        for run_id, message in running:
            session.execute(update(ScheduleRun).where(
                ScheduleRun.id == run_id, ScheduleRun.status == "running",
                ScheduleRun.message == message)
                .values(status=case((ScheduleRun.delivered_to.is_not(None), "partial"),
                                    else_="failed"), finished_at=now,
                        next_try_at=case((ScheduleRun.attempts <= len(
                            config.schedules.retry_minutes), now), else_=None)
                        if retry else None,
                        message="interrupted: the process stopped during the run"))


def _forget_old_files(database_url: str | None, now: datetime, days: int) -> None:
    """Drop the files of runs older than ``days`` (the run's line stays): every file held a
    period's figures of every tenant it covered, kept in the database for ever."""
    with session_scope(database_url) as session:
        session.execute(update(ScheduleRun).where(
            ScheduleRun.finished_at < now - timedelta(days=days),
            ScheduleRun.content.is_not(None)).values(content=None))


def run_due(database_url: str | None, now: datetime, config: Config,
            datasets: DatasetSource, holder: str | None = None,
            lost_after: timedelta = LOST_AFTER) -> list[Outcome]:
    """Run every enabled schedule due at ``now`` that no process has run yet, once.
    ``holder``: the scheduler's lease holder running them, which renews their heartbeat
    (None: ``schedule run-due``); ``lost_after``: how old a heartbeat says a run was cut
    off."""
    now = now.astimezone(UTC)
    clock = _check_clock(now)
    _close_stale(database_url, now, config, lost_after)
    _forget_old_files(database_url, now, config.schedules.keep_files_days)
    with session_scope(database_url) as session:
        schedules = list(session.scalars(select(ReportSchedule).where(
            ReportSchedule.enabled.is_(True)).order_by(ReportSchedule.id)))
    outcomes = []
    for schedule in schedules:
        try:
            due = due_instant(schedule.cron, schedule.tz, started_before(schedule), now)
        except Exception as exc:  # one bad row must not hold back every other schedule
            log.warning("schedule %s cannot be timed: %s", schedule.slug, exc)
            continue
        if due is None:
            continue
        period = period_ended(schedule.period, due, schedule.tz)
        if _period_tried(database_url, schedule.id, due.astimezone(UTC), period):
            continue
        run_id = _claim(database_url, schedule.id, due.astimezone(UTC), period, holder,
                        clock())
        if run_id is None:
            continue
        status, message = run_one(database_url, schedule, run_id, period, config, datasets,
                                  now=now)
        # a failure reaches the server's log (journalctl), not only the Schedules page
        log.log(logging.WARNING if status != "ok" else logging.INFO,
                "schedule %s for %s: %s (%s)", schedule.slug, period.label, status, message)
        outcomes.append(Outcome(schedule.name, utc(due), status, message, period))
    return outcomes + _retry_due(database_url, now, config, datasets, holder, clock)


def _check_clock(now: datetime) -> Callable[[], datetime]:
    """The check's instant moved on by the time the check has taken: a run claimed after
    others that took minutes (four webhook timeouts each) was marked alive at the check's
    start, and another process judged it cut off before its first heartbeat and sent it
    again. The check's own ``now`` stays the scheduler's clock (a test's fake one)."""
    began = time.monotonic()
    return lambda: now + timedelta(seconds=time.monotonic() - began)

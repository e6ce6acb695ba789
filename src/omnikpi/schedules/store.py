"""Schedules and their runs in the application database, each seen by its owner only
(or by an unbounded administrator)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from omnikpi.auth.accounts import Principal, principal_of
from omnikpi.auth.scope import UNBOUNDED, Scope, scope_of, viewer_scope
from omnikpi.definitions import ReportDefinition, check_name, slug
from omnikpi.delivery.email import check_addresses
from omnikpi.errors import NotFoundError, UsageError, describe_validation_error
from omnikpi.formatting import LANGUAGES
from omnikpi.schedules.timing import (
    PERIODS,
    check_cron,
    check_frequency,
    period_of_cron,
    zone,
)
from omnikpi.store.models import User, utcnow
from omnikpi.store.models_schedules import ReportSchedule, ScheduleRun

FORMATS = ("xlsx", "pdf", "csv")
CHANNELS = ("email", "folder", "webhook")


@dataclass(frozen=True)
class NewSchedule:
    """What ``omnikpi schedule add`` and the schedules page ask for."""

    name: str
    definition: ReportDefinition
    cron: str
    tz: str
    channel: str
    target: Sequence[str]
    """Addresses (email), one folder, or one URL."""
    format: str = "xlsx"
    period: str | None = None
    """day, week or month; None: from the cron expression (see ``period_of_cron``)."""
    data_path: str | None = None
    since: datetime | None = None
    """Runs fall after this instant (default: now); an earlier one sends past periods."""
    lang: str = "en"
    """The language of the file's header and of the e-mail (en, ru, uk)."""


def _target_text(channel: str, target: Sequence[str]) -> str:
    if channel == "email":
        return ", ".join(check_addresses(target))
    values = [t.strip() for t in target if t.strip()]
    if len(values) != 1:
        raise UsageError(f"a {channel} schedule needs exactly one "
                         f"{'folder' if channel == 'folder' else 'URL'}")
    if channel == "folder":
        check_folder(Path(values[0]))
    return values[0]


def check_folder(folder: Path) -> None:
    """A folder target now, not at the first run: a file of that name failed every morning
    with "File exists", and a mistyped path created a tree nobody reads while the runs
    said "ok". The folder itself may be created by the first run; its parent must be
    there."""
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} is a file, not a folder: name the folder to write into")
    if not folder.exists() and not folder.parent.is_dir():
        raise UsageError(f"neither the folder {folder} nor its parent {folder.parent} "
                         "exists: create the folder first (a mistyped path would have sent "
                         "the reports nowhere)")


def check_definition(definition: ReportDefinition) -> None:
    """Refuse now what would fail at the first run, the next morning: an unknown metric,
    a cut or a filter by an unknown dimension, a cut or a filter a metric's data cannot
    have (occupancy by queue: agent time has no queue — accepted, it failed on the 1st of
    the month, and was not tried again), an unknown grain or a parameter's bad value
    (each accepted, then failing every run, where ``report --definition`` refused it)."""
    from omnikpi.engine.grains import check_grain
    from omnikpi.engine.params import resolve_params
    from omnikpi.engine.registry import check_cut, check_filters
    from omnikpi.engine.run import DIMENSIONS
    from omnikpi.metrics.base import get_metric

    request = definition.to_request()
    check_grain(request.grain)
    resolve_params([get_metric(m) for m in definition.metrics], request.params or {})

    for dimension in [*definition.by, *(definition.filters or {})]:
        if dimension not in DIMENSIONS:
            raise UsageError(f"unknown dimension {dimension!r} in the report definition: "
                             f"choose from {', '.join(DIMENSIONS)}")
    for metric_id in definition.metrics:
        metric = get_metric(metric_id)
        check_cut(metric, definition.by)
        check_filters(metric, list(definition.filters or {}))


def _checked(new: NewSchedule) -> dict[str, str]:
    """The columns of a schedule as ``new`` asks, each checked: what a new schedule and
    an edited one must both hold."""
    name = check_name(new.name)
    cron = check_cron(new.cron)
    zone(new.tz)
    if new.format not in FORMATS:
        raise UsageError(f"unknown format {new.format!r}: choose {', '.join(FORMATS)}")
    if new.lang not in LANGUAGES:
        raise UsageError(f"unknown language {new.lang!r}: choose {', '.join(LANGUAGES)}")
    if new.channel not in CHANNELS:
        raise UsageError(f"unknown delivery {new.channel!r}: choose {', '.join(CHANNELS)}")
    period = new.period or period_of_cron(cron)
    if period not in PERIODS:
        raise UsageError(f"unknown period {period!r}: choose {', '.join(PERIODS)}")
    check_frequency(cron, new.tz, period)
    if not new.definition.metrics:
        raise UsageError("the report definition names no metrics")
    check_definition(new.definition)
    return {"slug": slug(name), "name": name, "cron": cron, "tz": new.tz, "period": period,
            "format": new.format, "lang": new.lang, "channel": new.channel,
            "target": _target_text(new.channel, new.target),
            "definition": new.definition.model_copy(update={"name": name}).to_toml()}


def _name_free(session: Session, key: str, tenant_key: str, name: str,
               but: int | None = None) -> None:
    taken = session.scalar(select(ReportSchedule.id).where(
        ReportSchedule.slug == key, ReportSchedule.tenant_key == tenant_key))
    if taken is not None and taken != but:
        raise UsageError(f"a schedule named {name!r} exists already")


def _real_owner(owner: Principal | None) -> Principal | None:
    """The single-user demo (serve --no-auth) has no account to scope by."""
    return None if owner is not None and owner.via == "none" else owner


def _tenant_key(owner: Principal | None) -> str:
    """The tenant a run re-checks: an account bound to one (an administrator's stored
    tenant binds nothing — their schedules named it and never ran)."""
    return (owner.tenant or "") if owner is not None and not scope_of(owner).unbounded \
        else ""


Changes = dict[str, tuple[str | None, str | None]]
"""Each setting an edit changed: its name → (old value, new value)."""


def add_or_replace(session: Session, new: NewSchedule, owner: Principal | None,
                   now: datetime) -> tuple[ReportSchedule, Changes | None]:
    """``schedule add --replace``: the schedule of that name gets the new settings and
    keeps its run history; a new one is added when there is none. The changes of the
    one replaced (old and new values); None: added."""
    owner = _real_owner(owner)
    key = slug(check_name(new.name))
    row = session.scalar(select(ReportSchedule).where(
        ReportSchedule.slug == key, ReportSchedule.tenant_key == _tenant_key(owner)))
    if row is None:
        _none_elsewhere(session, key, new.name, owner)
        return add_schedule(session, new, owner), None
    if row.owner != (owner.name if owner is not None else None):
        raise UsageError(f"the schedule {row.name!r} belongs to "
                         f"{row.owner or 'the operator'!r}: replacing it cannot change its "
                         "owner (remove it and add it again)")
    return row, edit_schedule(session, row, new, now)


def _none_elsewhere(session: Session, key: str, name: str, owner: Principal | None) -> None:
    """Refuse to add the operator's schedule, in ``--replace``'s name, beside an account's
    namesake: the docs' way to change a client's 08:00 to 09:00, with ``--owner`` left out,
    added the operator's own schedule of every tenant beside the client's, and mailed the
    client every tenant's rows each morning. (An account's schedule added beside the
    operator's namesake is scoped to that account: nothing to refuse.)"""
    if owner is not None:
        return
    owned = session.scalars(select(ReportSchedule).where(
        ReportSchedule.slug == key, ReportSchedule.owner.is_not(None))).all()
    if owned:
        whose = ", ".join(f"--owner {o.owner}"
                          + (f" (tenant {o.tenant_key})" if o.tenant_key else "")
                          for o in owned)
        raise UsageError(f"--replace: the operator has no schedule {name!r}, and a new one "
                         "would report every tenant beside the account's of that name: to "
                         f"change that one, give its owner ({whose})")


def add_schedule(session: Session, new: NewSchedule, owner: Principal | None) -> ReportSchedule:
    """Store a schedule owned by ``owner`` (None: the operator, from the command line);
    every run applies the owner's scope as it then is."""
    columns = _checked(new)
    owner = _real_owner(owner)
    tenant_key = _tenant_key(owner)
    _name_free(session, columns["slug"], tenant_key, columns["name"])
    row = ReportSchedule(
        **columns, tenant_key=tenant_key, owner=owner.name if owner is not None else None,
        data_path=new.data_path, enabled=True,
        created_at=utc(new.since) if new.since else utcnow())
    session.add(row)
    session.flush()
    return row


def edit_schedule(session: Session, row: ReportSchedule, new: NewSchedule,
                  now: datetime) -> Changes:
    """Give a schedule new settings, checked as a new one's are; its owner, tenant and
    run history stay (removing and adding it again lost the history). A new timing or
    zone goes on from the schedule's last run, and a period it has sent already is not
    sent again (the runner's ``_period_tried``): moving 08:00 to 09:00 after today's
    08:00 run must not send yesterday's report a second time at 09:00, and moving 08:00
    to 07:00 at 07:30, before the run, must still send it (from ``now`` on, it was
    lost). The settings changed, old and new values (the audit log said "recipients
    changed" without whose address came or went)."""
    columns: dict[str, str | None] = dict(_checked(new))
    _name_free(session, str(columns["slug"]), row.tenant_key, str(columns["name"]),
               but=row.id)
    if new.data_path is not None:
        columns["data_path"] = new.data_path
    changed = {key: (getattr(row, key), value) for key, value in columns.items()
               if key != "slug" and getattr(row, key) != value}
    for key, value in columns.items():
        setattr(row, key, value)
    return changed


def settings_of(row: ReportSchedule) -> dict[str, str | None]:
    """What a schedule sends, of whose data, where: the audit log's record of a schedule
    added or deleted (its runs go with it, so the log is what remains)."""
    return {"name": row.name, "tenant": row.tenant_key or None, "owner": row.owner,
            "cron": row.cron, "tz": row.tz, "period": row.period, "format": row.format,
            "lang": row.lang, "channel": row.channel, "target": row.target,
            "data_path": row.data_path, "definition": row.definition}


def set_enabled(session: Session, row: ReportSchedule, enabled: bool, now: datetime) -> bool:
    """Pause a schedule or resume it; False when it was so already. A resumed schedule
    runs at its next time: the instants that passed while it was paused are not sent
    (a week's pause would have sent the report of a period nobody asked for again)."""
    if bool(row.enabled) == enabled:
        return False
    row.enabled = enabled
    if enabled:
        row.last_due_at = max(started_before(row), utc(now))
    return True


def current_definition(row: ReportSchedule) -> ReportDefinition:
    """The report definition a schedule runs (kept when an edit names no other). A stored
    one that no longer reads (broken TOML, a key no longer allowed) is a usage error — it
    fails alike at every try, and pydantic's own text ("For further information visit
    https://errors.pydantic.dev…") told nobody what to do."""
    import tomllib

    from pydantic import ValidationError

    where = f"the saved report of schedule {row.name!r}"
    fix = ": choose its report again (Edit on the Schedules page, or schedule add --replace)"
    try:
        return ReportDefinition.model_validate(tomllib.loads(row.definition))
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{where} cannot be read ({exc}){fix}") from None
    except ValidationError as exc:
        raise UsageError(describe_validation_error(where, exc) + fix) from None


def _visible(principal: Principal) -> ColumnElement[bool]:
    """Unbounded callers see every schedule; anyone else only the ones they own."""
    if scope_of(principal).unbounded:
        return true()
    return ReportSchedule.owner == principal.name


def list_schedules(session: Session, principal: Principal | None) -> list[ReportSchedule]:
    query = select(ReportSchedule).order_by(ReportSchedule.tenant_key, ReportSchedule.slug)
    if principal is not None:
        query = query.where(_visible(principal))
    return list(session.scalars(query))


def get_schedule(session: Session, schedule_id: int, principal: Principal) -> ReportSchedule:
    row = session.scalar(select(ReportSchedule).where(ReportSchedule.id == schedule_id,
                                                      _visible(principal)))
    if row is None:
        raise NotFoundError(f"no schedule {schedule_id}")
    return row


def runs_of(session: Session, schedule_ids: Sequence[int], limit: int = 50) -> list[ScheduleRun]:
    """The latest runs of these schedules, newest first (without their files)."""
    if not schedule_ids:
        return []
    return list(session.scalars(
        select(ScheduleRun).where(ScheduleRun.schedule_id.in_(schedule_ids))
        .order_by(ScheduleRun.due_at.desc(), ScheduleRun.id.desc()).limit(limit)))


def run_file(session: Session, run_id: int, principal: Principal) -> ScheduleRun:
    """A run whose schedule the principal sees, with its file; a usage error otherwise."""
    run = session.get(ScheduleRun, run_id)
    if run is None or run.content is None:
        raise UsageError(f"no file for run {run_id}")
    get_schedule(session, run.schedule_id, principal)
    return run




def owner_scope(session: Session, schedule: ReportSchedule) -> Scope:
    """The scope a run applies: its owner's as the account is now, by the web's rule
    (``auth/scope.viewer_scope``: an owner who is an agent now gets their own rows only,
    however the schedule was made); a disabled or deleted owner, or one moved to another
    tenant, stops the schedule rather than widening it."""
    if schedule.owner is None:
        return UNBOUNDED
    user = session.scalar(select(User).where(User.username == schedule.owner))
    if user is None or user.disabled:
        raise UsageError(f"the schedule's owner {schedule.owner!r} no longer exists or is "
                         "disabled: the schedule does not run")
    scope = viewer_scope(principal_of(user))
    if schedule.tenant_key and scope.tenants != (schedule.tenant_key,):
        raise UsageError(f"the owner {schedule.owner!r} no longer belongs to tenant "
                         f"{schedule.tenant_key!r}: the schedule does not run")
    return scope


def utc(value: datetime) -> datetime:
    """An instant from the database as aware UTC (SQLite gives it back without a zone)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def started_before(schedule: ReportSchedule) -> datetime:
    """The instant after which the schedule's next run falls."""
    return utc(schedule.last_due_at or schedule.created_at)

"""Deleting the server's own records once they are older than ``[retention]`` allows.

The audit log, alert firings and scheduled-report runs grow by every login, firing and
run; after years of use they are the bulk of the database and, for the audit log, a store
of people's addresses kept longer than any rule asks. Nothing is deleted unless the
configuration names a number of days (see :class:`omnikpi.config.RetentionSettings`), and
each pruning that deletes something leaves an audit entry with what it deleted, so the
trail says where it was shortened.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, delete, func, select
from sqlalchemy.orm import Session

from omnikpi.auth.accounts import audit
from omnikpi.config import RetentionSettings
from omnikpi.store.models import AlertEvent, AuditEntry
from omnikpi.store.models_live import AlertEventDetail
from omnikpi.store.models_schedules import ScheduleRun


@dataclass(frozen=True)
class Pruned:
    """How many records a pruning deleted (or, for a dry run, would delete)."""

    audit_entries: int = 0
    alert_firings: int = 0
    schedule_runs: int = 0

    @property
    def total(self) -> int:
        return self.audit_entries + self.alert_firings + self.schedule_runs


def _before(now: datetime, days: int | None) -> datetime | None:
    return None if days is None else now.astimezone(UTC) - timedelta(days=days)


def _count(session: Session, query: Select[Any]) -> int:
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def prune(session: Session, settings: RetentionSettings, now: datetime,
          actor: str, dry_run: bool = False) -> Pruned:
    """Delete (or with ``dry_run`` only count) what is older than ``settings`` allow at
    ``now``: audit entries by when they were written, alert firings by when they ended
    (one still firing is kept however old), schedule runs by when they finished (a run
    still running, or failed and waiting for its automatic retry, is kept)."""
    audit_cutoff = _before(now, settings.audit_days)
    alert_cutoff = _before(now, settings.alert_history_days)
    runs_cutoff = _before(now, settings.schedule_runs_days)
    old_audit: ColumnElement[bool] | None = None if audit_cutoff is None else \
        AuditEntry.at < audit_cutoff
    old_firings: ColumnElement[bool] | None = None if alert_cutoff is None else \
        AlertEvent.ended_at.is_not(None) & (AlertEvent.ended_at < alert_cutoff)
    old_runs: ColumnElement[bool] | None = None if runs_cutoff is None else \
        ScheduleRun.finished_at.is_not(None) & (ScheduleRun.finished_at < runs_cutoff) \
        & ScheduleRun.next_try_at.is_(None)
    pruned = Pruned(
        audit_entries=0 if old_audit is None else
        _count(session, select(AuditEntry.id).where(old_audit)),
        alert_firings=0 if old_firings is None else
        _count(session, select(AlertEvent.id).where(old_firings)),
        schedule_runs=0 if old_runs is None else
        _count(session, select(ScheduleRun.id).where(old_runs)))
    if dry_run or pruned.total == 0:
        return pruned
    if old_audit is not None:
        session.execute(delete(AuditEntry).where(old_audit))
    if old_firings is not None:
        # the details' foreign key cascades only where the database enforces it
        session.execute(delete(AlertEventDetail).where(AlertEventDetail.event_id.in_(
            select(AlertEvent.id).where(old_firings))))
        session.execute(delete(AlertEvent).where(old_firings))
    if old_runs is not None:
        session.execute(delete(ScheduleRun).where(old_runs))
    audit(session, actor, "records_pruned", {
        **asdict(pruned), "audit_days": settings.audit_days,
        "alert_history_days": settings.alert_history_days,
        "schedule_runs_days": settings.schedule_runs_days})
    return pruned

"""Tables of scheduled reports (revision 0004; 0009 retries; 0012 the language and who has
each run's file): schedules, their runs, the scheduler lease."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from omnikpi.store.models import Base, utcnow


class ReportSchedule(Base):
    """A saved report definition that runs by itself and is sent somewhere.

    The definition is copied in (TOML), so editing or deleting the saved report later does
    not change what a schedule sends without anyone noticing."""

    __tablename__ = "report_schedules"
    __table_args__ = (UniqueConstraint("tenant_key", "slug"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(150))
    name: Mapped[str] = mapped_column(String(200))
    tenant_key: Mapped[str] = mapped_column(String(150), default="")
    """The owner's tenant ('' for the operator's staff): who sees the schedule."""
    owner: Mapped[str | None] = mapped_column(String(150), nullable=True)
    """The account whose scope the run applies (None: added from the command line without
    ``--owner``, the operator's own report over every tenant)."""
    definition: Mapped[str] = mapped_column(Text)
    cron: Mapped[str] = mapped_column(String(100))
    tz: Mapped[str] = mapped_column(String(64), default="UTC")
    period: Mapped[str] = mapped_column(String(10), default="day")
    """day, week or month: the period just ended that each run reports."""
    format: Mapped[str] = mapped_column(String(10), default="xlsx")
    lang: Mapped[str] = mapped_column(String(5), default="en", server_default="en")
    """en, ru or uk: the language of the file's header and of the e-mail (a Kyiv team's
    report came in English, whatever the page they scheduled it on)."""
    channel: Mapped[str] = mapped_column(String(10))
    """email, folder or webhook."""
    target: Mapped[str] = mapped_column(Text)
    """Comma-separated addresses, a folder path, or a URL."""
    data_path: Mapped[str | None] = mapped_column(Text, nullable=True)
    """The dataset folder (None: the server's own dataset)."""
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                         nullable=True)
    """The latest scheduled instant already run (or claimed by a run in progress)."""


class ScheduleRun(Base):
    """One run of a schedule for one scheduled instant; the unique (schedule, due_at) pair
    is what makes each instant run once, whichever process claims it first."""

    __tablename__ = "schedule_runs"
    __table_args__ = (UniqueConstraint("schedule_id", "due_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    schedule_id: Mapped[int] = mapped_column(
        ForeignKey("report_schedules.id", ondelete="CASCADE"), index=True)
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                         nullable=True)
    status: Mapped[str] = mapped_column(String(10), default="running")
    """running, ok, failed, or partial (some recipients have the file, others refused it:
    ``delivered_to`` names the first, the message both)."""
    message: Mapped[str] = mapped_column(Text, default="")
    period_from: Mapped[str] = mapped_column(String(40), default="")
    period_to: Mapped[str] = mapped_column(String(40), default="")
    filename: Mapped[str | None] = mapped_column(String(250), nullable=True)
    content: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    """The file sent (reports are kilobytes; kept so the history page can link to it)."""
    attempts: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    """Tries so far: the scheduled one, automatic ones and "Send again"."""
    next_try_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                         nullable=True)
    """When the scheduler tries a failed run again; None: not again."""
    delivered_to: Mapped[str | None] = mapped_column(Text, nullable=True)
    """The e-mail recipients that have this run's file, comma-separated (None: none yet,
    or not an e-mail run): a try again sends to the others only, not a second copy."""


class SchedulerLease(Base):
    """Which server process runs the scheduler: the holder renews its lease; another
    process takes over only when the lease has expired (that process died)."""

    __tablename__ = "scheduler_lease"
    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    holder: Mapped[str] = mapped_column(String(100))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

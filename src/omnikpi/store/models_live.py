"""Tables of the live path: saved wallboards, alert rules' extra settings, alert history.

The older tables ``alert_rules`` and ``alert_events`` (``omnikpi.store.models``) keep what
they held; these tables add to them by key, so a database made before revision 0007 keeps
its rules and firings.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    event,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from omnikpi.store.models import Base, utcnow


class LiveBoard(Base):
    """A saved wallboard: its filters and tiles (JSON), for its owner or their team.

    A team board is seen by every account whose scope holds the board's own bounds — its
    owner's tenant and the tenants and sites its filters name (``web/routes/live_boards``
    ``_visible``); one bound to nothing, by the operator's unbounded staff only. The
    numbers on it are always cut to the viewer's scope."""

    __tablename__ = "live_boards"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    owner: Mapped[str] = mapped_column(String(150))
    tenant: Mapped[str | None] = mapped_column(String(150), nullable=True)
    """The owner's tenant when saved (None: the operator's staff)."""
    shared: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    """True: a team board (the owner's tenant); False: the owner's own."""
    definition: Mapped[str] = mapped_column(Text)
    """JSON: filters (tenant/site/queue/channel lists), tiles, rotation seconds."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AlertRuleOptions(Base):
    """What revision 0007 adds to a rule: its rolling window, its hysteresis, e-mail."""

    __tablename__ = "alert_rule_options"
    rule_id: Mapped[int] = mapped_column(
        ForeignKey("alert_rules.id", ondelete="CASCADE"), primary_key=True)
    window_minutes: Mapped[float] = mapped_column(Float, default=0.0)
    """The value judged is the mean of the samples of this many minutes (0: the latest)."""
    clear_threshold: Mapped[float | None] = mapped_column(Float, nullable=True)
    """The level the value must get back past to clear (None: the threshold itself)."""
    emails: Mapped[str | None] = mapped_column(Text, nullable=True)
    """Comma-separated addresses told when the alert fires and clears."""


class AlertEventDetail(Base):
    """An alert firing's facts (for its sentence in any language), its acknowledgement
    and its e-mail delivery."""

    __tablename__ = "alert_event_details"
    event_id: Mapped[int] = mapped_column(
        ForeignKey("alert_events.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    facts: Mapped[str] = mapped_column(Text)
    """JSON: value, threshold, unit, subject dimensions, held seconds."""
    acknowledged_by: Mapped[str | None] = mapped_column(String(150), nullable=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                             nullable=True)
    emailed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    email_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    subject_tenant: Mapped[str | None] = mapped_column(String(150), nullable=True)
    subject_site: Mapped[str | None] = mapped_column(String(150), nullable=True)
    """The subject's tenant and site, copied out of ``facts`` (revision 0010) so that the
    history of a site's supervisor is found by the database: it read every firing of the
    whole center, newest first, until 100 of theirs turned up."""

    __table_args__ = (Index("ix_alert_event_details_subject", "subject_tenant",
                            "subject_site"),)


def _text(value: object) -> str | None:
    return str(value)[:150] if value not in (None, "") else None


@event.listens_for(AlertEventDetail, "before_insert")
def _subject_columns(mapper: Any, connection: Any, detail: AlertEventDetail) -> None:
    """Every firing's details get their subject's tenant and site from their facts, however
    they were made (the engine, an acknowledgement of an old firing, an import)."""
    try:
        subject = json.loads(detail.facts or "{}").get("subject")
    except (ValueError, AttributeError):
        subject = None
    if isinstance(subject, dict):
        detail.subject_tenant = detail.subject_tenant or _text(subject.get("tenant"))
        detail.subject_site = detail.subject_site or _text(subject.get("site"))

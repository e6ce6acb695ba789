"""QA coaching tables: the kind of each failed item (operator or process error) and
coaching sessions with the items they covered."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from omnikpi.store.models import Base, utcnow

ERROR_KINDS = ("operator", "process")
"""An item not met is the agent's error (coaching) or the process's (its owner)."""


class QaErrorKind(Base):
    """Whose error a failed item of an evaluation was."""

    __tablename__ = "qa_error_kinds"
    __table_args__ = (UniqueConstraint("evaluation_id", "item_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(
        ForeignKey("qa_evaluations.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("qa_form_items.id"))
    kind: Mapped[str] = mapped_column(String(20))
    """operator or process (``ERROR_KINDS``)."""


class QaCoachingSession(Base):
    """A coach and an agent went over some items and agreed what to do."""

    __tablename__ = "qa_coaching_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agent_id: Mapped[str] = mapped_column(String(150), index=True)
    tenant: Mapped[str | None] = mapped_column(String(150), nullable=True)
    site: Mapped[str | None] = mapped_column(String(150), nullable=True)
    coach: Mapped[str] = mapped_column(String(150))
    held_on: Mapped[date] = mapped_column(Date)
    actions: Mapped[str] = mapped_column(Text, default="")
    """The actions agreed with the agent."""
    follow_up_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class QaCoachingItem(Base):
    """A checklist item (by key, across form versions) a coaching session covered."""

    __tablename__ = "qa_coaching_items"
    __table_args__ = (UniqueConstraint("session_id", "item_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("qa_coaching_sessions.id", ondelete="CASCADE"), index=True)
    item_key: Mapped[str] = mapped_column(String(100))

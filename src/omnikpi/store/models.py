"""Tables of the application database (the Alembic migrations create them)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


ROLES = ("admin", "supervisor", "client", "agent")


class User(Base):
    """A person who logs in. ``tenant`` and ``sites`` bound what a supervisor or a client
    viewer sees (see ``omnikpi.auth.scope``)."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(150), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    tenant: Mapped[str | None] = mapped_column(String(150), nullable=True)
    sites: Mapped[str | None] = mapped_column(Text, nullable=True)
    """Comma-separated sites of a supervisor (none: every site of their tenant)."""
    agent_id: Mapped[str | None] = mapped_column(String(150), nullable=True)
    """The agent this account belongs to (agents see and answer their QA evaluations)."""
    all_tenants: Mapped[bool] = mapped_column(Boolean, default=False,
                                              server_default=false())
    """A supervisor who sees every tenant, on purpose (``--all-tenants``)."""
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ApiKey(Base):
    """A key for machine ingest; only its SHA-256 is stored."""

    __tablename__ = "api_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(150), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    tenant: Mapped[str | None] = mapped_column(String(150), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class AuthToken(Base):
    """A login: a browser session (cookie) or a bearer token; only its SHA-256 is stored,
    so a copy of the database does not let anyone in."""

    __tablename__ = "auth_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LoginAttempt(Base):
    __tablename__ = "login_attempts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(150), index=True)
    ip: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    success: Mapped[bool] = mapped_column(Boolean)


class ServerSecret(Base):
    """A random secret made once per database (the key of the unknown login names'
    digests), shared by every process of the server."""

    __tablename__ = "server_secrets"
    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(String(100))


class AuditEntry(Base):
    """Who did what: logins (also failed), exports, accounts and keys created, rules."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(150))
    action: Mapped[str] = mapped_column(String(50))
    detail: Mapped[str] = mapped_column(Text, default="")
    ip: Mapped[str | None] = mapped_column(String(64), nullable=True)


class SavedReport(Base):
    """A named report definition (the TOML that `omnikpi report --definition` runs)."""

    __tablename__ = "saved_reports"
    __table_args__ = (UniqueConstraint("tenant_key", "slug"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(150))
    name: Mapped[str] = mapped_column(String(200))
    tenant_key: Mapped[str] = mapped_column(String(150), default="")
    """The owner's tenant ('' for the operator's own staff): a client sees only theirs."""
    owner: Mapped[str] = mapped_column(String(150))
    definition: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


ALERT_KINDS = ("sl_below", "longest_wait_over", "widget_unavailable", "agent_over_capacity")


class AlertRule(Base):
    """A threshold watched on the live wallboard; fires to the screen and a webhook."""

    __tablename__ = "alert_rules"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    threshold: Mapped[float] = mapped_column(Float, default=0.0)
    minutes: Mapped[float] = mapped_column(Float, default=0.0)
    """How long the condition must hold before the alert fires."""
    tenant: Mapped[str | None] = mapped_column(String(150), nullable=True)
    site: Mapped[str | None] = mapped_column(String(150), nullable=True)
    queue: Mapped[str | None] = mapped_column(String(150), nullable=True)
    channel: Mapped[str | None] = mapped_column(String(50), nullable=True)
    webhook_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(150), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AlertEvent(Base):
    """One firing of a rule: when it started and ended, and whether the webhook got it."""

    __tablename__ = "alert_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("alert_rules.id", ondelete="CASCADE"),
                                         index=True)
    subject: Mapped[str] = mapped_column(String(300))
    message: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    delivered: Mapped[bool] = mapped_column(Boolean, default=False)
    delivery_error: Mapped[str | None] = mapped_column(Text, nullable=True)


# -- quality assurance -----------------------------------------------------------------


class QaForm(Base):
    """A version of a QA checklist; editing a form makes a new version, evaluations keep
    the version they were scored with."""

    __tablename__ = "qa_forms"
    __table_args__ = (UniqueConstraint("form_key", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    form_key: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer, default=1)
    name: Mapped[str] = mapped_column(String(200))
    channel_kind: Mapped[str] = mapped_column(String(20), default="any")
    """voice, text or any: which contacts the form is meant for."""
    pass_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    created_by: Mapped[str] = mapped_column(String(150), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    tenant_key: Mapped[str] = mapped_column(String(150), default="", server_default="")
    """The tenant the form belongs to ('' for the operator's forms, seen by every tenant):
    another tenant's supervisor can neither see nor replace it (revision 0008)."""


class QaFormItem(Base):
    __tablename__ = "qa_form_items"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("qa_forms.id", ondelete="CASCADE"),
                                         index=True)
    position: Mapped[int] = mapped_column(Integer)
    group_name: Mapped[str] = mapped_column(String(200))
    item_key: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    critical: Mapped[bool] = mapped_column(Boolean, default=False)
    """Failing a critical item makes the contact defective, whatever the score."""
    allow_na: Mapped[bool] = mapped_column(Boolean, default=True)


class QaSample(Base):
    __tablename__ = "qa_samples"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    seed: Mapped[int] = mapped_column(Integer)
    rate: Mapped[float] = mapped_column(Float)
    min_per_agent: Mapped[int] = mapped_column(Integer, default=1)
    period_from: Mapped[str | None] = mapped_column(String(40), nullable=True)
    period_to: Mapped[str | None] = mapped_column(String(40), nullable=True)
    evaluator: Mapped[str | None] = mapped_column(String(150), nullable=True)
    form_id: Mapped[int | None] = mapped_column(ForeignKey("qa_forms.id"), nullable=True)
    tenant: Mapped[str | None] = mapped_column(String(150), nullable=True)
    risk: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    """Risk-weighted (``qa/risk_sampling.py``); None: not recorded (before revision 0011)."""
    tz: Mapped[str | None] = mapped_column(String(150), nullable=True)
    """The zone the period's days were read in; None: not recorded."""
    population: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(150), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class QaSampleItem(Base):
    """One question to evaluate: a contact, or a chain of chats evaluated as one."""

    __tablename__ = "qa_sample_items"
    __table_args__ = (UniqueConstraint("sample_id", "contact_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("qa_samples.id", ondelete="CASCADE"),
                                           index=True)
    contact_id: Mapped[str] = mapped_column(String(200), index=True)
    chain: Mapped[str] = mapped_column(Text, default="")
    """Space-separated contact ids of the chain (the first is ``contact_id``)."""
    agent_id: Mapped[str] = mapped_column(String(150), index=True)
    channel: Mapped[str | None] = mapped_column(String(50), nullable=True)
    queue: Mapped[str | None] = mapped_column(String(150), nullable=True)
    tenant: Mapped[str | None] = mapped_column(String(150), nullable=True)
    site: Mapped[str | None] = mapped_column(String(150), nullable=True)
    evaluator: Mapped[str | None] = mapped_column(String(150), nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="pending")


class QaCalibration(Base):
    """Several evaluators score the same contacts; their agreement is reported."""

    __tablename__ = "qa_calibrations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    form_id: Mapped[int] = mapped_column(ForeignKey("qa_forms.id"))
    contact_ids: Mapped[str] = mapped_column(Text)
    """The contacts every evaluator scores: a JSON array (an id may hold a space); a
    session saved before is space-separated (``qa.calibration.calibration_contacts``
    reads both)."""
    evaluators: Mapped[str] = mapped_column(Text)
    reference: Mapped[str] = mapped_column(String(150))
    """The reference evaluator (usually the QA lead) the others are compared with."""
    tenant: Mapped[str | None] = mapped_column(String(150), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class QaEvaluation(Base):
    __tablename__ = "qa_evaluations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("qa_forms.id"), index=True)
    sample_item_id: Mapped[int | None] = mapped_column(ForeignKey("qa_sample_items.id"),
                                                       nullable=True)
    calibration_id: Mapped[int | None] = mapped_column(ForeignKey("qa_calibrations.id"),
                                                       nullable=True, index=True)
    contact_id: Mapped[str] = mapped_column(String(200), index=True)
    chain_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    agent_id: Mapped[str] = mapped_column(String(150), index=True)
    tenant: Mapped[str | None] = mapped_column(String(150), nullable=True)
    site: Mapped[str | None] = mapped_column(String(150), nullable=True)
    evaluator: Mapped[str] = mapped_column(String(150))
    evaluated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    score: Mapped[float] = mapped_column(Float)
    critical_error: Mapped[bool] = mapped_column(Boolean, default=False)
    comment: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="submitted")
    """submitted → acknowledged or disputed (by the agent) → resolved (by QA)."""
    agent_comment: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                         nullable=True)


class QaAnswer(Base):
    __tablename__ = "qa_answers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(
        ForeignKey("qa_evaluations.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("qa_form_items.id"))
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    """1 met, 0 not met, between for partial; none for not applicable."""
    comment: Mapped[str] = mapped_column(Text, default="")


from omnikpi.store import models_live as models_live  # noqa: E402  (revision 0007)
from omnikpi.store import models_qa_coaching as models_qa_coaching  # noqa: E402  (revision 0005)
from omnikpi.store import models_schedules as models_schedules  # noqa: E402  (revision 0004)

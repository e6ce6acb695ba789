"""Alert rules evaluated on every live snapshot: fire once, clear once, tell people.

A rule watches one kind (``omnikpi.live.alert_kinds``) on every subject of the snapshot its
tenant/site/queue/channel allows. The value judged is the mean of the subject's samples of
the last ``window_minutes`` (the latest alone when 0). The condition must hold for the
rule's ``minutes`` before the alert fires, and the value must be back past the clearing
level (``clear_threshold``, else the threshold) for as long before it clears: a value
hovering at the threshold neither fires nor clears over and over. A firing is stored
(``alert_events`` and its facts in ``alert_event_details``) and sent, when it fires and
when it clears, to the rule's webhook (signed, retried: ``omnikpi.delivery.webhook``) and
e-mail addresses (``omnikpi.delivery.email``), in background threads, the outcome
recorded.

The clock is the snapshot's instant (``evaluate(data, now_us)``): tests replay hand-made
snapshots minute by minute.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update

from omnikpi.config import Config
from omnikpi.instants import MICROS
from omnikpi.live.alert_kinds import (
    ALERT_KINDS,
    KINDS,
    breached,
    matches,
    readings,
    recovered,
    sentence,
)
from omnikpi.store.db import session_scope
from omnikpi.store.models import AlertEvent, AlertRule
from omnikpi.store.models_live import AlertEventDetail, AlertRuleOptions

US = MICROS
LOG = logging.getLogger("omnikpi.live.alerts")
__all__ = ["ALERT_KINDS", "Active", "AlertEngine", "Notice", "RuleView"]


@dataclass(frozen=True)
class RuleView:
    """A rule as the engine uses it (detached from the database session)."""

    id: int
    name: str
    kind: str
    threshold: float
    minutes: float
    tenant: str | None = None
    site: str | None = None
    queue: str | None = None
    channel: str | None = None
    webhook_url: str | None = None
    window_minutes: float = 0.0
    clear_threshold: float | None = None
    emails: tuple[str, ...] = ()

    @classmethod
    def of(cls, rule: AlertRule, options: AlertRuleOptions | None) -> RuleView:
        return cls(rule.id, rule.name, rule.kind, rule.threshold, rule.minutes, rule.tenant,
                   rule.site, rule.queue, rule.channel, rule.webhook_url,
                   options.window_minutes if options else 0.0,
                   options.clear_threshold if options else None,
                   tuple(a for a in (options.emails or "").split(",") if a.strip())
                   if options else ())


@dataclass
class Active:
    """One (rule, subject) being watched: pending, firing, or firing and clearing."""

    rule: RuleView
    key: str
    subject: dict[str, str]
    samples: deque[tuple[int, float]] = field(default_factory=deque)
    value: float | None = None
    breach_since_us: int | None = None
    clear_since_us: int | None = None
    fired_at_us: int | None = None
    fired_value: float | None = None
    """The value it fired at (the clearing notice repeats the sentence that fired)."""
    event_id: int | None = None

    @property
    def firing(self) -> bool:
        return self.fired_at_us is not None

    def facts(self, now_us: int, cleared: bool = False) -> dict[str, Any]:
        kind = KINDS[self.rule.kind]
        since = self.breach_since_us if self.breach_since_us is not None else now_us
        return {"kind": kind.id, "value": self.value, "threshold": self.rule.threshold,
                "unit": kind.unit, "subject": self.subject,
                "held_s": (now_us - since) / US, "cleared": cleared}

    def to_json(self, now_us: int | None = None) -> dict[str, Any]:
        at = self.fired_at_us or 0
        since = self.breach_since_us if self.breach_since_us is not None else at
        facts = self.facts(now_us if now_us is not None else at)
        return {"rule_id": self.rule.id, "rule": self.rule.name, "kind": self.rule.kind,
                "subject": self.key, "dims": self.subject, "message": sentence(facts),
                "facts": facts, "event_id": self.event_id,
                "since": datetime.fromtimestamp(since / US, UTC).isoformat(),
                "fired": self.firing,
                "tenant": self.subject.get("tenant"), "site": self.subject.get("site")}

    @property
    def tenant(self) -> str | None:
        return self.subject.get("tenant")

    @property
    def site(self) -> str | None:
        return self.subject.get("site")


@dataclass(frozen=True)
class Notice:
    """An alert that fired or cleared, to be sent to the rule's webhook and addresses."""

    rule: RuleView
    event_id: int
    facts: dict[str, Any]
    payload: dict[str, Any]


class AlertEngine:
    def __init__(self, database_url: str | None = None,
                 webhook_allowed_hosts: Sequence[str] = (), config: Config | None = None,
                 send: Callable[[Notice], None] | None = None) -> None:
        """``send`` delivers a notice (default: webhook and e-mail in a thread each)."""
        self.url = database_url
        self.config = config or Config()
        self.webhook_allowed_hosts = tuple(webhook_allowed_hosts) or \
            tuple(self.config.alerts.webhook_allowed_hosts)
        self.send = send or self._send_in_background
        self.active: dict[tuple[int, str], Active] = {}
        self.lock = threading.Lock()
        self.rules: list[RuleView] = []
        self.reload()
        self._restore_open()

    def _restore_open(self) -> None:
        """Watch again the firings the last process left open (no end): a restart
        recorded and sent every alert still firing a second time, and the first copy
        never ended. One whose rule is gone or disabled, or a second copy of one
        subject's firing, is closed now."""
        now = datetime.now(UTC)
        known = {r.id: r for r in self.rules}
        with session_scope(self.url) as session:
            rows = session.execute(
                select(AlertEvent, AlertEventDetail)
                .outerjoin(AlertEventDetail, AlertEventDetail.event_id == AlertEvent.id)
                .where(AlertEvent.ended_at.is_(None)).order_by(AlertEvent.id)).all()
            for event, detail in rows:
                rule = known.get(event.rule_id)
                try:
                    facts = json.loads(detail.facts) if detail is not None else {}
                except ValueError:
                    facts = {}
                subject = facts.get("subject")
                if rule is None or not isinstance(subject, dict):
                    event.ended_at = now  # nothing watches it any more
                    continue
                started = event.started_at if event.started_at.tzinfo else \
                    event.started_at.replace(tzinfo=UTC)
                at = int(started.timestamp() * US)
                value = facts.get("value")
                if (rule.id, event.subject) in self.active:
                    event.ended_at = now  # an earlier restart's copy: the first is kept
                    continue
                self.active[(rule.id, event.subject)] = Active(
                    rule, event.subject, {str(k): str(v) for k, v in subject.items()},
                    value=value, breach_since_us=at, fired_at_us=at, fired_value=value,
                    event_id=event.id)

    def reload(self) -> None:
        with session_scope(self.url) as session:
            options = {o.rule_id: o for o in session.scalars(select(AlertRuleOptions))}
            rules = [RuleView.of(r, options.get(r.id))
                     for r in session.scalars(select(AlertRule).where(AlertRule.enabled))]
        orphaned: list[int] = []
        with self.lock:
            self.rules = [r for r in rules if r.kind in KINDS]
            known = {r.id: r for r in self.rules}
            for key, item in list(self.active.items()):
                if key[0] not in known:
                    del self.active[key]
                    if item.event_id is not None:
                        orphaned.append(item.event_id)
                else:
                    item.rule = known[key[0]]
        if orphaned:  # a rule paused or deleted while firing: nothing watches it any more
            with session_scope(self.url) as session:  # (it stayed "ongoing" until a restart)
                session.execute(update(AlertEvent).where(
                    AlertEvent.id.in_(orphaned), AlertEvent.ended_at.is_(None))
                    .values(ended_at=datetime.now(UTC)))

    # -- judging ------------------------------------------------------------------------

    def evaluate(self, data: dict[str, Any], now_us: int) -> list[Active]:
        """Update every watched subject from an unbounded snapshot; return those firing."""
        fired: list[Active] = []
        cleared: list[Active] = []
        with self.lock:
            for rule in self.rules:
                kind = KINDS[rule.kind]
                now = {r.key: r for r in readings(kind, data) if matches(rule, r.subject)}
                keys = set(now) | {k for (rid, k) in self.active if rid == rule.id}
                for key in sorted(keys):
                    reading = now.get(key)
                    item = self.active.get((rule.id, key))
                    if item is None:
                        if reading is None or not breached(kind, reading.value,
                                                           rule.threshold):
                            continue
                        item = Active(rule, key, reading.subject)
                        self.active[(rule.id, key)] = item
                    outcome = self._step(item, reading.value if reading else None, now_us)
                    if outcome == "fire":
                        fired.append(item)
                    elif outcome in ("clear", "drop"):
                        del self.active[(rule.id, key)]
                        if outcome == "clear":
                            cleared.append(item)
        for item in fired:
            self._record_fire(item, now_us)
        for item in cleared:
            self._record_clear(item, now_us)
        return self.firing()

    def _step(self, item: Active, value: float | None, now_us: int) -> str:
        """Advance one subject by one sample: ``fire``, ``clear``, ``drop`` (a pending
        breach that went away) or ``keep``."""
        rule, kind = item.rule, KINDS[item.rule.kind]
        if value is None:
            item.samples.clear()
        else:
            item.samples.append((now_us, value))
            oldest = now_us - int(rule.window_minutes * 60 * US)
            while len(item.samples) > 1 and item.samples[0][0] < oldest:
                item.samples.popleft()
        judged = sum(v for _, v in item.samples) / len(item.samples) if item.samples \
            else None
        if judged is not None:
            item.value = judged
        hold_us = int(rule.minutes * 60 * US)
        if not item.firing:
            if not breached(kind, judged, rule.threshold):
                return "drop"
            if item.breach_since_us is None:
                item.breach_since_us = now_us
            if now_us - item.breach_since_us >= hold_us:
                item.fired_at_us = now_us
                item.fired_value = judged
                return "fire"
            return "keep"
        level = rule.clear_threshold if rule.clear_threshold is not None else rule.threshold
        if not recovered(kind, judged, level):
            item.clear_since_us = None
            return "keep"
        if item.clear_since_us is None:
            item.clear_since_us = now_us
        return "clear" if now_us - item.clear_since_us >= hold_us else "keep"

    def firing(self) -> list[Active]:
        with self.lock:
            return [a for a in self.active.values() if a.firing]

    # -- recording and telling ------------------------------------------------------------

    def _record_fire(self, item: Active, now_us: int) -> None:
        facts = item.facts(now_us)
        with session_scope(self.url) as session:
            event = AlertEvent(rule_id=item.rule.id, subject=item.key,
                               message=sentence(facts),
                               started_at=datetime.fromtimestamp(now_us / US, UTC))
            session.add(event)
            session.flush()
            item.event_id = event.id
            session.add(AlertEventDetail(event_id=event.id, kind=item.rule.kind,
                                         facts=json.dumps(facts)))
        self._notify(item, facts, "firing")

    def _record_clear(self, item: Active, now_us: int) -> None:
        facts = {**item.facts(item.fired_at_us or now_us), "value": item.fired_value,
                 "cleared": True}
        if item.event_id is not None:
            with session_scope(self.url) as session:
                event = session.get(AlertEvent, item.event_id)
                if event is not None:
                    event.ended_at = datetime.fromtimestamp(now_us / US, UTC)
        self._notify(item, facts, "cleared")

    def _notify(self, item: Active, facts: dict[str, Any], status: str) -> None:
        rule = item.rule
        if item.event_id is None or not (rule.webhook_url or rule.emails):
            return
        payload = {"status": status, "text": sentence(facts), "alert": item.to_json(),
                   "rule": {"id": rule.id, "name": rule.name, "kind": rule.kind,
                            "threshold": rule.threshold, "minutes": rule.minutes}}
        self.send(Notice(rule, item.event_id, facts, payload))

    def _send_in_background(self, notice: Notice) -> None:
        threading.Thread(target=self.deliver, args=(notice,), daemon=True,
                         name="omnikpi-alert-delivery").start()

    def deliver(self, notice: Notice) -> None:
        """Send one notice to its webhook and addresses now; record what happened."""
        from omnikpi.delivery import DeliveryError, webhook
        from omnikpi.delivery import email as mail
        from omnikpi.errors import OmniKPIError

        rule = notice.rule
        hook_error: str | None = None
        mail_error: str | None = None
        if rule.webhook_url:
            settings = self.config.webhooks
            secret = os.environ.get(settings.secret_env)
            try:
                if not secret:
                    # as scheduled reports: a receiver written from the docs checks the
                    # signature, and an unsigned alert went out without a word
                    raise DeliveryError(f"webhooks are signed: put the shared secret in "
                                        f"${settings.secret_env}")
                webhook.post(rule.webhook_url, json.dumps(notice.payload, default=str)
                             .encode(), secret=secret,
                             allowed_hosts=self.webhook_allowed_hosts,
                             attempts=settings.attempts,
                             first_retry_seconds=settings.first_retry_seconds)
            except (DeliveryError, OmniKPIError) as exc:
                hook_error = str(exc)
        if rule.emails:
            text = str(notice.payload["text"])
            try:
                mail.send_email(self.config.email, list(rule.emails),
                                f"OmniKPI alert: {text}",
                                f"{text}\n\nRule: {rule.name}\n")
            except (DeliveryError, OmniKPIError) as exc:
                mail_error = str(exc)
        with session_scope(self.url) as session:
            event = session.get(AlertEvent, notice.event_id)
            detail = session.get(AlertEventDetail, notice.event_id)
            if event is not None and rule.webhook_url:
                event.delivered = hook_error is None
                event.delivery_error = hook_error
            if detail is not None and rule.emails:
                detail.emailed = mail_error is None
                detail.email_error = mail_error
        if hook_error or mail_error:
            LOG.warning("alert %s not delivered: %s", notice.event_id,
                        "; ".join(e for e in (hook_error, mail_error) if e))

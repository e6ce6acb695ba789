"""Alert rules evaluated on every live snapshot: fire once, clear once, tell people.

A rule watches one kind (``omnikpi.live.alert_kinds``) on every subject of the snapshot its
tenant/site/queue/channel allows. The value judged is the mean of the subject's samples of
the last ``window_minutes`` (the latest alone when 0): every reading is kept in the
subject's window, in breach or not, so a short dip after a good quarter of an hour is
averaged with that quarter (the window used to start at the first breaching sample, and a
15-minute rule fired on a 2-minute dip). The condition must hold for the rule's
``minutes`` before the alert fires, and the value must be back past the clearing level
(``clear_threshold``, else the threshold) for as long before it clears: a value hovering
at the threshold neither fires nor clears over and over. A firing is stored
(``alert_events`` and its facts in ``alert_event_details``) and sent, when it fires and
when it clears, to the rule's webhook (signed, retried: ``omnikpi.delivery.webhook``) and
e-mail addresses (``omnikpi.delivery.email``) in a background thread per rule and
subject, one notice after the other: a clearing is sent only once its firing's attempts
are over (a firing retried after its clearing left the receiver showing an ended alert).
The outcome is recorded so that a failed firing never reads as delivered.

The clock is the snapshot's instant (``evaluate(data, now_us)``): tests replay hand-made
snapshots minute by minute.
"""

from __future__ import annotations

import json
import logging
import math
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
__all__ = ["ALERT_KINDS", "Active", "AlertEngine", "Notice", "RuleView", "Window"]
SENDER_THREAD = "omnikpi-alert-delivery"
WINDOW_BUCKETS = 60
"""The most groups of samples a window keeps: samples closer than a 60th of the window
share one (a sum and a count, so the mean is unchanged). Every subject of every rule
keeps its window — not only those in breach — and snapshots come up to four a second: a
24-hour window of raw samples would hold 345,600 per subject."""


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


@dataclass(slots=True)
class _Bucket:
    first_us: int
    last_us: int
    total: float
    count: int


@dataclass
class Window:
    """One (rule, subject)'s readings of the last ``window_minutes``: their mean is the
    value judged. Kept for every reading, in breach or not (the mean of a window that
    starts at the breach is the breach). Samples closer than a 60th of the window share
    a bucket; a bucket leaves once its newest sample is older than the window, so the
    mean may hold up to a 60th of the window more than the window (none when samples
    are further apart than that)."""

    buckets: deque[_Bucket] = field(default_factory=deque)
    total: float = 0.0
    count: int = 0
    changes: int = 0
    """Additions and removals since ``total`` was last summed afresh (it is, now and
    then, so that rounding does not build up over a day of samples)."""

    def add(self, now_us: int, value: float, window_us: int) -> None:
        last = self.buckets[-1] if self.buckets else None
        if last is not None and now_us - last.first_us < window_us // WINDOW_BUCKETS:
            last.last_us = now_us
            last.total += value
            last.count += 1
        else:
            self.buckets.append(_Bucket(now_us, now_us, value, 1))
        self.total += value
        self.count += 1
        self.changes += 1
        oldest = now_us - window_us
        dropped = False
        while len(self.buckets) > 1 and self.buckets[0].last_us < oldest:
            gone = self.buckets.popleft()
            self.total -= gone.total
            self.count -= gone.count
            self.changes += 1
            dropped = True
        if dropped and self.changes > len(self.buckets):
            self.total = math.fsum(b.total for b in self.buckets)
            self.changes = 0

    def mean(self) -> float | None:
        return self.total / self.count if self.count else None


@dataclass
class Active:
    """One (rule, subject) being watched: pending, firing, or firing and clearing."""

    rule: RuleView
    key: str
    subject: dict[str, str]
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

    def to_json(self, now_us: int | None = None,
                facts: dict[str, Any] | None = None) -> dict[str, Any]:
        """The alert as the wallboard and the notices show it: by default what it is at
        ``now_us``; ``facts`` gives another state of it (the clearing notice's)."""
        at = self.fired_at_us or 0
        since = self.breach_since_us if self.breach_since_us is not None else at
        if facts is None:
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
    subject: str = ""
    """The subject's key: one rule's notices about one subject are sent in order."""

    @property
    def clearing(self) -> bool:
        return self.payload.get("status") == "cleared"


class AlertEngine:
    def __init__(self, database_url: str | None = None,
                 webhook_allowed_hosts: Sequence[str] = (), config: Config | None = None,
                 send: Callable[[Notice], None] | None = None) -> None:
        """``send`` delivers a notice (default: webhook and e-mail in a background
        thread per rule and subject, in order)."""
        self.url = database_url
        self.config = config or Config()
        self.webhook_allowed_hosts = tuple(webhook_allowed_hosts) or \
            tuple(self.config.alerts.webhook_allowed_hosts)
        self.send = send or self._send_in_background
        self.active: dict[tuple[int, str], Active] = {}
        self.windows: dict[int, dict[str, Window]] = {}
        """Each rule's window of every subject it reads (dropped when the subject leaves
        the snapshot or has no value)."""
        self.outbox: dict[tuple[int, str], deque[Notice]] = {}
        """Notices waiting for the sender of their rule and subject (a key is here while
        its sender thread runs)."""
        self.outbox_lock = threading.Lock()
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
            before = {r.id: r.kind for r in self.rules}
            self.rules = [r for r in rules if r.kind in KINDS]
            # a rule given another kind judges another number: its window of the old
            # kind's values and its firing go (a service-level window read as abandon
            # rates said "Abandon rate 48.4 % > 5 %" at a rate of 1 %)
            known = {r.id: r for r in self.rules if before.get(r.id, r.kind) == r.kind}
            self.windows = {k: v for k, v in self.windows.items() if k in known}
            for key, item in list(self.active.items()):
                if key[0] not in known:
                    del self.active[key]
                    if item.event_id is not None:
                        orphaned.append(item.event_id)
                else:
                    item.rule = known[key[0]]
        if orphaned:  # a rule paused, deleted or changed in kind while firing: nothing
            # watches that firing any more
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
                windows = self.windows.setdefault(rule.id, {})
                for gone in windows.keys() - now.keys():  # an agent logged off: forgotten
                    del windows[gone]
                window_us = int(rule.window_minutes * 60 * US)
                for key in sorted(keys):
                    reading = now.get(key)
                    if reading is None or reading.value is None:
                        windows.pop(key, None)  # nothing to judge: start afresh
                        judged = None
                    else:
                        window = windows.setdefault(key, Window())
                        window.add(now_us, reading.value, window_us)
                        judged = window.mean()
                    item = self.active.get((rule.id, key))
                    if item is None:
                        if reading is None or not breached(kind, judged, rule.threshold):
                            continue
                        item = Active(rule, key, reading.subject)
                        self.active[(rule.id, key)] = item
                    outcome = self._step(item, judged, now_us)
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

    def _step(self, item: Active, judged: float | None, now_us: int) -> str:
        """Advance one subject by the mean of its window (None: nothing to judge):
        ``fire``, ``clear``, ``drop`` (a pending breach that went away) or ``keep``."""
        rule, kind = item.rule, KINDS[item.rule.kind]
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
        self._notify(item, facts, "firing", now_us)

    def _record_clear(self, item: Active, now_us: int) -> None:
        """End the firing and tell it: the sentence that fired (its value and hold),
        marked cleared, with the value it cleared at (``cleared_value``)."""
        facts = {**item.facts(item.fired_at_us or now_us), "value": item.fired_value,
                 "cleared": True, "cleared_value": item.value}
        if item.event_id is not None:
            with session_scope(self.url) as session:
                event = session.get(AlertEvent, item.event_id)
                if event is not None:
                    event.ended_at = datetime.fromtimestamp(now_us / US, UTC)
        self._notify(item, facts, "cleared", now_us)

    def _notify(self, item: Active, facts: dict[str, Any], status: str,
                now_us: int) -> None:
        """Hand the notice to ``send``. Its ``alert`` is built from ``facts``, the
        facts of this status: a clearing built from the recovered value with the firing
        sentence read "Waiting 2 > 2" and ``cleared: false``. ``event_id``,
        ``sequence`` (1 firing, 2 cleared) and ``status_at`` (when it fired or cleared,
        not when it was sent) let a receiver keep the latest status of each firing
        whatever order retries bring."""
        rule = item.rule
        if item.event_id is None or not (rule.webhook_url or rule.emails):
            return
        payload = {"status": status, "text": sentence(facts),
                   "alert": item.to_json(facts=facts),
                   "rule": {"id": rule.id, "name": rule.name, "kind": rule.kind,
                            "threshold": rule.threshold, "minutes": rule.minutes},
                   "event_id": item.event_id,
                   "sequence": 2 if status == "cleared" else 1,
                   "status_at": datetime.fromtimestamp(now_us / US, UTC).isoformat()}
        self.send(Notice(rule, item.event_id, facts, payload, item.key))

    def _send_in_background(self, notice: Notice) -> None:
        """Queue the notice for the sender of its rule and subject, starting one if none
        runs. A thread per notice raced: a clearing sent while its firing waited for a
        retry reached the receiver before the retried firing."""
        key = (notice.rule.id, notice.subject or str(notice.event_id))
        with self.outbox_lock:
            waiting = self.outbox.get(key)
            if waiting is not None:  # its sender sends it after those before it
                waiting.append(notice)
                return
            self.outbox[key] = deque([notice])
        try:
            threading.Thread(target=self._send_queued, args=(key,), daemon=True,
                             name=SENDER_THREAD).start()
        except RuntimeError:  # no thread to be had: the next notice starts one afresh
            with self.outbox_lock:
                self.outbox.pop(key, None)
            LOG.exception("alert %s: no thread to send the notice", notice.event_id)

    def _send_queued(self, key: tuple[int, str]) -> None:
        """Deliver one rule and subject's notices one after the other, then stop."""
        while True:
            with self.outbox_lock:
                waiting = self.outbox[key]
                if not waiting:
                    del self.outbox[key]
                    return
                notice = waiting.popleft()
            try:
                self.deliver(notice)
            except Exception:  # the next notice is still sent
                LOG.exception("alert %s: delivering the notice failed", notice.event_id)

    def deliver(self, notice: Notice) -> None:
        """Send one notice to its webhook and addresses now; record what happened.

        ``delivered`` (``emailed``) says that every notice of the firing sent so far got
        through: the firing's outcome, then, once cleared, that and the clearing's. The
        clearing's success used to overwrite a failed firing, and the history read
        "delivered" for a firing the receiver never got. An error keeps the firing's
        text; a failed clearing adds "clearing: …"."""
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
                event.delivered, event.delivery_error = _outcome(
                    notice, bool(event.delivered), event.delivery_error, hook_error)
            if detail is not None and rule.emails:
                detail.emailed, detail.email_error = _outcome(
                    notice, bool(detail.emailed), detail.email_error, mail_error)
        if hook_error or mail_error:
            LOG.warning("alert %s not delivered: %s", notice.event_id,
                        "; ".join(e for e in (hook_error, mail_error) if e))


def _outcome(notice: Notice, delivered: bool, recorded: str | None,
             error: str | None) -> tuple[bool, str | None]:
    """A firing's delivery outcome after one more notice: the firing's own, or once its
    clearing is sent, whether both got through and what failed."""
    if not notice.clearing:
        return error is None, error
    if error is None:
        return delivered, recorded
    return False, "; ".join(e for e in (recorded, f"clearing: {error}") if e)

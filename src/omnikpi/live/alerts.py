"""Alert rules evaluated on every live snapshot, shown on the wallboard, sent to webhooks.

A rule watches one condition per subject (a tenant/site/queue/channel row of the wallboard,
an agent, a channel) and fires once the condition has held for ``minutes``; it ends when
the condition clears. Each firing is stored (``alert_events``) and POSTed as JSON to the
rule's webhook in a background thread, with the delivery outcome recorded.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from omnikpi.instants import MICROS
from omnikpi.live import webhooks
from omnikpi.store.db import session_scope
from omnikpi.store.models import ALERT_KINDS, AlertEvent, AlertRule

US = MICROS


@dataclass
class Condition:
    subject: str
    tenant: str | None
    site: str | None
    value: float
    message: str


def _matches(rule: AlertRule, row: dict[str, Any]) -> bool:
    return all(getattr(rule, k) in (None, "") or row.get(k) == getattr(rule, k)
               for k in ("tenant", "site", "queue", "channel"))


def conditions(rule: AlertRule, data: dict[str, Any]) -> list[Condition]:
    """Subjects of the snapshot for which the rule's condition holds now."""
    out: list[Condition] = []
    if rule.kind == "sl_below":
        for q in data["queues"]:
            sl = q.get("service_level")
            if _matches(rule, q) and sl is not None and sl < rule.threshold:
                out.append(Condition(_subject(q), q["tenant"], q["site"], sl,
                                     f"service level {sl:.1%} below {rule.threshold:.0%}"))
    elif rule.kind == "longest_wait_over":
        for q in data["queues"]:
            wait = q.get("longest_wait_s")
            if _matches(rule, q) and wait is not None and wait > rule.threshold:
                out.append(Condition(_subject(q), q["tenant"], q["site"], wait,
                                     f"longest wait {wait:.0f} s over {rule.threshold:.0f} s"))
    elif rule.kind == "widget_unavailable":
        for item in data["unavailable"]:
            if rule.channel in (None, "", item["channel"]) and \
                    rule.queue in (None, "", item["queue"]):
                subject = f"{item['channel']}/{item['queue'] or '*'}"
                out.append(Condition(subject, rule.tenant, rule.site, 1.0,
                                     f"{subject} is unavailable to customers"))
    elif rule.kind == "agent_over_capacity":
        for agent in data["chat"]:
            if (rule.site in (None, "", agent["site"])) and \
                    agent["sessions"] > agent["capacity"] + rule.threshold:
                out.append(Condition(f"agent {agent['agent_id']}", rule.tenant, agent["site"],
                                     agent["sessions"],
                                     f"{agent['sessions']} chats open, capacity "
                                     f"{agent['capacity']}"))
    return out


def _subject(row: dict[str, Any]) -> str:
    return " / ".join(str(row[k]) for k in ("tenant", "site", "queue", "channel") if row[k])


@dataclass
class Active:
    rule_id: int
    rule_name: str
    kind: str
    subject: str
    tenant: str | None
    site: str | None
    message: str
    pending_since_us: int
    event_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"rule_id": self.rule_id, "rule": self.rule_name, "kind": self.kind,
                "subject": self.subject, "message": self.message,
                "since": datetime.fromtimestamp(self.pending_since_us / US, UTC).isoformat(),
                "fired": self.event_id is not None}


class AlertEngine:
    def __init__(self, database_url: str | None = None,
                 webhook_allowed_hosts: Sequence[str] = ()) -> None:
        self.url = database_url
        self.webhook_allowed_hosts = tuple(webhook_allowed_hosts)
        self.active: dict[tuple[int, str], Active] = {}
        self.lock = threading.Lock()
        self.rules: list[AlertRule] = []
        self.reload()

    def reload(self) -> None:
        with session_scope(self.url) as session:
            self.rules = list(session.scalars(select(AlertRule).where(AlertRule.enabled)))

    def evaluate(self, data: dict[str, Any], now_us: int) -> list[Active]:
        """Update pending/firing alerts from an unbounded snapshot; return those firing."""
        seen: set[tuple[int, str]] = set()
        fire: list[Active] = []
        with self.lock:
            for rule in self.rules:
                if rule.kind not in ALERT_KINDS:
                    continue
                for cond in conditions(rule, data):
                    key = (rule.id, cond.subject)
                    seen.add(key)
                    item = self.active.get(key)
                    if item is None:
                        item = Active(rule.id, rule.name, rule.kind, cond.subject,
                                      cond.tenant, cond.site, cond.message, now_us)
                        self.active[key] = item
                    item.message = cond.message
                    held = (now_us - item.pending_since_us) / US / 60
                    if item.event_id is None and held >= rule.minutes:
                        fire.append(item)
            ended = [k for k in self.active if k not in seen]
            ending = [self.active.pop(k) for k in ended]
        for item in fire:
            self._fire(item)
        for item in ending:
            if item.event_id is not None:
                with session_scope(self.url) as session:
                    event = session.get(AlertEvent, item.event_id)
                    if event is not None:
                        event.ended_at = datetime.now(UTC)
        return self.firing()

    def firing(self) -> list[Active]:
        with self.lock:
            return [a for a in self.active.values() if a.event_id is not None]

    def _fire(self, item: Active) -> None:
        rule = next((r for r in self.rules if r.id == item.rule_id), None)
        with session_scope(self.url) as session:
            event = AlertEvent(rule_id=item.rule_id, subject=item.subject,
                               message=item.message)
            session.add(event)
            session.flush()
            item.event_id = event.id
        if rule is not None and rule.webhook_url:
            payload = {"alert": item.to_json(), "rule": {"id": rule.id, "name": rule.name,
                                                         "kind": rule.kind,
                                                         "threshold": rule.threshold}}
            threading.Thread(target=self._deliver, args=(rule.webhook_url, payload,
                                                         item.event_id), daemon=True).start()

    def _deliver(self, url: str, payload: dict[str, Any], event_id: int) -> None:
        error = webhooks.post(url, payload, self.webhook_allowed_hosts)
        with session_scope(self.url) as session:
            event = session.get(AlertEvent, event_id)
            if event is not None:
                event.delivered = error is None
                event.delivery_error = error

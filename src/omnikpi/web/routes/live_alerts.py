"""Alert rules and their history: the API, acknowledging a firing, and what the alerts
page shares with it (``live_alerts_page``): checking, storing, pausing a rule."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import and_, false, select

from omnikpi.auth.accounts import Principal, audit
from omnikpi.auth.scope import scope_of
from omnikpi.delivery.email import check_addresses
from omnikpi.delivery.webhook import resolve
from omnikpi.errors import UsageError
from omnikpi.instants import stored_utc
from omnikpi.live.alert_kinds import (
    ALERT_KINDS,
    clear_level_problem,
    queue_problem,
    threshold_problem,
)
from omnikpi.store.db import session_scope
from omnikpi.store.models import AlertEvent, AlertRule
from omnikpi.store.models_live import AlertEventDetail, AlertRuleOptions
from omnikpi.web.deps import AppState, RowId, State
from omnikpi.web.known_params import REFUSE_UNKNOWN
from omnikpi.web.limits import (
    CHANNEL_CHARS,
    LONG_TEXT_CHARS,
    MAX_INT,
    NAME_CHARS,
    has_control_character,
)
from omnikpi.web.security import Caller, require_roles

router = APIRouter()


class RuleIn(BaseModel):
    """A rule as posted (``POST``, ``PUT /api/v1/alerts``): ``name``, ``kind`` and
    ``threshold`` are needed, and a key that is none of these fields is refused —
    ``"treshold": 60`` made a rule at 0 that fired on every waiting caller, and an empty
    name was a 500."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=NAME_CHARS)
    kind: str = Field(max_length=NAME_CHARS)
    threshold: float = Field(allow_inf_nan=False)
    minutes: float = Field(default=0.0, ge=0, le=24 * 60, allow_inf_nan=False)
    """Hold time: the condition holds this long before firing, the recovery as long
    before clearing."""
    tenant: str | None = Field(default=None, max_length=NAME_CHARS)
    site: str | None = Field(default=None, max_length=NAME_CHARS)
    queue: str | None = Field(default=None, max_length=NAME_CHARS)
    channel: str | None = Field(default=None, max_length=CHANNEL_CHARS)
    webhook_url: str | None = Field(default=None, max_length=LONG_TEXT_CHARS)
    enabled: bool = True
    window_minutes: float = Field(default=0.0, ge=0, le=24 * 60, allow_inf_nan=False)
    """Judge the mean of this many minutes of samples (0: the latest)."""
    clear_threshold: float | None = Field(default=None, allow_inf_nan=False)
    """Hysteresis: the level to get back past before clearing (none: the threshold)."""
    emails: list[str] = Field(default_factory=list, max_length=50)


def _rule_json(rule: AlertRule, options: AlertRuleOptions | None,
               principal: Principal) -> dict[str, Any]:
    """A rule as its reader may see it: a webhook's URL (which may carry a secret token)
    only for administrators, the e-mail recipients only for those who manage rules;
    others see whether there are any."""
    out = {k: getattr(rule, k) for k in ("id", "name", "kind", "threshold", "minutes",
                                         "tenant", "site", "queue", "channel",
                                         "webhook_url", "enabled", "created_by")}
    out["has_webhook"] = bool(rule.webhook_url)
    out["window_minutes"] = options.window_minutes if options else 0.0
    out["clear_threshold"] = options.clear_threshold if options else None
    out["emails"] = [a for a in (options.emails or "").split(",") if a] if options else []
    out["has_emails"] = bool(out["emails"])
    if not principal.is_admin:
        out["webhook_url"] = None
    if principal.role not in ("admin", "supervisor"):  # who reads the tenant's alerts
        out["emails"] = []  # but does not manage them: not the recipients' addresses
    return out


def rule_visible(principal: Principal, rule: AlertRule) -> bool:
    scope = scope_of(principal)
    if scope.unbounded:
        return True
    return (not scope.tenants or rule.tenant in scope.tenants) and \
        (not scope.sites or rule.site in scope.sites)


def _event_visible(principal: Principal, detail: AlertEventDetail | None) -> bool:
    """Whether the caller sees (and may acknowledge) a firing: by the firing's own stored
    subject (``subject_tenant`` / ``subject_site``, copied from its facts when it was
    recorded), never by its rule. A rule's scope may be edited after it fired — a rule
    of every tenant narrowed to bank kept its firings about telco's agents, and bank's
    accounts read and acknowledged them — so a bounded account sees a firing only when
    its subject lies in their scope now; a site's supervisor still sees (and
    acknowledges) the administrator's alert about their queue. A firing whose stored
    subject lacks the tenant (site) the caller is bound by cannot be placed in their
    scope — one recorded before revision 0007 has no subject at all, a queue of no
    tenant has no tenant —: only an unbounded account sees it. An agent account sees
    only the firings about themselves (it read "Not ready … on agent" of a colleague)."""
    scope = scope_of(principal)
    if scope.unbounded:
        return True
    if detail is None or not scope.allows(detail.subject_tenant, detail.subject_site):
        return False
    if principal.role == "agent":
        try:
            subject = json.loads(detail.facts).get("subject")
        except (ValueError, AttributeError):
            subject = None
        return isinstance(subject, dict) and principal.agent_id is not None \
            and subject.get("agent_id") == principal.agent_id
    return True


CONTROL_CHARACTER = ("A field of the rule holds a control character (a tab, a line "
                     "break): type it again without one.")


def _checked_values(principal: Principal, state: AppState, rule: RuleIn
                    ) -> tuple[dict[str, Any], list[str]]:
    """A rule's columns and e-mail addresses, checked, bound to the caller's scope."""
    require_roles(principal, "admin", "supervisor")
    if rule.kind not in ALERT_KINDS:
        raise HTTPException(422, f"kind must be one of {', '.join(ALERT_KINDS)}")
    for level in (rule.threshold, rule.clear_threshold):
        problem = threshold_problem(rule.kind, level) if level is not None else None
        if problem is not None:
            raise HTTPException(422, problem)
    problem = clear_level_problem(rule.kind, rule.threshold, rule.clear_threshold) or \
        queue_problem(rule.kind, rule.queue)
    if problem is not None:
        raise HTTPException(422, problem)
    if any(has_control_character(getattr(rule, field) or "")
           for field in ("name", "tenant", "site", "queue", "channel")):
        raise UsageError(CONTROL_CHARACTER)  # a 400; the page says it in its language
    if rule.webhook_url:
        resolve(rule.webhook_url, state.config.alerts.webhook_allowed_hosts)
    emails = check_addresses(rule.emails) if rule.emails else []
    values = rule.model_dump(exclude={"window_minutes", "clear_threshold", "emails"})
    if values["channel"]:  # as the live data and the boards' filter read a channel
        values["channel"] = values["channel"].strip().lower()
    scope = scope_of(principal)
    # a supervisor's rule is bound to their tenant and sites: one of theirs, or refused
    # (a rule asked for another site was quietly made for their own)
    for key, allowed in (("tenant", scope.tenants), ("site", scope.sites)):
        if not allowed:
            continue
        if values[key] and values[key] not in allowed:
            raise HTTPException(403, f"your alert rules are for {key} "
                                     f"{', '.join(allowed)}, not {values[key]}")
        values[key] = values[key] or allowed[0]
    return {k: (v or None) if isinstance(v, str) else v for k, v in values.items()}, emails


def create_rule(state: AppState, principal: Principal, rule: RuleIn) -> AlertRule:
    values, emails = _checked_values(principal, state, rule)
    with session_scope(state.database_url) as session:
        row = AlertRule(**values, created_by=principal.name)
        session.add(row)
        session.flush()
        session.add(AlertRuleOptions(rule_id=row.id, window_minutes=rule.window_minutes,
                                     clear_threshold=rule.clear_threshold,
                                     emails=",".join(emails) or None))
        audit(session, principal.name, "alert_rule_created", {"name": rule.name})
    if state.live is not None:
        state.live.alerts.reload()
        state.live.notify()
    return row


def update_rule(state: AppState, principal: Principal, rule_id: int, rule: RuleIn,
                 keep_enabled: bool = False) -> AlertRule:
    """New settings for a rule the caller may see, checked as a new rule's are; its
    firings stay (deleting and adding it again lost them). A supervisor never sees a
    webhook's address, so an empty one from them keeps the rule's; ``keep_enabled``
    (the page's form) leaves a paused rule paused."""
    values, emails = _checked_values(principal, state, rule)
    with session_scope(state.database_url) as session:
        row = session.get(AlertRule, rule_id)
        if row is None or not rule_visible(principal, row):
            raise HTTPException(404, "no such rule")
        if not principal.is_admin and not values["webhook_url"]:
            values["webhook_url"] = row.webhook_url
        if keep_enabled:
            values["enabled"] = row.enabled
        options = session.get(AlertRuleOptions, rule_id)
        if options is None:
            options = AlertRuleOptions(rule_id=rule_id)
            session.add(options)
        wanted_options = {"window_minutes": rule.window_minutes,
                          "clear_threshold": rule.clear_threshold,
                          "emails": ",".join(emails) or None}
        changed = [k for k, v in values.items() if getattr(row, k) != v] + [
            k for k, v in wanted_options.items() if getattr(options, k) != v]
        for key, value in values.items():
            setattr(row, key, value)
        for key, value in wanted_options.items():
            setattr(options, key, value)
        audit(session, principal.name, "alert_rule_changed",
              {"id": rule_id, "name": row.name, "changed": changed})
        session.flush()
        session.expunge(row)
    if state.live is not None:
        state.live.alerts.reload()
        state.live.notify()
    return row


def set_rule_enabled(state: AppState, principal: Principal, rule_id: int,
                      enabled: bool) -> None:
    """Pause a rule (it judges nothing, and a firing of it ends) or resume it."""
    require_roles(principal, "admin", "supervisor")
    with session_scope(state.database_url) as session:
        row = session.get(AlertRule, rule_id)
        if row is None or not rule_visible(principal, row):
            raise HTTPException(404, "no such rule")
        if bool(row.enabled) == enabled:
            return
        row.enabled = enabled
        audit(session, principal.name, "alert_rule_resumed" if enabled
              else "alert_rule_paused", {"id": rule_id, "name": row.name})
    if state.live is not None:
        state.live.alerts.reload()
        state.live.notify()


def _utc(moment: datetime | None) -> datetime | None:
    """An instant as stored, with its zone said (the page shows it in the wallboard's)."""
    return None if moment is None else stored_utc(moment)


def _event_json(event: AlertEvent, detail: AlertEventDetail | None,
                rule: AlertRule | None = None) -> dict[str, Any]:
    facts = json.loads(detail.facts) if detail is not None else None
    return {"id": event.id, "rule_id": event.rule_id,
            "rule_name": rule.name if rule is not None else None, "subject": event.subject,
            "message": event.message, "facts": facts,
            "started_at": _utc(event.started_at), "ended_at": _utc(event.ended_at),
            "delivered": event.delivered, "delivery_error": event.delivery_error,
            "emailed": detail.emailed if detail else False,
            "email_error": detail.email_error if detail else None,
            "acknowledged_by": detail.acknowledged_by if detail else None,
            "acknowledged_at": _utc(detail.acknowledged_at) if detail else None}


FIRINGS_PAGE = 100
"""Firings listed at once (``before_id`` pages on through older ones)."""


@router.get("/api/v1/alerts", tags=["live"], dependencies=REFUSE_UNKNOWN)
def list_alerts(state: State, principal: Caller,
                before_id: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None) -> dict[str, Any]:
    """Alert rules (those in the caller's scope) and their last 100 firings, newest first;
    ``before_id`` gives the 100 before that firing, and ``older_before_id`` is where the
    next older page starts (null on the last)."""
    with session_scope(state.database_url) as session:
        rules = [r for r in session.scalars(select(AlertRule).order_by(AlertRule.id))
                 if rule_visible(principal, r)]
        ids = [r.id for r in rules]
        options = {o.rule_id: o for o in session.scalars(
            select(AlertRuleOptions).where(AlertRuleOptions.rule_id.in_(ids)))}
        every_rule = {r.id: r for r in session.scalars(select(AlertRule))}
        shown: list[dict[str, Any]] = []
        query = select(AlertEvent, AlertEventDetail).outerjoin(
            AlertEventDetail, AlertEventDetail.event_id == AlertEvent.id)
        if before_id is not None:
            query = query.where(AlertEvent.id < before_id)
        scope = scope_of(principal)
        if not scope.unbounded:
            # the database finds a quiet site's firings, by each firing's own subject
            # (whoever's rule fired it, and whatever that rule's scope is now)
            about = [AlertEventDetail.subject_tenant.in_(scope.tenants)] if scope.tenants \
                else []
            about += [AlertEventDetail.subject_site.in_(scope.sites)] if scope.sites else []
            query = query.where(and_(*about) if about and not scope.nothing else false())
        newest = session.execute(query.order_by(AlertEvent.id.desc())
                                 .execution_options(yield_per=500))
        more = False
        for event, detail in newest:  # the caller's next 100, whoever's rule fired them
            if _event_visible(principal, detail):
                if len(shown) == FIRINGS_PAGE:
                    more = True  # one more visible firing: an older page exists
                    break
                shown.append(_event_json(event, detail, every_rule.get(event.rule_id)))
        return {"rules": [_rule_json(r, options.get(r.id), principal) for r in rules],
                "events": shown, "older_before_id": shown[-1]["id"] if more else None}


@router.post("/api/v1/alerts", tags=["live"], dependencies=REFUSE_UNKNOWN)
def create_alert(state: State, principal: Caller, rule: RuleIn) -> dict[str, Any]:
    row = create_rule(state, principal, rule)
    with session_scope(state.database_url) as session:
        return _rule_json(row, session.get(AlertRuleOptions, row.id), principal)


def _acknowledge(state: AppState, principal: Principal, event_id: int) -> dict[str, Any]:
    require_roles(principal, "admin", "supervisor")
    with session_scope(state.database_url) as session:
        event = session.get(AlertEvent, event_id)
        rule = session.get(AlertRule, event.rule_id) if event is not None else None
        detail = session.get(AlertEventDetail, event_id) if event is not None else None
        if event is None or rule is None or not _event_visible(principal, detail):
            raise HTTPException(404, "no such alert")
        if detail is None:  # a firing from before revision 0007
            detail = AlertEventDetail(event_id=event_id, kind=rule.kind,
                                      facts=json.dumps({"message": event.message}))
            session.add(detail)
        if detail.acknowledged_at is None:
            detail.acknowledged_by = principal.name
            detail.acknowledged_at = datetime.now(UTC)
            audit(session, principal.name, "alert_acknowledged", {"id": event_id})
        session.flush()
        return _event_json(event, detail, rule)  # named, as the list names it


@router.put("/api/v1/alerts/{rule_id}", tags=["live"], dependencies=REFUSE_UNKNOWN)
def update_alert(state: State, principal: Caller, rule_id: RowId,
                 rule: RuleIn) -> dict[str, Any]:
    """Replace a rule's settings (the whole rule is given, as to create it; ``enabled``
    false pauses it); its firings stay."""
    row = update_rule(state, principal, rule_id, rule)
    with session_scope(state.database_url) as session:
        return _rule_json(row, session.get(AlertRuleOptions, row.id), principal)


@router.post("/api/v1/alerts/events/{event_id}/ack", tags=["live"], dependencies=REFUSE_UNKNOWN)
def acknowledge_api(state: State, principal: Caller, event_id: RowId) -> dict[str, Any]:
    """Acknowledge a firing (once: the first to acknowledge is kept)."""
    return _acknowledge(state, principal, event_id)


@router.post("/alerts/events/{event_id}/ack", include_in_schema=False)
def acknowledge_form(state: State, principal: Caller, event_id: RowId,
                     before_id: Annotated[int | None, Form(ge=1, le=MAX_INT)] = None) -> Response:
    """Acknowledge from the page, back to the page of firings it was on (an older page
    keeps its place)."""
    _acknowledge(state, principal, event_id)
    page = f"/alerts?before_id={before_id}" if before_id is not None else "/alerts"
    return RedirectResponse(f"{page}#alert-events", status_code=303)

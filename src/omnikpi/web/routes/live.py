"""Real time: the wallboard page and its event stream, live ingest, alert rules."""

from __future__ import annotations

import asyncio
import math
import re
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Body, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import select

from omnikpi.auth.accounts import Principal, audit
from omnikpi.auth.scope import Scope, scope_of
from omnikpi.errors import UsageError, describe_validation_error
from omnikpi.live import webhooks
from omnikpi.request import check_filter_values
from omnikpi.store.db import session_scope
from omnikpi.store.models import ALERT_KINDS, AlertEvent, AlertRule
from omnikpi.web.deps import AppState, RowId, State
from omnikpi.web.limits import CHANNEL_CHARS, LONG_TEXT_CHARS, NAME_CHARS, check_live_rows
from omnikpi.web.live import LiveHub, Subscriber
from omnikpi.web.security import Caller, require_roles
from omnikpi.web.templating import templates

router = APIRouter()
HEARTBEAT_SECONDS = 15.0


def _hub(state: AppState) -> LiveHub:
    if state.live is None:
        raise HTTPException(503, "real-time monitoring is off on this server")
    return state.live


def _narrow(scope: Scope, tenant: str | None, site: str | None) -> Scope:
    """The viewer's scope, narrowed by the wallboard's own tenant/site choice (never
    widened: a bounded viewer asking for another tenant gets nothing)."""
    tenants = tuple(t for t in (tenant or "").split(",") if t)
    sites = tuple(s for s in (site or "").split(",") if s)
    check_filter_values({"tenant": tenants, "site": sites})
    nothing = scope.nothing
    if tenants:
        tenants = tuple(t for t in tenants if not scope.tenants or t in scope.tenants)
        nothing = nothing or not tenants
    if sites:
        sites = tuple(s for s in sites if not scope.sites or s in scope.sites)
        nothing = nothing or not sites
    return Scope(tenants or scope.tenants, sites or scope.sites, nothing)


@router.get("/wallboard", response_class=HTMLResponse, include_in_schema=False)
def wallboard(request: Request, state: State, principal: Caller, tenant: str | None = None,
              site: str | None = None, queue: str | None = None,
              channel: str | None = None) -> Response:
    return templates.TemplateResponse(request, "wallboard.html", {
        "filters": None, "tenant": tenant or "", "site": site or "", "queue": queue or "",
        "channel": channel or "", "query": str(request.url.query),
        "live": state.live is not None, "words": wallboard_words(request)})


AGENT_STATE_WORDS = ("available", "handling", "acw", "hold", "not_ready", "logged_out")
"""The canonical agent states (``omnikpi.schema.tables.AGENT_STATES``), as the wallboard
shows them."""
CHANNEL_WORDS = ("voice", "chat", "email", "social", "messenger", "sms", "video", "callback")
"""Channel names the wallboard shows in the page's language (others stay as in the data)."""
ALERT_TEMPLATES = {
    "sl": "service level {sl} below {threshold}",
    "wait": "longest wait {wait} s over {threshold} s",
    "unavailable": "{subject} is unavailable to customers",
    "capacity": "{sessions} chats open, capacity {capacity}",
    "agent": "agent {agent_id}",
}
"""The alert messages (and the agent subject) of ``omnikpi.live.alerts`` with their numbers
as ``{fields}``: the wallboard and the alerts page put them into the page's language."""
_ALERT_PATTERNS = {
    key: re.compile("^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>.+?)", re.escape(text)) + "$")
    for key, text in ALERT_TEMPLATES.items()}


def wallboard_words(request: Request) -> dict[str, Any]:
    """What wallboard.js writes, in the page's language: state and channel names, time
    units, the "off" note and the alert sentences (``{field}`` marks a number or a name)."""
    from omnikpi.web.i18n import choose_language, translator

    _ = translator(choose_language(request))
    return {"states": {s: _(s) for s in AGENT_STATE_WORDS},
            "channels": {c: _(c) for c in CHANNEL_WORDS if _(c) != c},
            "alerts": {key: _(text) for key, text in ALERT_TEMPLATES.items()},
            "units": {"h": _("h"), "min": _("min"), "s": _("s")},
            "off": _("Live updates are off on this server: the wallboard shows no numbers.")}


def alert_message(text: str, lang: str) -> str:
    """An alert's message (English, as stored) in an interface language."""
    from omnikpi.web.i18n import translator

    _ = translator(lang)
    for key, pattern in _ALERT_PATTERNS.items():
        found = pattern.match(text)
        if found:
            return _(ALERT_TEMPLATES[key]).format(**found.groupdict())
    return _(text)


@router.get("/api/v1/live", tags=["live"])
async def live_snapshot(state: State, principal: Caller, tenant: str | None = None,
                        site: str | None = None) -> dict[str, Any]:
    """The wallboard's numbers now: waiting, longest wait, agents by state, SL and
    abandonment so far today, chats per agent vs capacity, firing alerts."""
    scope = _narrow(scope_of(principal), tenant, site)
    return await asyncio.to_thread(_hub(state).snapshot, scope)


@router.get("/api/v1/live/stream", tags=["live"])
async def live_stream(request: Request, state: State, principal: Caller,
                      tenant: str | None = None, site: str | None = None) -> Response:
    """Server-sent events: one ``snapshot`` event per change (and every 2 s while idle)."""
    hub = _hub(state)
    subscriber = Subscriber(_narrow(scope_of(principal), tenant, site))
    first = await asyncio.to_thread(hub.snapshot, subscriber.scope)

    async def events() -> AsyncIterator[str]:
        import json

        hub.subscribers.add(subscriber)
        hub.notify()
        try:
            yield "retry: 1000\n\n"
            yield f"event: snapshot\ndata: {json.dumps(first, default=str)}\n\n"
            while True:
                if await request.is_disconnected():
                    break
                try:
                    message = await asyncio.wait_for(subscriber.queue.get(),
                                                     timeout=HEARTBEAT_SECONDS)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                yield f"event: snapshot\ndata: {message}\n\n"
        finally:
            hub.subscribers.discard(subscriber)

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


class EventBatch(BaseModel):
    table: str = Field(description="contacts, agent_states or availability",
                       max_length=NAME_CHARS)
    rows: list[dict[str, Any]] = Field(description="canonical rows (docs/data-model.md)")


def _bound_rows(principal: Principal, batch: EventBatch) -> list[dict[str, Any]]:
    """A tenant-bound key writes its own tenant's rows only."""
    if not principal.tenant:
        return batch.rows
    if batch.table == "availability":
        raise HTTPException(403, "a tenant-bound API key cannot post availability rows "
                                 "(they have no tenant)")
    out = []
    for index, row in enumerate(batch.rows):
        given = row.get("tenant")
        if given not in (None, "", principal.tenant):
            raise HTTPException(403, f"rows[{index}]: tenant {given!r} is not this key's "
                                     f"tenant")
        out.append({**row, "tenant": principal.tenant})
    return out


@router.post("/api/v1/events", tags=["live"])
async def post_events(state: State, principal: Caller,
                      batch: Annotated[EventBatch, Body()]) -> dict[str, Any]:
    """Canonical rows posted live (authenticated with an API key: ``X-API-Key`` or
    ``Authorization: Bearer ok_…``; or an administrator's token). Validated by the same
    rules as ``omnikpi validate``; idempotent by id (a final row posted again is counted as
    a duplicate); open rows (a contact still waiting, a state without end) may be posted
    again as they progress."""
    if principal.via != "api_key" and principal.role != "admin":
        raise HTTPException(403, "posting events needs an API key or an administrator")
    hub = _hub(state)
    check_live_rows(batch.rows)
    rows = _bound_rows(principal, batch)
    result = await asyncio.wrap_future(hub.submit(batch.table, rows))
    return result.to_json()


# -- alert rules -------------------------------------------------------------------------


class RuleIn(BaseModel):
    name: str = Field(max_length=NAME_CHARS)
    kind: str = Field(max_length=NAME_CHARS)
    threshold: float = Field(default=0.0, allow_inf_nan=False)
    minutes: float = Field(default=0.0, ge=0, le=24 * 60, allow_inf_nan=False)
    tenant: str | None = Field(default=None, max_length=NAME_CHARS)
    site: str | None = Field(default=None, max_length=NAME_CHARS)
    queue: str | None = Field(default=None, max_length=NAME_CHARS)
    channel: str | None = Field(default=None, max_length=CHANNEL_CHARS)
    webhook_url: str | None = Field(default=None, max_length=LONG_TEXT_CHARS)
    enabled: bool = True


def _rule_json(rule: AlertRule, principal: Principal) -> dict[str, Any]:
    """A rule as its reader may see it: a webhook's URL (which may carry a secret token)
    only for administrators; others see whether there is one."""
    out = {k: getattr(rule, k) for k in ("id", "name", "kind", "threshold", "minutes",
                                         "tenant", "site", "queue", "channel",
                                         "webhook_url", "enabled", "created_by")}
    out["has_webhook"] = bool(rule.webhook_url)
    if not principal.is_admin:
        out["webhook_url"] = None
    return out


def _visible(principal: Principal, rule: AlertRule) -> bool:
    scope = scope_of(principal)
    if scope.unbounded:
        return True
    return (not scope.tenants or rule.tenant in scope.tenants) and \
        (not scope.sites or rule.site in scope.sites)


def _create_rule(state: AppState, principal: Principal, rule: RuleIn) -> AlertRule:
    require_roles(principal, "admin", "supervisor")
    if rule.kind not in ALERT_KINDS:
        raise HTTPException(422, f"kind must be one of {', '.join(ALERT_KINDS)}")
    if rule.webhook_url:
        webhooks.resolve(rule.webhook_url, state.config.alerts.webhook_allowed_hosts)
    values = rule.model_dump()
    scope = scope_of(principal)
    # a supervisor's rule is bound to their tenant and sites
    if scope.tenants:
        values["tenant"] = values["tenant"] if values["tenant"] in scope.tenants else \
            scope.tenants[0]
    if scope.sites:
        values["site"] = values["site"] if values["site"] in scope.sites else scope.sites[0]
    with session_scope(state.database_url) as session:
        row = AlertRule(**{k: (v or None) if isinstance(v, str) else v
                           for k, v in values.items()}, created_by=principal.name)
        session.add(row)
        audit(session, principal.name, "alert_rule_created", {"name": rule.name})
        session.flush()
    if state.live is not None:
        state.live.alerts.reload()
        state.live.notify()
    return row


@router.get("/api/v1/alerts", tags=["live"])
def list_alerts(state: State, principal: Caller) -> dict[str, Any]:
    """Alert rules (those in the caller's scope) and their recent firings."""
    with session_scope(state.database_url) as session:
        rules = [r for r in session.scalars(select(AlertRule).order_by(AlertRule.id))
                 if _visible(principal, r)]
        ids = [r.id for r in rules]
        events = session.scalars(select(AlertEvent).where(AlertEvent.rule_id.in_(ids))
                                 .order_by(AlertEvent.id.desc()).limit(100)).all()
        return {"rules": [_rule_json(r, principal) for r in rules],
                "events": [{"rule_id": e.rule_id, "subject": e.subject, "message": e.message,
                            "started_at": e.started_at, "ended_at": e.ended_at,
                            "delivered": e.delivered, "delivery_error": e.delivery_error}
                           for e in events]}


@router.post("/api/v1/alerts", tags=["live"])
def create_alert(state: State, principal: Caller, rule: RuleIn) -> dict[str, Any]:
    return _rule_json(_create_rule(state, principal, rule), principal)


@router.get("/alerts", response_class=HTMLResponse, include_in_schema=False)
def alerts_page(request: Request, state: State, principal: Caller) -> Response:
    require_roles(principal, "admin", "supervisor")
    return _alerts_page(request, state, principal)


def _alerts_page(request: Request, state: State, principal: Principal,
                 error: str | None = None, typed: dict[str, str] | None = None,
                 status: int = 200) -> Response:
    from omnikpi.web.i18n import choose_language

    data = list_alerts(state, principal)
    lang = choose_language(request)
    events = [{**e, "subject": alert_message(str(e["subject"]), lang),
               "message": alert_message(str(e["message"]), lang)} for e in data["events"]]
    return templates.TemplateResponse(request, "alerts.html", {
        "filters": None, "rules": data["rules"], "events": events,
        "kinds": ALERT_KINDS, "kind_names": ALERT_KIND_NAMES, "kind_help": ALERT_KIND_HELP,
        "error": error, "typed": typed or {}}, status_code=status)


ALERT_KIND_NAMES = {
    "sl_below": "service level below",
    "longest_wait_over": "longest wait over",
    "widget_unavailable": "channel unavailable",
    "agent_over_capacity": "agent over chat capacity",
}
"""Each alert kind (``ALERT_KINDS``) as the alerts page names it (the form sends the id)."""
ALERT_KIND_HELP = {
    "sl_below": "Fires when a queue's service level so far today is below the threshold, a "
                "ratio (0.8 is 80 %).",
    "longest_wait_over": "Fires when a contact of a queue has waited longer than the "
                         "threshold, in seconds.",
    "widget_unavailable": "Fires when a channel or queue is unavailable to customers (the "
                          "threshold is not used).",
    "agent_over_capacity": "Fires when an agent has more chats open than their capacity "
                           "plus the threshold, in sessions.",
}


def _threshold_error(kind: str, threshold: str, minutes: str) -> str | None:
    """What is wrong with a rule's numbers as typed on the page, in words (None: fine)."""
    try:
        value = float(threshold.strip().replace(",", "."))
    except ValueError:
        return f"The threshold “{threshold[:40]}” is not a number."
    if not math.isfinite(value):
        return f"The threshold “{threshold[:40]}” is not a number."
    if kind == "sl_below" and not 0 <= value <= 1:
        return "For sl_below the threshold is a ratio from 0 to 1 (0.8 is 80 %)."
    if value < 0:
        return "The threshold cannot be negative."
    try:
        span = float(minutes.strip().replace(",", ".")) if minutes.strip() else 0.0
    except ValueError:
        return f"“{minutes[:40]}” minutes is not a number."
    if not (math.isfinite(span) and 0 <= span <= 24 * 60):
        return "Minutes must be a number from 0 to 1440."
    return None


@router.post("/alerts", include_in_schema=False)
def alerts_form(request: Request, state: State, principal: Caller,
                name: Annotated[str, Form()], kind: Annotated[str, Form()],
                threshold: Annotated[str, Form(max_length=NAME_CHARS)] = "0",
                minutes: Annotated[str, Form(max_length=NAME_CHARS)] = "0",
                tenant: Annotated[str, Form()] = "",
                site: Annotated[str, Form()] = "", queue: Annotated[str, Form()] = "",
                channel: Annotated[str, Form()] = "",
                webhook_url: Annotated[str, Form()] = "") -> Response:
    """A rule from the page's form; a bad value keeps the form as typed with a sentence."""
    require_roles(principal, "admin", "supervisor")
    typed = {"name": name, "kind": kind, "threshold": threshold, "minutes": minutes,
             "tenant": tenant, "site": site, "queue": queue, "channel": channel,
             "webhook_url": webhook_url}
    # a value over its limit is refused by name, not echoed back into the form
    limits = {"webhook_url": LONG_TEXT_CHARS, "channel": CHANNEL_CHARS}
    typed = {k: v if len(v) <= limits.get(k, NAME_CHARS) else "" for k, v in typed.items()}
    problem = _threshold_error(kind, threshold, minutes)
    if problem is None and kind not in ALERT_KINDS:
        problem = f"Choose a kind from the list ({', '.join(ALERT_KINDS)})."
    if problem is not None:
        return _alerts_page(request, state, principal, _translated(request, problem), typed,
                            422)
    try:
        rule = RuleIn(name=name, kind=kind,
                      threshold=float(threshold.strip().replace(",", ".")),
                      minutes=float(minutes.strip().replace(",", ".") or 0),
                      tenant=tenant or None, site=site or None, queue=queue or None,
                      channel=channel or None, webhook_url=webhook_url or None)
        _create_rule(state, principal, rule)
    except ValidationError as exc:
        return _alerts_page(request, state, principal,
                            describe_validation_error("alert rule", exc), typed, 422)
    except UsageError as exc:
        return _alerts_page(request, state, principal, str(exc), typed, 400)
    return RedirectResponse("/alerts", status_code=303)


def _translated(request: Request, text: str) -> str:
    """A sentence of this page in the page's language (the numbers typed kept)."""
    from omnikpi.web.i18n import choose_language, translator

    _ = translator(choose_language(request))
    for pattern in ALERT_MESSAGES:
        found = pattern[0].fullmatch(text)
        if found:
            return _(pattern[1]).format(**found.groupdict())
    return _(text)


ALERT_MESSAGES = [
    (re.compile(r"The threshold “(?P<value>.*)” is not a number\.", re.S),
     "The threshold “{value}” is not a number."),
    (re.compile(r"“(?P<value>.*)” minutes is not a number\.", re.S),
     "“{value}” minutes is not a number."),
    (re.compile(r"Choose a kind from the list \((?P<kinds>.*)\)\.", re.S),
     "Choose a kind from the list ({kinds})."),
]


@router.post("/alerts/{rule_id}/delete", include_in_schema=False)
def delete_alert(state: State, principal: Caller, rule_id: RowId) -> Response:
    require_roles(principal, "admin", "supervisor")
    with session_scope(state.database_url) as session:
        rule = session.get(AlertRule, rule_id)
        if rule is None or not _visible(principal, rule):
            raise HTTPException(404, "no such rule")
        session.delete(rule)
        audit(session, principal.name, "alert_rule_deleted", {"id": rule_id})
    if state.live is not None:
        state.live.alerts.reload()
    return RedirectResponse("/alerts", status_code=303)

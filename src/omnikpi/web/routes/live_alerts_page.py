"""The alerts page: the rules (add, edit, pause, delete) and the recent firings, in the
page's language; the rules themselves are checked and stored by ``live_alerts``."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from omnikpi import formatting
from omnikpi.auth.accounts import Principal, audit
from omnikpi.engine.timezones import zone
from omnikpi.errors import UsageError, describe_validation_error
from omnikpi.live.alert_kinds import (
    ALERT_KINDS,
    KINDS,
    clear_level_problem,
    number,
    queue_problem,
    sentence,
    threshold_problem,
)
from omnikpi.store.db import session_scope
from omnikpi.store.models import AlertRule
from omnikpi.store.models_live import AlertRuleOptions
from omnikpi.web.deps import RowId, State
from omnikpi.web.limits import LONG_TEXT_CHARS, MAX_INT, NAME_CHARS
from omnikpi.web.page_errors import in_page_language, translator_of
from omnikpi.web.routes.live_alerts import (
    RuleIn,
    create_rule,
    list_alerts,
    rule_visible,
    set_rule_enabled,
    update_rule,
)
from omnikpi.web.security import Caller, require_roles
from omnikpi.web.templating import templates

router = APIRouter(include_in_schema=False)


@router.get("/alerts", response_class=HTMLResponse, include_in_schema=False)
def alerts_page(request: Request, state: State, principal: Caller,
                edit: int | None = None,
                before_id: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None) -> Response:
    """The page; ``?edit=ID`` fills the form with that rule's settings, ``?before_id=ID``
    lists the firings older than that one."""
    require_roles(principal, "admin", "supervisor")
    if edit is None:
        return _alerts_page(request, state, principal, before_id=before_id)
    rule = next((r for r in list_alerts(state, principal)["rules"] if r["id"] == edit), None)
    if rule is None:
        raise HTTPException(404, "no such rule")

    from omnikpi.web.i18n import choose_language

    lang = choose_language(request)

    def text(value: Any) -> str:  # a number as the page's new-rule form writes it (0,8)
        return "" if value is None else formatting.as_typed(value, lang) \
            if isinstance(value, float) else str(value)

    typed = {key: text(rule[key]) for key in (
        "name", "kind", "threshold", "minutes", "window_minutes", "clear_threshold",
        "tenant", "site", "queue", "channel", "webhook_url")}
    typed["window_minutes"] = typed["window_minutes"] if rule["window_minutes"] else ""
    typed["emails"] = ", ".join(rule["emails"])
    typed["editing"] = str(edit)
    typed["hidden_webhook"] = "1" if rule["has_webhook"] and not rule["webhook_url"] else ""
    return _alerts_page(request, state, principal, typed=typed)


def event_text(event: dict[str, Any], lang: str) -> str:
    """A firing's sentence in an interface language (an old firing: its stored text)."""
    from omnikpi.web.i18n import translator
    from omnikpi.web.routes.live import alert_message

    facts = event.get("facts")
    if facts and "kind" in facts:
        return sentence(facts, translator(lang))
    return alert_message(str(event["message"]), lang)


def _alerts_page(request: Request, state: State, principal: Principal,
                 error: str | None = None, typed: dict[str, str] | None = None,
                 status: int = 200, before_id: int | None = None) -> Response:
    from omnikpi.web.i18n import choose_language
    from omnikpi.web.routes.live import alert_message

    data = list_alerts(state, principal, before_id)
    lang = choose_language(request)
    local = zone(state.tz)
    events = [{**e, "subject": alert_message(str(e["subject"]), lang),
               "message": event_text(e, lang),
               **{k: e[k].astimezone(local) for k in ("started_at", "ended_at",
                                                      "acknowledged_at") if e[k]}}
              for e in data["events"]]
    return templates.TemplateResponse(request, "alerts.html", {
        "filters": None, "rules": data["rules"], "events": events, "tz": state.tz,
        "kinds": ALERT_KINDS, "kind_names": ALERT_KIND_NAMES,
        "kind_help": {k: kind.help for k, kind in KINDS.items()},
        "error": error, "typed": typed or {}, "older": data["older_before_id"],
        "newest": before_id is not None, "before_id": before_id,
        "name_max": NAME_CHARS, "threshold_text": _threshold_text(lang)},
        status_code=status)


def _threshold_text(lang: str) -> Callable[[str, Any], str]:
    """A rule's threshold (or clear level) in its figure's unit, as the firings' sentences
    write it ("80 %" for 0.8, "2 min" for 120 s; a bare "0,8" read as nothing)."""
    from omnikpi.web.i18n import translator

    _ = translator(lang)

    def text(kind: str, value: Any) -> str:
        found = KINDS.get(kind)
        if value is None or found is None:
            return ""
        return number(float(value), found.unit, _)

    return text


ALERT_KIND_NAMES = {
    "sl_below": "service level below",
    "abandon_over": "abandon rate above",
    "longest_wait_over": "longest wait over",
    "waiting_over": "contacts waiting above",
    "available_below": "agents available below",
    "aht_over": "AHT above",
    "not_ready_over": "not ready longer than",
    "adherence_below": "adherence below",
    "backlog_age_over": "oldest backlog item over",
    "widget_unavailable": "channel unavailable",
    "agent_over_capacity": "agent over chat capacity",
}
"""Each alert kind (``ALERT_KINDS``) as the alerts page names it (the form sends the id)."""


def _number(text: str) -> float:
    value = float(text.strip().replace(",", "."))
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _threshold_error(kind: str, threshold: str, minutes: str, window: str = "",
                     clear: str = "") -> str | None:
    """What is wrong with a rule's numbers as typed on the page, in words (None: fine)."""
    try:
        value = _number(threshold)
    except ValueError:
        return f"The threshold “{threshold[:40]}” is not a number."
    problem = threshold_problem(kind, value)
    if problem is not None:
        return problem
    for typed in (minutes, window):
        try:
            span = _number(typed) if typed.strip() else 0.0
        except ValueError:
            return f"“{typed[:40]}” minutes is not a number."
        if not 0 <= span <= 24 * 60:
            return "Minutes must be a number from 0 to 1440."
    if clear.strip():
        try:
            level = _number(clear)
        except ValueError:
            return f"The threshold “{clear[:40]}” is not a number."
        return threshold_problem(kind, level) or clear_level_problem(kind, value, level)
    return None


RuleText = Annotated[str, Form(max_length=NAME_CHARS)]
RuleLongText = Annotated[str, Form(max_length=LONG_TEXT_CHARS)]


class _FormProblem(Exception):
    """A rule form that cannot be saved: the page again, with a sentence and a status."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


AGENTS_HAVE_NO_QUEUE = ("This alert is about agents, who have no queue: leave the queue "
                        "empty (narrow it by tenant, site or channel).")


def _rule_from_form(request: Request, typed: dict[str, str]) -> RuleIn:
    """The page form's fields as a rule (new or edited), or the problem in words."""
    kind, threshold, minutes = typed["kind"], typed["threshold"], typed["minutes"]
    window, clear = typed["window_minutes"], typed["clear_threshold"]
    problem = _threshold_error(kind, threshold, minutes, window, clear)
    if problem is None and kind not in ALERT_KINDS:
        problem = f"Choose a kind from the list ({', '.join(ALERT_KINDS)})."
    if problem is None and queue_problem(kind, typed["queue"].strip()):
        problem = AGENTS_HAVE_NO_QUEUE
    if problem is not None:
        raise _FormProblem(_translated(request, problem), 422)
    _check_lengths(request, typed)
    try:
        return RuleIn(name=typed["name"], kind=kind, threshold=_number(threshold),
                      minutes=_number(minutes) if minutes.strip() else 0.0,
                      window_minutes=_number(window) if window.strip() else 0.0,
                      clear_threshold=_number(clear) if clear.strip() else None,
                      tenant=typed["tenant"] or None, site=typed["site"] or None,
                      queue=typed["queue"] or None, channel=typed["channel"] or None,
                      webhook_url=typed["webhook_url"] or None,
                      emails=[a for a in re.split(r"[,\s;]+", typed["emails"]) if a])
    except ValidationError as exc:
        raise _FormProblem(describe_validation_error("alert rule", exc), 422) from None


FIELD_LABELS = {"name": "name", "tenant": "tenant", "site": "site", "queue": "queue",
                "channel": "channel", "webhook_url": "webhook address"}
"""Each text field of the rule form as the form labels it (msgids of the catalogs)."""
FIELD_LIMITS = {name: next(rule.max_length for rule in RuleIn.model_fields[name].metadata
                           if hasattr(rule, "max_length"))
                for name in FIELD_LABELS}
"""The length limit of each text field: ``RuleIn``'s own (read, not typed again)."""
SHOWN_BACK_CHARS = 1_000
"""A value over its limit is shown again in the form up to this length (a name a little
too long is shortened there, not typed again); a longer one is not echoed back."""


def _check_lengths(request: Request, typed: dict[str, str]) -> None:
    """A field over its limit, refused in the page's language with its label, its length
    and the limit (pydantic's English "String should have at most 150 characters" was
    shown on every page)."""
    from omnikpi.web.i18n import choose_language

    _, lang = translator_of(request), choose_language(request)
    for key, limit in FIELD_LIMITS.items():
        length = len(typed.get(key, ""))
        if length > limit:
            raise _FormProblem(_(
                "{field}: {length} characters, at most {limit}. Shorten it and send the "
                "form again.").format(field=_(FIELD_LABELS[key]),
                                      length=formatting.count(length, lang),
                                      limit=formatting.count(limit, lang)), 422)


def _typed(fields: dict[str, str]) -> dict[str, str]:
    """The form as typed, to show again; a value over its limit is refused by name and
    shown again while it is short enough to edit (``SHOWN_BACK_CHARS``), not echoed back
    beyond that (half a megabyte in a field came back in the page)."""
    limits = {**FIELD_LIMITS, "emails": LONG_TEXT_CHARS}
    return {k: v if len(v) <= max(limits.get(k, NAME_CHARS), SHOWN_BACK_CHARS) else ""
            for k, v in fields.items()}


def _rule_fields(name: Annotated[str, Form()], kind: Annotated[str, Form()],
                 threshold: RuleText = "0", minutes: RuleText = "0",
                 window_minutes: RuleText = "", clear_threshold: RuleText = "",
                 tenant: Annotated[str, Form()] = "",
                 site: Annotated[str, Form()] = "", queue: Annotated[str, Form()] = "",
                 channel: Annotated[str, Form()] = "",
                 webhook_url: Annotated[str, Form()] = "",
                 emails: Annotated[str, Form()] = "") -> dict[str, str]:
    """The rule form's fields as sent (one list for adding and editing a rule)."""
    return {"name": name, "kind": kind, "threshold": threshold, "minutes": minutes,
            "window_minutes": window_minutes, "clear_threshold": clear_threshold,
            "tenant": tenant, "site": site, "queue": queue, "channel": channel,
            "webhook_url": webhook_url, "emails": emails}


RuleFields = Annotated[dict[str, str], Depends(_rule_fields)]


@router.post("/alerts", include_in_schema=False)
def alerts_form(request: Request, state: State, principal: Caller,
                raw: RuleFields) -> Response:
    """A rule from the page's form; a bad value keeps the form as typed with a sentence."""
    require_roles(principal, "admin", "supervisor")
    return _saved_or_form(request, state, principal, _typed(raw), lambda: create_rule(
        state, principal, _rule_from_form(request, raw)))


def _saved_or_form(request: Request, state: State, principal: Principal,
                   typed: dict[str, str], save: Callable[[], object]) -> Response:
    """Back to the page once ``save`` stored the rule; the form as typed, with the
    problem in words, when it could not."""
    try:
        save()
    except _FormProblem as exc:
        return _alerts_page(request, state, principal, str(exc), typed, exc.status)
    except UsageError as exc:
        return _alerts_page(request, state, principal, _translated(request, str(exc)),
                            typed, 400)
    return RedirectResponse("/alerts", status_code=303)


@router.post("/alerts/{rule_id}/edit", include_in_schema=False)
def alerts_edit_form(request: Request, state: State, principal: Caller, rule_id: RowId,
                     raw: RuleFields) -> Response:
    """New settings for a rule from the page's form (a paused rule stays paused)."""
    require_roles(principal, "admin", "supervisor")
    typed = {**_typed(raw), "editing": str(rule_id)}
    return _saved_or_form(request, state, principal, typed, lambda: update_rule(
        state, principal, rule_id, _rule_from_form(request, raw), keep_enabled=True))


@router.post("/alerts/{rule_id}/pause", include_in_schema=False)
def alerts_pause(state: State, principal: Caller, rule_id: RowId) -> Response:
    set_rule_enabled(state, principal, rule_id, False)
    return RedirectResponse("/alerts", status_code=303)


@router.post("/alerts/{rule_id}/resume", include_in_schema=False)
def alerts_resume(state: State, principal: Caller, rule_id: RowId) -> Response:
    set_rule_enabled(state, principal, rule_id, True)
    return RedirectResponse("/alerts", status_code=303)


def _translated(request: Request, text: str) -> str:
    """A sentence of this page in the page's language (the values typed kept)."""
    return in_page_language(request, text, ALERT_MESSAGES)


ALERT_MESSAGES = [
    (re.compile(re.escape(AGENTS_HAVE_NO_QUEUE)), AGENTS_HAVE_NO_QUEUE),
    (re.compile(r"The threshold “(?P<value>.*)” is not a number\.", re.S),
     "The threshold “{value}” is not a number."),
    (re.compile(r"“(?P<value>.*)” minutes is not a number\.", re.S),
     "“{value}” minutes is not a number."),
    (re.compile(r"Choose a kind from the list \((?P<kinds>.*)\)\.", re.S),
     "Choose a kind from the list ({kinds})."),
    (re.compile(r"'(?P<value>.*)' is not an e-mail address \(name@example\.com\)", re.S),
     "“{value}” is not an e-mail address (name@example.com)."),
    # the webhook's address (``delivery.webhook.resolve``), the host kept as typed
    (re.compile(r"a webhook must be an http\(s\) URL with a host"),
     "The webhook address must be an http or https address with a host, such as "
     "https://example.com/hook."),
    (re.compile(r"a webhook URL cannot carry a user name or password"),
     "The webhook address cannot carry a user name or password: remove the part before "
     "“@”."),
    (re.compile(r"a webhook URL has a bad port"),
     "The webhook address has a bad port: the port is a number up to 65535."),
    (re.compile(r"webhook host (?P<q>['\"])(?P<host>.*)(?P=q) cannot be resolved \(.*\)",
                re.S),
     "The webhook host “{host}” cannot be found: check the address."),
    (re.compile(r"webhook host (?P<q>['\"])(?P<host>.*)(?P=q) resolves to (?P<address>\S+), "
                r"an address of this machine or a private network; .*", re.S),
     "The webhook host “{host}” is {address}, an address of this machine or of a private "
     "network: an administrator can allow the host in the configuration ([alerts] "
     "webhook_allowed_hosts)."),
]


@router.post("/alerts/{rule_id}/delete", include_in_schema=False)
def delete_alert(state: State, principal: Caller, rule_id: RowId) -> Response:
    require_roles(principal, "admin", "supervisor")
    with session_scope(state.database_url) as session:
        rule = session.get(AlertRule, rule_id)
        if rule is None or not rule_visible(principal, rule):
            raise HTTPException(404, "no such rule")
        options = session.get(AlertRuleOptions, rule_id)
        if options is not None:  # SQLite enforces no ON DELETE CASCADE by default
            session.delete(options)
            # gone before the rule: where the database cascades, deleting the rule first
            # took the options with it and the second DELETE matched nothing (a warning)
            session.flush()
        session.delete(rule)
        audit(session, principal.name, "alert_rule_deleted", {"id": rule_id})
    if state.live is not None:
        state.live.alerts.reload()
    return RedirectResponse("/alerts", status_code=303)

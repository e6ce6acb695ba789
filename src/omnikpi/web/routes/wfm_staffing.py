"""The staffing calculator (/wfm/staffing): how many agents a service target needs.

A WFM planner's question in the browser, answered by the functions of ``omnikpi wfm
staff``, ``evaluate`` and ``backlog`` (so the page and the command line give the same
numbers): for one interval of calls or chats — Erlang C (callers wait as long as it
takes), Erlang A (callers hang up after their patience), Erlang B (no queue), a chat agent
holding several sessions — the fewest agents meeting the targets, the positions to
schedule after shrinkage, the staff levels around that answer and a chart of service level
and occupancy against agents; for a day of e-mail, the agents its backlog needs.

The filter bar's period, channel and queue give the measured busiest interval and the
period's AHT (the engine's ``offered`` and ``aht`` on the caller's scoped data), one click
away from the form. The form is a GET, so a link keeps a calculation; its fields are read
here rather than by FastAPI, so a typo shows the page with a sentence in the page's
language instead of a JSON error.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from omnikpi import formatting
from omnikpi.delivery.disposition import attachment
from omnikpi.errors import DataError, UsageError
from omnikpi.instants import with_offset
from omnikpi.web import service
from omnikpi.web.audit_trail import record_taken
from omnikpi.web.deps import FilterParams, Filters, View, ViewDep
from omnikpi.web.form_fields import Field, Translate, number_text, read_fields
from omnikpi.web.i18n import choose_language, translator
from omnikpi.web.security import require_roles
from omnikpi.web.templating import templates
from omnikpi.wfm.backtest import MIN_HISTORY_DAYS, ShortHistory
from omnikpi.wfm.day_plan import DayPlan, plan_days
from omnikpi.wfm.erlang import QueueTooLong
from omnikpi.wfm.forecast import HISTORY_FILTER
from omnikpi.wfm.planning import backlog_agents, plan_rows
from omnikpi.wfm.staffing import (
    MAX_AGENTS,
    MAX_CONCURRENCY,
    NoStaffingMeets,
    StaffingResult,
    evaluate,
    positions_for,
    staff,
    traffic_erlangs,
)

router = APIRouter(include_in_schema=False)
READERS = ("admin", "supervisor")
KINDS = ("calls", "chat", "email", "day")
MODELS = ("erlang_c", "erlang_a", "erlang_b")
CHAT_MODELS = ("erlang_c", "erlang_a")
GRAIN_OF_INTERVAL = {15: "15min", 30: "30min", 60: "hour"}
CHANNEL_OF_KIND = {"calls": "voice", "chat": "chat", "email": "email", "day": "voice"}
"""The channel measured for a kind of work when the filter bar names none."""
FILTER_KEYS = ("from", "to", "to_day", "tz", "as_of", "channel", "queue", "site", "tenant",
               "agent_id", "lang")
"""What a tab keeps of the address: the filter bar's choices, not the form's numbers."""
LEVELS_AROUND = 3
"""Staff levels shown on each side of the answer in the table."""
CHART_AROUND = 10
"""Staff levels drawn on each side of the answer in the chart."""
MAX_VOLUME = 1_000_000


VOLUME = Field("volume", "Contacts in the interval", 100, 0, MAX_VOLUME)
INTERVAL = Field("interval_minutes", "Interval, minutes", "30", choices=("15", "30", "60"))
AHT = Field("aht", "Average handle time, seconds", 180, 0, 86_400, low_open=True)
TARGET_SL = Field("target_sl", "Service level target, %", 80, 0, 100, low_open=True,
                  high_open=True, optional=True, percent=True, no_share=True)
THRESHOLD = Field("threshold", "Answered within, seconds", 20, 0, 86_400)
TARGET_ASA = Field("target_asa", "ASA target, seconds", None, 0, 86_400, low_open=True,
                   optional=True)
MAX_OCCUPANCY = Field("max_occupancy", "Occupancy cap, %", None, 0, 100, low_open=True,
                      optional=True, percent=True, no_share=True)
MAX_ABANDON = Field("max_abandon", "Abandonment cap, % (Erlang A)", None, 0, 100,
                    low_open=True, high_open=True, optional=True, percent=True)
SHRINKAGE = Field("shrinkage", "Shrinkage, %", 30, 0, 100, high_open=True, percent=True)
MODEL = Field("model", "Model", "erlang_c", choices=MODELS)
CHAT_MODEL = Field("model", "Model", "erlang_c", choices=CHAT_MODELS)
PATIENCE = Field("patience", "Mean patience, seconds (Erlang A)", 120, 0, 86_400,
                 low_open=True)
CONCURRENCY = Field("concurrency", "Sessions an agent holds at once", 2, 1, MAX_CONCURRENCY,
                    integer=True)
EMAILS = Field("volume", "E-mails arriving in the day", 400, 0, MAX_VOLUME)
EMAIL_AHT = Field("aht", "Average handle time, seconds", 360, 0, 86_400, low_open=True)
WORKING_HOURS = Field("working_hours", "Hours the team works in the day", 8, 0, 24,
                      low_open=True)
THRESHOLD_HOURS = Field("threshold_hours", "Answer within, hours", 24, 0, 8_760,
                        low_open=True)
OPENING_BACKLOG = Field("opening_backlog", "Unanswered at the start of the day", 0, 0,
                        MAX_VOLUME)
EMAIL_OCCUPANCY = Field("max_occupancy", "Occupancy cap, %", 85, 0, 100, low_open=True,
                        percent=True, no_share=True)
DAYS = Field("days", "Days to plan", 1, 1, 7, integer=True)
FIELDS: Mapping[str, tuple[Field, ...]] = {
    "calls": (MODEL, VOLUME, INTERVAL, AHT, TARGET_SL, THRESHOLD, TARGET_ASA, MAX_OCCUPANCY,
              PATIENCE, MAX_ABANDON, SHRINKAGE),
    "chat": (CHAT_MODEL, VOLUME, INTERVAL,
             Field("aht", "Average handle time, seconds", 480, 0, 86_400, low_open=True),
             TARGET_SL, Field("threshold", "Answered within, seconds", 60, 0, 86_400),
             TARGET_ASA, MAX_OCCUPANCY, CONCURRENCY, PATIENCE, MAX_ABANDON, SHRINKAGE),
    "email": (EMAILS, EMAIL_AHT, WORKING_HOURS, THRESHOLD_HOURS, OPENING_BACKLOG,
              EMAIL_OCCUPANCY, SHRINKAGE),
    "day": (CHAT_MODEL, INTERVAL, DAYS, TARGET_SL, THRESHOLD, TARGET_ASA, MAX_OCCUPANCY,
            Field("concurrency", "Sessions an agent holds at once", 1, 1, MAX_CONCURRENCY,
                  integer=True), PATIENCE, MAX_ABANDON, SHRINKAGE),
}
"""The form of each kind of work, in the order shown."""


@dataclass
class Form:
    """The form as typed and as read: its fields, their text, values and problems."""

    kind: str
    fields: tuple[Field, ...]
    texts: dict[str, str]
    values: dict[str, Any]
    problems: list[str]


def read_form(kind: str, query: Mapping[str, str], _: Translate) -> Form:
    fields = FIELDS[kind]
    read = read_fields(fields, query, _)
    return Form(kind, fields, read.texts, read.values, list(read.problems.values()))


def _level(result: StaffingResult) -> dict[str, Any]:
    """A staff level for the page: an ASA without end (agents who cannot carry the
    traffic) is ``overloaded``, not a number."""
    asa = result.asa
    overloaded = asa is not None and math.isinf(asa)
    return {"agents": result.agents, "positions": result.positions,
            "service_level": result.service_level, "asa": None if overloaded else asa,
            "overloaded": overloaded, "occupancy": result.occupancy,
            "p_abandon": result.p_abandon, "p_block": result.p_block}


def _levels(values: Mapping[str, Any], around: int, lowest: int, highest: int,
            concurrency: int) -> list[dict[str, Any]]:
    """What each staff level from ``around − lowest`` to ``around + highest`` gives (an
    overload too deep for Erlang A to solve is left out)."""
    rows = []
    for agents in range(max(0, around - lowest), min(MAX_AGENTS, around + highest) + 1):
        try:
            result = evaluate(values["volume"], values["interval_minutes"], values["aht"],
                              agents, values["threshold"], values["model"],
                              values["patience"], values["shrinkage"], concurrency)
        except QueueTooLong:
            continue
        rows.append(_level(result))
    return rows


def _check_target(values: Mapping[str, Any], _: Translate) -> None:
    """A plan needs a service-level, ASA, occupancy or abandonment target, and an
    abandonment cap needs the model with callers who give up (said before any work).
    Erlang A's ASA and occupancy alone are met by understaffing (1 agent, 91 % of the
    callers hanging up): they need a service level or an abandonment target beside."""
    if values["target_sl"] is None and values["target_asa"] is None \
            and values["max_occupancy"] is None and values["max_abandon"] is None:
        raise UsageError(_("Give a target: a service level, an ASA, an occupancy cap or an "
                           "abandonment cap."))
    if values["max_abandon"] is not None and values["model"] != "erlang_a":
        raise UsageError(_("An abandonment cap needs the model where customers give up "
                           "(Erlang A)."))
    # the targets the model can measure, as `wfm staff` checks them (staffing.py)
    if values["model"] == "erlang_a" and values["target_sl"] is None \
            and values["max_abandon"] is None \
            and (values["target_asa"] is not None or values["max_occupancy"] is not None):
        raise UsageError(_("Erlang A cannot be staffed to an ASA target or an occupancy cap "
                           "alone: impatient callers leave the queue instead of waiting, so "
                           "too few agents meet them while most callers hang up. Give a "
                           "service level target or an abandonment cap as well."))
    if values["model"] == "erlang_b" and values["target_asa"] is not None:
        raise UsageError(_("An ASA target needs a model with a queue (Erlang C or Erlang A): "
                           "with Erlang B nobody waits."))
    if values["target_sl"] is None and values["target_asa"] is None \
            and values["max_abandon"] is None and values["max_occupancy"] is not None:
        if values["model"] == "erlang_b":
            raise UsageError(_("Erlang B cannot be staffed to an occupancy cap alone (its "
                               "occupancy falls as more calls are blocked): give a service "
                               "level target."))
        if values["max_occupancy"] >= 1:
            raise UsageError(_("An occupancy cap of 100 % alone asks for no agent: give a "
                               "service level, ASA or abandonment target as well."))


def _no_staffing(_: Translate, lang: str) -> str:
    """What :class:`NoStaffingMeets` says on a page, the limit in the page's numbers."""
    return _("No staffing up to {agents} agents meets these targets.").format(
        agents=formatting.count(MAX_AGENTS, lang))


def interval_answer(form: Form, _: Translate, lang: str) -> dict[str, Any]:
    """Calls or chats in one interval: the fewest agents meeting the targets, the levels
    around them, the chart's points and the command line that gives the same answer."""
    values = dict(form.values)
    values["interval_minutes"] = float(values["interval_minutes"])
    concurrency = int(values.get("concurrency") or 1)
    _check_target(values, _)
    if values["model"] != "erlang_a":
        values["patience"] = None
    try:
        result = staff(values["volume"], values["interval_minutes"], values["aht"],
                       values["target_sl"], values["threshold"], values["model"],
                       values["patience"], values["max_occupancy"], values["shrinkage"],
                       concurrency, values["target_asa"], values["max_abandon"])
    except NoStaffingMeets as exc:
        raise UsageError(_no_staffing(_, lang)) from exc
    traffic = traffic_erlangs(values["volume"], values["interval_minutes"], values["aht"])
    # Erlang C below the traffic is a flat line of no service: start just under it
    floor = math.floor(traffic / concurrency) - 1 if values["model"] == "erlang_c" else 0
    chart = [p for p in _levels(values, result.agents, CHART_AROUND, CHART_AROUND,
                                concurrency) if p["agents"] > max(0, floor)]
    return {"result": _level(result), "traffic": traffic,
            "levels": _levels(values, result.agents, LEVELS_AROUND, LEVELS_AROUND,
                              concurrency),
            "chart": chart, "command": _staff_command(form.kind, values, concurrency)}


def _option(name: str, value: Any) -> list[str]:
    if value is None:
        return []
    return [f"--{name.replace('_', '-')}", number_text(value)]


def _staff_command(kind: str, values: Mapping[str, Any], concurrency: int) -> str:
    parts = ["omnikpi", "wfm", "staff", "--volume", number_text(values["volume"]),
             "--interval-minutes", number_text(values["interval_minutes"]),
             "--aht", number_text(values["aht"])]
    parts += _option("target_sl", values["target_sl"])
    parts += _option("threshold", values["threshold"])
    parts += _option("target_asa", values["target_asa"])
    parts += _option("max_occupancy", values["max_occupancy"])
    if values["model"] != "erlang_c":
        parts += ["--model", values["model"]]
    parts += _option("patience", values["patience"])
    parts += _option("max_abandon", values["max_abandon"])
    if values["shrinkage"]:
        parts += _option("shrinkage", values["shrinkage"])
    if kind == "chat":
        parts += ["--concurrency", str(concurrency)]
    return " ".join(parts)


def email_answer(form: Form, _: Translate, lang: str) -> dict[str, Any]:
    """A day of e-mail: agents to answer every message within the threshold."""
    v = form.values
    limit = min(v["threshold_hours"], v["working_hours"])
    if v["aht"] > limit * 3600:
        what = _("the promise") if v["threshold_hours"] <= v["working_hours"] \
            else _("the working day")
        raise UsageError(_("One e-mail takes {aht} s to handle, longer than {what} ({hours} "
                           "h): no number of agents answers it in time.").format(
            aht=number_text(v["aht"]), what=what,
            hours=number_text(limit)))
    try:
        agents = backlog_agents(v["volume"], v["aht"], v["working_hours"],
                                v["threshold_hours"], v["opening_backlog"], v["max_occupancy"])
    except NoStaffingMeets as exc:
        raise UsageError(_no_staffing(_, lang)) from exc
    parts = ["omnikpi", "wfm", "backlog", "--volume", number_text(v["volume"]),
             "--aht", number_text(v["aht"]), "--working-hours", number_text(v["working_hours"]),
             "--threshold-hours", number_text(v["threshold_hours"]),
             "--opening-backlog", number_text(v["opening_backlog"]),
             "--max-occupancy", number_text(v["max_occupancy"]),
             "--shrinkage", number_text(v["shrinkage"])]
    return {"agents": agents, "positions": positions_for(agents, v["shrinkage"]),
            "work_hours": (v["opening_backlog"] + v["volume"]) * v["aht"] / 3600,
            "command": " ".join(parts)}


def _history_where(filters: Filters, kind: str) -> dict[str, list[str]]:
    """The customers' contacts (``HISTORY_FILTER``) of the kind's channel, unless the
    filter bar names channels."""
    where = dict(HISTORY_FILTER)
    if not (filters.where or {}).get("channel"):
        where["channel"] = [CHANNEL_OF_KIND[kind]]
    return where


def day_plan(view: View, filters: Filters, form: Form, _: Translate,
             lang: str) -> DayPlan:
    """The days after the filters' period, forecast from its intervals and staffed — once
    per scope, filters and form until the dataset is reloaded (the backtest of every model
    is the slow part; the page and its CSV ask for the same plan)."""
    key = "wfm:day-plan:" + repr((view.cache_key, sorted(form.values.items()), filters.tz,
                                  filters.from_, filters.to, filters.as_of,
                                  sorted((filters.where or {}).items())))
    return service.remembered(view, key, DayPlan,
                              lambda: _day_plan(view, filters, form, _, lang))


def _day_plan(view: View, filters: Filters, form: Form, _: Translate,
              lang: str) -> DayPlan:
    values = form.values
    minutes = int(values["interval_minutes"])
    _check_target(values, _)
    rows = _day_history(view, filters, minutes)
    try:
        return plan_days(rows, minutes, values["days"], values["target_sl"],
                         values["threshold"], filters.tz, model=values["model"],
                         patience_seconds=values["patience"] if values["model"] == "erlang_a"
                         else None, max_occupancy=values["max_occupancy"],
                         shrinkage=values["shrinkage"], concurrency=values["concurrency"],
                         target_asa_seconds=values["target_asa"],
                         max_abandon=values["max_abandon"])
    except NoStaffingMeets as exc:
        raise UsageError(_no_staffing(_, lang)) from exc
    except ShortHistory as exc:
        raise UsageError(_("The filters' period holds {days} day(s) of history: a day plan "
                           "needs at least {needed} (the last is held out to choose the "
                           "forecast model).").format(days=exc.days,
                                                      needed=MIN_HISTORY_DAYS)) from exc
    except DataError as exc:
        raise UsageError(_("The filters' period has no contacts to forecast from: choose a "
                           "longer period, another queue or channel.")) from exc


def _day_history(view: View, filters: Filters, minutes: int) -> Any:
    """The filters' period's offered contacts and AHT per interval (cached): what the day
    plan forecasts from."""
    return service.report(view, filters, metrics=["offered", "aht"], by=[],
                          grain=GRAIN_OF_INTERVAL[minutes],
                          where=_history_where(filters, "day")).rows


def _day_answer(plan: DayPlan) -> dict[str, Any]:
    rows = plan_rows(plan.planned)
    chosen = plan.forecast.chosen
    return {"rows": rows, "peak": plan.peak, "contacts": plan.contacts,
            "agent_hours": plan.agent_hours, "position_hours": plan.position_hours,
            "model": chosen, "wape": plan.forecast.scores[chosen].volume_wape,
            "backtest_days": plan.forecast.backtest_days}


def measured(view: View, filters: Filters, kind: str,
             interval_minutes: int | None) -> dict[str, Any] | None:
    """The filters' busiest interval (contacts offered; a day for e-mail, whose plan is
    daily) and the period's AHT, measured on the caller's data — of the kind's channel
    unless the filter bar names channels; None when the filters hold no contact."""
    if not view.dataset.has("contacts"):
        return None
    where = _history_where(filters, kind)
    grain = "day" if interval_minutes is None else GRAIN_OF_INTERVAL[interval_minutes]
    rows = service.report(view, filters, metrics=["offered"], by=[], grain=grain,
                          where=where).rows
    busiest = max(rows, key=lambda r: (r["offered"] or 0, r["period_start"]), default=None)
    if busiest is None or not busiest["offered"]:
        return None
    total = service.report(view, filters, metrics=["aht"], by=[], grain="total",
                           where=where).rows
    aht = total[0]["aht"] if total else None
    return {"start": busiest["period_start"], "offered": busiest["offered"], "aht": aht,
            "minutes": interval_minutes,
            "channels": where.get("channel")}


def _link(request: Request, **changes: Any) -> str:
    query = {k: v for k, v in request.query_params.items() if k not in changes}
    query.update({k: str(v) for k, v in changes.items() if v is not None})
    return f"{request.url.path}?{urlencode(query)}"


@router.get("/wfm/staffing", response_class=HTMLResponse)
def staffing_page(request: Request, view: ViewDep, filters: FilterParams) -> Response:
    require_roles(view.principal, *READERS)
    lang = choose_language(request)
    _ = translator(lang)
    kind = request.query_params.get("kind", "calls")
    unknown = kind not in KINDS
    if unknown:  # kind=chats showed the calls form without a word
        kind = "calls"
    form = read_form(kind, request.query_params, _)
    answer: dict[str, Any] | None = None
    problems = list(form.problems)
    if kind == "day" and not problems:  # the filters' own errors (a reversed period) as
        _day_history(view, filters, int(form.values["interval_minutes"]))  # every tab's
    if not problems:
        try:
            if kind == "day":
                answer = _day_answer(day_plan(view, filters, form, _, lang))
            elif kind == "email":
                answer = email_answer(form, _, lang)
            else:
                answer = interval_answer(form, _, lang)
        except UsageError as exc:
            problems.append(str(exc))
    notice = _("There is no such kind of work: the calls are shown (the tabs above choose "
               "chats, e-mail or the day plan).") if unknown else None
    seen = None if kind == "day" else measured(
        view, filters, kind, None if kind == "email" else int(form.values["interval_minutes"]))
    use_link = None if seen is None else _link(
        request, volume=seen["offered"], aht=None if seen["aht"] is None else round(seen["aht"]))
    kept = {k: v for k, v in request.query_params.items() if k in FILTER_KEYS}
    tabs = {k: f"{request.url.path}?{urlencode({**kept, 'kind': k})}" for k in KINDS}
    return templates.TemplateResponse(request, "wfm_staffing.html", {
        "filters": filters, "kind": kind, "form": form, "answer": answer,
        "problems": problems, "notice": notice, "measured": seen, "use_link": use_link,
        "tabs": tabs,
        "filter_keys": FILTER_KEYS,
        "history_channel": None if (filters.where or {}).get("channel") else "voice",
        "csv_link": f"/wfm/staffing/plan.csv?{request.url.query}"})


@router.get("/wfm/staffing/plan.csv")
def day_plan_csv(request: Request, view: ViewDep, filters: FilterParams) -> Response:
    """The day plan as ``omnikpi wfm plan --format csv`` writes it: ``omnikpi wfm schedule
    --plan`` reads it, and so does the schedule page (as ``schedule_plan.csv``)."""
    require_roles(view.principal, *READERS)
    lang = choose_language(request)
    _ = translator(lang)
    form = read_form("day", request.query_params, _)
    if form.problems:
        raise UsageError(" ".join(form.problems))
    # each start with its UTC offset, as `wfm plan` writes it: without one the data model
    # reads a time as UTC and `wfm schedule --plan` put every shift hours off
    rows = [{**row, "interval_start": with_offset(str(row["interval_start"]), filters.tz)}
            for row in plan_rows(day_plan(view, filters, form, _, lang).planned)]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: ("" if v is None else v) for k, v in r.items()} for r in rows)
    record_taken(request, view, "export", {"what": "staffing plan",
                                           "days": form.values["days"]})
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": attachment("schedule_plan.csv")})

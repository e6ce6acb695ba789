"""Workforce: the paid-time funnel, adherence, conformance, shrinkage and attrition."""

from __future__ import annotations

import dataclasses

import ibis
import ibis.expr.types as ir

from omnikpi.metrics.base import REGISTRY, Metric, Param, Params, register
from omnikpi.metrics.common import n, when

SCHEDULE_TABLES = ("shifts", "agent_states")
"""What every schedule metric needs; those measured against scheduled activities need
``shift_activities`` too (utilization reads it as an option: no rows, no unpaid time)."""
ACTIVITY_TABLES = ("shifts", "shift_activities", "agent_states")
PEOPLE = ("agent_id", "site", "tenant")
WORK_STATES = ("available", "handling", "acw", "hold")


def _seconds(t: ir.Table, condition: ir.BooleanValue) -> ir.Value:
    return when(condition, t.seconds).fill_null(0.0)


def shift_paid_time(t: ir.Table, p: Params) -> ir.Value:
    """Paid shifts minus the unpaid activities inside them (ShiftPaidTime): the part of an
    unpaid activity outside every paid shift was never paid, so it takes nothing off."""
    return _seconds(t, t.kind == "shift") - _seconds(t, t.kind == "unpaid_in_shift")


def _used(t: ir.Table, kind: str) -> ir.Value:
    """ActiveTimeRT + WorkloadD: available, handling and ACW on any channel, hold on
    continuous ones."""
    counted = t.state.isin(["available", "handling", "acw"]) | ((t.state == "hold") & t.cont)
    return _seconds(t, (t.kind == kind) & counted)


def utilization_numerator(t: ir.Table, p: Params) -> ir.Value:
    return _used(t, "state_in_shift") - _used(t, "state_in_unpaid")


def scheduled_paid_time(t: ir.Table, p: Params) -> ir.Value:
    """ShiftPaidTime plus the paid activities outside every paid shift: a vacation or a
    sick day exported as an activity without a shift is paid, scheduled time (shrinkage
    counted it in its numerator alone and read 800 %)."""
    outside = _seconds(t, (t.kind == "activity") & t.paid) - _seconds(
        t, t.kind == "paid_activity_in_shift")
    return shift_paid_time(t, p) + outside


def _names(text: object) -> list[str]:
    return [name.strip().lower() for name in str(text).split(",") if name.strip()]


def _adhered_to(t: ir.Table, p: Params) -> ir.BooleanValue:
    """The scheduled activities adherence measures: all of them (the catalog's definition)
    but those named in ``excluded_activities`` — a vacation or sick day, where some centers
    do not call a person at home non-adherent."""
    excluded = _names(p["excluded_activities"])
    return ~t.activity.isin(excluded) if excluded else ibis.literal(True)


def _shrinkage_numerator(t: ir.Table, p: Params) -> ir.Value:
    absent = t.activity.isin(_names(p["unplanned_activities"]))
    paid_off = (t.kind == "activity") & t.paid & (t.activity != "work")
    planned = _seconds(t, paid_off & ~absent)
    # paid work not worked: scheduled work that is unpaid (an unpaid overtime slot) is
    # outside the paid time shrinkage is a share of (120 unpaid minutes read 25 % of an
    # 8-hour paid shift the agent worked whole)
    paid_work = (t.activity == "work") & t.paid.fill_null(True)
    unplanned = _seconds(t, (t.kind == "activity") & paid_work) - _seconds(
        t, (t.kind == "match") & paid_work) + _seconds(t, paid_off & absent)
    part = p["part"]
    if part == "planned":
        return planned
    if part == "unplanned":
        return unplanned
    return planned + unplanned


def _schedule(**kwargs: object) -> Metric:
    base: dict[str, object] = {"area": "workforce", "source": "schedule",
                               "tables": SCHEDULE_TABLES}
    base.update(kwargs)
    return Metric(**base)  # type: ignore[arg-type]


_LEAVE_TYPES = Param(
    "leave_types", "str", "voluntary,involuntary,company_move",
    "comma-separated leave types that count as attrition (internal_move — within the "
    "contact center — does not)", shapes_source=True,
)
_ATTRITION = dict(
    area="workforce", source="roster_months", tables=("roster",), params=(_LEAVE_TYPES,),
    numerator=lambda t, p: n(t.leaver),
    denominator=lambda t, p: (t.start_hc + t.end_hc) / 2.0,
    notes="An agent is employed from hired_on through left_on; headcount at a month's start "
    "= employed on its first day, at its end = employed on the next month's first day. "
    "Months are calendar months (grain month or total). The roster is read as of as-of: "
    "a departure or a hire dated after it has not happened yet.",
)

register(
    _schedule(
        id="utilization", name="Utilization",
        formulas={"ru": "(нагрузка в непрерывных + доступность на любом канале + нагрузка в "
                        "дискретных) / оплачиваемое время смены; "
                        "учитывается только время оператора внутри оплачиваемой смены (без "
                        "неоплачиваемых активностей)",
                  "uk": "(навантаження в безперервних + доступність на будь-якому каналі + "
                        "навантаження в дискретних) / оплачуваний час зміни; "
                        "враховується лише час оператора в межах оплачуваної зміни (без "
                        "неоплачуваних активностей)"},
        names={"ru": "Утилизация", "uk": "Утилізація"}, better="higher",
        sections={"productivity": 2}, unit="ratio", area="productivity",
        formula="(WorkloadRT + available on any channel + WorkloadD) / ShiftPaidTime; only "
        "agent time inside paid shift time (minus unpaid activities) counts",
        numerator=utilization_numerator, denominator=shift_paid_time,
        notes="Available time counts on any channel, e-mail included (occupancy counts it on "
        "continuous channels only): an agent ready for work is utilized whatever the "
        "channel. An agent without shifts has no paid time: utilization null.",
    ),
    _schedule(
        id="adherence", tables=ACTIVITY_TABLES, name="Schedule adherence",
        formulas={"ru": "время, когда фактический статус совпадает с запланированной активностью "
                        "/ время запланированных активностей (работа ↔ "
                        "свободен/обработка/постобработка/удержание; перерыв, обед, обучение… ↔ "
                        "not_ready с этой причиной)",
                  "uk": "час, коли фактичний статус збігається із запланованою активністю / час "
                        "запланованих активностей (робота ↔ "
                        "вільний/обробка/післяобробка/утримання; перерва, обід, навчання… ↔ "
                        "not_ready з цією причиною)"},
        names={"ru": "Соблюдение расписания", "uk": "Дотримання розкладу"}, better="higher",
        unit="ratio",
        formula="time the actual state matches the scheduled activity / scheduled activity "
        "time (work ↔ available/handling/acw/hold; break, lunch, training, … ↔ not_ready "
        "with that reason)",
        params=(Param("excluded_activities", "str", "",
                      "comma-separated scheduled activities left out of adherence, its "
                      "numerator and denominator (e.g. vacation,sick: a day off is neither "
                      "adherent nor not); empty: every scheduled activity counts",
                      default_from=lambda c: ",".join(
                          c.config.agents.adherence_excluded_activities)),),
        numerator=lambda t, p: _seconds(t, (t.kind == "match") & _adhered_to(t, p)),
        denominator=lambda t, p: _seconds(t, (t.kind == "activity") & _adhered_to(t, p)),
    ),
    _schedule(
        id="conformance", tables=ACTIVITY_TABLES, name="Schedule conformance",
        formulas={"ru": "фактическое рабочее время в системе (свободен, обработка, "
                        "постобработка, удержание) / запланированное рабочее время (активность "
                        "«работа»)",
                  "uk": "фактичний робочий час у системі (вільний, обробка, післяобробка, "
                        "утримання) / запланований робочий час (активність «робота»)"},
        names={"ru": "Соответствие расписанию", "uk": "Відповідність розкладу"}, unit="ratio",
        source="scheduled_agent_time", denominator_source="schedule",
        formula="actual logged-in work time (available, handling, acw, hold) / scheduled "
        "work time (activity work)",
        notes="Work time counts on the days (reporting zone) the agent had scheduled work, "
        "at any time of those days; an agent without a schedule that day adds nothing.",
        numerator=lambda t, p: when(t.state.isin(list(WORK_STATES)), t.seconds),
        denominator=lambda t, p: _seconds(t, (t.kind == "activity") & (t.activity == "work")),
    ),
    _schedule(
        id="shrinkage", tables=ACTIVITY_TABLES, name="Shrinkage",
        formulas={"ru": "запланированное оплачиваемое время, недоступное для обращений / "
                        "запланированное оплачиваемое время (оплачиваемые смены без "
                        "неоплачиваемых активностей плюс оплачиваемые активности вне смен); "
                        "плановые = оплачиваемые нерабочие активности (перерывы, обучение, "
                        "собрания, отпуск); внеплановые = запланированное рабочее время не в "
                        "готовом или рабочем статусе (отсутствие, опоздание, незапланированная "
                        "недоступность) и активности из unplanned_activities (болезнь); смена "
                        "без активностей — рабочая",
                  "uk": "запланований оплачуваний час, недоступний для звернень / запланований "
                        "оплачуваний час (оплачувані зміни без неоплачуваних активностей плюс "
                        "оплачувані активності поза змінами); планові = оплачувані неробочі "
                        "активності (перерви, навчання, наради, відпустка); позапланові = "
                        "запланований робочий час не в готовому чи робочому статусі "
                        "(відсутність, запізнення, незапланована недоступність) та активності з "
                        "unplanned_activities (хвороба); зміна без активностей — робоча"},
        names={"ru": "Потери рабочего времени", "uk": "Втрати робочого часу"}, better="lower",
        unit="ratio",
        formula="scheduled paid time not available for contacts / scheduled paid time (paid "
        "shifts minus unpaid activities, plus paid activities outside shifts); planned = paid "
        "non-work activities (breaks, training, meetings, vacation); unplanned = scheduled "
        "work time not spent in a ready or working state (absence, lateness, unscheduled "
        "not-ready) and the activities in unplanned_activities (sickness); a shift without "
        "activities is work",
        params=(Param("part", "choice", "total", "which shrinkage",
                      ("total", "planned", "unplanned")),
                Param("unplanned_activities", "str", "sick,sickness,absent,absence",
                      "comma-separated scheduled activities that are unplanned shrinkage "
                      "(a sick day entered in the schedule is not planned)")),
        numerator=_shrinkage_numerator, denominator=scheduled_paid_time,
    ),
    Metric(
        id="attrition_monthly", name="Monthly attrition",
        formulas={"ru": "уволившиеся за месяц / средняя численность ((начало + конец) / 2)",
                  "uk": "звільнені за місяць / середня чисельність ((початок + кінець) / 2)"},
        names={"ru": "Текучесть за месяц", "uk": "Плинність за місяць"}, better="lower",
        unit="ratio",
        formula="leavers in the month / average headcount ((start + end) / 2)",
        **_ATTRITION,  # type: ignore[arg-type]
    ),
)
register(
    dataclasses.replace(
        REGISTRY["attrition_monthly"], id="attrition_annualized",
        name="Annualized attrition",
        formulas={"ru": "текучесть за месяц (attrition_monthly) × 12",
                  "uk": "плинність за місяць (attrition_monthly) × 12"},
        names={"ru": "Годовая текучесть (по месяцу)", "uk": "Річна плинність (за місяцем)"},
        better="lower", scale=12.0,
        formula="attrition_monthly × 12",
    ),
    dataclasses.replace(
        REGISTRY["attrition_monthly"], id="attrition_annual", name="Annual attrition",
        formulas={"ru": "среднее годовых показателей месяцев, взвешенное по численности = 12 × Σ "
                        "уволившихся / Σ средней численности",
                  "uk": "середнє річних показників місяців, зважене за чисельністю = 12 × Σ "
                        "звільнених / Σ середньої чисельності"},
        names={"ru": "Годовая текучесть", "uk": "Річна плинність"}, better="lower",
        scale=12.0,
        formula="headcount-weighted mean of the months' annualized attrition = 12 × Σ "
        "leavers / Σ average headcount",
    ),
)

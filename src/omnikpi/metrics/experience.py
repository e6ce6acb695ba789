"""Customer and employee experience from surveys (strategic KPIs)."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from omnikpi.metrics.base import Metric, Param, Params, register
from omnikpi.metrics.common import n, when


def _is(t: ir.Table, survey: str) -> ir.BooleanValue:
    return t.survey == survey


SMALL_BOX = 2
"""A box of up to this many points (the usual top-2 box, the default) is at most half of
its scale; a larger one is a choice made on purpose and is honoured."""


def _box(t: ir.Table, points: float) -> ir.NumericValue:
    """A box of ``points`` points of the survey's own scale. The usual top-2 (the default)
    is at most half the scale's points: on a 2- or 3-point scale (good/bad; unhappy/
    neutral/happy) it is the top point alone — a top-2 box there would count "bad" or
    "neutral" as satisfied (CSAT 100 %). A larger box is asked for on purpose (3–5 of
    1–5, 8–10 of 1–10) and counted as asked, but never the whole scale: that would call
    every answer satisfied. (Before, a top_box of 3 on 1–5 was silently counted as 2
    while the report said 3.)"""
    scale_points = t.scale_max - t.scale_min + 1
    cap = (scale_points / 2).floor() if points <= SMALL_BOX else scale_points - 1
    return ibis.least(ibis.literal(float(points)), cap)


def _top(t: ir.Table, p: Params) -> ir.BooleanValue:
    """Score in the top ``top_box`` points of its own scale (4–5 of 1–5, 9–10 of 0–10)."""
    return _is(t, "csat") & (t.score >= t.scale_max - _box(t, p["top_box"]) + 1)


def _bottom(t: ir.Table, p: Params) -> ir.BooleanValue:
    return _is(t, "csat") & (t.score <= t.scale_min + _box(t, p["bottom_box"]) - 1)


def _survey(**kwargs: object) -> Metric:
    base: dict[str, object] = {"area": "experience", "source": "surveys",
                               "tables": ("surveys",)}
    base.update(kwargs)
    return Metric(**base)  # type: ignore[arg-type]


register(
    _survey(
        id="csat", name="Customer satisfaction (top box)",
        formulas={"ru": "ответы CSAT в верхних top_box баллах своей шкалы / ответы CSAT",
                  "uk": "відповіді CSAT у верхніх top_box балах своєї шкали / відповіді CSAT"},
        names={"ru": "Удовлетворённость клиентов (CSAT)", "uk": "Задоволеність клієнтів (CSAT)"},
        better="higher", target=0.8, sections={"experience": 0}, unit="ratio",
        formula="CSAT answers in the top `top_box` points of their scale / CSAT answers",
        params=(Param("top_box", "int", 2, "points at the top of the scale that count as "
                      "satisfied (4–5 on 1–5); 1 or 2 is at most half of a scale's points "
                      "(the top point of a 2- or 3-point scale), a larger box never the "
                      "whole scale", unit="points", minimum=1),),
        numerator=lambda t, p: n(_top(t, p)), denominator=lambda t, p: n(_is(t, "csat")),
    ),
    _survey(
        id="cdsat", name="Customer dissatisfaction (bottom box)",
        formulas={"ru": "ответы CSAT в нижних bottom_box баллах своей шкалы / ответы CSAT",
                  "uk": "відповіді CSAT у нижніх bottom_box балах своєї шкали / відповіді CSAT"},
        names={"ru": "Неудовлетворённость клиентов (CDSAT)",
               "uk": "Незадоволеність клієнтів (CDSAT)"},
        better="lower", sections={"experience": 1}, unit="ratio",
        formula="CSAT answers in the bottom `bottom_box` points of their scale / CSAT answers",
        params=(Param("bottom_box", "int", 2, "points at the bottom of the scale that count "
                      "as dissatisfied (1–2 on 1–5); 1 or 2 is at most half of a scale's "
                      "points (the bottom point of a 2- or 3-point scale), a larger box "
                      "never the whole scale", unit="points", minimum=1),),
        numerator=lambda t, p: n(_bottom(t, p)), denominator=lambda t, p: n(_is(t, "csat")),
    ),
    _survey(
        id="csat_mean", name="Mean CSAT score",
        formulas={"ru": "Σ баллов CSAT / ответы CSAT (по собственной шкале опроса)",
                  "uk": "Σ балів CSAT / відповіді CSAT (за власною шкалою опитування)"},
        names={"ru": "Средняя оценка CSAT", "uk": "Середня оцінка CSAT"}, better="higher",
        unit="score",
        formula="Σ CSAT score / CSAT answers (on the survey's own scale)",
        numerator=lambda t, p: when(_is(t, "csat"), t.score),
        denominator=lambda t, p: n(_is(t, "csat")),
    ),
    _survey(
        id="nps", name="Net promoter score",
        formulas={"ru": "(промоутеры 9–10 − критики 0–6) / ответы NPS × 100; шкала, отличная от "
                        "0–10, сначала линейно переводится в 0–10",
                  "uk": "(промоутери 9–10 − критики 0–6) / відповіді NPS × 100; шкала, відмінна "
                        "від 0–10, спершу лінійно переводиться в 0–10"},
        names={"ru": "Индекс NPS", "uk": "Індекс NPS"}, better="higher",
        sections={"experience": 2}, unit="points", scale=100.0,
        formula="(promoters 9–10 − detractors 0–6) / NPS answers × 100; a scale other than "
        "0–10 is mapped linearly onto 0–10 first",
        numerator=lambda t, p: n(_is(t, "nps") & (t.score10 >= 9)) - n(
            _is(t, "nps") & (t.score10 <= 6)),
        denominator=lambda t, p: n(_is(t, "nps")),
    ),
    _survey(
        id="ces", name="Customer effort score",
        formulas={"ru": "Σ баллов CES / ответы CES (меньше — меньше усилий по обычной шкале 1–7)",
                  "uk": "Σ балів CES / відповіді CES (менше — менше зусиль за звичайною шкалою "
                        "1–7)"},
        names={"ru": "Индекс усилий клиента (CES)", "uk": "Індекс зусиль клієнта (CES)"},
        sections={"experience": 3}, unit="score",
        formula="Σ CES score / CES answers (lower = less effort on the usual 1–7 scale)",
        numerator=lambda t, p: when(_is(t, "ces"), t.score),
        denominator=lambda t, p: n(_is(t, "ces")),
    ),
    _survey(
        id="survey_response_rate", name="Survey response rate",
        formulas={"ru": "обработанные обращения хотя бы с одним ответом csat, nps или ces / "
                        "обработанные обращения (оба — по завершению обращения; ответы, "
                        "известные на момент as-of)",
                  "uk": "оброблені звернення щонайменше з однією відповіддю csat, nps або "
                        "ces / "
                        "оброблені звернення (обидва — за завершенням звернення; відповіді, "
                        "відомі на момент as-of)"},
        names={"ru": "Доля ответивших на опрос", "uk": "Частка тих, хто відповів на опитування"},
        better="higher", unit="ratio",
        source="surveyed_contacts", tables=("contacts", "surveys"), booking="end",
        formula="handled contacts with at least one csat, nps or ces answer / handled "
        "contacts (both booked at the contact's end; answers known by as-of)",
        numerator=lambda t, p: n(t.handled & t.surveyed),
        denominator=lambda t, p: n(t.handled),
        notes="A contact and its answer are in the same period, the contact's end: an "
        "answer given the next day counts for the day of the contact, so the rate stays "
        "within 0–1 at every grain.",
    ),
    Metric(
        id="esat", name="Employee satisfaction",
        formulas={"ru": "средний балл опроса сотрудников по измерению (табличный показатель: "
                        "строка на измерение)",
                  "uk": "середній бал опитування працівників за виміром (табличний показник: "
                        "рядок на вимір)"},
        names={"ru": "Удовлетворённость сотрудников", "uk": "Задоволеність працівників"},
        better="higher", unit="score", area="workforce",
        source="employee_surveys", tables=("employee_surveys",),
        formula="mean employee-survey score per dimension (a table metric: one row per "
        "dimension)",
        numerator=lambda t, p: t.score, denominator=lambda t, p: n(t.score.notnull()),
        key_column="dimension",
    ),
)

"""Quality from contacts: transfers, resolution, first-contact resolution."""

from __future__ import annotations

import ibis.expr.types as ir

from omnikpi.metrics.base import Metric, Param, Params, register
from omnikpi.metrics.common import n, when
from omnikpi.metrics.fcr_params import FCR_PARAMS, FCR_WHEN_EMPTY, FCR_WHEN_EMPTY_TEXTS

register(
    Metric(
        id="transfer_rate", name="Transfer rate",
        formulas={"ru": "переведено / обработано",
                  "uk": "переведено / оброблено"},
        names={"ru": "Доля переводов", "uk": "Частка переведень"}, better="lower",
        sections={"quality": 1}, standard=10, unit="ratio", area="quality",
        source="contacts", tables=("contacts",), booking="end",
        formula="transferred / handled",
        numerator=lambda f, p: n(f.is_transferred), denominator=lambda f, p: n(f.handled),
    ),
    Metric(
        id="resolution_rate", name="Resolution rate",
        formulas={"ru": "обработанные решённые / обработанные с указанным признаком решения",
                  "uk": "оброблені вирішені / оброблені із зазначеною ознакою вирішення"},
        names={"ru": "Доля решённых", "uk": "Частка вирішених"}, better="higher", unit="ratio",
        area="quality",
        source="contacts", tables=("contacts",), booking="end",
        formula="handled with resolved = true / handled with resolved not null",
        numerator=lambda f, p: n(f.handled & f.resolved.fill_null(False)),
        denominator=lambda f, p: n(when(f.handled, f.resolved.notnull())),
    ),
    Metric(
        id="resolution_time", name="Average resolution time",
        formulas={"ru": "Σ (resolved_at − arrived_at) / обращения с resolved_at; учёт по "
                        "resolved_at",
                  "uk": "Σ (resolved_at − arrived_at) / звернення з resolved_at; облік за "
                        "resolved_at"},
        names={"ru": "Среднее время решения", "uk": "Середній час вирішення"},
        better="lower", sections={"quality": 3}, unit="seconds", area="quality",
        source="contacts", tables=("contacts",), booking="resolved",
        formula="Σ (resolved_at − arrived_at) / contacts with resolved_at; booked at "
        "resolved_at",
        numerator=lambda f, p: f.resolution_s, denominator=lambda f, p: n(f.res.notnull()),
        notes="The call-center KPI article's ART (average resolution time) — not the "
        "in-session response time `art` of the digital-channel masterclass.",
    ),
    Metric(
        id="resolved_within", name="Resolved within the threshold",
        formulas={"ru": "обращения, решённые в пределах threshold_hours от поступления / "
                        "решённые обращения; учёт по resolved_at",
                  "uk": "звернення, вирішені в межах threshold_hours від надходження / вирішені "
                        "звернення; облік за resolved_at"},
        names={"ru": "Решено в срок", "uk": "Вирішено вчасно"}, better="higher",
        sections={"quality": 4}, unit="ratio", area="quality",
        source="contacts", tables=("contacts",), booking="resolved",
        formula="contacts resolved within threshold_hours of arrival / contacts resolved; "
        "booked at resolved_at",
        params=(Param("threshold_hours", "float", 24.0,
                      "a case closed no later than this after it arrived is on time "
                      "(inclusive)", unit="hours"),),
        numerator=lambda f, p: n(f.res.notnull()
                                 & (f.resolution_s <= float(p["threshold_hours"]) * 3600.0)),
        denominator=lambda f, p: n(f.res.notnull()),
    ),
)

_FCR_NOTE = (
    "Questions: handled contacts with a customer_id and no parent_id, booked at their end; "
    "a transfer leg (parent_id set) is the question continuing, neither a question nor a "
    "repeat; questions whose window has not elapsed by as-of are left out."
)

register(
    Metric(
        id="fcr", name="First-contact resolution",
        formulas={"ru": "вопросы без перевода и без повторного обращения / обработанные вопросы",
                  "uk": "питання без переведення й без повторного звернення / оброблені питання"},
        names={"ru": "Решение с первого обращения", "uk": "Вирішення з першого звернення"},
        better="higher", target=0.7, sections={"quality": 0}, unit="ratio", area="quality",
        source="fcr", tables=("contacts",), booking="end",
        formula="questions neither transferred nor followed by a repeat contact / questions "
        "handled",
        params=FCR_PARAMS,
        numerator=lambda f, p: n(~f.unresolved_first), denominator=lambda f, p: n(f.handled),
        notes=_FCR_NOTE, when_empty=FCR_WHEN_EMPTY,
        when_empty_texts=FCR_WHEN_EMPTY_TEXTS,
    ),
    Metric(
        id="repeat_rate", name="Repeat rate",
        formulas={"ru": "вопросы с повторным обращением / обработанные вопросы (= 1 − FCR, когда "
                        "перевод не прерывает FCR: transfer_breaks_fcr выключен)",
                  "uk": "питання з повторним зверненням / оброблені питання (= 1 − FCR, коли "
                        "переведення не перериває FCR: transfer_breaks_fcr вимкнено)"},
        names={"ru": "Доля повторных", "uk": "Частка повторних"}, better="lower", unit="ratio",
        area="quality",
        source="fcr", tables=("contacts",), booking="end",
        formula="questions with a repeat contact / questions handled (= 1 − fcr when "
        "transfer_breaks_fcr is false)",
        params=FCR_PARAMS,
        numerator=lambda f, p: n(f.repeated), denominator=lambda f, p: n(f.handled),
        notes=_FCR_NOTE, when_empty=FCR_WHEN_EMPTY,
        when_empty_texts=FCR_WHEN_EMPTY_TEXTS,
    ),
)

_QA_NOTE = ("Calibration evaluations (calibration = true) are left out; each contact or chain "
            "is judged by its latest evaluation, booked at evaluated_at.")
_QA_SCORE_NOTE = ("Calibration evaluations (calibration = true) are left out; every other "
                  "evaluation known at as-of counts, booked at evaluated_at (a contact "
                  "scored twice counts twice; contact_quality judges each contact by its "
                  "latest).")


_QA_WHEN_EMPTY = (
    "it counts the QA evaluations (not calibration ones) made by as-of ({as_of}) in the "
    "period, and there are none: evaluate contacts of a QA sample, or choose a later as-of "
    "(an evaluation made today of last month's contacts counts as of today)"
)
_QA_WHEN_EMPTY_TEXTS = {
    "ru": "учитываются оценки QA (кроме калибровочных), сделанные к моменту {as_of} в этом "
          "периоде, а таких нет: оцените обращения из выборки QA или выберите более поздний "
          "момент (оценка, сделанная сегодня по обращениям прошлого месяца, учитывается на "
          "сегодня)",
    "uk": "враховуються оцінки QA (крім калібрувальних), зроблені до моменту {as_of} у цьому "
          "періоді, а таких немає: оцініть звернення з вибірки QA або виберіть пізніший "
          "момент (оцінка, зроблена сьогодні щодо звернень минулого місяця, враховується на "
          "сьогодні)",
}


def _defective(t: ir.Table, p: Params) -> ir.BooleanValue:
    bad = t.critical_error.fill_null(False)
    if p.get("pass_score") is not None:
        bad = bad | (t.score < float(p["pass_score"]))
    return t.latest & bad


register(
    Metric(
        id="contact_quality", name="Contact quality",
        formulas={"ru": "1 − дефектные / проверенные; проверенные = различные оценённые "
                        "обращения или цепочки (последняя оценка каждого); дефектные = "
                        "критическая ошибка или балл < pass_score",
                  "uk": "1 − дефектні / перевірені; перевірені = різні оцінені звернення або "
                        "ланцюжки (остання оцінка кожного); дефектні = критична помилка або бал "
                        "< pass_score"},
        names={"ru": "Качество обслуживания", "uk": "Якість обслуговування"}, better="higher",
        sections={"quality": 2}, unit="ratio", area="quality",
        source="qa", tables=("qa_evaluations",),
        formula="1 − defective / monitored; monitored = distinct evaluated contacts or chains "
        "(latest evaluation each); defective = critical error or score < pass_score",
        params=(Param("pass_score", "float", None, "score below which a contact is "
                      "defective (none: only critical errors)", unit="points"),),
        numerator=lambda t, p: n(t.latest & ~_defective(t, p)),
        denominator=lambda t, p: n(t.latest), notes=_QA_NOTE,
        when_empty=_QA_WHEN_EMPTY, when_empty_texts=_QA_WHEN_EMPTY_TEXTS,
    ),
    Metric(
        id="qa_score", name="QA score",
        formulas={"ru": "Σ баллов оценок (0–100) / оценки",
                  "uk": "Σ балів оцінок (0–100) / оцінки"},
        names={"ru": "Оценка QA", "uk": "Оцінка QA"}, better="higher", unit="score",
        area="quality", source="qa",
        tables=("qa_evaluations",),
        formula="Σ evaluation score (0–100) / evaluations", notes=_QA_SCORE_NOTE,
        numerator=lambda t, p: t.score, denominator=lambda t, p: n(t.score.notnull()),
        when_empty=_QA_WHEN_EMPTY, when_empty_texts=_QA_WHEN_EMPTY_TEXTS,
    ),
    Metric(
        id="qa_item_score", name="QA item score",
        formulas={"ru": "по пункту анкеты: Σ баллов пункта (1 выполнен, 0 не выполнен) / "
                        "отвеченные пункты (без «неприменимо»); табличный показатель: строка на "
                        "пункт (расширение каталога OmniKPI)",
                  "uk": "за пунктом анкети: Σ балів пункту (1 виконано, 0 не виконано) / пункти "
                        "з відповіддю (без «незастосовно»); табличний показник: рядок на пункт "
                        "(розширення каталогу OmniKPI)"},
        names={"ru": "Оценка пункта QA", "uk": "Оцінка пункту QA"}, better="higher",
        extension=True, unit="ratio", area="quality",
        source="qa_items", tables=("qa_items", "qa_evaluations"),
        formula="per checklist item: Σ item score (1 met, 0 not met) / items answered "
        "(N/A left out); a table metric: one row per item (an OmniKPI extension of the "
        "catalog)", notes=_QA_SCORE_NOTE,
        numerator=lambda t, p: t.item_score,
        denominator=lambda t, p: n(t.item_score.notnull()), key_column="item_id",
    ),
)

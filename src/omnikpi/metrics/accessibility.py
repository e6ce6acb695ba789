"""Accessibility: blocked rate, service level, waits, abandonment, lateness, response times."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from omnikpi.metrics.base import Metric, Param, Params, register
from omnikpi.metrics.common import (
    EXCLUDE_SHORT,
    SHORT_ABANDON,
    THRESHOLD,
    all_of,
    any_of,
    by_mode,
    n,
    negate,
    short_abandon,
    threshold,
    waiting_within,
    when,
)

SL_VARIANTS = ("offered", "answered", "answered_abandoned", "exclude_early_abandons")


def _sl_parts(f: ir.Table, p: Params) -> tuple[ir.BooleanValue, ir.BooleanValue]:
    """Per-contact (on time, in denominator) of the service level, by the contact's mode."""
    limit = threshold(f, p)
    short = short_abandon(f, p)
    on_time = f.answered & (f.wait_s <= limit)
    abandoned_within = f.abandoned & (f.wait_s <= limit)
    too_early = waiting_within(f, limit)
    variant = p["variant"]
    if variant == "offered":
        c_num, c_den = on_time, all_of(f.offered, negate(short), negate(too_early))
    elif variant == "answered":
        c_num, c_den = on_time, f.answered
    elif variant == "answered_abandoned":
        c_num = on_time | (abandoned_within & ~short)
        c_den = (f.answered | f.abandoned) & ~short
    else:  # exclude_early_abandons
        c_num, c_den = on_time, all_of(
            f.offered, ~abandoned_within, negate(short), negate(too_early))
    late = f.answered & (f.wait_s > limit)
    vlna = f.unresolved & (f.age_s > limit)
    d_num, d_den = on_time, on_time | late | vlna
    if p["pending_on_time"]:
        d_num, d_den = any_of(d_num, too_early), any_of(d_den, too_early)
    return by_mode(f, c_num, d_num), by_mode(f, c_den, d_den)



def _lateness(f: ir.Table, p: Params) -> tuple[ir.FloatingValue, ir.BooleanValue]:
    limit = threshold(f, p)
    late = f.answered & (f.wait_s > limit)
    vlna = f.unresolved & (f.age_s > limit)
    amount = ibis.cases((late, f.wait_s - limit), (vlna, f.age_s - limit), else_=None)
    return amount, late | vlna


def _metric(**kwargs: object) -> Metric:
    base: dict[str, object] = {
        "area": "accessibility", "source": "contacts", "tables": ("contacts",),
    }
    base.update(kwargs)
    return Metric(**base)  # type: ignore[arg-type]


_WAITED = "(answered or abandoned)"

register(
    _metric(
        id="blocked_rate", name="Blocked rate",
        formulas={"ru": "заблокированные / поступившие",
                  "uk": "заблоковані / отримані"},
        names={"ru": "Доля заблокированных", "uk": "Частка заблокованих"}, better="lower",
        sections={"accessibility_continuous": 1}, unit="ratio",
        formula="blocked / received", numerator=lambda f, p: n(f.blocked),
        denominator=lambda f, p: n(f.received),
    ),
    _metric(
        id="service_level", name="Service level",
        formulas={"ru": "непрерывные, вариант «от предложенных» (по умолчанию): отвечено за T / "
                        "(предложено − короткие отказы); «от отвеченных»: отвечено за T / "
                        "отвечено; answered_abandoned: (отвечено за T + потеряно за T − "
                        "короткие) / (отвечено + потеряно − короткие); exclude_early_abandons: "
                        "отвечено за T / (предложено − потеряно за T − короткие). Дискретные: "
                        "вовремя / (вовремя + с опозданием + без ответа дольше T), ожидающие в "
                        "пределах T не учитываются (или считаются вовремя при pending_on_time)",
                  "uk": "неперервні, варіант «від запропонованих» (за замовчуванням): відповіли "
                        "за T / (запропоновано − короткі відмови); «від тих, кому відповіли»: "
                        "відповіли за T / відповіли; answered_abandoned: (відповіли за T + "
                        "втрачено за T − короткі) / (відповіли + втрачено − короткі); "
                        "exclude_early_abandons: відповіли за T / (запропоновано − втрачено за T "
                        "− короткі). Дискретні: вчасно / (вчасно + із запізненням + без "
                        "відповіді довше T), ті, що очікують у межах T, не враховуються (або "
                        "вважаються вчасними з pending_on_time)"},
        names={"ru": "Уровень сервиса", "uk": "Рівень сервісу"}, better="higher", target=0.8,
        sections={"accessibility_continuous": 2, "accessibility_discrete": 0}, standard=5,
        wallboard=3, unit="ratio",
        formula="continuous, variant offered: answered within T / (offered − short abandons); "
        "variant answered: answered within T / answered; answered_abandoned: (answered within "
        "T + abandoned within T − short) / (answered + abandoned − short); "
        "exclude_early_abandons: answered within T / (offered − abandoned within T − short). "
        "Discrete: VTST / (VTST + VLate + VLNA), pending within T left out (or counted on "
        "time with pending_on_time)",
        params=(
            THRESHOLD,
            Param("variant", "choice", "offered", "continuous SL denominator", SL_VARIANTS),
            Param("pending_on_time", "bool", False,
                  "discrete: count pending contacts still within T as on time"),
            SHORT_ABANDON, EXCLUDE_SHORT,
        ),
        numerator=lambda f, p: n(_sl_parts(f, p)[0]),
        denominator=lambda f, p: n(_sl_parts(f, p)[1]),
        notes="Continuous contacts still in queue at as-of and not older than T are left "
        "out, like pending discrete contacts; older ones count as not on time.",
    ),
    _metric(
        id="asa", name="Average speed of answer",
        formulas={"ru": "Σ ожидания отвеченных / отвечено (ожидание = first_response_at − "
                        "arrived_at)",
                  "uk": "Σ очікування тих, кому відповіли / відповіли (очікування = "
                        "first_response_at − arrived_at)"},
        names={"ru": "Среднее время ответа", "uk": "Середній час відповіді"}, better="lower",
        sections={"accessibility_continuous": 3, "accessibility_discrete": 1}, standard=6,
        wallboard=5, unit="seconds",
        formula="Σ wait of answered / answered (wait = first_response_at − arrived_at)",
        numerator=lambda f, p: when(f.answered, f.wait_s),
        denominator=lambda f, p: n(f.answered),
    ),
    _metric(
        id="avg_wait", name="Average wait",
        formulas={"ru": "Σ ожидания / обращения (отвеченные или потерянные), короткие отказы "
                        "включены",
                  "uk": "Σ очікування / звернення (з відповіддю або втрачені), короткі відмови "
                        "включено"},
        names={"ru": "Среднее ожидание", "uk": "Середнє очікування"}, better="lower", standard=7,
        unit="seconds",
        formula=f"Σ wait / contacts {_WAITED}, short abandons included",
        numerator=lambda f, p: when(f.answered | f.abandoned, f.wait_s),
        denominator=lambda f, p: n(f.answered | f.abandoned),
    ),
    _metric(
        id="max_wait", name="Longest wait",
        formulas={"ru": "максимальное ожидание обращений (отвеченных или потерянных)",
                  "uk": "максимальне очікування звернень (з відповіддю або втрачених)"},
        names={"ru": "Максимальное ожидание", "uk": "Максимальне очікування"}, better="lower",
        sections={"accessibility_continuous": 5, "accessibility_discrete": 3}, standard=8,
        unit="seconds", aggregate="max",
        formula=f"max wait of contacts {_WAITED}",
        numerator=lambda f, p: when(f.answered | f.abandoned, f.wait_s),
    ),
    _metric(
        id="avg_abandon_time", name="Average time to abandon",
        formulas={"ru": "Σ ожидания потерянных / потеряно (короткие отказы по умолчанию "
                        "исключены)",
                  "uk": "Σ очікування втрачених / втрачено (короткі відмови за замовчуванням "
                        "виключено)"},
        names={"ru": "Среднее время до отказа", "uk": "Середній час до відмови"}, better="lower",
        unit="seconds",
        formula="Σ wait of abandoned / abandoned (short abandons excluded by default)",
        params=(SHORT_ABANDON, EXCLUDE_SHORT),
        numerator=lambda f, p: when(f.abandoned & ~short_abandon(f, p), f.wait_s),
        denominator=lambda f, p: n(f.abandoned & ~short_abandon(f, p)),
    ),
    _metric(
        id="abandon_rate", name="Abandon rate",
        formulas={"ru": "(потеряно − короткие) / (предложено − короткие)",
                  "uk": "(втрачено − короткі) / (запропоновано − короткі)"},
        names={"ru": "Доля потерянных", "uk": "Частка втрачених"}, better="lower", target=0.05,
        sections={"accessibility_continuous": 4}, standard=4, wallboard=4, unit="ratio",
        mode="continuous",
        formula="(abandoned − short) / (offered − short)",
        params=(SHORT_ABANDON, EXCLUDE_SHORT),
        numerator=lambda f, p: n(f.abandoned & ~short_abandon(f, p)),
        denominator=lambda f, p: n(f.offered & ~short_abandon(f, p)),
    ),
    _metric(
        id="avg_time_late", name="Average time late",
        formulas={"ru": "Σ опоздания / (отвечено с опозданием + без ответа дольше T); опоздание "
                        "= ожидание − T для поздних ответов, as_of − arrived_at − T для не "
                        "отвеченных вовремя",
                  "uk": "Σ запізнення / (відповіли із запізненням + без відповіді довше T); "
                        "запізнення = очікування − T для пізніх відповідей, as_of − arrived_at − "
                        "T для тих, кому не відповіли вчасно"},
        names={"ru": "Среднее опоздание", "uk": "Середнє запізнення"}, better="lower",
        sections={"accessibility_discrete": 2}, unit="seconds", mode="discrete",
        formula="Σ lateness / (VLate + VLNA); lateness = wait − T for late answers, "
        "as_of − arrived_at − T for late-not-answered",
        params=(THRESHOLD,),
        numerator=lambda f, p: _lateness(f, p)[0],
        denominator=lambda f, p: n(_lateness(f, p)[1]),
    ),
    _metric(
        id="a1rt", name="Average first response time",
        formulas={"ru": "Σ ожидания отвеченных / отвечено, по непрерывным текстовым обращениям "
                        "(чат, мессенджер)",
                  "uk": "Σ очікування тих, кому відповіли / відповіли, за неперервними "
                        "текстовими зверненнями (чат, месенджер)"},
        names={"ru": "Среднее время первого ответа", "uk": "Середній час першої відповіді"},
        better="lower", unit="seconds", mode="continuous",
        formula="Σ wait of answered / answered, over continuous text contacts (chat, messenger)",
        numerator=lambda f, p: when(f.answered & f.text, f.wait_s),
        denominator=lambda f, p: n(f.answered & f.text),
    ),
    _metric(
        id="avg_queue_time", name="Average queue time",
        formulas={"ru": "Σ (accepted_at − arrived_at) / принято",
                  "uk": "Σ (accepted_at − arrived_at) / прийнято"},
        names={"ru": "Среднее время в очереди", "uk": "Середній час у черзі"}, better="lower",
        unit="seconds",
        formula="Σ (accepted_at − arrived_at) / accepted",
        numerator=lambda f, p: f.queue_s,
        denominator=lambda f, p: n(f.queue_s.notnull()),
    ),
    _metric(
        id="avg_pickup_time", name="Average pick-up time",
        formulas={"ru": "Σ (first_response_at − accepted_at) / отвеченные с accepted_at",
                  "uk": "Σ (first_response_at − accepted_at) / відповіді з accepted_at"},
        names={"ru": "Среднее время взятия в работу", "uk": "Середній час узяття в роботу"},
        better="lower", unit="seconds",
        formula="Σ (first_response_at − accepted_at) / answered with accepted_at",
        numerator=lambda f, p: f.pickup_s,
        denominator=lambda f, p: n(f.pickup_s.notnull()),
    ),
)

register(
    _metric(
        id="art", name="Average in-session response time",
        formulas={"ru": "для каждого запроса клиента после первого ответа оператора — время от "
                        "первого сообщения клиента в запросе до следующего сообщения оператора; "
                        "Σ / запросы с ответом",
                  "uk": "для кожного запиту клієнта після першої відповіді оператора — час від "
                        "першого повідомлення клієнта в запиті до наступного повідомлення "
                        "оператора; Σ / запити з відповіддю"},
        names={"ru": "Среднее время ответа в сессии", "uk": "Середній час відповіді в сесії"},
        better="lower", unit="seconds",
        source="messages", tables=("messages", "contacts"),
        formula="for each customer request after the first agent reply, time from the "
        "request's first customer message to the next agent message; Σ / answered requests",
        params=(Param("include_first", "bool", False,
                      "also count the request before the first agent reply"),),
        numerator=lambda t, p: when(_art_request(t, p), t.response_s),
        denominator=lambda t, p: n(_art_request(t, p)),
        notes="Continuous text contacts only (chat, messenger); a request is a run of "
        "customer messages, booked at its first message; bot and system messages are "
        "ignored. The first agent reply is the first agent message after the customer's "
        "first: an agent's opening message (an outbound conversation) answers nothing.",
    ),
    _metric(
        id="blocked_time_rate", name="Blocked time rate",
        formulas={"ru": "время недоступности внутри планового времени / плановое время",
                  "uk": "час недоступності в межах планового часу / плановий час"},
        names={"ru": "Доля времени недоступности", "uk": "Частка часу недоступності"},
        better="lower", unit="ratio",
        source="availability", tables=("availability",),
        formula="unavailable time inside planned time / planned time",
        numerator=lambda t, p: when(t.kind == "unavailable", t.seconds),
        denominator=lambda t, p: when(t.kind == "planned", t.seconds),
        notes="Time during which: overlapping planned rows, and overlapping unavailable "
        "rows (two reports of one outage), count once. "
        "Planned and unavailable rows match on channel and queue (a row without queue "
        "covers every queue of its channel).",
    ),
)


def _art_request(t: ir.Table, p: Params) -> ir.BooleanValue:
    counted = t.request & t.next_agent.notnull() & t.cont & t.text
    return counted if p["include_first"] else counted & t.after_first_reply

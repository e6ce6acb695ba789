"""Outbound dialing from ``dial_attempts``."""

from __future__ import annotations

import dataclasses

from omnikpi.metrics.base import REGISTRY, Metric, Param, Params, register
from omnikpi.metrics.common import logged_in_seconds, n


def _dial(**kwargs: object) -> Metric:
    base: dict[str, object] = {"area": "outbound", "source": "dials",
                               "tables": ("dial_attempts",)}
    base.update(kwargs)
    return Metric(**base)  # type: ignore[arg-type]


def _conversion(p: Params) -> Metric:
    base = REGISTRY["conversion_rate"]
    per = p["per"]
    if per == "rpc":
        return base
    if per == "connected":
        return dataclasses.replace(base, denominator=lambda t, q: n(t.connected), resolve=None)
    # per lead: leads sold / leads dialed, both at the lead's first real attempt, each
    # lead its first dialer's (as in list_penetration)
    return dataclasses.replace(base, source="dialed_leads",
                               numerator=lambda t, q: n(t.lead_sold),
                               denominator=lambda t, q: n(t.lead_id.notnull()), resolve=None)


_PER_HOUR_NOTE = ("Hours: logged-in time (any state but logged_out) of the agents who made "
                  "dial attempts, on the days (reporting zone) they dialed; can be cut by "
                  "agent_id, site and tenant (the site and tenant of the agent's time). "
                  "Attempts no agent made (a predictive dialer's unanswered ones) count in "
                  "the total and bring no hours: by agent they are a row of their own with "
                  "no value, so the agents' rows pooled read less than the total.")

register(
    _dial(id="attempts", sections={"outbound": 0}, name="Dial attempts",
          formulas={"ru": "попытки дозвона",
                    "uk": "спроби дозвону"},
          names={"ru": "Попытки дозвона", "uk": "Спроби дозвону"}, unit="count",
          formula="dial attempts",
          numerator=lambda t, p: n(t.attempt_id.notnull())),
    _dial(id="connection_rate", sections={"outbound": 1}, name="Connection rate",
          formulas={"ru": "соединено / попытки (сброшенный — ответили, но нет оператора — не "
                          "соединён)",
                    "uk": "з'єднано / спроби (скинутий — відповіли, але немає оператора — не "
                          "з'єднаний)"},
          names={"ru": "Доля соединений", "uk": "Частка з'єднань"}, better="higher", unit="ratio",
          formula="connected / attempts (dropped — answered but no agent — is not connected)",
          numerator=lambda t, p: n(t.connected), denominator=lambda t, p: n(
              t.attempt_id.notnull())),
    _dial(id="dialer_abandon_rate", sections={"outbound": 2}, name="Dialer abandon rate",
          formulas={"ru": "сброшено / (соединено + сброшено): звонки, на которые ответил "
                          "человек, но не взял оператор",
                    "uk": "скинуто / (з'єднано + скинуто): дзвінки, на які відповіла людина, але "
                          "не взяв оператор"},
          names={"ru": "Доля брошенных дозвонов", "uk": "Частка покинутих дозвонів"},
          better="lower", target=0.03, unit="ratio",
          formula="dropped / (connected + dropped): calls a live person answered that no "
          "agent took",
          notes="The regulators' abandoned-call rate (UK Ofcom and US FTC: at most 3 % per "
          "campaign); cut by campaign to compare with the limit.",
          numerator=lambda t, p: n(t.result == "dropped"),
          denominator=lambda t, p: n(t.connected | (t.result == "dropped"))),
    _dial(id="rpc_rate", sections={"outbound": 3}, name="Right-party contact rate",
          formulas={"ru": "контакты с нужным лицом / соединено",
                    "uk": "контакти з потрібною особою / з'єднано"},
          names={"ru": "Доля целевых контактов", "uk": "Частка цільових контактів"},
          better="higher", unit="ratio",
          formula="right-party connects / connected",
          numerator=lambda t, p: n(t.rpc), denominator=lambda t, p: n(t.connected)),
    _dial(id="rpc_per_hour", name="Right-party contacts per hour",
          formulas={"ru": "контакты с нужным лицом / часы операторов в системе на исходящих",
                    "uk": "контакти з потрібною особою / години операторів у системі на вихідних"},
          names={"ru": "Целевых контактов в час", "uk": "Цільових контактів на годину"},
          unit="per_hour",
          formula="right-party connects / agent logged-in hours on outbound",
          tables=("dial_attempts", "agent_states"), denominator_source="dial_agent_time",
          numerator=lambda t, p: n(t.rpc), denominator=logged_in_seconds, scale=3600.0,
          notes=_PER_HOUR_NOTE),
    _dial(id="attempts_per_hour", name="Attempts per hour",
          formulas={"ru": "попытки / часы операторов в системе на исходящих",
                    "uk": "спроби / години операторів у системі на вихідних"},
          names={"ru": "Попыток в час", "uk": "Спроб на годину"}, unit="per_hour",
          formula="attempts / agent logged-in hours on outbound",
          tables=("dial_attempts", "agent_states"), denominator_source="dial_agent_time",
          numerator=lambda t, p: n(t.attempt_id.notnull()), denominator=logged_in_seconds,
          scale=3600.0, notes=_PER_HOUR_NOTE),
    _dial(id="conversion_rate", sections={"outbound": 4}, name="Conversion rate",
          formulas={"ru": "конвертированные контакты с нужным лицом / контакты с нужным лицом "
                          "(от соединений: / соединено; от лидов: проданные лиды / реально "
                          "набранные лиды, оба учтены по первой реально набранной попытке "
                          "лида с оператором, иначе по первой реально набранной)",
                    "uk": "конвертовані контакти з потрібною особою / контакти з потрібною "
                          "особою (від з'єднань: / з'єднано; від лідів: продані ліди / реально "
                          "набрані ліди, обидва враховані за першою реально набраною спробою "
                          "ліда з оператором, інакше за першою реально набраною)"},
          names={"ru": "Конверсия", "uk": "Конверсія"}, better="higher", unit="ratio",
          formula="converted right-party connects / right-party connects (per=connected: / "
          "connected; per=leads: leads sold (a converted right-party connect by as-of) / "
          "leads really dialed (not invalid or failed), both counted at and cut by the "
          "lead's first such attempt that names an agent, else its first such attempt)",
          params=(Param("per", "choice", "rpc", "denominator", ("rpc", "connected",
                                                                "leads")),),
          numerator=lambda t, p: n(t.sale), denominator=lambda t, p: n(t.rpc),
          resolve=_conversion),
    Metric(
        id="list_penetration", name="List penetration",
        formulas={"ru": "лиды с ≥ 1 реально набранной попыткой (не недействительной и не "
                        "сбойной) / лиды в dial_attempts, учёт по первой попытке каждого лида",
                  "uk": "ліди з ≥ 1 реально набраною спробою (не недійсною і не збійною) / ліди "
                        "в dial_attempts, облік за першою спробою кожного ліда"},
        names={"ru": "Проработка базы", "uk": "Опрацювання бази"}, better="higher", unit="ratio",
        area="outbound",
        source="leads", tables=("dial_attempts",),
        formula="leads with ≥ 1 attempt that was really dialed (not invalid or failed) / "
        "leads in dial_attempts, booked at each lead's first attempt",
        numerator=lambda t, p: n(t.dialed), denominator=lambda t, p: n(t.lead_id.notnull()),
        notes="A lead is a campaign's (campaign, lead_id): the same id in two campaigns' "
        "lists is a lead of each, here and in conversion_rate per=leads.",
    ),
)

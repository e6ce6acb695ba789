"""IVR (voice-bot) sessions: how many, how many the IVR served itself, how many callers
hung up in it, the time spent in it, and the wait a caller feels including it (catalog v1.2).

Sessions come from the optional table ``ivr_sessions``, booked at ``entered_at``
(source ``ivr``); ``avg_wait_with_ivr`` reads the answered contacts, booked at arrival like
``asa``, each with the IVR time of the session that led to it (source ``contacts_ivr``).
"""

from __future__ import annotations

import ibis.expr.types as ir

from omnikpi.metrics.base import Metric, register
from omnikpi.metrics.common import n, when

_SESSIONS_NOTE = ("Booked at entered_at; a session still in the IVR at as-of is left out. "
                  "Cut by queue through the contact the session led to (contact_id); the "
                  "session's own channel, site and tenant win over that contact's.")


def _result(t: ir.Table, result: str) -> ir.BooleanValue:
    return t.result == result


def _session_metric(**kwargs: object) -> Metric:
    base: dict[str, object] = {
        "area": "accessibility", "source": "ivr", "tables": ("ivr_sessions",),
        "notes": _SESSIONS_NOTE,
    }
    base.update(kwargs)
    return Metric(**base)  # type: ignore[arg-type]


register(
    _session_metric(
        id="ivr_sessions", name="IVR sessions",
        formulas={"ru": "сеансы IVR",
                  "uk": "сеанси IVR"},
        names={"ru": "Сеансы IVR", "uk": "Сеанси IVR"},
        sections={"accessibility_continuous": 6}, unit="count",
        formula="IVR sessions",
        numerator=lambda t, p: n(t.result.notnull()),
    ),
    _session_metric(
        id="ivr_containment_rate", name="IVR containment rate",
        formulas={"ru": "сеансы с результатом self_served / сеансы",
                  "uk": "сеанси з результатом self_served / сеанси"},
        names={"ru": "Доля обслуженных в IVR", "uk": "Частка обслужених в IVR"},
        better="higher", sections={"accessibility_continuous": 7}, unit="ratio",
        formula="sessions with result self_served / sessions",
        numerator=lambda t, p: n(_result(t, "self_served")),
        denominator=lambda t, p: n(t.result.notnull()),
    ),
    _session_metric(
        id="ivr_abandon_rate", name="IVR abandon rate",
        formulas={"ru": "сеансы, завершённые отказом / сеансы",
                  "uk": "сеанси, завершені відмовою / сеанси"},
        names={"ru": "Доля потерянных в IVR", "uk": "Частка втрачених в IVR"},
        better="lower", sections={"accessibility_continuous": 8}, unit="ratio",
        formula="sessions with result abandoned / sessions",
        numerator=lambda t, p: n(_result(t, "abandoned")),
        denominator=lambda t, p: n(t.result.notnull()),
    ),
    _session_metric(
        id="avg_ivr_time", name="Average IVR time",
        formulas={"ru": "Σ (left_at − entered_at) / сеансы",
                  "uk": "Σ (left_at − entered_at) / сеанси"},
        names={"ru": "Среднее время в IVR", "uk": "Середній час в IVR"},
        better="lower", sections={"accessibility_continuous": 9}, unit="seconds",
        formula="Σ (left_at − entered_at) / sessions",
        numerator=lambda t, p: t.ivr_s,
        denominator=lambda t, p: n(t.result.notnull()),
    ),
    Metric(
        id="avg_wait_with_ivr", name="Average wait including IVR",
        formulas={"ru": "Σ (время в IVR сеанса, который привёл к обращению, + ожидание) "
                        "отвеченных / отвечено (время в IVR = left_at − entered_at; ожидание = "
                        "first_response_at − arrived_at)",
                  "uk": "Σ (час в IVR сеансу, що привів до звернення, + очікування) тих, кому "
                        "відповіли / відповіли (час в IVR = left_at − entered_at; очікування = "
                        "first_response_at − arrived_at)"},
        names={"ru": "Среднее ожидание с учётом IVR",
               "uk": "Середнє очікування з урахуванням IVR"},
        better="lower", sections={"accessibility_continuous": 3}, unit="seconds",
        tile_needs=("ivr_sessions",),
        area="accessibility", source="contacts_ivr", tables=("contacts",),
        formula="Σ (IVR time of the session that led to the contact + wait) of answered / "
        "answered (IVR time = left_at − entered_at; wait = first_response_at − arrived_at)",
        numerator=lambda f, p: when(f.answered, f.ivr_s + f.wait_s),
        denominator=lambda f, p: n(f.answered),
        notes="Booked at arrival, like asa. A contact without an IVR session adds 0 IVR "
        "time (without ivr_sessions the metric equals asa); the sessions of a contact are "
        "those whose contact_id is the contact's, their times add up.",
    ),
)

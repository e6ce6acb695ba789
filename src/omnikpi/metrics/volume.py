"""Volume counts of the catalog (received, offered, answered, handled, ...)."""

from __future__ import annotations

from typing import Any

from omnikpi.metrics.base import Metric, Param, register
from omnikpi.metrics.common import n

_SHORT_ONLY = Param(
    "short_abandon_seconds",
    "float",
    5.0,
    "an abandon with a wait strictly below this is a short abandon",
    unit="seconds",
)


def _contact_count(id_: str, name: str, formula: str, column: str, booking: str = "arrival",
                   params: tuple[Param, ...] = (), **display: Any) -> Metric:
    """A count of contacts with a flag; ``display`` takes Metric's display fields."""
    return Metric(
        id=id_, name=name, unit="count", area="volume", source="contacts",
        tables=("contacts",), formula=formula, booking=booking, params=params,
        numerator=lambda f, p: n(f[column]), **display,
    )


register(
    _contact_count("received", "Received",
                   "offered + blocked contacts (inbound: an outbound contact is the agent's "
                   "own)", "received",
                   formulas={"ru": "предложенные + заблокированные обращения (входящие: "
                                   "исходящий контакт — инициатива оператора)",
                             "uk": "запропоновані + заблоковані звернення (вхідні: вихідний "
                                   "контакт — ініціатива оператора)"},
                   names={"ru": "Поступило", "uk": "Надійшло"}, standard=0),
    _contact_count("offered", "Offered", "inbound contacts with blocked = false", "offered",
                   formulas={"ru": "незаблокированные входящие обращения",
                             "uk": "незаблоковані вхідні звернення"},
                   names={"ru": "Предложено", "uk": "Запропоновано"},
                   sections={"accessibility_continuous": 0}, standard=1, wallboard=0),
    _contact_count("answered", "Answered", "offered contacts with first_response_at",
                   "answered",
                   formulas={"ru": "предложенные обращения с first_response_at",
                             "uk": "запропоновані звернення з first_response_at"},
                   names={"ru": "Отвечено", "uk": "Відповіли"}, better="higher",
                   standard=2, wallboard=1),
    _contact_count("handled", "Handled",
                   "answered contacts and outbound contacts that ended, booked at ended_at",
                   "handled", booking="end",
                   formulas={"ru": "отвеченные и исходящие завершённые обращения, учёт по "
                                   "ended_at",
                             "uk": "звернення з відповіддю та вихідні, що завершились, облік "
                                   "за ended_at"},
                   names={"ru": "Обработано", "uk": "Оброблено"},
                   better="higher"),
    _contact_count("abandoned", "Abandoned",
                   "offered contacts with abandoned_at and no first_response_at "
                   "(short ones included)", "abandoned",
                   formulas={"ru": "предложенные обращения с abandoned_at и без "
                                   "first_response_at (включая короткие)",
                             "uk": "запропоновані звернення з abandoned_at і без "
                                   "first_response_at (включно з короткими)"},
                   names={"ru": "Потеряно", "uk": "Втрачено"}, standard=3, wallboard=2),
    Metric(
        id="short_abandoned", name="Short abandoned",
        formulas={"ru": "потерянные с ожиданием < short_abandon_seconds",
                  "uk": "втрачені з очікуванням < short_abandon_seconds"},
        names={"ru": "Короткие потерянные", "uk": "Короткі втрачені"}, unit="count", area="volume",
        source="contacts", tables=("contacts",),
        formula="abandoned with wait < short_abandon_seconds",
        params=(_SHORT_ONLY,),
        numerator=lambda f, p: n(f.abandoned & (f.wait_s < float(p["short_abandon_seconds"]))),
    ),
    _contact_count("transferred", "Transferred", "handled contacts with transferred = true",
                   "is_transferred", booking="end",
                   formulas={"ru": "обработанные переведённые обращения",
                             "uk": "оброблені переведені звернення"},
                   names={"ru": "Переведено", "uk": "Переведено"}),
)

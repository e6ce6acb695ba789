"""Productivity from contacts: handle times and transactions per hour."""

from __future__ import annotations

import dataclasses
from typing import Any

from omnikpi.metrics.base import REGISTRY, Metric, Param, Params, register
from omnikpi.metrics.common import logged_in_seconds, n


def _handled_mean(id_: str, name: str, column: str, formula: str, **display: Any) -> Metric:
    """A mean over handled contacts; ``display`` takes Metric's display fields."""
    return Metric(
        id=id_, name=name, unit="seconds", area="productivity", source="contacts",
        tables=("contacts",), booking="end", formula=formula,
        numerator=lambda f, p: f[column], denominator=lambda f, p: n(f.handled), **display,
    )


register(
    _handled_mean(
        "aht", "Average handle time", "handle_s",
        "Σ handle time / handled; handle time = handle_seconds if given, else "
        "(ended_at − accepted_at) + acw_seconds (hold is inside the conversation)",
        formulas={"ru": "Σ времени обработки / обработано; время обработки = handle_seconds, "
                        "если задано, иначе (ended_at − accepted_at) + acw_seconds (удержание "
                        "входит в разговор)",
                  "uk": "Σ часу обробки / оброблено; час обробки = handle_seconds, якщо задано, "
                        "інакше (ended_at − accepted_at) + acw_seconds (утримання входить у "
                        "розмову)"},
        names={"ru": "Среднее время обработки", "uk": "Середній час обробки"},
        sections={"productivity": 0}, standard=9,
    ),
    _handled_mean("avg_talk_time", "Average talk time", "talk_s",
                  "Σ (ended_at − accepted_at − hold_seconds) / handled",
                  formulas={"ru": "Σ (ended_at − accepted_at − hold_seconds) / обработано",
                            "uk": "Σ (ended_at − accepted_at − hold_seconds) / оброблено"},
                  names={"ru": "Среднее время разговора", "uk": "Середній час розмови"}),
    _handled_mean("avg_hold_time", "Average hold time", "hold_s", "Σ hold_seconds / handled",
                  formulas={"ru": "Σ hold_seconds / обработано",
                            "uk": "Σ hold_seconds / оброблено"},
                  names={"ru": "Среднее время удержания", "uk": "Середній час утримання"}),
    _handled_mean("avg_acw_time", "Average after-contact work", "acw_s",
                  "Σ acw_seconds / handled",
                  formulas={"ru": "Σ acw_seconds / обработано",
                            "uk": "Σ acw_seconds / оброблено"},
                  names={"ru": "Средняя постобработка", "uk": "Середня післяобробка"}),
    Metric(
        id="transactions_per_hour", name="Transactions per hour",
        formulas={"ru": "обработано / часы периода строки (итог: заданный период, иначе от "
                        "первого до последнего завершения); на час в системе: обработано / часы "
                        "в системе операторов строки; на операторо-день: обработано / "
                        "операторо-дни с временем в системе (число на операторо-день, не в час)",
                  "uk": "оброблено / години періоду рядка (підсумок: заданий період, інакше від "
                        "першого до останнього завершення); на годину в системі: оброблено / "
                        "години в системі операторів рядка; на оператор-день: оброблено / "
                        "оператор-дні з часом у системі (кількість на оператор-день, не на "
                        "годину)"},
        names={"ru": "Обращений в час", "uk": "Звернень на годину"}, sections={"productivity": 5},
        unit="per_hour",
        area="productivity", source="contacts", tables=("contacts",), booking="end",
        formula="handled / hours in the row's period (grain total: --from…--to, else first "
        "to last end); per=logged_in: handled / logged-in hours of the row's agents; "
        "per=agent_day: handled / agent-days with logged-in time (a count per agent-day, "
        "not per hour)",
        params=(Param("per", "choice", "period", "what an hour is counted over",
                      ("period", "logged_in", "agent_day")),),
        numerator=lambda f, p: n(f.handled),
        per_period_hours=True,
        resolve=lambda p: _tph_variant(p),
        notes="per=logged_in and per=agent_day need agent_states and can be cut only by agent "
        "dimensions; an agent-day is one agent on one local day of the reporting zone.",
    ),
)


def _tph_variant(p: Params) -> Metric:
    """per=logged_in divides by the agents' logged-in time instead of the period."""
    if p["per"] == "agent_day":
        return _TPH_AGENT_DAY
    return _TPH_LOGGED_IN if p["per"] == "logged_in" else REGISTRY["transactions_per_hour"]


_TPH_LOGGED_IN = dataclasses.replace(
    REGISTRY["transactions_per_hour"],
    per_period_hours=False,
    denominator_source="logged_in_time",
    denominator=logged_in_seconds,
    scale=3600.0,
    resolve=None,
)
_TPH_AGENT_DAY = dataclasses.replace(
    REGISTRY["transactions_per_hour"],
    per_period_hours=False,
    denominator_source="agent_days",
    denominator=lambda t, p: n(t.agent_id.notnull()),
    resolve=None,
)

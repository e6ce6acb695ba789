"""Productivity from contacts: handle times and transactions per hour."""

from __future__ import annotations

from omnikpi.metrics.base import Metric, Param, register
from omnikpi.metrics.common import n


def _handled_mean(id_: str, name: str, column: str, formula: str) -> Metric:
    return Metric(
        id=id_, name=name, unit="seconds", area="productivity", source="contacts",
        tables=("contacts",), booking="end", formula=formula,
        numerator=lambda f, p: f[column], denominator=lambda f, p: n(f.handled),
    )


register(
    _handled_mean(
        "aht", "Average handle time", "handle_s",
        "Σ handle time / handled; handle time = handle_seconds if given, else "
        "(ended_at − accepted_at) + acw_seconds (hold is inside the conversation)",
    ),
    _handled_mean("avg_talk_time", "Average talk time", "talk_s",
                  "Σ (ended_at − accepted_at − hold_seconds) / handled"),
    _handled_mean("avg_hold_time", "Average hold time", "hold_s", "Σ hold_seconds / handled"),
    _handled_mean("avg_acw_time", "Average after-contact work", "acw_s",
                  "Σ acw_seconds / handled"),
    Metric(
        id="transactions_per_hour", name="Transactions per hour", unit="per_hour",
        area="productivity", source="contacts", tables=("contacts",), booking="end",
        formula="handled / hours in the row's period (grain total: --from…--to, else first "
        "to last end); per=logged_in: handled / logged-in hours of the row's agents",
        params=(Param("per", "choice", "period", "what an hour is counted over",
                      ("period", "logged_in")),),
        numerator=lambda f, p: n(f.handled),
        per_period_hours=True,
    ),
)

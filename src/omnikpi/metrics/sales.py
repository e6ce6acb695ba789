"""Sales from inbound contacts and outbound dialing (catalog v1.2)."""

from __future__ import annotations

import ibis.expr.types as ir

from omnikpi.metrics.base import Metric, Param, Params, register
from omnikpi.metrics.common import logged_in_seconds, n

SALE_OUTCOMES = Param(
    "sale_outcomes", "str", "sale",
    "comma-separated contact outcomes that are a sale (compared case-insensitively)")


def _outcomes(p: Params) -> list[str]:
    return [o.strip().lower() for o in str(p["sale_outcomes"]).split(",") if o.strip()]


def is_sale(t: ir.Table, p: Params) -> ir.BooleanValue:
    """A converted dial attempt, or an inbound contact closed with a sale outcome."""
    return (t.kind == "dial") | t.outcome.isin(_outcomes(p))


register(
    Metric(
        id="sales", name="Sales",
        formulas={"ru": "входящие обработанные обращения с результатом из sale_outcomes + "
                        "конвертированные попытки дозвона",
                  "uk": "вхідні оброблені звернення з результатом із sale_outcomes + "
                        "конвертовані спроби дозвону"},
        names={"ru": "Продажи", "uk": "Продажі"}, better="higher",
        sections={"productivity": 6}, unit="count", area="productivity",
        source="sales", tables=(),
        formula="inbound handled contacts whose outcome is in sale_outcomes + converted dial "
        "attempts",
        params=(SALE_OUTCOMES,),
        numerator=lambda t, p: n(is_sale(t, p)),
        notes="Contacts booked at their end, dial attempts when dialed; a dial attempt has "
        "no queue (its sales fall in the empty group of that cut) and the site and tenant "
        "of its agent's time when dialed (the state it falls in, else the roster's), else "
        "its campaign's when the campaign is dialed for one.",
    ),
    Metric(
        id="sales_per_hour", name="Sales per hour",
        formulas={"ru": "продажи / часы в системе операторов строки",
                  "uk": "продажі / години в системі операторів рядка"},
        names={"ru": "Продаж в час", "uk": "Продажів на годину"}, better="higher",
        sections={"productivity": 7}, unit="per_hour", area="productivity",
        source="sales", tables=("agent_states",), denominator_source="logged_in_time",
        formula="sales / logged-in hours of the agents in the row",
        params=(SALE_OUTCOMES,),
        numerator=lambda t, p: n(is_sale(t, p)), denominator=logged_in_seconds, scale=3600.0,
        notes="Logged-in hours: agent time in any state but logged_out. The hours are the "
        "agents', not a channel's: cut by agent, site and tenant only.",
    ),
    Metric(
        id="cross_sell_rate", name="Cross-sell rate",
        formulas={"ru": "входящие обработанные обращения с продажей / входящие обработанные "
                        "обращения",
                  "uk": "вхідні оброблені звернення з продажем / вхідні оброблені звернення"},
        names={"ru": "Доля допродаж", "uk": "Частка допродажів"}, better="higher",
        sections={"experience": 7}, unit="ratio", area="productivity",
        source="contacts", tables=("contacts",), booking="end",
        formula="inbound handled contacts with a sale outcome / inbound handled contacts",
        params=(SALE_OUTCOMES,),
        numerator=lambda t, p: n(_inbound_handled(t) & t.outcome.lower().isin(_outcomes(p))),
        denominator=lambda t, p: n(_inbound_handled(t)),
    ),
)


def _inbound_handled(t: ir.Table) -> ir.BooleanValue:
    return t.handled & t.received

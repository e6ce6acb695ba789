"""Quality from contacts: transfers, resolution, first-contact resolution."""

from __future__ import annotations

from omnikpi.metrics.base import Metric, Param, register
from omnikpi.metrics.common import n, when

register(
    Metric(
        id="transfer_rate", name="Transfer rate", unit="ratio", area="quality",
        source="contacts", tables=("contacts",), booking="end",
        formula="transferred / handled",
        numerator=lambda f, p: n(f.is_transferred), denominator=lambda f, p: n(f.handled),
    ),
    Metric(
        id="resolution_rate", name="Resolution rate", unit="ratio", area="quality",
        source="contacts", tables=("contacts",), booking="end",
        formula="handled with resolved = true / handled with resolved not null",
        numerator=lambda f, p: n(f.handled & f.resolved.fill_null(False)),
        denominator=lambda f, p: n(when(f.handled, f.resolved.notnull())),
    ),
)

_FCR_PARAMS = (
    Param("window_hours", "float", 168.0,
          "a contact of the same customer arriving within this time after the question "
          "ended is a repeat (inclusive)", unit="hours"),
    Param("match_topic", "bool", None,
          "a repeat must have the same topic (a missing topic matches any); default: true "
          "when the contacts have topics"),
)
_FCR_NOTE = (
    "Questions: handled contacts with a customer_id, booked at their end; a transfer leg "
    "(parent_id = the question) is not a repeat; questions whose window has not elapsed by "
    "as-of are left out."
)

register(
    Metric(
        id="fcr", name="First-contact resolution", unit="ratio", area="quality",
        source="fcr", tables=("contacts",), booking="end",
        formula="questions without a repeat contact / questions handled",
        params=_FCR_PARAMS, source_params=("window_hours", "match_topic"),
        numerator=lambda f, p: n(~f.repeated), denominator=lambda f, p: n(f.handled),
        notes=_FCR_NOTE,
    ),
    Metric(
        id="repeat_rate", name="Repeat rate", unit="ratio", area="quality",
        source="fcr", tables=("contacts",), booking="end",
        formula="1 − fcr: questions with a repeat contact / questions handled",
        params=_FCR_PARAMS, source_params=("window_hours", "match_topic"),
        numerator=lambda f, p: n(f.repeated), denominator=lambda f, p: n(f.handled),
        notes=_FCR_NOTE,
    ),
)

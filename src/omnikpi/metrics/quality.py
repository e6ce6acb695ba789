"""Quality from contacts: transfers, resolution, first-contact resolution."""

from __future__ import annotations

from omnikpi.metrics.base import Metric, register
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

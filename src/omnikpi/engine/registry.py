"""Which fact sources exist, the tables they read and the dimensions they can be cut by."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import ibis.expr.types as ir

from omnikpi.engine.chat_sources import (
    agent_peaks_source,
    chat_agent_time_source,
    chat_busy_source,
    chat_sessions_source,
)
from omnikpi.engine.fcr_source import fcr_source
from omnikpi.engine.schedule_sources import (
    roster_months_source,
    schedule_source,
    shifts_count_source,
)
from omnikpi.engine.sources import (
    AGENT_DIMENSIONS,
    SourceRequest,
    agent_time_source,
    contacts_booked_source,
    contacts_source,
)
from omnikpi.engine.table_sources import (
    availability_source,
    costs_source,
    dial_agent_time_source,
    dials_source,
    employee_surveys_source,
    leads_source,
    messages_source,
    qa_items_source,
    qa_source,
    surveys_source,
)
from omnikpi.errors import UsageError
from omnikpi.schema.tables import CONTACT_DIMENSIONS

SOURCES: dict[str, Callable[[SourceRequest], ir.Table]] = {
    "contacts": contacts_source,
    "agent_time": agent_time_source,
    "chat_sessions": chat_sessions_source,
    "chat_busy": chat_busy_source,
    "agent_peaks": agent_peaks_source,
    "fcr": fcr_source,
    "chat_agent_time": chat_agent_time_source,
    "surveys": surveys_source,
    "qa": qa_source,
    "qa_items": qa_items_source,
    "costs": costs_source,
    "dials": dials_source,
    "leads": leads_source,
    "dial_agent_time": dial_agent_time_source,
    "employee_surveys": employee_surveys_source,
    "schedule": schedule_source,
    "shifts_count": shifts_count_source,
    "roster_months": roster_months_source,
    "messages": messages_source,
    "availability": availability_source,
}
BOOKED_SOURCES: dict[str, Callable[[SourceRequest, Sequence[str]], ir.Table]] = {
    "contacts": contacts_booked_source,
}
"""Sources that can give the rows of several booking rules in one pass (a key per rule)."""
SOURCE_TABLES: dict[str, tuple[str, ...]] = {
    "contacts": ("contacts",),
    "agent_time": ("agent_states",),
    "chat_sessions": ("contacts",),
    "chat_busy": ("contacts",),
    "agent_peaks": ("contacts", "agent_states"),
    "fcr": ("contacts",),
    "chat_agent_time": ("contacts", "agent_states"),
    "surveys": ("surveys", "contacts"),
    "qa": ("qa_evaluations", "contacts"),
    "qa_items": ("qa_items", "qa_evaluations", "contacts"),
    "costs": ("costs",),
    "dials": ("dial_attempts",),
    "leads": ("dial_attempts",),
    "dial_agent_time": ("dial_attempts", "agent_states"),
    "employee_surveys": ("employee_surveys",),
    "schedule": ("shifts", "shift_activities", "agent_states"),
    "shifts_count": ("shifts",),
    "roster_months": ("roster",),
    "messages": ("messages", "contacts"),
    "availability": ("availability",),
}
SOURCE_DIMENSIONS: dict[str, tuple[str, ...]] = {
    "contacts": CONTACT_DIMENSIONS,
    "agent_time": AGENT_DIMENSIONS,
    "chat_sessions": AGENT_DIMENSIONS,
    "chat_busy": AGENT_DIMENSIONS,
    "agent_peaks": ("agent_id", "site", "tenant"),
    "fcr": CONTACT_DIMENSIONS,
    "chat_agent_time": AGENT_DIMENSIONS,
    "surveys": CONTACT_DIMENSIONS,
    "qa": CONTACT_DIMENSIONS,
    "qa_items": CONTACT_DIMENSIONS,
    "costs": ("channel", "queue", "tenant"),
    "dials": ("agent_id", "campaign", "lead_type"),
    "leads": ("agent_id", "campaign", "lead_type"),
    "dial_agent_time": AGENT_DIMENSIONS,
    "employee_surveys": ("agent_id",),
    "schedule": ("agent_id", "site", "tenant"),
    "shifts_count": ("agent_id", "site", "tenant"),
    "roster_months": ("agent_id", "site", "tenant"),
    "messages": CONTACT_DIMENSIONS,
    "availability": ("channel", "queue"),
}


def check_dimensions(source: str, metric_id: str, by: list[str]) -> None:
    allowed = SOURCE_DIMENSIONS[source]
    bad = [d for d in by if d not in allowed]
    if bad:
        raise UsageError(
            f"metric {metric_id} cannot be cut by {', '.join(bad)}: its data "
            f"({', '.join(SOURCE_TABLES[source])}) can be cut only by {', '.join(allowed)}"
        )

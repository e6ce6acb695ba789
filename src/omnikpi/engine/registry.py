"""Which fact sources exist, the tables they read and the dimensions they can be cut by.

A metric's own cuts follow from the sources it reads (``metric_dimensions``): nothing
about them is declared twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import ibis.expr.types as ir

from omnikpi.engine.agent_days import agent_days_source
from omnikpi.engine.chat_sources import (
    agent_peaks_source,
    chat_agent_time_source,
    chat_busy_source,
    chat_sessions_source,
)
from omnikpi.engine.fcr_source import fcr_source
from omnikpi.engine.ivr_source import IVR_DIMENSIONS, contacts_ivr_source, ivr_source
from omnikpi.engine.sales_source import sales_source
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
    dialed_leads_source,
    dials_source,
    employee_surveys_source,
    leads_source,
    messages_source,
    qa_items_source,
    qa_source,
    scheduled_agent_time_source,
    surveyed_contacts_source,
    surveys_source,
)
from omnikpi.engine.talk_source import talk_source
from omnikpi.errors import UsageError
from omnikpi.metrics.base import Metric
from omnikpi.schema.model import REVIEW_TABLES
from omnikpi.schema.tables import CONTACT_DIMENSIONS


@dataclass(frozen=True)
class FactSource:
    """Where a metric's rows come from: one record per source, read by the engine (to
    build and cut the rows), the docs and the web pages (which cuts and filters apply).
    """

    name: str
    build: Callable[[SourceRequest], ir.Table]
    tables: tuple[str, ...]
    """Canonical tables the rows are built from (a report needs them present)."""
    dimensions: tuple[str, ...]
    """What the rows can be cut and filtered by."""
    optional: tuple[str, ...] = ()
    """Tables read when present, as empty when absent (the contact a survey is about,
    for its queue; the unpaid activities of a shift)."""
    booked: Callable[[SourceRequest, Sequence[str]], ir.Table] | None = None
    """Builds the rows of several booking rules in one pass (a key column per rule)."""
    people_time: bool = False
    """The rows are people's time (agent states, schedules): cut by agent, site, tenant."""
    booking: str | None = None
    """What puts a row into a period, as the catalog shows it: a timestamp column, or
    ``clock`` for time split across periods; None for contact rows, booked by the
    metric's own rule (arrival, end, resolved)."""


_PEOPLE = ("agent_id", "site", "tenant")

SOURCES: dict[str, FactSource] = {source.name: source for source in (
    FactSource("contacts", contacts_source, ("contacts",), CONTACT_DIMENSIONS,
               booked=contacts_booked_source),
    FactSource("agent_time", agent_time_source, ("agent_states",), AGENT_DIMENSIONS,
               people_time=True, booking="clock"),
    # the same pieces, as an agent's logged-in hours: not a channel's (a blended agent's
    # waiting has none), so cut by agent dimensions only — by channel, a chat agent's
    # 4 chats over the 1.25 h of states marked chat read 3.2 an hour, logged in 4 h
    FactSource("logged_in_time", agent_time_source, ("agent_states",), _PEOPLE,
               people_time=True, booking="clock"),
    FactSource("chat_sessions", chat_sessions_source, ("contacts", "agent_states"),
               AGENT_DIMENSIONS,
               people_time=True, booking="clock"),
    FactSource("chat_busy", chat_busy_source, ("contacts", "agent_states"),
               AGENT_DIMENSIONS,
               people_time=True, booking="clock"),
    FactSource("agent_peaks", agent_peaks_source, ("contacts", "agent_states"), _PEOPLE,
               people_time=True, booking="clock"),
    FactSource("fcr", fcr_source, ("contacts",), CONTACT_DIMENSIONS, booking="ended_at"),
    FactSource("chat_agent_time", chat_agent_time_source, ("contacts", "agent_states"),
               AGENT_DIMENSIONS, booking="clock"),
    FactSource("surveys", surveys_source, ("surveys",), CONTACT_DIMENSIONS,
               optional=("contacts",), booking="answered_at"),
    FactSource("surveyed_contacts", surveyed_contacts_source, ("contacts", "surveys"),
               CONTACT_DIMENSIONS),
    FactSource("qa", qa_source, ("qa_evaluations",), CONTACT_DIMENSIONS,
               optional=("contacts",), booking="evaluated_at"),
    FactSource("qa_items", qa_items_source, ("qa_items", "qa_evaluations"),
               CONTACT_DIMENSIONS, optional=("contacts",), booking="evaluated_at"),
    FactSource("costs", costs_source, ("costs",), ("channel", "queue", "tenant"), booking="clock"),
    FactSource("dials", dials_source, ("dial_attempts",),
               ("agent_id", "campaign", "lead_type", "site", "tenant"),
               optional=("agent_states", "roster"), booking="dialed_at"),
    FactSource("leads", leads_source, ("dial_attempts",),
               ("agent_id", "campaign", "lead_type", "site", "tenant"),
               optional=("agent_states", "roster"), booking="first dialed_at"),
    FactSource("dialed_leads", dialed_leads_source, ("dial_attempts",),
               ("agent_id", "campaign", "lead_type", "site", "tenant"),
               optional=("agent_states", "roster"), booking="first real dialed_at"),
    FactSource("dial_agent_time", dial_agent_time_source, ("dial_attempts", "agent_states"),
               AGENT_DIMENSIONS, booking="clock"),
    FactSource("scheduled_agent_time", scheduled_agent_time_source,
               ("agent_states", "shift_activities", "shifts"), AGENT_DIMENSIONS,
               people_time=True, booking="clock"),
    FactSource("employee_surveys", employee_surveys_source, ("employee_surveys",),
               ("agent_id",), booking="answered_at"),
    FactSource("schedule", schedule_source, ("shifts", "agent_states"), _PEOPLE,
               optional=("shift_activities",), people_time=True, booking="clock"),
    FactSource("shifts_count", shifts_count_source, ("shifts",), _PEOPLE, booking="start"),
    FactSource("roster_months", roster_months_source, ("roster",), _PEOPLE, booking="clock"),
    FactSource("messages", messages_source, ("messages", "contacts"), CONTACT_DIMENSIONS,
               booking="ts"),
    FactSource("availability", availability_source, ("availability",), ("channel", "queue"),
               booking="clock"),
    FactSource("ivr", ivr_source, ("ivr_sessions",), IVR_DIMENSIONS, optional=("contacts",),
               booking="entered_at"),
    FactSource("contacts_ivr", contacts_ivr_source, ("contacts",), CONTACT_DIMENSIONS,
               optional=("ivr_sessions",)),
    FactSource("sales", sales_source, (), ("agent_id", "channel", "queue", "site", "tenant"),
               optional=("contacts", "dial_attempts", "agent_states", "roster"),
               booking="ended_at / dialed_at"),
    FactSource("agent_days", agent_days_source, ("agent_states",), _PEOPLE,
               people_time=True, booking="clock"),
    FactSource("talk", talk_source, ("talk_analytics", "contacts"), CONTACT_DIMENSIONS,
               booking="ended_at"),
)}


def source(name: str) -> FactSource:
    return SOURCES[name]


def metric_sources(metric: Metric) -> tuple[FactSource, ...]:
    """The sources a metric reads: its own, and its denominator's when that differs."""
    names = [metric.source]
    if metric.denominator_source and metric.denominator_source != metric.source:
        names.append(metric.denominator_source)
    return tuple(SOURCES[n] for n in names)


def metric_dimensions(metric: Metric) -> tuple[str, ...]:
    """What a metric can be cut and filtered by: what every source it reads can be (in
    the order of the source with the fewest)."""
    sources = sorted(metric_sources(metric), key=lambda s: len(s.dimensions))
    return tuple(d for d in sources[0].dimensions
                 if all(d in other.dimensions for other in sources[1:]))


def metric_tables(metric: Metric) -> tuple[str, ...]:
    """Every canonical table a metric needs: its declared tables and its sources'."""
    names = list(metric.tables)
    for fact_source in metric_sources(metric):
        names += [t for t in fact_source.tables if t not in names]
    return tuple(dict.fromkeys(names))


def metric_reads(metric: Metric) -> tuple[str, ...]:
    """Every canonical table a metric reads: those it needs and its sources' optional
    ones (the tables whose latest event sets the default as-of)."""
    names = list(metric_tables(metric))
    for fact_source in metric_sources(metric):
        names += [t for t in fact_source.optional if t not in names]
    return tuple(names)


def review_reads(metric: Metric) -> tuple[str, ...]:
    """The review tables (QA evaluations, employee surveys) a metric reads: none for the
    operation's metrics. Such a metric does not set a mixed report's default as-of
    (``engine/run._as_of_tables``), and its later reviews are named in a note
    (``report_notes.later_reviews_note``)."""
    return tuple(t for t in metric_reads(metric) if t in REVIEW_TABLES)


def _check_dimensions_of(metric: Metric, dims: Sequence[str], verb: str) -> None:
    allowed = metric_dimensions(metric)
    bad = [d for d in dims if d not in allowed]
    if bad:
        # a source may need no table but read optional ones (sales: contacts or dial
        # attempts): those are its data ("its data ()" said nothing)
        tables = ", ".join(dict.fromkeys(t for s in metric_sources(metric)
                                         for t in (s.tables or s.optional)))
        raise UsageError(
            f"metric {metric.id} cannot be {verb} by {', '.join(bad)}: its data ({tables}) "
            f"can be {verb} only by {', '.join(allowed)}"
        )


def check_cut(metric: Metric, by: Sequence[str]) -> None:
    """A usage error naming the metric and the cuts it has, for a cut it cannot have."""
    _check_dimensions_of(metric, by, "cut")


def check_filters(metric: Metric, dims: Sequence[str]) -> None:
    """A usage error naming the metric and what it can be filtered by, for a filter its
    data cannot have (agent time has no queue; a paid shift has no channel)."""
    _check_dimensions_of(metric, dims, "filtered")


def check_dimensions(source_name: str, metric_id: str, by: Sequence[str]) -> None:
    fact_source = SOURCES[source_name]
    bad = [d for d in by if d not in fact_source.dimensions]
    if bad:
        raise UsageError(
            f"metric {metric_id} cannot be cut by {', '.join(bad)}: its data "
            f"({', '.join(fact_source.tables)}) can be cut only by "
            f"{', '.join(fact_source.dimensions)}"
        )

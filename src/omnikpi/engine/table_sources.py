"""Fact sources of the other canonical tables: surveys, QA, costs, outbound dialing.

Rows that belong to a contact take the contact's dimensions (queue, site, agent, …) by
joining ``contacts``; a survey or evaluation whose contact is unknown keeps null
dimensions rather than being dropped.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from omnikpi.engine.sources import SourceRequest, book, split_intervals
from omnikpi.schema.tables import CONTACT_DIMENSIONS


def _with_contact_dimensions(t: ir.Table, req: SourceRequest, own: tuple[str, ...]) -> ir.Table:
    """Attach the contact's dimensions; a value the row has itself (``own``) wins."""
    contacts = req.tables("contacts")
    c = contacts.select(
        __cid=contacts.contact_id, **{f"__c_{d}": contacts[d] for d in CONTACT_DIMENSIONS}
    )
    j = t.left_join(c, t.contact_id == c.__cid)
    values = {
        d: (j[d].coalesce(j[f"__c_{d}"]) if d in own else j[f"__c_{d}"])
        for d in CONTACT_DIMENSIONS
    }
    return j.mutate(**values).drop("__cid", *[f"__c_{d}" for d in CONTACT_DIMENSIONS])


def surveys_source(req: SourceRequest) -> ir.Table:
    """Survey answers with the contact's dimensions (the survey's own channel wins)."""
    s = req.tables("surveys")
    s = s.mutate(
        survey=s.survey.lower(),
        score10=(s.score - s.scale_min) * 10.0 / (s.scale_max - s.scale_min).nullif(0),
    )
    first = ibis.window(group_by=s.contact_id, order_by=[s.answered_at, s.survey])
    s = s.mutate(
        first_for_contact=s.contact_id.isnull() | (ibis.row_number().over(first) == 0)
    )
    s = _with_contact_dimensions(s, req, own=("channel",))
    return book(s, s.answered_at, req)


def qa_source(req: SourceRequest) -> ir.Table:
    """Non-calibration evaluations; ``latest`` marks the one that judges its contact/chain."""
    e = req.tables("qa_evaluations")
    e = e.filter(~e.calibration.fill_null(False))
    subject = e.chain_id.coalesce(e.contact_id).coalesce(e.evaluation_id)
    e = e.mutate(__subject=subject)
    newest = ibis.window(group_by=e.__subject, order_by=[ibis.desc(e.evaluated_at),
                                                          ibis.desc(e.evaluation_id)])
    e = e.mutate(latest=ibis.row_number().over(newest) == 0)
    e = _with_contact_dimensions(e, req, own=("agent_id",))
    return book(e, e.evaluated_at, req)


def costs_source(req: SourceRequest) -> ir.Table:
    """Cost rows spread over the time they cover, in proportion to time."""
    c = req.tables("costs")
    c = c.mutate(__total=(c.period_end - c.period_start).cast("float64"))
    pieces = split_intervals(c, "period_start", "period_end", req, clip_as_of=False)
    return pieces.mutate(
        cost=pieces.amount * (pieces.piece_end - pieces.piece_start).cast("float64")
        / pieces.__total.nullif(0)
    )


def dials_source(req: SourceRequest) -> ir.Table:
    d = req.tables("dial_attempts")
    d = d.mutate(result=d.result.lower())
    first = ibis.window(group_by=d.lead_id, order_by=[d.dialed_at, d.attempt_id])
    d = d.mutate(
        connected=d.result == "connected",
        first_of_lead=ibis.row_number().over(first) == 0,
    )
    d = d.mutate(
        rpc=d.connected & d.right_party.fill_null(False),
        sale=d.connected & d.right_party.fill_null(False) & d.converted.fill_null(False),
    )
    return book(d, d.dialed_at, req)


def leads_source(req: SourceRequest) -> ir.Table:
    """One row per lead, booked at its first attempt: was it really dialed?"""
    d = req.tables("dial_attempts")
    dialed = ~d.result.lower().isin(["invalid", "failed"])
    leads = d.group_by(["lead_id"]).aggregate(
        first_at=d.dialed_at.min(), campaign=d.campaign.min(), lead_type=d.lead_type.min(),
        agent_id=d.agent_id.min(), dialed=dialed.any(),
    )
    return book(leads, leads.first_at, req)


def dial_agent_time_source(req: SourceRequest) -> ir.Table:
    """Logged-in time of the agents who made dial attempts (their outbound hours)."""
    from omnikpi.engine.sources import agent_time_source

    time = agent_time_source(req)
    dialers = req.tables("dial_attempts").agent_id
    return time.filter((time.state != "logged_out") & time.agent_id.isin(dialers))


def employee_surveys_source(req: SourceRequest) -> ir.Table:
    e = req.tables("employee_surveys")
    return book(e.mutate(dimension=e.dimension.lower()), e.answered_at, req)

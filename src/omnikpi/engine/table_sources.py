"""Fact sources of the other canonical tables: surveys, QA, costs, outbound dialing.

Rows that belong to a contact take the contact's dimensions (queue, site, agent, …) by
joining ``contacts``; a survey or evaluation whose contact is unknown keeps null
dimensions rather than being dropped.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from omnikpi.engine.agent_day_filter import day_of, days_spanned, on_agent_days
from omnikpi.engine.grains import key_expr
from omnikpi.engine.intervals import islands
from omnikpi.engine.relations import without
from omnikpi.engine.sources import KEY, SourceRequest, book, in_window, split_intervals
from omnikpi.schema.tables import CONTACT_DIMENSIONS


def _with_contact_dimensions(t: ir.Table, req: SourceRequest, own: tuple[str, ...] = (),
                             unlinked: tuple[str, ...] = ()) -> ir.Table:
    """Attach the contact's dimensions; a value the row has itself wins for ``own``, and
    for ``unlinked`` places only a row whose contact is not known."""
    contacts = req.tables("contacts")
    c = contacts.select(
        __cid=contacts.contact_id, **{f"__c_{d}": contacts[d] for d in CONTACT_DIMENSIONS}
    )
    j = t.left_join(c, t.contact_id == c.__cid)
    values = {
        d: (j[d].coalesce(j[f"__c_{d}"]) if d in own
            else j[f"__c_{d}"].coalesce(j[d]) if d in unlinked else j[f"__c_{d}"])
        for d in CONTACT_DIMENSIONS
    }
    return without(j.mutate(**values), "__cid", *[f"__c_{d}" for d in CONTACT_DIMENSIONS])


def surveys_source(req: SourceRequest) -> ir.Table:
    """Survey answers with the contact's dimensions. An answer is counted in the channel
    of the contact it rates; the survey's own channel (often the one it travelled on:
    an SMS survey after a call) places only an answer that names no known contact. The
    survey's channel won, and a voice call's CSAT sent by SMS was counted under ``sms``,
    beside a voice response rate with no CSAT."""
    s = req.tables("surveys")
    s = s.mutate(
        survey=s.survey.lower(),
        score10=(s.score - s.scale_min) * 10.0 / (s.scale_max - s.scale_min).nullif(0),
    )
    first = ibis.window(group_by=s.contact_id, order_by=[s.answered_at, s.survey])
    # an answer naming no contact is no handled contact's answer: counted as one, the
    # response rate of a center with unlinked web surveys read 3.75
    s = s.mutate(
        first_for_contact=s.contact_id.notnull() & (ibis.row_number().over(first) == 0)
    )
    s = _with_contact_dimensions(s, req, unlinked=("channel",))
    return book(s, s.answered_at, req)


CUSTOMER_SURVEYS = ("csat", "nps", "ces")
"""The survey answers a customer-experience metric reads, and so the response rate."""


def surveyed_contacts_source(req: SourceRequest) -> ir.Table:
    """Contacts, each marked ``surveyed`` when a survey answer known by as-of names it:
    the response rate counts a contact and its answer in the same period, the contact's
    (booked by the answer, a CSAT given the morning after a chat went to the next day's
    numerator: 0 then 2.0 by day)."""
    from omnikpi.engine.sources import contacts_source

    facts = contacts_source(req)
    s = req.tables("surveys")
    # the answers a metric reads (csat, nps, ces): cdsat and esat answers are read by none
    # (an esat answer is the agent's, not the customer's), and a contact surveyed only
    # with them counted as answered: a response rate of 1.0 for 0.5
    answered = s.filter(s.contact_id.notnull() & (s.answered_at <= req.ctx.as_of_us)
                        & s.survey.lower().isin(list(CUSTOMER_SURVEYS)))
    answered = answered.select(__surveyed=answered.contact_id).distinct()
    marked = facts.left_join(answered, facts.contact_id == answered.__surveyed)
    return without(marked.mutate(surveyed=marked.__surveyed.notnull()), "__surveyed")


def qa_source(req: SourceRequest) -> ir.Table:
    """Non-calibration evaluations; ``latest`` marks the one that judges its contact/chain."""
    e = req.tables("qa_evaluations")
    # the latest evaluation known at as-of judges its contact: one recorded later has not
    # happened yet, so it can neither judge nor hide the earlier one
    e = e.filter(~e.calibration.fill_null(False) & (e.evaluated_at <= req.ctx.as_of_us))
    subject = e.chain_id.coalesce(e.contact_id).coalesce(e.evaluation_id)
    e = e.mutate(__subject=subject)
    newest = ibis.window(group_by=e.__subject, order_by=[ibis.desc(e.evaluated_at),
                                                          ibis.desc(e.evaluation_id)])
    e = e.mutate(latest=ibis.row_number().over(newest) == 0)
    e = _with_contact_dimensions(e, req, own=("agent_id",))
    return book(e, e.evaluated_at, req)


def qa_items_source(req: SourceRequest) -> ir.Table:
    """Item scores of non-calibration evaluations, with the evaluation's agent and the
    contact's dimensions; N/A items (no score) are kept and left out by the metric."""
    e = req.tables("qa_evaluations")
    e = e.filter(~e.calibration.fill_null(False)).select(
        "evaluation_id", "contact_id", "agent_id", "evaluated_at")
    items = req.tables("qa_items")
    j = items.join(e, items.evaluation_id == e.evaluation_id).select(
        items.evaluation_id, items.item_id, items.weight, item_score=items.score,
        contact_id=e.contact_id, agent_id=e.agent_id, evaluated_at=e.evaluated_at)
    j = _with_contact_dimensions(j, req, own=("agent_id",))
    return book(j, j.evaluated_at, req)


def costs_source(req: SourceRequest) -> ir.Table:
    """Cost rows spread over the time they cover, in proportion to time."""
    c = req.tables("costs")
    columns = list(c.columns)
    c = c.mutate(__total=(c.period_end - c.period_start).cast("float64"))
    spread = c.filter(c.period_end > c.period_start)
    pieces = split_intervals(spread, "period_start", "period_end", req, clip_as_of=False)
    pieces = pieces.mutate(
        cost=pieces.amount * (pieces.piece_end - pieces.piece_start).cast("float64")
        / pieces.__total)
    # a one-off (period_end = period_start: a fee, a fine) has no time to spread over: it
    # is the period's in which it falls (it used to weigh 0 / 0 and vanish without a word)
    once = c.filter(c.period_end == c.period_start)
    once = once.filter(in_window(once.period_start, req.ctx))
    once = once.mutate(cost=once.amount.cast("float64"), **{KEY: key_expr(
        req.ctx.grain, once.period_start, req.ctx.offsets, req.ctx.nonnegative_keys)})
    keep = [*columns, "cost", KEY]
    return ibis.union(pieces.select(*keep), once.select(*keep), distinct=False)


#: Attempt results that never rang out: the number was invalid or the dialer failed.
NOT_DIALED = ("invalid", "failed")


def dials_source(req: SourceRequest) -> ir.Table:
    from omnikpi.engine.agent_place import with_dial_place

    d = req.tables("dial_attempts")
    # the site and tenant of the agent's time when dialing (the hours its rates divide by),
    # else of the campaign
    d = with_dial_place(d, req)
    d = d.mutate(result=d.result.lower())
    d = d.mutate(connected=d.result == "connected")
    d = d.mutate(
        rpc=d.connected & d.right_party.fill_null(False),
        sale=d.connected & d.right_party.fill_null(False) & d.converted.fill_null(False),
    )
    return book(d, d.dialed_at, req)


LEAD_KEY = ("campaign", "lead_id")
"""A lead is a campaign's: lead ids repeat across the lists of an outsourcer's clients
(each client's list numbered from 1), and a lead recycled into a second campaign is a
lead of each. Keyed by its id alone, a lead was credited to one campaign only: the other
read 2 sales of 1 lead, a conversion of 200 %."""


def _leads(req: SourceRequest) -> ir.Table:
    """One row per lead of a campaign (LEAD_KEY), from its attempts made by as-of.

    The agent, lead type, site and tenant are those of its first attempt that names one;
    they were the smallest by name of any attempt's: a lead first dialed by zed and
    reached later by amy was amy's, on a day she dialed nothing. An attempt's site and
    tenant are its agent's when dialed, else its campaign's, as in the dials.

    A lead really dialed (an attempt not invalid or failed) also has its *dialer*: its
    first such attempt that names an agent, else its first such attempt — the instant
    (``dialer_at``), agent, site and tenant conversion per lead books and cuts it by. A
    predictive dialer's unanswered first attempts name no agent: its sale went to "no
    agent" while list penetration gave the lead to the agent who reached it; and taken
    from an invalid attempt, a lead sold by amy was zed's, on a day he dialed nothing.
    ``lead_sold``: a converted right-party connect sold it."""
    from omnikpi.engine.agent_place import with_dial_place

    # placed before the as-of cut, as the dials are (a campaign's one site is the same)
    d = with_dial_place(req.tables("dial_attempts"), req)
    # an attempt after as-of has not happened yet: it neither makes a lead nor dials it
    d = d.filter(d.dialed_at <= req.ctx.as_of_us)
    d = d.mutate(result=d.result.lower())
    lead = [d[k] for k in LEAD_KEY]
    every = ibis.window(group_by=lead)

    def earliest(column: str) -> ir.Value:
        """The value of the lead's first attempt that has one (a predictive dialer's
        unanswered first attempts name no agent)."""
        ranked = ibis.window(group_by=lead,
                             order_by=[d[column].isnull(), d.dialed_at, d.attempt_id])
        return ibis.ifelse(ibis.row_number().over(ranked) == 0, d[column],
                           ibis.null(d[column].type()))

    really_dialed = ~d.result.isin(list(NOT_DIALED))
    sale = ((d.result == "connected") & d.right_party.fill_null(False)
            & d.converted.fill_null(False))
    d = d.mutate(
        __order=ibis.row_number().over(ibis.window(group_by=lead,
                                                   order_by=[d.dialed_at, d.attempt_id])),
        __agent=earliest("agent_id"), __type=earliest("lead_type"),
        __site=earliest("site"), __tenant=earliest("tenant"),
        __dialer=really_dialed & (ibis.row_number().over(ibis.window(
            group_by=lead, order_by=[~really_dialed, d.agent_id.isnull(), d.dialed_at,
                                     d.attempt_id])) == 0),
        dialed=really_dialed.cast("int64").max().over(every) == 1,
        lead_sold=sale.cast("int64").max().over(every) == 1,
    )

    def of_dialer(value: ir.Value) -> ir.Value:
        return ibis.ifelse(d.__dialer, value, ibis.null(value.type())).max().over(every)

    d = d.mutate(__agent=d.__agent.max().over(every), __type=d.__type.max().over(every),
                 __site=d.__site.max().over(every), __tenant=d.__tenant.max().over(every),
                 dialer_at=of_dialer(d.dialed_at), dialer_agent=of_dialer(d.agent_id),
                 dialer_site=of_dialer(d.site), dialer_tenant=of_dialer(d.tenant))
    first = d.filter(d.__order == 0)
    return first.select(*LEAD_KEY, first_at=first.dialed_at, lead_type=first.__type,
                        agent_id=first.__agent, site=first.__site, tenant=first.__tenant,
                        dialed=first.dialed, dialer_at=first.dialer_at,
                        dialer_agent=first.dialer_agent, dialer_site=first.dialer_site,
                        dialer_tenant=first.dialer_tenant, lead_sold=first.lead_sold)


def leads_source(req: SourceRequest) -> ir.Table:
    """One row per lead of a campaign, booked at its first attempt: was it really
    dialed? (list penetration)"""
    leads = _leads(req)
    return book(leads, leads.first_at, req)


def dialed_leads_source(req: SourceRequest) -> ir.Table:
    """The leads really dialed, each booked at and cut by its dialer (``_leads``): was it
    sold? (conversion per lead)

    A lead with only a bad number never reached anyone and would lower the rate for a
    list-quality reason."""
    leads = _leads(req)
    leads = leads.filter(leads.dialed)
    leads = leads.select(*LEAD_KEY, "lead_type", "lead_sold", first_dialed_at=leads.dialer_at,
                         agent_id=leads.dialer_agent, site=leads.dialer_site,
                         tenant=leads.dialer_tenant)
    return book(leads, leads.first_dialed_at, req)


def dial_agent_time_source(req: SourceRequest) -> ir.Table:
    """Logged-in time of the agents who made dial attempts, on the days they dialed (their
    outbound hours): an agent's inbound-only day is no outbound hour. Time is cut at local
    midnight whatever the grain (by week, a state from 22:00 to 02:00 was kept or left out
    whole by the day it began: no outbound hour for two attempts after midnight)."""
    from omnikpi.engine.agent_days import agent_time_by_day

    time = agent_time_by_day(req)
    time = time.filter(time.state != "logged_out")
    d = req.tables("dial_attempts")
    d = d.filter(d.agent_id.notnull() & (d.dialed_at <= req.ctx.as_of_us))
    dialing_days = d.select(agent_id=d.agent_id, day=day_of(d.dialed_at, req))
    return on_agent_days(time, dialing_days, req)


def scheduled_agent_time_source(req: SourceRequest) -> ir.Table:
    """Agent time on the days the agent had scheduled work (conformance's "at any time of
    the day"): an agent with no schedule that day adds no work time to a team's figure."""
    from omnikpi.engine.agent_days import agent_time_by_day
    from omnikpi.engine.schedule_sources import scheduled_work

    # cut at local midnight whatever the grain: a state from 23:00 to 01:00 has its hour
    # of a scheduled day counted (it counted whole, or not at all, by the day it started:
    # 1.125 by day, 1.0 by week for the same day)
    time = agent_time_by_day(req)
    # work as adherence reads it: a shift's time no activity claims is work too
    work = scheduled_work(req.tables)
    # the day's time belongs to the site and tenant of its scheduled work, as the
    # scheduled work it is divided by (a state without a site read 0 % for the shift's);
    # an agent scheduled at two sites in a day (kyiv in the morning, lviv in the
    # afternoon) works for each from the start of its work until the next begins (all
    # the day's time went to one: 0 % and 194 %)
    blocks = days_spanned(work, "start", "end", req, ("site", "tenant", "start"))
    order = ibis.window(group_by=[blocks.agent_id, blocks.day],
                        order_by=[blocks.start, blocks.site, blocks.tenant])
    blocks = blocks.select(
        __agent=blocks.agent_id, __bday=blocks.day, __site=blocks.site,
        __tenant=blocks.tenant,
        # the day's first block from the day's start: time before it is its place's
        __from=ibis.ifelse(ibis.row_number().over(order) == 0, ibis.literal(_EARLIEST),
                           blocks.start),
        __until=blocks.start.lead().over(order).coalesce(ibis.literal(_LATEST)))
    # one block per piece (the blocks of a day follow each other): the join keeps the
    # pieces of the scheduled days (as ``on_agent_days`` does) and places each
    time = time.mutate(__day=day_of(time.piece_start, req))
    joined = time.inner_join(blocks, [time.agent_id == blocks.__agent,
                                      time.__day == blocks.__bday,
                                      blocks.__from <= time.piece_start,
                                      time.piece_start < blocks.__until])
    # the work's own place, none included (the state's place where the work names none
    # sent the worked time to one row and the scheduled time to another)
    return joined.mutate(site=joined.__site, tenant=joined.__tenant).select(
        *time.columns).drop("__day")


_EARLIEST = -(2**62)
_LATEST = 2**62
"""Instants (µs) before and after any data: the open ends of the first and last block."""


def employee_surveys_source(req: SourceRequest) -> ir.Table:
    e = req.tables("employee_surveys")
    return book(e.mutate(dimension=e.dimension.lower()), e.answered_at, req)


def messages_source(req: SourceRequest) -> ir.Table:
    """Customer requests after the first agent reply, with the time to the next agent reply.

    A request is a run of customer messages; it starts at the run's first message and is
    answered by the next agent message. Bot and system messages are neither.
    """
    from omnikpi.engine.contact_facts import contact_facts

    m = req.tables("messages")
    # only the canonical columns: a message file's own text column (``text``, ``body``)
    # must not shadow the contact facts joined below (``text`` is the text-channel flag)
    m = m.select("contact_id", "ts", "agent_id", sender=m.sender.lower())
    m = m.filter(m.sender.isin(["customer", "agent"]) & (m.ts <= req.ctx.as_of_us))
    order = [m.ts, m.sender]
    by_contact = ibis.window(group_by=m.contact_id, order_by=order)
    later = ibis.window(group_by=m.contact_id, order_by=order, rows=(1, None))
    whole = ibis.window(group_by=m.contact_id)
    agent_ts = ibis.ifelse(m.sender == "agent", m.ts, ibis.null("int64"))
    customer_ts = ibis.ifelse(m.sender == "customer", m.ts, ibis.null("int64"))
    m = m.mutate(
        prev_sender=m.sender.lag().over(by_contact),
        next_agent=agent_ts.min().over(later),
        first_customer=customer_ts.min().over(whole),
    )
    # the first agent *reply* is the first agent message after the customer's first: an
    # agent's opening message (an outbound conversation the customer answered) answers
    # nothing, and taken as the first reply it made the first response an in-session one
    reply_ts = ibis.ifelse((m.sender == "agent") & (m.ts > m.first_customer), m.ts,
                           ibis.null("int64"))
    m = m.mutate(first_reply=reply_ts.min().over(whole))
    m = m.mutate(
        request=(m.sender == "customer") & (m.prev_sender.isnull()
                                            | (m.prev_sender != "customer")),
        response_s=(m.next_agent - m.ts).cast("float64") / 1_000_000.0,
        after_first_reply=m.first_reply.notnull() & (m.ts > m.first_reply),
    )
    facts = contact_facts(req.tables("contacts"), req.ctx)
    f = facts.select(__cid=facts.contact_id, cont=facts.cont, text=facts.text,
                     **{f"__c_{d}": facts[d] for d in CONTACT_DIMENSIONS})
    j = m.join(f, m.contact_id == f.__cid)
    j = j.mutate(**{d: j[f"__c_{d}"] for d in CONTACT_DIMENSIONS})
    return book(j, j.ts, req)


def availability_source(req: SourceRequest) -> ir.Table:
    """Planned channel time, and the unavailable time that falls inside it — each as the
    union of its intervals: two outage reports of one widget that overlap (a monitor and
    a person, or an outage exported again with a later end) are one outage, and planned
    time listed twice is planned once (summed, they made the rate 0.25 where the widget
    was down 1.5 h of 8)."""
    a = req.tables("availability")
    a = a.mutate(status=a.status.lower())
    plans = a.filter(a.status == "planned").select("channel", "queue", "start", "end")
    planned = islands(plans, ["channel", "queue"], "start", "end")
    down = a.filter(a.status == "unavailable")
    d = down.select(d_channel=down.channel, d_queue=down.queue, d_start=down.start,
                    d_end=down.end)
    j = planned.join(d, [
        planned.channel == d.d_channel,
        planned.queue.isnull() | d.d_queue.isnull() | (planned.queue == d.d_queue),
        d.d_start < planned.end, d.d_end > planned.start,
    ])
    pieces = j.select(channel=j.channel, queue=j.queue, p_start=j.start,
                      i_start=ibis.greatest(j.start, j.d_start),
                      i_end=ibis.least(j.end, j.d_end))
    inside = islands(pieces, ["channel", "queue", "p_start"], "i_start", "i_end")
    inside = inside.select("channel", "queue", kind=ibis.literal("unavailable"),
                           i_start=inside.i_start, i_end=inside.i_end)
    plan = planned.select(channel=planned.channel, queue=planned.queue,
                          kind=ibis.literal("planned"), i_start=planned.start,
                          i_end=planned.end)
    return split_intervals(ibis.union(plan, inside, distinct=False), "i_start", "i_end", req)

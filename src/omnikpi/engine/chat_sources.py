"""Chat-concurrency fact sources: sessions, busy time and per-agent peaks.

A chat session is a chat/messenger contact of an agent from ``accepted_at`` to
``ended_at`` (ACW is not a session); one still open at as-of runs until as-of. Only its
time inside the agent's active states counts (the denominators' ActiveTime). Session
time is integrated over time (∫ sessions dt) and never compared to the clock as if
sessions were sequential: that is the 114 %-occupancy mistake the catalog warns about.
"""

from __future__ import annotations

import dataclasses

import ibis
import ibis.expr.types as ir

from omnikpi.config import Config
from omnikpi.engine.contact_facts import contact_facts, work_started
from omnikpi.engine.grains import buckets, key_from_day
from omnikpi.engine.intervals import islands, top_layer
from omnikpi.engine.sources import (
    KEY,
    SourceRequest,
    agent_time_source,
    meets_window,
    split_intervals,
)
from omnikpi.schema.tables import ACTIVE_STATES


def _sessions(req: SourceRequest) -> ir.Table:
    """An agent's chat sessions, each cut to the agent's active time (see
    :func:`_active_time`): one row per piece of a session inside it."""
    facts = contact_facts(req.tables("contacts"), req.ctx)
    started, start = work_started(facts, req.ctx)
    end = facts.end.coalesce(ibis.literal(req.ctx.as_of_us, type="int64"))
    sessions = facts.mutate(s_start=start, s_end=end).filter(
        facts.chat & started & facts.agent_id.notnull())
    sessions = sessions.select(
        "contact_id", "agent_id", "site", "tenant", "channel", "queue", "s_start", "s_end"
    )
    active = _active_time(req)
    # a client's (a site's) session counts in that client's active time, or in time the
    # states give no client: a tenant's own view holds only its states, and an
    # administrator filtering that tenant must read the same figure
    same_place = [sessions[d].isnull() | active[f"__{d}"].isnull()
                  | (sessions[d] == active[f"__{d}"]) for d in ("tenant", "site")]
    j = sessions.join(active, [sessions.agent_id == active.__agent,
                               sessions.s_start < active.a_end,
                               sessions.s_end > active.a_start, *same_place])
    # a session that names no site is at the site of the states it is counted in: by
    # site, its time went to a "(no site)" row with no active time, and each site read
    # 0 % beside a total of 8 % (the states' sites are where the agent worked)
    return j.select("contact_id", "agent_id", "tenant", "channel", "queue",
                    site=j.site.coalesce(j.__site),
                    s_start=ibis.greatest(j.s_start, j.a_start),
                    s_end=ibis.least(j.s_end, j.a_end))


def _active_time(req: SourceRequest) -> ir.Table:
    """Each agent's active time (available, handling, hold, acw on any channel) as
    islands ``__agent``, ``__tenant``, ``__site``, ``a_start``, ``a_end``: the stretches
    a chat session can be counted in (an agent's states never overlap, so islands of
    different clients or sites never do either). Only states that meet the report's
    window: a session's time outside it is cut anyway.

    The chat metrics divide session time by ActiveTime; a session the state export puts
    outside it (the agent shown logged out, or no state at all) counted against no
    active time, and an agent with two chats and 15 minutes of states read 400 %. Merged
    into islands first, so that states of several channels at once, or back-to-back,
    count a session's instant once."""
    states = req.tables("agent_states")
    as_of = ibis.literal(req.ctx.as_of_us, type="int64")
    states = states.filter(states.state.lower().isin(list(ACTIVE_STATES)))
    states = states.select(__agent=states.agent_id, __tenant=states.tenant,
                           __site=states.site, a_start=states.start,
                           a_end=ibis.least(states.end.coalesce(as_of), as_of))
    states = states.filter(meets_window(states.a_start, states.a_end, req.ctx))
    return islands(states, ["__agent", "__tenant", "__site"], "a_start", "a_end")


def chat_sessions_source(req: SourceRequest) -> ir.Table:
    """Session pieces per period: Σ seconds is ∫ open sessions dt."""
    return split_intervals(_sessions(req), "s_start", "s_end", req)


_BUSY_LABELS = ("site", "tenant", "channel")
"""What an instant of busy time belongs to (the rows a report cuts it into)."""


def chat_busy_source(req: SourceRequest) -> ir.Table:
    """Time with at least one open session: an agent's sessions merged into islands, each
    instant counted once. An island whose sessions all carry one site, client and channel
    is that label's; one of several labels is laid flat (``top_layer``): each instant kept
    by one session with its own labels (the first by name where several overlap).

    Merged into islands labelled by their smallest site, tenant and channel, back-to-back
    sessions of two clients were one island: the first client got both halves (200 %)
    and the second none (0 %). Laid flat throughout, the report took ten times as long
    (an agent's overlapping chats are one run cut at every start and end)."""
    s = _sessions(req)
    order = [s.s_start, s.s_end]
    before = ibis.window(group_by=s.agent_id, order_by=order, rows=(None, -1))
    s = s.mutate(__reach=s.s_end.max().over(before))
    s = s.mutate(__opens=(s.__reach.isnull() | (s.s_start > s.__reach)).cast("int64"))
    upto = ibis.window(group_by=s.agent_id, order_by=[s.s_start, s.s_end], rows=(None, 0))
    s = s.mutate(__island=s.__opens.sum().over(upto))
    island = ibis.window(group_by=[s.agent_id, s.__island])
    labels = {c: s[c].fill_null("\x1f") for c in _BUSY_LABELS}  # a missing one is a label
    s = s.mutate(__mixed=ibis.or_(*[(v.min().over(island) != v.max().over(island))
                                   for v in labels.values()]))
    one = s.filter(~s.__mixed)
    whole = one.group_by(["agent_id", "__island"]).aggregate(
        s_start=one.s_start.min(), s_end=one.s_end.max(),
        **{c: one[c].min() for c in (*_BUSY_LABELS, "queue")})
    kept = ["agent_id", *_BUSY_LABELS, "queue", "s_start", "s_end"]
    mixed = s.filter(s.__mixed).select(*kept, "__island")
    flat = top_layer(mixed, ["agent_id", "__island"], "s_start", "s_end",
                     lambda t: [v for c in _BUSY_LABELS
                                for v in (t[c].isnull(), t[c])])  # nulls last everywhere
    busy = ibis.union(whole.select(*kept), flat.select(*kept), distinct=False)
    return split_intervals(busy, "s_start", "s_end", req)


def chat_agent_time_source(req: SourceRequest) -> ir.Table:
    """Agent time of the chat agents only: agents with a chat session in the window, for
    the client (tenant) of the time.

    Voice-only agents have ActiveTime too; counting it would dilute a site's chat
    occupancy with people who never chat. So would an agent's time for a client they
    never chatted for: an agent on client A's voice and client B's chat put A's voice
    time in A's chat denominator (A's ACCS read 0.46 where A's own login said 0.75).
    Each row carries ``queue_capacity``: the configured chat capacity of the queues (else
    channels) the agent's sessions of that client were in, the smallest when they differ
    (an agent who also serves a two-session VIP queue is held to two), null where none is
    configured.
    """
    time = agent_time_source(req)
    sessions = _sessions(req)
    # chat agents of the report's window (a January chatter's February voice time read
    # February's chat occupancy 11 % for 100 %)
    sessions = sessions.filter(meets_window(sessions.s_start, sessions.s_end, req.ctx))
    capacity = _configured_capacity(sessions, req.ctx.config)
    capped = sessions.mutate(session_capacity=capacity if capacity is not None
                             else ibis.null("float64"))
    # the sessions that make the time of a client chat time: the client's own, and those
    # of no client (a dataset whose contacts name no tenant); time of no client (states
    # and roster name none) is chat time of an agent with any session
    per_client = capped.group_by(["agent_id", "tenant"]).aggregate(
        __cap=capped.session_capacity.min())
    own = per_client.filter(per_client.tenant.notnull()).rename(
        __own_agent="agent_id", __own_tenant="tenant", __own_cap="__cap")
    unplaced = per_client.filter(per_client.tenant.isnull()).drop("tenant").rename(
        __loose_agent="agent_id", __loose_cap="__cap")
    anyone = per_client.group_by("agent_id").aggregate(
        __any_cap=per_client.__cap.min()).rename(__any_agent="agent_id")
    joined = time.left_join(own, [time.agent_id == own.__own_agent,
                                  time.tenant == own.__own_tenant])
    joined = joined.left_join(unplaced, joined.agent_id == unplaced.__loose_agent)
    joined = joined.left_join(anyone, joined.agent_id == anyone.__any_agent)
    placed = joined.tenant.notnull()
    joined = joined.filter(ibis.ifelse(
        placed, joined.__own_agent.notnull() | joined.__loose_agent.notnull(),
        joined.__any_agent.notnull()))
    joined = joined.mutate(queue_capacity=ibis.ifelse(
        placed, ibis.least(joined.__own_cap, joined.__loose_cap), joined.__any_cap))
    return joined.select(*time.columns, "queue_capacity")  # named, not dropped: a set
    # of names to drop compiles in the set's order (test_shaped_sql)


def _configured_capacity(sessions: ir.Table, config: Config) -> ir.FloatingValue | None:
    """A session's chat capacity from the configuration: its queue's, else its channel's
    (None when neither is configured anywhere)."""
    queues = {q: s.chat_capacity for q, s in config.queues.items() if s.chat_capacity}
    channels = {c.lower(): s.chat_capacity for c, s in config.channels.items()
                if s.chat_capacity}
    if not queues and not channels:
        return None
    cases = [(sessions.queue == q, float(c)) for q, c in queues.items()]
    cases += [(sessions.channel.lower() == ch, float(c)) for ch, c in channels.items()]
    return ibis.cases(*cases, else_=ibis.null("float64"))


def _inner_grain(grain: str) -> str:
    return grain if grain in ("15min", "30min", "hour", "day") else "day"


def _peaks(events: ir.Table, by: list[str]) -> ir.Table:
    """The most sessions open at once per group ``by``: the maximum of a running sum of
    +1/−1 events, ends before starts at equal instants."""
    running = ibis.window(group_by=[events[c] for c in by],
                          order_by=[events.t, events.delta], rows=(None, 0))
    events = events.mutate(open=events.delta.sum().over(running))
    return events.group_by(by).aggregate(peak=events.open.max())


def agent_peaks_source(req: SourceRequest) -> ir.Table:
    """One row per agent and day (or finer period) with active time: its session peak.

    The peak is the maximum of a running sum of +1/−1 session events within the period;
    at equal instants ends are counted before starts, so back-to-back sessions are not
    concurrent. Periods with active time but no session have peak 0. In a report cut or
    filtered by tenant (``by_piece``), an agent-period split among clients (the agent's
    states name several) is one row per client, each with the peak of that client's own
    sessions; elsewhere it is one row with the agent's peak (at the site its states name
    first).
    """
    ctx = req.ctx
    inner = _inner_grain(ctx.grain)
    if inner == ctx.grain:
        inner_req = req
    else:
        inner_ctx = dataclasses.replace(ctx, grain=inner)
        calendar = buckets(
            inner, ctx.tz, ctx.span_start_us, max(ctx.span_end_us, ctx.span_start_us + 1)
        )
        inner_req = SourceRequest(req.tables, inner_ctx, lambda: calendar, req.booking)
    pieces = split_intervals(_sessions(inner_req), "s_start", "s_end", inner_req)
    cols = ["agent_id", "tenant", KEY]
    starts = pieces.select(*cols, t=pieces.piece_start, delta=ibis.literal(1, "int64"))
    ends = pieces.select(*cols, t=pieces.piece_end, delta=ibis.literal(-1, "int64"))
    events = ibis.union(starts, ends, distinct=False)
    peaks = _peaks(events, ["agent_id", KEY])
    time = chat_agent_time_source(inner_req)
    time = time.filter(time.state.isin(list(ACTIVE_STATES)))
    if not dict(req.params).get("by_piece"):  # a report not cut by site or client
        whole = time.group_by(["agent_id", KEY]).aggregate(
            active_seconds=time.seconds.sum(), site=time.site.min(), tenant=time.tenant.min())
        whole = whole.filter(whole.active_seconds > 0)
        joined = whole.left_join(
            peaks, [whole.agent_id == peaks.agent_id, whole[KEY] == peaks[KEY]]
        ).select(whole.agent_id, whole.site, whole.tenant, __inner=whole[KEY],
                 peak=peaks.peak.fill_null(0).cast("float64"), channel=ibis.null("string"))
        return _outer(joined, ctx.grain, inner)
    # by client only: the site is the agent's (its states'), which a chat often does not
    # name, so pieces by site found no session of their own and read 0
    periods = time.group_by(cols).aggregate(active_seconds=time.seconds.sum(),
                                            site=time.site.min())
    periods = periods.filter(periods.active_seconds > 0)
    own = _peaks(events, cols)  # of one client's sessions
    agent_period = ibis.window(group_by=[periods.agent_id, periods[KEY]])
    periods = periods.mutate(__pieces=periods.agent_id.count().over(agent_period))
    joined = periods.left_join(
        peaks, [periods.agent_id == peaks.agent_id, periods[KEY] == peaks[KEY]]
    ).left_join(
        own, [periods.agent_id == own.agent_id, periods[KEY] == own[KEY],
              periods.tenant.identical_to(own.tenant)]
    )
    # an agent-period for one client has the agent's peak (its sessions may not name the
    # client its states do); one split among several has each client's own (a client's
    # row read another client's three chats at once)
    peak = ibis.ifelse(periods.__pieces == 1, peaks.peak, own.peak)
    joined = joined.select(
        periods.agent_id, periods.site, periods.tenant,
        __inner=periods[KEY], peak=peak.fill_null(0).cast("float64"),
        channel=ibis.null("string"),
    )
    return _outer(joined, ctx.grain, inner)


def _outer(joined: ir.Table, grain: str, inner: str) -> ir.Table:
    """The rows keyed by the report's periods (``__inner`` is the inner grain's key)."""
    if inner == grain:
        return joined.rename({KEY: "__inner"})
    return joined.mutate(**{KEY: key_from_day(grain, joined.__inner)})

"""Schedule-based fact sources: the paid-time funnel, adherence, shrinkage, attrition.

Intervals of two tables are intersected per agent (a state inside a paid shift, a state
matching a scheduled activity), then split at period boundaries like any agent time. One
source stacks every kind of piece with a ``kind`` column so that a metric's numerator and
denominator can be different kinds of the same rows.
"""

from __future__ import annotations

from datetime import date

import ibis
import ibis.expr.types as ir

from omnikpi.engine.agent_place import roster_precedence
from omnikpi.engine.grains import key_from_day
from omnikpi.engine.intervals import islands, top_layer
from omnikpi.engine.sources import (
    KEY,
    SourceRequest,
    TableGetter,
    channel_continuous,
    split_intervals,
)
from omnikpi.engine.timezones import local_datetime
from omnikpi.errors import UsageError
from omnikpi.instants import DAY_US

WORK_STATES = ("available", "handling", "acw", "hold")
_EPOCH = date(1970, 1, 1)
_COLUMNS = ("agent_id", "site", "tenant", "kind", "activity", "paid", "state", "cont",
            "i_start", "i_end")


def _shape(t: ir.Table, **values: ir.Value) -> ir.Table:
    """Project onto the common column set (missing ones as typed nulls)."""
    defaults: dict[str, ir.Value] = {
        "site": ibis.null("string"), "tenant": ibis.null("string"),
        "activity": ibis.null("string"), "paid": ibis.null("boolean"),
        "state": ibis.null("string"), "cont": ibis.null("boolean"),
    }
    defaults.update(values)
    return t.select(**{c: defaults[c] if c in defaults else t[c] for c in _COLUMNS})


def _on_top(j: ir.Table) -> list[ir.Value]:
    """Which of two overlapping activities is scheduled where they overlap: the shorter
    (a break over a work block, a lunch over a training), then the later-starting, then
    by name (a repeated row is the same activity)."""
    return [j.end - j.start, ibis.desc(j.start), j.activity, j.paid]


def _with_shifts(tables: TableGetter) -> tuple[ir.Table, ir.Table]:
    """The scheduled activities with the shift they overlap (``__s``, ``__e``, ``__site``,
    ``__tenant``, ``__paid``), and the shifts. Overlap, not the start alone: a meeting
    from 05:30 to 06:30 before a 06:00 shift left the shift unclaimed, and 06:00–06:30
    was scheduled twice — as the meeting and as work. An activity in no shift (a vacation
    day exported without one) takes the agent's roster row valid that day, as a shift
    does (catalog v1.2): a site's shrinkage left out its agents' vacations."""
    acts = tables("shift_activities")
    shifts = tables("shifts")
    s = shifts.select(__agent=shifts.agent_id, __s=shifts.start, __e=shifts.end,
                      __site=shifts.site, __tenant=shifts.tenant,
                      __paid=shifts.paid.fill_null(True))
    j = acts.left_join(s, [acts.agent_id == s.__agent, acts.start < s.__e,
                           acts.end > s.__s])
    return _roster_place(j, tables), shifts


def _roster_place(j: ir.Table, tables: TableGetter) -> ir.Table:
    """``j`` with ``__site``/``__tenant`` of the rows in no shift from the roster row of
    their agent valid on the UTC day they start, the first in ``roster_precedence`` when two are
    (:mod:`omnikpi.schema.people`'s rule for shifts and states)."""
    roster = tables("roster")
    r = roster.select(__r_agent=roster.agent_id, __r_hired=roster.hired_on,
                      __r_left=roster.left_on, __r_site=roster.site,
                      __r_tenant=roster.tenant)
    columns = j.columns
    # a number per row, in an order of values (two equal rows are interchangeable), so
    # that one roster row is kept per activity
    j = j.mutate(__row=ibis.row_number().over(
        ibis.window(order_by=[j[c] for c in columns])))
    day = j.start // DAY_US
    j = j.left_join(r, [j.agent_id == r.__r_agent, j.__s.isnull(), r.__r_hired <= day,
                        r.__r_left.isnull() | (r.__r_left >= day)])
    latest = ibis.window(group_by=j.__row, order_by=roster_precedence(
        j.__r_hired, j.__r_left, j.__r_site, j.__r_tenant))
    j = j.mutate(__rank=ibis.row_number().over(latest))
    j = j.filter(j.__rank == 0)
    return j.mutate(__site=j.__site.coalesce(j.__r_site),
                    __tenant=j.__tenant.coalesce(j.__r_tenant)).select(*columns)


def scheduled_activities(tables: TableGetter) -> ir.Table:
    """The schedule with one activity at each instant: the scheduled activities with the
    site/tenant of the shift that contains them, laid flat where they overlap, and work
    wherever a paid shift has no activity. Read by the schedule's metrics and by the
    schedule page's coverage, so both count the same scheduled work."""
    j, shifts = _with_shifts(tables)
    planned = j.select(
        agent_id=j.agent_id, activity=j.activity.lower(), paid=j.paid.fill_null(True),
        start=j.start, end=j.end, site=j.__site, tenant=j.__tenant,
    )
    # a schedule exported in layers (a break laid over the shift's work block) has one
    # activity at each instant: the one on top (docs/decisions.md)
    planned = top_layer(planned, ["agent_id"], "start", "end", _on_top)
    return ibis.union(planned, _unclaimed_work(j, shifts), distinct=False)


def scheduled_work(tables: TableGetter) -> ir.Table:
    """Where work is scheduled, for the days that have any (conformance's): the work
    rows and the shifts' time no activity claims, not laid flat (a work row is never
    wholly under shorter activities in a real schedule, and laying flat is the costly
    part)."""
    j, shifts = _with_shifts(tables)
    rows = j.filter(j.activity.lower() == "work").select(
        "agent_id", "start", "end", site=j.__site, tenant=j.__tenant)
    unclaimed = _unclaimed_work(j, shifts).select("agent_id", "start", "end", "site",
                                                  "tenant")
    return ibis.union(rows, unclaimed, distinct=False)


def _unclaimed_work(j: ir.Table, shifts: ir.Table) -> ir.Table:
    """Work where a paid shift has no activity: the whole of a shift planned without
    detail (an agent absent from it was 0 % shrinkage, nobody having scheduled "work"),
    and the rest of a shift exported with its breaks and lunch only (its adherence was
    measured over the breaks alone). ``j``: the activities with the shift their start
    falls in (``__s``, ``__e``)."""
    inside = j.filter(j.__s.notnull() & j.__paid)
    inside = inside.select(agent_id=inside.agent_id, __s=inside.__s, __e=inside.__e,
                           __site=inside.__site, __tenant=inside.__tenant,
                           start=ibis.greatest(inside.start, inside.__s),
                           end=ibis.least(inside.end, inside.__e))
    # the stretches of each shift its activities claim, then what lies between them
    claimed = islands(inside, ["agent_id", "__s"], "start", "end",
                      lambda t: {"__e": t.__e.max(), "__site": t.__site.max(),
                                 "__tenant": t.__tenant.max()})
    order = ibis.window(group_by=[claimed.agent_id, claimed.__s], order_by=claimed.start)
    claimed = claimed.mutate(__before=claimed.end.lag().over(order).coalesce(claimed.__s),
                             __next=claimed.start.lead().over(order))
    gap = claimed.filter(claimed.start > claimed.__before)
    last = claimed.filter(claimed.__next.isnull() & (claimed.end < claimed.__e))
    paid = shifts.filter(shifts.paid.fill_null(True))
    bare = paid.anti_join(inside, [paid.agent_id == inside.agent_id,
                                   paid.start == inside.__s])

    def work(t: ir.Table, start: ir.Value, end: ir.Value, site: ir.Value,
             tenant: ir.Value) -> ir.Table:
        return t.select(agent_id=t.agent_id, activity=ibis.literal("work"),
                        paid=ibis.literal(True), start=start, end=end, site=site,
                        tenant=tenant)

    return ibis.union(
        work(gap, gap.__before, gap.start, gap.__site, gap.__tenant),
        work(last, last.end, last.__e, last.__site, last.__tenant),
        work(bare, bare.start, bare.end, bare.site, bare.tenant), distinct=False)


def _people(j: ir.Table) -> dict[str, ir.Value]:
    """Site and tenant of a state's piece inside a shift or activity: the schedule's, so
    that a site's worked time and its scheduled time are the same agents' — a schedule
    without a site included. Falling back to the state's own sent a day whose shift names
    no site to the state's site as work and to the no-site row as schedule (adherence 2.0
    and shrinkage −0.875 at the site, 0 and 1 without)."""
    return {"site": j.site, "tenant": j.tenant}


def _matches(state: ir.StringValue, reason: ir.StringValue,
             activity: ir.StringValue) -> ir.BooleanValue:
    """Actual state matches the scheduled activity (work ↔ ready/working states)."""
    working = state.isin(list(WORK_STATES))
    return ibis.ifelse(activity == "work", working,
                       (state == "not_ready") & (reason.lower() == activity))


def schedule_source(req: SourceRequest) -> ir.Table:
    states = req.tables("agent_states")
    states = states.select(
        agent_id=states.agent_id, st=states.state.lower(), reason=states.reason,
        s_start=states.start, s_end=states.end,
        s_cont=channel_continuous(states.channel, req.ctx.config),
    )
    shifts = req.tables("shifts")
    paid_shifts = shifts.filter(shifts.paid.fill_null(True))
    acts = scheduled_activities(req.tables)

    parts = [
        _shape(paid_shifts.mutate(i_start=paid_shifts.start, i_end=paid_shifts.end),
               kind=ibis.literal("shift"), site=paid_shifts.site, tenant=paid_shifts.tenant),
        _shape(acts.mutate(i_start=acts.start, i_end=acts.end), kind=ibis.literal("activity"),
               activity=acts.activity, paid=acts.paid, site=acts.site, tenant=acts.tenant),
    ]
    # agent states inside paid shifts, and inside their unpaid activities (subtracted later)
    ps = paid_shifts
    j = ps.join(states, [ps.agent_id == states.agent_id, states.s_start < ps.end,
                         states.s_end > ps.start])
    parts.append(_shape(
        j.mutate(i_start=ibis.greatest(j.s_start, j.start), i_end=ibis.least(j.s_end, j.end)),
        kind=ibis.literal("state_in_shift"), state=j.st, cont=j.s_cont, **_people(j),
    ))
    # unpaid activities are taken off paid time only where they lie inside a paid shift
    # (an unpaid lunch running past the shift's end, a day of unpaid leave without a
    # shift: the time outside was never paid)
    hours = ps.select(h_agent=ps.agent_id, h_start=ps.start, h_end=ps.end)
    unpaid = acts.filter(~acts.paid)
    u = unpaid.join(hours, [unpaid.agent_id == hours.h_agent, unpaid.start < hours.h_end,
                            unpaid.end > hours.h_start])
    unpaid = u.select(agent_id=u.agent_id, activity=u.activity, paid=u.paid,
                      start=ibis.greatest(u.start, u.h_start), end=ibis.least(u.end, u.h_end),
                      site=u.site, tenant=u.tenant)
    # the paid activities' part inside paid shifts: what lies outside (a vacation day
    # exported without a shift) is scheduled paid time too, which shrinkage adds
    paid_acts = acts.filter(acts.paid)
    pa = paid_acts.join(hours, [paid_acts.agent_id == hours.h_agent,
                                paid_acts.start < hours.h_end, paid_acts.end > hours.h_start])
    pa = pa.select(agent_id=pa.agent_id, activity=pa.activity, paid=pa.paid,
                   start=ibis.greatest(pa.start, pa.h_start), end=ibis.least(pa.end, pa.h_end),
                   site=pa.site, tenant=pa.tenant)
    pa = pa.filter(pa.end > pa.start)
    parts.append(_shape(pa.mutate(i_start=pa.start, i_end=pa.end),
                        kind=ibis.literal("paid_activity_in_shift"), activity=pa.activity,
                        paid=pa.paid, site=pa.site, tenant=pa.tenant))
    # the overlap's pieces (always of some length here): a relation of its own, so that
    # the join with the states below starts a new join instead of extending this one
    # (``.view()`` would do it too, but under a new name in every plan: no plan of these
    # metrics would then share a compiled shape with the next)
    unpaid = unpaid.filter(unpaid.end > unpaid.start)
    parts.append(_shape(unpaid.mutate(i_start=unpaid.start, i_end=unpaid.end),
                        kind=ibis.literal("unpaid_in_shift"), activity=unpaid.activity,
                        paid=unpaid.paid, site=unpaid.site, tenant=unpaid.tenant))
    j = unpaid.join(states, [unpaid.agent_id == states.agent_id,
                             states.s_start < unpaid.end, states.s_end > unpaid.start])
    parts.append(_shape(
        j.mutate(i_start=ibis.greatest(j.s_start, j.start), i_end=ibis.least(j.s_end, j.end)),
        kind=ibis.literal("state_in_unpaid"), state=j.st, cont=j.s_cont, **_people(j),
    ))
    # states that match the scheduled activity (adherence)
    j = acts.join(states, [acts.agent_id == states.agent_id, states.s_start < acts.end,
                           states.s_end > acts.start])
    j = j.filter(_matches(j.st, j.reason, j.activity))
    parts.append(_shape(
        j.mutate(i_start=ibis.greatest(j.s_start, j.start), i_end=ibis.least(j.s_end, j.end)),
        kind=ibis.literal("match"), activity=j.activity, paid=j.paid, state=j.st,
        **_people(j),
    ))
    stacked = ibis.union(*parts, distinct=False)
    # what happened counts up to the as-of, what was planned up to the plans' as-of (an
    # agent who left at 15:00 of a shift to 16:00 was absent for the last hour, though
    # their last state, the data's latest event, ended at 15:00): see engine.plan_time
    planned = stacked.kind.isin(["shift", "activity", "unpaid_in_shift",
                                 "paid_activity_in_shift"])
    until = ibis.ifelse(planned, ibis.literal(req.ctx.plan_end_us, type="int64"),
                        ibis.literal(req.ctx.as_of_us, type="int64"))
    stacked = stacked.mutate(i_end=ibis.least(stacked.i_end, until))
    return split_intervals(stacked, "i_start", "i_end", req, clip_as_of=False).mutate(
        channel=ibis.null("string"))


def shifts_count_source(req: SourceRequest) -> ir.Table:
    """Shifts started by as-of, booked at their start (the worked shifts)."""
    from omnikpi.engine.sources import book

    shifts = req.tables("shifts")
    return book(shifts, shifts.start, req)


def _local_day(us: int, tz_name: str) -> int:
    local = local_datetime(us, tz_name)
    return (local.date() - _EPOCH).days


def _months(lo_day: int, hi_day: int) -> list[tuple[int, int, int]]:
    """(month index, first day, first day of next month) for the months of a day range."""
    out = []
    d = date.fromordinal(_EPOCH.toordinal() + lo_day).replace(day=1)
    end = date.fromordinal(_EPOCH.toordinal() + hi_day)
    while d <= end:
        nxt = date(d.year + d.month // 12, d.month % 12 + 1, 1)
        out.append((d.year * 12 + d.month - 1, (d - _EPOCH).days, (nxt - _EPOCH).days))
        d = nxt
    return out


def roster_months_source(req: SourceRequest) -> ir.Table:
    """One row per agent and calendar month of employment, with headcount and leaver flags.

    Months are those overlapping ``--from``/``--to`` (in the reporting zone), else the
    roster's span: from the month of its first hire; never past as-of. A month is joined by
    whoever is employed on its first day or on the next month's (a hire on 1 January is
    December's end headcount); without ``--from`` that made a month before anyone was
    employed, whose average headcount of 0.5 lowered the total (1/4.5 for 1/3.5).
    """
    ctx = req.ctx
    if ctx.grain not in ("month", "total"):
        raise UsageError("attrition is monthly: use --grain month or total")
    # without --from, from the month of the first hire (the calendar is cut below): a
    # calendar from 1990 left out a center's earlier leavers (2 / 126 read 1 / 12.5)
    lo = _local_day(ctx.from_us, ctx.tz) if ctx.from_us is not None else (
        date(1900, 1, 1) - _EPOCH).days
    # never past as-of: a month after it has not happened (--to at the year's end read
    # nine months of full headcount and no leaver, 0.027 for 0.095 a month)
    hi_us = min(ctx.to_us - 1, ctx.as_of_us) if ctx.to_us is not None else ctx.as_of_us
    months = _months(lo, _local_day(hi_us, ctx.tz))
    cal = ibis.memtable(
        {"month": [m[0] for m in months], "first": [m[1] for m in months],
         "next": [m[2] for m in months]},
        schema={"month": "int64", "first": "int64", "next": "int64"},
    )
    r = req.tables("roster")
    # the roster as of as-of: a departure dated after it (notice given, the last day
    # ahead) or a hire not started yet has not happened — the month in progress counted
    # a planned leaver as gone and a future hire in its headcount
    today = _local_day(ctx.as_of_us, ctx.tz)
    r = r.filter(r.hired_on <= today)
    r = r.mutate(left_on=ibis.ifelse(r.left_on > today, ibis.null(r.left_on.type()),
                                     r.left_on))
    if ctx.from_us is None:
        cal = cal.filter(cal.next > r.hired_on.min())
    j = r.join(cal, [r.hired_on <= cal.next, r.left_on.isnull() | (r.left_on >= cal.first)])
    leave_types = [t.strip().lower() for t in str(dict(req.params)["leave_types"]).split(",")]

    def employed_at(day: ir.IntegerValue) -> ir.BooleanValue:
        return (j.hired_on <= day) & (j.left_on.isnull() | (j.left_on >= day))

    j = j.mutate(
        start_hc=employed_at(j.first).cast("float64"),
        end_hc=employed_at(j.next).cast("float64"),
        leaver=(j.left_on >= j.first) & (j.left_on < j.next)
        & j.leave_type.lower().isin(leave_types),
        channel=ibis.null("string"),
    )
    key = j.month if ctx.grain == "month" else key_from_day("total", j.first)
    return j.mutate(**{KEY: key})

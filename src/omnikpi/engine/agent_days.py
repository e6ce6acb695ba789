"""Agent-days: one row per agent and local day of the reporting zone with logged-in time.

``transactions_per_hour`` with ``per = agent_day`` divides handled contacts by these (the
digital-channel masterclass counts work per agent-day). Days are cut in the reporting
zone, then put into the report's period (a week, a month, the total).
"""

from __future__ import annotations

import dataclasses

import ibis
import ibis.expr.types as ir

from omnikpi.engine.grains import buckets, key_from_day
from omnikpi.engine.sources import KEY, SourceRequest, agent_time_source
from omnikpi.errors import UsageError


def by_local_day(req: SourceRequest) -> SourceRequest:
    """``req`` cutting time at each local midnight of the reporting zone (its own request
    when its grain is a day or shorter): a piece then lies within one day, whatever period
    it is reported in (``key_from_day`` puts the days into weeks, months, the total)."""
    ctx = req.ctx
    if ctx.grain in ("15min", "30min", "hour", "day"):
        return req
    day_ctx = dataclasses.replace(ctx, grain="day")
    calendar = buckets("day", ctx.tz, ctx.span_start_us,
                       max(ctx.span_end_us, ctx.span_start_us + 1))
    return SourceRequest(req.tables, day_ctx, lambda: calendar, req.booking)


def agent_time_by_day(req: SourceRequest) -> ir.Table:
    """Agent time cut at each local midnight, in the report's periods: a piece lies
    within one day, so a source that keeps an agent's time on some days only (the days
    they dialed, the days they had scheduled work) keeps the part of a state from 23:00 to
    01:00 that lies on such a day, whatever the grain."""
    days = by_local_day(req)
    time = agent_time_source(days)
    if days is req:
        return time
    return time.mutate(**{KEY: key_from_day(req.ctx.grain, time[KEY])})


def agent_days_source(req: SourceRequest) -> ir.Table:
    ctx = req.ctx
    if ctx.grain not in ("day", "week", "month", "total"):
        raise UsageError("per = agent_day counts whole days: use --grain day, week, month "
                         "or total")
    time = agent_time_source(by_local_day(req))
    time = time.filter(time.state != "logged_out")
    days = time.group_by(["agent_id", "site", "tenant", KEY]).aggregate(
        seconds=time.seconds.sum())
    days = days.filter(days.seconds > 0).mutate(channel=ibis.null("string"))
    if ctx.grain == "day":
        return days
    return days.mutate(**{KEY: key_from_day(ctx.grain, days[KEY])})

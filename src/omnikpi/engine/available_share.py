"""Available time recorded without a channel, shared among the channels an agent worked.

Most platforms record a blended agent's ``available`` state without a channel: the agent
is ready for whatever comes. Cut by ``channel``, occupancy then held each channel's work
over that channel's work alone (100 % everywhere) and all the waiting in the row without
a channel (0 %): numbers a director reads as "everyone is overloaded".

Contact-center practice attributes the waiting to the channels it served. Here each
agent's channel-less available time is shared among the continuous channels that agent
worked on the same day (in the report's zone; handling, hold and ACW with a channel), in
proportion to the seconds worked on each that day: an agent with 2 h of voice, 1 h of
chat and 1 h available gives 40 min of it to voice and 20 min to chat. The channels'
shares add up to the whole, so the channel rows of a report add up to its total.

Why the day, whatever the report's grain: a dedicated voice agent's idle quarter hour is
voice's even when that quarter hour held no call (weights of the quarter hour itself
would leave it without a channel and push interval occupancy up), and the same shares in
every grain make a day's channel rows add up to the week's and the total's. Above a day,
the states are cut at each local midnight first (``agent_time_source``), so a night
shift's waiting is shared among the channels of each day it lies on.
Available time of an agent who worked no channel that day has nowhere to go and stays
in the row without a channel, as idle time of the team.

Rows keep their period, agent, site and tenant; a shared row's ``seconds`` are its share
and ``share`` says which fraction of the recorded piece it is (1 for every other row), so
a drill-down shows what was attributed.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from omnikpi.metrics.agent_time import WORK_STATES


def share_available(time: ir.Table, unit: str) -> ir.Table:
    """``time`` (agent-state pieces with ``state``, ``cont``, ``channel``, ``seconds``,
    ``tenant``, ``site``) with every channel-less available piece shared among the
    continuous channels its agent worked in the same ``unit`` (a column: the local day of
    the piece) for the same tenant and site. An agent of two clients (or sites) in a day
    waits for each of them apart: client A's waiting went partly to client B's chat,
    so A's voice read 67 % where A's own view said 50 %, and B had a voice row of 0 %."""
    worked = time.filter(time.state.isin(list(WORK_STATES)) & time.cont
                         & time.channel.notnull() & (time.seconds > 0))
    keys = ["agent_id", unit, "tenant", "site"]
    per_channel = worked.group_by([*keys, "channel"]).aggregate(
        __worked=worked.seconds.sum())
    totals = per_channel.group_by(keys).aggregate(__all=per_channel.__worked.sum())
    shares = per_channel.join(totals, [per_channel[k].identical_to(totals[k]) for k in keys])
    shares = shares.select(__agent=shares.agent_id, __period=shares[unit],
                           __in_tenant=shares.tenant, __in_site=shares.site,
                           __channel=shares.channel,
                           __share=shares.__worked / shares.__all)
    loose = time.channel.isnull() & (time.state == "available")
    waiting = time.filter(loose)
    kept = time.filter(~loose).mutate(share=ibis.literal(1.0))
    on = [waiting.agent_id == shares.__agent, waiting[unit] == shares.__period,
          # a piece of no tenant (site) is of the agent's work of none
          waiting.tenant.identical_to(shares.__in_tenant),
          waiting.site.identical_to(shares.__in_site)]
    shared = waiting.join(shares, on)
    shared = shared.mutate(channel=shared.__channel, seconds=shared.seconds * shared.__share,
                           share=shared.__share)
    shared = shared.select(*kept.columns)
    alone = waiting.anti_join(shares, on).mutate(share=ibis.literal(1.0))
    return ibis.union(kept, shared, alone.select(*kept.columns), distinct=False)

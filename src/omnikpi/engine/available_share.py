"""Available time recorded without a channel, shared among the channels an agent worked.

Most platforms record a blended agent's ``available`` state without a channel: the agent
is ready for whatever comes. Cut by ``channel``, occupancy then held each channel's work
over that channel's work alone (100 % everywhere) and all the waiting in the row without
a channel (0 %): numbers a director reads as "everyone is overloaded".

Contact-center practice attributes the waiting to the channels it served. Here each
agent's channel-less available time in a period is shared among the continuous channels
that agent worked in the same period (handling, hold and ACW with a channel), in
proportion to the seconds worked on each: an agent with 2 h of voice, 1 h of chat and
1 h available gives 40 min of it to voice and 20 min to chat. The channels' shares add up
to the whole, so the channel rows of a report add up to its total; the period is the
report's own (a day, an hour, the whole window for ``grain=total``). Available time of
an agent who worked no channel in the period has nowhere to go and stays in the row
without a channel, as idle time of the team.

Rows keep their period, agent, site and tenant; a shared row's ``seconds`` are its share
and ``share`` says which fraction of the recorded piece it is (1 for every other row), so
a drill-down shows what was attributed.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from omnikpi.metrics.agent_time import WORK_STATES


def share_available(time: ir.Table, key: str) -> ir.Table:
    """``time`` (agent-state pieces with ``state``, ``cont``, ``channel``, ``seconds`` and
    the period key ``key``) with every channel-less available piece shared among the continuous
    channels its agent worked in the same period."""
    worked = time.filter(time.state.isin(list(WORK_STATES)) & time.cont
                         & time.channel.notnull() & (time.seconds > 0))
    per_channel = worked.group_by(["agent_id", key, "channel"]).aggregate(
        __worked=worked.seconds.sum())
    totals = per_channel.group_by(["agent_id", key]).aggregate(
        __all=per_channel.__worked.sum())
    shares = per_channel.join(totals, ["agent_id", key])
    shares = shares.select(__agent=shares.agent_id, __period=shares[key],
                           __channel=shares.channel,
                           __share=shares.__worked / shares.__all)
    loose = time.channel.isnull() & (time.state == "available")
    waiting = time.filter(loose)
    kept = time.filter(~loose).mutate(share=ibis.literal(1.0))
    on = [waiting.agent_id == shares.__agent, waiting[key] == shares.__period]
    shared = waiting.join(shares, on)
    shared = shared.mutate(channel=shared.__channel, seconds=shared.seconds * shared.__share,
                           share=shared.__share)
    shared = shared.select(*kept.columns)
    alone = waiting.anti_join(shares, on).mutate(share=ibis.literal(1.0))
    return ibis.union(kept, shared, alone.select(*kept.columns), distinct=False)

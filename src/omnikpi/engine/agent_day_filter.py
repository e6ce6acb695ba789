"""Agent time on the days an agent did something else: dialed, or was scheduled to work.

Per-hour outbound rates and schedule conformance divide by (or count) an agent's logged-in
time, but only the time of the days that belong to the measure: an agent who dialed on
Monday and took inbound calls on Tuesday has no outbound hours on Tuesday, and an agent
with no schedule that day has no conformance to add. Days are the reporting zone's, as
``per = agent_day`` counts them.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from omnikpi.engine.grains import key_expr
from omnikpi.engine.relations import without
from omnikpi.engine.sources import SourceRequest


def day_of(instant: ir.IntegerValue, req: SourceRequest) -> ir.IntegerValue:
    """The local day (reporting zone) of an instant, as a day key."""
    return key_expr("day", instant, req.ctx.offsets, req.ctx.nonnegative_keys)


def on_agent_days(time: ir.Table, days: ir.Table, req: SourceRequest) -> ir.Table:
    """The pieces of ``time`` (agent time, split by ``split_intervals``) that start on a
    day ``days`` lists for their agent (columns ``agent_id``, ``day``)."""
    keep = days.select(__agent=days.agent_id, __day_of=days.day).distinct()
    t = time.mutate(__day=day_of(time.piece_start, req))
    t = t.semi_join(keep, [t.agent_id == keep.__agent, t.__day == keep.__day_of])
    return without(t, "__day")


def days_spanned(t: ir.Table, start: str, end: str, req: SourceRequest,
                 keep: tuple[str, ...] = ()) -> ir.Table:
    """(agent_id, day) of the first and the last day of each interval, with the columns
    ``keep``: a night shift is on both sides of midnight."""
    first = t.select(*keep, agent_id=t.agent_id, day=day_of(t[start], req))
    last = t.select(*keep, agent_id=t.agent_id,
                    day=day_of(ibis.greatest(t[start], t[end] - 1), req))
    return ibis.union(first, last, distinct=True)

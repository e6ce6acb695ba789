"""Fact sources: the rows metrics aggregate, each already carrying its period key.

A point source (contacts) books each row at one instant (arrival or end, by the
catalog's booking rule). An interval source (agent states, chat sessions) splits each
interval across period boundaries by the clock, so an agent handling from 09:50 to
10:10 gives ten minutes to each half hour.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from omnikpi.config import DEFAULT_MODES, Config
from omnikpi.engine.available_share import share_available
from omnikpi.engine.contact_facts import contact_facts
from omnikpi.engine.context import RunContext
from omnikpi.engine.grains import Bucket, key_expr
from omnikpi.engine.relations import without
from omnikpi.instants import MICROS_FLOAT

KEY = "__key"
AGENT_DIMENSIONS = ("agent_id", "site", "tenant", "channel")

TableGetter = Callable[[str], ir.Table]
CalendarGetter = Callable[[], list[Bucket]]


@dataclass(frozen=True)
class SourceRequest:
    tables: TableGetter
    ctx: RunContext
    calendar: CalendarGetter
    booking: str
    params: tuple[tuple[str, object], ...] = ()
    """Parameters that change the source's rows (e.g. the FCR window)."""


def in_window(ts: ir.IntegerValue, ctx: RunContext) -> ir.BooleanValue:
    """The instant is known and inside the report's window [from, to)."""
    cond = ts.notnull()
    if ctx.from_us is not None:
        cond &= ts >= ctx.from_us
    if ctx.to_us is not None:
        cond &= ts < ctx.to_us
    return cond


def meets_window(start: ir.IntegerValue, end: ir.IntegerValue,
                 ctx: RunContext) -> ir.BooleanValue:
    """The interval [start, end) has some length and some of it inside the report's
    window [from, to)."""
    cond = end > start
    if ctx.from_us is not None:
        cond &= end > ctx.from_us
    if ctx.to_us is not None:
        cond &= start < ctx.to_us
    return cond


def book(t: ir.Table, ts: ir.IntegerValue, req: SourceRequest) -> ir.Table:
    """Keep rows whose booking instant is in the window and up to as-of; add the key."""
    t = t.mutate(__ts=ts)
    t = t.filter(in_window(t.__ts, req.ctx) & (t.__ts <= req.ctx.as_of_us))
    key = key_expr(req.ctx.grain, t.__ts, req.ctx.offsets, req.ctx.nonnegative_keys)
    return t.mutate(**{KEY: key})


def contact_booking_ts(facts: ir.Table, booking: str) -> ir.IntegerValue:
    """The instant a contact is booked at: its arrival, or its end once handled."""
    if booking == "arrival":
        return facts.arr
    if booking == "end":
        return ibis.ifelse(facts.handled, facts.end, None)
    if booking == "resolved":
        return facts.res
    raise AssertionError(f"contacts have no booking {booking!r}")


def contacts_source(req: SourceRequest) -> ir.Table:
    facts = contact_facts(req.tables("contacts"), req.ctx)
    facts = facts.mutate(__ts=contact_booking_ts(facts, req.booking))
    facts = facts.filter(in_window(facts.__ts, req.ctx))
    return facts.mutate(**{KEY: key_expr(req.ctx.grain, facts.__ts, req.ctx.offsets,
                                           req.ctx.nonnegative_keys)})


def booking_key(booking: str) -> str:
    """Name of the period-key column of one booking rule in a multi-booking source."""
    return f"{KEY}_{booking}"


def contacts_booked_source(req: SourceRequest, bookings: Sequence[str]) -> ir.Table:
    """Contacts with one period key per booking rule, read in one pass.

    A row is kept when any of its bookings falls in the window; the key of a booking the
    row does not have (not handled, outside the window) is null. Each key column gives
    exactly the rows and keys that ``contacts_source`` gives for that booking.
    """
    facts = contact_facts(req.tables("contacts"), req.ctx)
    # each booking's instant, and whether the row has it (a contact is booked at its end
    # only once handled): the key is computed from the plain column and masked once
    instants = {booking_key(b): _contact_booking_instant(facts, b) for b in bookings}
    booked = {
        name: in_window(ts, req.ctx) if has is None else has & in_window(ts, req.ctx)
        for name, (has, ts) in instants.items()
    }
    facts = facts.filter(functools.reduce(operator.or_, booked.values()))
    keys: dict[str, ir.Value] = {}
    for name, (has, ts) in instants.items():
        key = key_expr(req.ctx.grain, ts, req.ctx.offsets, req.ctx.nonnegative_keys)
        windowed = req.ctx.from_us is not None or req.ctx.to_us is not None
        if windowed or req.ctx.grain == "total":
            key = ibis.ifelse(booked[name], key, ibis.null("int64"))
        elif has is not None:
            # without a window, a key is null exactly where its instant is
            key = ibis.ifelse(has, key, ibis.null("int64"))
        keys[name] = key
    return facts.mutate(**keys)


def _contact_booking_instant(
    facts: ir.Table, booking: str
) -> tuple[ir.BooleanValue | None, ir.IntegerValue]:
    """Whether a contact has this booking (None: every contact has), and its instant."""
    if booking == "arrival":
        return None, facts.arr
    if booking == "end":
        return facts.handled, facts.end
    if booking == "resolved":
        return facts.res.notnull(), facts.res
    raise AssertionError(f"contacts have no booking {booking!r}")


def channel_continuous(channel: ir.StringValue, config: Config) -> ir.BooleanValue:
    """Mode of an agent-state row's channel; a row without channel is continuous."""
    modes = dict(DEFAULT_MODES)
    modes.update({ch: s.mode for ch, s in config.channels.items() if s.mode})
    discrete = [ch for ch, mode in modes.items() if mode == "discrete"]
    if not discrete:
        return ibis.literal(True)
    return channel.isnull() | ~channel.lower().isin(discrete)


def split_intervals(
    t: ir.Table, start: str, end: str, req: SourceRequest, clip_as_of: bool = True
) -> ir.Table:
    """Clip intervals to the window and as-of, then cut them at period boundaries.

    Adds ``seconds`` (the piece's length), ``piece_start``/``piece_end`` and the key.
    Plans and costs are not events: they are not cut at as-of (``clip_as_of=False``).
    """
    ctx = req.ctx
    lo = t[start]
    hi = ibis.least(t[end], ibis.literal(ctx.as_of_us, type="int64")) if clip_as_of else t[end]
    if ctx.from_us is not None:
        lo = ibis.greatest(lo, ibis.literal(ctx.from_us, type="int64"))
    if ctx.to_us is not None:
        hi = ibis.least(hi, ibis.literal(ctx.to_us, type="int64"))
    t = t.mutate(__lo=lo, __hi=hi)
    t = t.filter(t.__hi > t.__lo)
    if ctx.grain == "total":
        t = t.mutate(piece_start=t.__lo, piece_end=t.__hi, **{KEY: ibis.literal(0, "int64")})
    else:
        buckets = req.calendar()
        cal = ibis.memtable(
            {
                "__bkey": [b.key for b in buckets],
                "__bstart": [b.start_us for b in buckets],
                "__bend": [b.end_us for b in buckets],
            },
            schema={"__bkey": "int64", "__bstart": "int64", "__bend": "int64"},
        )
        j = t.join(cal, [t.__lo < cal.__bend, t.__hi > cal.__bstart])
        t = j.mutate(
            piece_start=ibis.greatest(j.__lo, j.__bstart),
            piece_end=ibis.least(j.__hi, j.__bend),
            **{KEY: j.__bkey},
        )
        t = without(t, "__bkey", "__bstart", "__bend")
    return t.mutate(seconds=(t.piece_end - t.piece_start).cast("float64") / MICROS_FLOAT)


def agent_time_source(req: SourceRequest) -> ir.Table:
    """Agent-state pieces per period; with the source parameter ``available=pro_rata``
    (occupancy's default), channel-less available time shared among the channels each
    agent worked that day (:mod:`omnikpi.engine.available_share`)."""
    pro_rata = dict(req.params).get("available") == "pro_rata"
    if pro_rata and req.ctx.grain not in ("15min", "30min", "hour", "day"):
        # shares are a day's: a week's or the total's pieces are cut at each local
        # midnight, then put into their period — an available state from 23:00 to 06:00
        # counted on the evening's day, when no channel was worked, and voice occupancy
        # read 44 % for the week where each of its days read 33 %
        from omnikpi.engine.agent_days import by_local_day
        from omnikpi.engine.grains import key_from_day

        days = by_local_day(req)
        time = agent_time_source(SourceRequest(days.tables, days.ctx, days.calendar,
                                               days.booking, req.params))
        return time.mutate(**{KEY: key_from_day(req.ctx.grain, time[KEY])})
    states = req.tables("agent_states")
    states = states.mutate(
        state=states.state.lower(),
        cont=channel_continuous(states.channel, req.ctx.config),
    )
    time = split_intervals(states, "start", "end", req)
    if pro_rata:
        ctx = req.ctx
        day = key_expr("day", time.piece_start, ctx.offsets, ctx.nonnegative_keys)
        time = without(share_available(time.mutate(__day=day), "__day"), "__day")
    return time

"""The contact fact table: canonical contacts plus the derived columns metrics read.

Derived once here so that every metric reads the same definition of "offered",
"answered", "wait" and "handled" (the shared rules of the KPI catalog): metrics only
combine these columns with their own parameters.

Building the expression is about half of planning a report (some forty Ibis
projections, each validated): a dashboard asks for a dozen reports over the same contacts
and as-of, and after a live reload none of its plans is cached. So the expression is
kept per contacts table and per the parts of the run context it reads (an Ibis
expression is immutable: sharing it changes no query).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

import ibis
import ibis.expr.types as ir

from omnikpi.config import (
    CHAT_CHANNELS,
    DEFAULT_MODES,
    DEFAULT_THRESHOLDS_SECONDS,
    MODE_FALLBACK_THRESHOLD_SECONDS,
    VOICE_CHANNELS,
    Config,
)
from omnikpi.engine.context import RunContext
from omnikpi.instants import MICROS_FLOAT
from omnikpi.metrics.common import negate


def _seconds(later: ir.IntegerValue, earlier: ir.IntegerValue) -> ir.FloatingValue:
    """Exact duration in seconds from integer microseconds."""
    return (later - earlier).cast("float64") / MICROS_FLOAT


def _flag(
    t: ir.Table, channels: tuple[str, ...] | None, lowered_in: list[str]
) -> ir.BooleanValue:
    """Whether a contact's channel, compared case-insensitively, is one of ``lowered_in``.

    With the dataset's channels known, the answer is decided here per channel value: a
    constant when every channel gives the same, else a test on their exact spellings.
    """
    if channels is None:
        return t.channel.lower().isin(lowered_in) if lowered_in else ibis.literal(False)
    hits = [ch for ch in channels if ch.lower() in lowered_in]
    if not hits:
        return ibis.literal(False)
    if len(hits) == len(channels):
        return ibis.literal(True)
    return t.channel.isin(hits)


def _modes(config: Config) -> dict[str, str]:
    modes: dict[str, str] = dict(DEFAULT_MODES)
    modes.update({ch: s.mode for ch, s in config.channels.items() if s.mode})
    return modes


def continuous_expr(
    t: ir.Table, config: Config, channels: tuple[str, ...] | None = None
) -> ir.BooleanValue:
    """Whether each contact is in continuous mode (queue setting, then channel, then default)."""
    discrete = [ch for ch, mode in _modes(config).items() if mode == "discrete"]
    by_channel = negate(_flag(t, channels, discrete))
    branches = [
        (t.queue == queue, ibis.literal(settings.mode == "continuous"))
        for queue, settings in config.queues.items()
        if settings.mode
    ]
    return ibis.cases(*branches, else_=by_channel) if branches else by_channel


def threshold_expr(
    t: ir.Table, config: Config, continuous: ir.BooleanValue,
    channels: tuple[str, ...] | None = None,
) -> ir.FloatingValue:
    """Default SL threshold of each contact (queue setting, then channel, then its mode)."""
    thresholds = dict(DEFAULT_THRESHOLDS_SECONDS)
    thresholds.update(
        {ch: s.threshold_seconds for ch, s in config.channels.items() if s.threshold_seconds}
    )
    fallback = ibis.ifelse(
        continuous,
        MODE_FALLBACK_THRESHOLD_SECONDS["continuous"],
        MODE_FALLBACK_THRESHOLD_SECONDS["discrete"],
    ).cast("float64")
    branches = [
        (t.queue == queue, ibis.literal(float(s.threshold_seconds)))
        for queue, s in config.queues.items()
        if s.threshold_seconds is not None
    ]
    if channels is None:
        channel = t.channel.lower()
        branches += [(channel == ch, ibis.literal(float(v))) for ch, v in thresholds.items()]
        return ibis.cases(*branches, else_=fallback)
    # the known channels, grouped by their configured threshold (None: by mode)
    groups: dict[float | None, list[str]] = {}
    for ch in channels:
        value = thresholds.get(ch.lower())
        groups.setdefault(None if value is None else float(value), []).append(ch)
    if len(groups) == 1 and None not in groups:
        else_: ir.FloatingValue = ibis.literal(next(iter(groups)), type="float64")
    else:
        branches += [
            (t.channel.isin(members), ibis.literal(value, type="float64"))
            for value, members in groups.items() if value is not None
        ]
        else_ = fallback
    return ibis.cases(*branches, else_=else_) if branches else else_


_BUILT: OrderedDict[tuple[Any, ...], ir.Table] = OrderedDict()
_BUILT_MAX = 32
_BUILT_LOCK = threading.Lock()


def forget_built() -> None:
    with _BUILT_LOCK:
        _BUILT.clear()


def contact_facts(contacts: ir.Table, ctx: RunContext) -> ir.Table:
    """Contacts as of ``ctx.as_of_us`` with the derived columns of the catalog's rules
    (built once for the same contacts table and the same context parts it reads)."""
    key = (contacts.op(), ctx.as_of_us, ctx.contact_highs, ctx.contact_empty,
           ctx.contact_channels, ctx.contact_directions, repr(ctx.config))
    with _BUILT_LOCK:
        built = _BUILT.get(key)
        if built is not None:
            _BUILT.move_to_end(key)
            return built
    built = _built_contact_facts(contacts, ctx)
    with _BUILT_LOCK:
        _BUILT[key] = built
        while len(_BUILT) > _BUILT_MAX:
            _BUILT.popitem(last=False)
    return built


def _all_inbound(ctx: RunContext) -> bool:
    """The loader knows no contact is outbound (none has a direction, or no direction
    value is outbound)."""
    directions = ctx.contact_directions
    return "direction" in ctx.contact_empty or (
        directions is not None and "outbound" not in directions)


def _received(t: ir.Table, ctx: RunContext) -> ir.BooleanValue:
    """An inbound contact: one a customer made and waited on. An outbound contact (the
    agent's own call or e-mail) is nobody's wait: it is not received, offered, answered
    nor abandoned, and counts as handled work when it ended."""
    if _all_inbound(ctx):
        return ibis.literal(True)
    if ctx.contact_directions == ("outbound",):
        return ibis.literal(False)
    return t.direction.fill_null("inbound") != "outbound"


def work_started(facts: ir.Table, ctx: RunContext) -> tuple[ir.BooleanValue, ir.IntegerValue]:
    """Whether an agent worked a contact, and from when: an inbound contact from its
    acceptance (else its first response) once answered; the agent's own outbound contact
    from when it was made, answered or not."""
    start = facts.fr if "accepted_at" in ctx.contact_empty else facts.acc.coalesce(facts.fr)
    if _all_inbound(ctx):
        return facts.answered, start
    return (facts.answered | ~facts.received,
            ibis.ifelse(facts.received, start, start.coalesce(facts.arr)))


def _built_contact_facts(contacts: ir.Table, ctx: RunContext) -> ir.Table:
    as_of = ctx.as_of_us
    highs = dict(ctx.contact_highs)
    # when every contact arrived by as-of (and validation keeps none without an arrival)
    # the filter goes, and with it a read of arrived_at wherever nothing else needs it
    all_arrived = "arrived_at" in highs and (
        highs["arrived_at"] is None or highs["arrived_at"] <= as_of)
    t = contacts if all_arrived else contacts.filter(contacts.arrived_at <= as_of)
    empty = ctx.contact_empty

    def or_default(name: str, default: bool | float) -> ir.Value:
        """The column with nulls read as ``default`` (a constant when it has no value)."""
        if name in empty:
            return ibis.literal(default)
        return t[name].fill_null(default)

    def known(name: str) -> ir.IntegerValue:
        """A moment after as-of has not happened yet (none has, when as-of is after the
        column's latest value)."""
        col = t[name]
        if name in highs:
            high = highs[name]
            if high is None or high <= as_of:
                return col
        return ibis.ifelse(col <= as_of, col, ibis.null("int64"))

    t = t.mutate(
        arr=t.arrived_at,
        acc=known("accepted_at"),
        fr=known("first_response_at"),
        ab=known("abandoned_at"),
        end=known("ended_at"),
        res=known("resolved_at"),
        cont=continuous_expr(t, ctx.config, ctx.contact_channels),
        text=negate(_flag(t, ctx.contact_channels, list(VOICE_CHANNELS))),
        chat=_flag(t, ctx.contact_channels, list(CHAT_CHANNELS)),
        blocked=or_default("blocked", False),
        received=_received(t, ctx),
    )
    if not _all_inbound(ctx):  # a flag an outbound contact cannot have
        t = t.mutate(blocked=t.blocked & t.received)
    offered = ~t.blocked if _all_inbound(ctx) else t.received & ~t.blocked
    t = t.mutate(offered=offered, default_threshold_s=threshold_expr(
        t, ctx.config, t.cont, ctx.contact_channels))
    t = t.mutate(answered=t.offered & t.fr.notnull())
    t = t.mutate(abandoned=t.offered & ~t.answered & t.ab.notnull())
    started, start_of_work = work_started(t, ctx)
    handled = started & t.end.notnull()
    hold = or_default("hold_seconds", 0.0)
    acw = or_default("acw_seconds", 0.0)
    worked = _seconds(t.end, start_of_work) + acw
    t = t.mutate(
        wait_s=ibis.cases(
            (t.answered, _seconds(t.fr, t.arr)),
            (t.abandoned, _seconds(t.ab, t.arr)),
            else_=ibis.null("float64"),
        ),
        queue_s=ibis.ifelse(t.offered & t.acc.notnull(), _seconds(t.acc, t.arr), None),
        pickup_s=ibis.ifelse(t.answered & t.acc.notnull(), _seconds(t.fr, t.acc), None),
        as_of_us=ibis.literal(as_of, type="int64"),
        # the latest arrival, when measured: rules on young contacts fold away without any
        latest_arrival_us=(ibis.literal(highs["arrived_at"], type="int64")
                           if isinstance(highs.get("arrived_at"), int)
                           else ibis.null("int64")),
        age_s=_seconds(ibis.literal(as_of, type="int64"), t.arr),
        unresolved=t.offered & ~t.answered & ~t.abandoned,
        handled=handled,
        handle_s=ibis.ifelse(
            handled,
            worked if "handle_seconds" in empty else t.handle_seconds.coalesce(worked),
            None,
        ),
        talk_s=ibis.ifelse(handled, _seconds(t.end, start_of_work) - hold, None),
        hold_s=ibis.ifelse(handled, hold, None),
        acw_s=ibis.ifelse(handled, acw, None),
        is_transferred=handled & or_default("transferred", False),
        resolution_s=_seconds(t.res, t.arr),
    )
    return t

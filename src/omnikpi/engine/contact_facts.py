"""The contact fact table: canonical contacts plus the derived columns metrics read.

Derived once here so that every metric reads the same definition of "offered",
"answered", "wait" and "handled" (the shared rules of the KPI catalog): metrics only
combine these columns with their own parameters.
"""

from __future__ import annotations

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

MICROS = 1_000_000.0


def _seconds(later: ir.IntegerValue, earlier: ir.IntegerValue) -> ir.FloatingValue:
    """Exact duration in seconds from integer microseconds."""
    return (later - earlier).cast("float64") / MICROS


def continuous_expr(t: ir.Table, config: Config) -> ir.BooleanValue:
    """Whether each contact is in continuous mode (queue setting, then channel, then default)."""
    channel = t.channel.lower()
    modes = dict(DEFAULT_MODES)
    modes.update({ch: s.mode for ch, s in config.channels.items() if s.mode})
    discrete = [ch for ch, mode in modes.items() if mode == "discrete"]
    by_channel = ~channel.isin(discrete) if discrete else ibis.literal(True)
    branches = [
        (t.queue == queue, ibis.literal(settings.mode == "continuous"))
        for queue, settings in config.queues.items()
        if settings.mode
    ]
    return ibis.cases(*branches, else_=by_channel) if branches else by_channel


def threshold_expr(t: ir.Table, config: Config, continuous: ir.BooleanValue) -> ir.FloatingValue:
    """Default SL threshold of each contact (queue setting, then channel, then its mode)."""
    channel = t.channel.lower()
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
    branches += [(channel == ch, ibis.literal(float(v))) for ch, v in thresholds.items()]
    return ibis.cases(*branches, else_=fallback)


def contact_facts(contacts: ir.Table, ctx: RunContext) -> ir.Table:
    """Contacts as of ``ctx.as_of_us`` with the derived columns of the catalog's rules."""
    as_of = ctx.as_of_us
    t = contacts.filter(contacts.arrived_at <= as_of)

    highs = dict(ctx.contact_highs)

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
        cont=continuous_expr(t, ctx.config),
        text=~t.channel.lower().isin(list(VOICE_CHANNELS)),
        chat=t.channel.lower().isin(list(CHAT_CHANNELS)),
        blocked=t.blocked.fill_null(False),
        received=ibis.literal(True),
    )
    t = t.mutate(offered=~t.blocked, default_threshold_s=threshold_expr(t, ctx.config, t.cont))
    t = t.mutate(answered=t.offered & t.fr.notnull())
    t = t.mutate(abandoned=t.offered & ~t.answered & t.ab.notnull())
    handled = t.answered & t.end.notnull()
    hold = t.hold_seconds.fill_null(0.0)
    acw = t.acw_seconds.fill_null(0.0)
    start_of_work = t.acc.coalesce(t.fr)
    t = t.mutate(
        wait_s=ibis.cases(
            (t.answered, _seconds(t.fr, t.arr)),
            (t.abandoned, _seconds(t.ab, t.arr)),
            else_=ibis.null("float64"),
        ),
        queue_s=ibis.ifelse(t.offered & t.acc.notnull(), _seconds(t.acc, t.arr), None),
        pickup_s=ibis.ifelse(t.answered & t.acc.notnull(), _seconds(t.fr, t.acc), None),
        age_s=_seconds(ibis.literal(as_of, type="int64"), t.arr),
        unresolved=t.offered & ~t.answered & ~t.abandoned,
        handled=handled,
        handle_s=ibis.ifelse(
            handled, t.handle_seconds.coalesce(_seconds(t.end, start_of_work) + acw), None
        ),
        talk_s=ibis.ifelse(handled, _seconds(t.end, start_of_work) - hold, None),
        hold_s=ibis.ifelse(handled, hold, None),
        acw_s=ibis.ifelse(handled, acw, None),
        is_transferred=handled & t.transferred.fill_null(False),
    )
    return t

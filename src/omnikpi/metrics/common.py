"""Small expression helpers and the parameters several contact metrics share."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from omnikpi.metrics.base import Param, Params

SHORT_ABANDON = Param(
    "short_abandon_seconds",
    "float",
    5.0,
    "an abandon with a wait strictly below this is a short abandon (a mis-dial)",
    unit="seconds",
)
EXCLUDE_SHORT = Param(
    "exclude_short_abandons",
    "bool",
    True,
    "remove short abandons from numerator and denominator",
)
THRESHOLD = Param(
    "threshold_seconds",
    "float",
    None,
    "service-level threshold; default per channel from config (voice 20, chat 60, "
    "email 86400, social 3600); a value given here applies to every channel",
    unit="seconds",
)


def n(condition: ir.BooleanValue) -> ir.IntegerValue:
    """1 where the condition holds, else 0 (for counts that are summed)."""
    return condition.fill_null(False).cast("int64")


def when(condition: ir.BooleanValue, value: ir.Value) -> ir.Value:
    """``value`` where the condition holds, null elsewhere (nulls are skipped by sums); a
    null condition does not hold (``CASE WHEN NULL`` takes the ``ELSE``)."""
    return ibis.ifelse(condition, value, ibis.null(value.type()))


def threshold(f: ir.Table, p: Params) -> ir.FloatingValue:
    if p.get("threshold_seconds") is None:
        return f.default_threshold_s
    return ibis.literal(float(p["threshold_seconds"]))


def short_abandon(f: ir.Table, p: Params) -> ir.BooleanValue:
    """Short abandons to exclude under this metric's parameters (none when not excluding)."""
    if not p["exclude_short_abandons"]:
        return ibis.literal(False)
    return f.abandoned & (f.wait_s < float(p["short_abandon_seconds"]))


def waiting_within(f: ir.Table, limit: ir.FloatingValue) -> ir.BooleanValue:
    """Unresolved at as-of and not older than ``limit``: too early to judge, left out.

    Continuous contacts are unresolved while still in queue (no end); discrete ones while
    unanswered (the catalog's pending e-mail).
    """
    still_open = f.unresolved & (~f.cont | f.end.isnull())
    return still_open & (f.age_s <= limit)

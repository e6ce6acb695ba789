"""Small expression helpers and the parameters several contact metrics share."""

from __future__ import annotations

import math
from typing import Any

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir

from omnikpi.instants import MICROS_FLOAT
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


def logged_in_seconds(t: ir.Table, p: Params) -> ir.Value:
    """Agent time in any state but ``logged_out``: the hours of the per-hour rates."""
    return when(t.state != "logged_out", t.seconds)


def threshold(f: ir.Table, p: Params) -> ir.FloatingValue:
    if p.get("threshold_seconds") is None:
        return f.default_threshold_s
    return ibis.literal(float(p["threshold_seconds"]))


def short_abandon(f: ir.Table, p: Params) -> ir.BooleanValue:
    """Short abandons to exclude under this metric's parameters (none when not excluding)."""
    if not p["exclude_short_abandons"]:
        return ibis.literal(False)
    return f.abandoned & (f.wait_s < float(p["short_abandon_seconds"]))


def constant_of(t: ir.Table, column: str) -> Any:
    """The value of ``column`` if the table defines it as a constant, else ``None``.

    The contact facts define some columns as constants when the data allows (one mode
    for every channel of the dataset): a rule that reads such a column is then decided
    while compiling, instead of a test on every row.
    """
    node: Any = t.op()
    name = column
    while True:
        if isinstance(node, ops.Filter):
            node = node.parent
        elif isinstance(node, ops.Project) and name in node.values:
            value = node.values[name]
            if isinstance(value, ops.Literal):
                return value.value
            if not isinstance(value, ops.Field):
                return None
            node, name = value.rel, value.name
        else:
            return None


def by_mode(f: ir.Table, continuous: ir.Value, discrete: ir.Value) -> ir.Value:
    """The continuous or discrete form of a rule, by each contact's mode."""
    mode = constant_of(f, "cont")
    if mode is True:
        return continuous
    if mode is False:
        return discrete
    return ibis.ifelse(f.cont, continuous, discrete)


def _literal(flag: ir.Value) -> Any:
    node = flag.op()
    return node.value if isinstance(node, ops.Literal) else None


def negate(flag: ir.BooleanValue) -> ir.BooleanValue:
    """``~flag``, a constant kept a constant (so that the rules can test it)."""
    value = _literal(flag)
    return ibis.literal(not value) if isinstance(value, bool) else ~flag


def all_of(*flags: ir.BooleanValue) -> ir.BooleanValue:
    """``a & b & …`` with constants decided while compiling: a column that only a
    constant-false term reads is then not read at all."""
    kept = []
    for flag in flags:
        value = _literal(flag)
        if value is False:
            return ibis.literal(False)
        if value is not True:
            kept.append(flag)
    if not kept:
        return ibis.literal(True)
    result = kept[0]
    for flag in kept[1:]:
        result = result & flag
    return result


def any_of(*flags: ir.BooleanValue) -> ir.BooleanValue:
    """``a | b | …`` with constants decided while compiling (see :func:`all_of`)."""
    return negate(all_of(*(negate(flag) for flag in flags)))


def waiting_within(f: ir.Table, limit: ir.FloatingValue) -> ir.BooleanValue:
    """Unresolved at as-of and not older than ``limit``: too early to judge, left out.

    Continuous contacts are unresolved while still in queue (no end); discrete ones while
    unanswered (the catalog's pending e-mail). On a history whose latest arrival is older
    than ``limit`` at as-of no contact is, and the rule costs nothing.
    """
    young = age_at_most(f, limit)
    if _literal(young) is False:
        return young
    still_open = f.unresolved & by_mode(f, f.end.isnull(), ibis.literal(True))
    return still_open & young


def age_at_most(f: ir.Table, limit: ir.FloatingValue) -> ir.BooleanValue:
    """``age_s <= limit``; with a constant limit, as a comparison of the arrival instant.

    ``age_s`` is ``(as_of − arrival) / 1e6`` in floating point, which only grows with the
    age in microseconds: it is at most ``limit`` exactly up to the largest such age,
    found here once. An integer comparison per row instead of a subtraction, a
    conversion and a division (and the same contacts, to the microsecond); no comparison
    at all when the latest arrival of the data (measured when it was validated) is older.
    """
    node = limit.op()
    seconds = node.value if isinstance(node, ops.Literal) else (
        constant_of(f, node.name) if isinstance(node, ops.Field) else None)
    as_of = constant_of(f, "as_of_us")
    if not isinstance(seconds, int | float) or not isinstance(as_of, int):
        return f.age_s <= limit
    most = math.floor(seconds * MICROS_FLOAT)
    while (most + 1) / MICROS_FLOAT <= seconds:
        most += 1
    while most / MICROS_FLOAT > seconds:
        most -= 1
    latest = constant_of(f, "latest_arrival_us")
    if isinstance(latest, int) and latest < as_of - most:
        return ibis.literal(False)
    return f.arr >= as_of - most

"""Overlapping intervals of one group merged into islands, in one query on every engine.

Time measured as the sum of intervals counts an overlap twice: two chat sessions of an
agent open at once are one busy stretch, and two outage reports of one widget (a monitor
and a person) or an outage exported again with a later end are one unavailable stretch.
Where the metric means "time during which", the intervals are merged first.
"""

from __future__ import annotations

from collections.abc import Callable

import ibis
import ibis.expr.types as ir


def islands(t: ir.Table, by: list[str], start: str, end: str,
            keep: Callable[[ir.Table], dict[str, ir.Value]] | None = None) -> ir.Table:
    """Per group ``by``, the union of the intervals [``start``, ``end``) as its islands
    (intervals that overlap or touch are one), with ``start`` and ``end`` and the columns
    ``keep`` aggregates over each island's intervals.

    An interval opens a new island when it starts after every earlier one (in start order)
    has ended; the islands are numbered by a running count of those openings."""
    order = [t[start], t[end]]
    before = ibis.window(group_by=[t[c] for c in by], order_by=order, rows=(None, -1))
    t = t.mutate(__reach=t[end].max().over(before))
    t = t.mutate(__opens=(t.__reach.isnull() | (t[start] > t.__reach)).cast("int64"))
    upto = ibis.window(group_by=[t[c] for c in by], order_by=[t[start], t[end]],
                       rows=(None, 0))
    t = t.mutate(__island=t.__opens.sum().over(upto))
    merged = t.group_by([*by, "__island"]).aggregate(
        **{start: t[start].min(), end: t[end].max()}, **(keep(t) if keep else {}))
    return merged.select(*[c for c in merged.columns if c != "__island"])

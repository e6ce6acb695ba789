"""Overlapping intervals of one group merged into islands, or laid flat, in one query on
every engine.

Time measured as the sum of intervals counts an overlap twice: two chat sessions of an
agent open at once are one busy stretch, and two outage reports of one widget (a monitor
and a person) or an outage exported again with a later end are one unavailable stretch.
Where the metric means "time during which", the intervals are merged first. Where each
instant belongs to one interval (a schedule laid in layers), :func:`top_layer` keeps the
one on top.
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


def top_layer(t: ir.Table, by: list[str], start: str, end: str,
              rank: Callable[[ir.Table], list[ir.Value]]) -> ir.Table:
    """Per group ``by``, intervals laid over each other flattened: every instant belongs to
    one interval, the first in ``rank`` order among those covering it; each interval
    becomes the pieces where it is on top (with its other columns), one row per piece.

    Workforce tools export a schedule in layers — a work block for the whole shift and a
    break laid over it — where each instant has one scheduled activity. Summed as they
    are, the break's minutes were scheduled twice. Only intervals that overlap are cut:
    each run of overlapping intervals (numbered as :func:`islands` numbers islands, but
    touching intervals apart) is cut at every start and end inside it, and each cut piece
    keeps the interval ranked first among those covering it."""
    cols = list(t.columns)
    order = [t[start], t[end]]
    before = ibis.window(group_by=[t[c] for c in by], order_by=order, rows=(None, -1))
    after = ibis.window(group_by=[t[c] for c in by], order_by=order)
    t = t.mutate(__reach=t[end].max().over(before), __next=t[start].lead().over(after))
    # most schedules are exported flat: an interval that overlaps neither an earlier one
    # nor the next is kept as it is, and only the others are cut (the costly part); both
    # windows share one sort
    t = t.mutate(__opens=(t.__reach.isnull() | (t[start] >= t.__reach)).cast("int64"))
    overlapping = (t.__opens == 0) | (t.__next.notnull() & (t.__next < t[end]))
    alone = t.filter(~overlapping).select(*cols)
    t = t.filter(overlapping)
    upto = ibis.window(group_by=[t[c] for c in by], order_by=[t[start], t[end]],
                       rows=(None, 0))
    # numbered among the overlapping ones only: a run's first interval opens it
    t = t.mutate(__run=t.__opens.sum().over(upto))
    keys = {f"__k{i}": t[c] for i, c in enumerate(by)}
    points = ibis.union(t.select(**keys, __prun=t.__run, __at=t[start]),
                        t.select(**keys, __prun=t.__run, __at=t[end]), distinct=True)
    following = ibis.window(group_by=[points[k] for k in keys] + [points.__prun],
                            order_by=points.__at)
    pieces = points.mutate(__to=points.__at.lead().over(following))
    pieces = pieces.filter(pieces.__to.notnull())
    j = t.join(pieces, [*(t[c] == pieces[k] for c, k in zip(by, keys, strict=True)),
                        t.__run == pieces.__prun, t[start] <= pieces.__at,
                        t[end] >= pieces.__to])
    first = ibis.window(group_by=[j[k] for k in keys] + [j.__prun, j.__at],
                        order_by=rank(j))
    j = j.mutate(__pick=ibis.row_number().over(first))
    j = j.filter(j.__pick == 0)
    cut = j.select(*[j.__at.name(c) if c == start else j.__to.name(c) if c == end else j[c]
                     for c in cols])
    return ibis.union(alone, cut, distinct=False)

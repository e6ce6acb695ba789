"""Which relations a report computes once on Spark (``engine.spark_shared``): the costly
ones read in more than one place, innermost first; a cheap one (a projection of a table)
is read again, as DuckDB would."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from omnikpi.engine.spark_shared import shared_relations

STATES = ibis.table({"agent": "string", "start": "int64", "end": "int64"}, name="states")


def _ranked() -> ir.Table:
    order = ibis.window(group_by=STATES.agent, order_by=STATES.start)
    return STATES.mutate(rank=ibis.row_number().over(order))


def test_a_window_read_twice_is_shared() -> None:
    ranked = _ranked()
    both = ranked.filter(ranked.rank == 0).union(ranked.filter(ranked.rank > 0))
    assert shared_relations(both.op()) == [ranked.op()]


def test_a_relation_read_once_or_cheap_is_not() -> None:
    ranked = _ranked()
    assert shared_relations(ranked.filter(ranked.rank > 1).op()) == []
    cheap = STATES.select("agent", "start")
    both = cheap.filter(cheap.start > 0).union(cheap.filter(cheap.start < 0))
    assert shared_relations(both.op()) == []


def test_a_column_or_count_of_a_relation_is_no_second_read() -> None:
    """``t.filter(t.x > 0)`` names ``t`` in its condition as well: one read, not two."""
    per_agent = STATES.group_by("agent").aggregate(n=STATES.count())
    read_once = per_agent.filter(per_agent.n > 1).mutate(twice=per_agent.n * 2)
    assert shared_relations(read_once.op()) == []


def test_nested_shared_relations_come_innermost_first() -> None:
    per_agent = STATES.group_by("agent").aggregate(n=STATES.count())
    stacked = per_agent.filter(per_agent.n > 1).union(per_agent.filter(per_agent.n < 5))
    report = stacked.filter(stacked.n > 2).union(stacked.filter(stacked.n < 3))
    assert shared_relations(report.op()) == [per_agent.op(), stacked.op()]


def test_a_self_join_shares_the_joined_relation() -> None:
    """A join reads its tables through references of its own: the relation behind them
    is the one shared."""
    per_agent = STATES.group_by("agent").aggregate(n=STATES.count())
    other = per_agent.view()
    joined = per_agent.join(other, per_agent.n < other.n)
    assert shared_relations(joined.op()) == [per_agent.op()]

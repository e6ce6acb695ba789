"""Relations a report reads in several places, computed once on Spark.

A report's expression is a graph: the flattened schedule is read by adherence,
conformance, utilization and shrinkage, the agent states by each of their joins. The
SQL compiler writes such a relation once, as a common table expression, and DuckDB
computes it once; Spark inlines every deterministic CTE, so it computes the relation
again for each place that reads it, and the relations inside it again for each of
those. A report of the four schedule metrics over three small tables became a plan of
157 file reads, 138 windows and some 90 stages.

Before a report runs on Spark, each relation read by more than one other, and costly to
compute (a join, an aggregate, a window, a set operation or a distinct beneath it), is
cached as a temporary view, the innermost first, and the report reads the views; the
cache is released when the report is done. The rows are the same: a cached relation is
the relation.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import ibis.expr.operations as ops
import ibis.expr.types as ir
from ibis.common.graph import Graph
from ibis.common.patterns import InstanceOf

COSTLY = (ops.WindowFunction, ops.Aggregate, ops.JoinChain, ops.Set, ops.Distinct)
"""Operations whose result is worth keeping rather than computing twice."""

_NOT_READS = (ops.Field, ops.CountStar, ops.CountDistinctStar)
"""Nodes that name a relation without reading it again (a column of it, its count)."""


def shared_relations(root: ops.Node) -> list[ops.Relation]:
    """The costly relations read by more than one node of ``root``'s graph, innermost
    first (each one's shared relations come before it)."""
    reads = Graph.from_bfs(root, filter=~InstanceOf(_NOT_READS))
    ordered, readers = reads.toposort()
    costly = _costly(root)
    shared: list[ops.Relation] = []
    for node in ordered:
        if node is root or not isinstance(node, ops.Relation) or len(readers[node]) < 2:
            continue
        if isinstance(node, ops.JoinReference):  # a join's name for the relation it reads
            node = node.parent
        if isinstance(node, ops.PhysicalTable) or not costly[node] or node in shared:
            continue
        shared.append(node)
    return shared


def _costly(root: ops.Node) -> dict[ops.Node, bool]:
    """Whether each node of the graph has a costly operation at or beneath it."""
    ordered, _ = Graph.from_bfs(root).toposort()
    costly: dict[ops.Node, bool] = {}
    for node, children in ordered.items():
        costly[node] = isinstance(node, COSTLY) or any(costly[c] for c in children)
    return costly


@contextmanager
def computed_once(con: Any, expr: ir.Table) -> Iterator[ir.Table]:
    """``expr`` reading each of its shared relations from a cached temporary view of
    Spark's (``con``: Ibis's PySpark backend); the views are dropped and their cache
    released on leaving."""
    root = expr.op()
    replaced: dict[ops.Node, ops.Node] = {}
    frames: list[tuple[str, Any]] = []
    try:
        for node in shared_relations(root):
            inner = node.replace(replaced) if replaced else node
            relation = inner.to_expr()
            con._run_pre_execute_hooks(relation)  # the calendars' in-memory tables
            name = f"omnikpi_shared_{uuid.uuid4().hex[:12]}"
            frame = con._session.sql(con.compile(relation)).cache()
            frame.createOrReplaceTempView(name)
            frames.append((name, frame))
            view = ops.DatabaseTable(name=name, schema=node.schema, source=con).to_expr()
            # its columns selected, not the bare view: a subquery reading the relation
            # (``x IN (SELECT …)``) needs a relation that lists its one column
            replaced[node] = view.select(*node.schema.names).op()
        yield root.replace(replaced).to_expr() if replaced else expr
    finally:
        for name, frame in frames:
            con._session.catalog.dropTempView(name)
            frame.unpersist()

"""The remembered complexity gives exactly Ibis's numbers, hence exactly its SQL.

``engine/merge_complexity.py`` replaces Ibis's ``complexity`` (used when it merges nested
selects) by one that remembers each node's measure during a compilation. Here every
metric's plan on the demo data is compiled both ways and the SQL must be the same text,
and the measure of every node of a plan must equal Ibis's own function's.
"""

from __future__ import annotations

from collections.abc import Iterator

import ibis
import ibis.backends.sql.rewrites as ibis_rewrites
import ibis.expr.operations as ops
import pytest
from ibis.common.graph import Graph

from omnikpi.demo import DEMO_DATA_DIR
from omnikpi.engine import merge_complexity
from omnikpi.engine.duckdb_sql import EngineDuckDBCompiler, compiler
from omnikpi.engine.run import plan_request
from omnikpi.errors import DataError, UsageError
from omnikpi.metrics.base import all_metrics
from omnikpi.request import ReportRequest
from omnikpi.schema.dataset import Dataset, load_dataset


@pytest.fixture(scope="module")
def demo() -> Iterator[Dataset]:
    dataset = load_dataset(DEMO_DATA_DIR)
    yield dataset
    dataset.close()


def _plans(demo: Dataset) -> list[ops.Node]:
    """Each metric's plan by day in Kyiv time (the demo has no costs and no roster,
    attrition is monthly: those metrics cannot be planned here)."""
    plans = []
    for metric in all_metrics():
        try:
            request = ReportRequest.of(metrics=[metric.id], grain="day", tz="Europe/Kyiv")
            plans.append(plan_request(demo, request).expr.op())
        except (DataError, UsageError):
            continue
    return plans


def _ibis_sql(node: ops.Node) -> str:
    """The SQL of Ibis's own translation, its complexity measured afresh every time."""
    tree = super(EngineDuckDBCompiler, compiler).translate(node, params={})
    return str(tree.sql(dialect=compiler.dialect))


def test_every_metrics_sql_is_the_same_text(demo: Dataset) -> None:
    plans = _plans(demo)
    assert len(plans) >= 60
    for node in plans:
        ours = str(compiler.translate(node, params={}).sql(dialect=compiler.dialect))
        assert ours == _ibis_sql(node)


def test_every_nodes_measure_equals_ibis(demo: Dataset) -> None:
    """Across plans with shared parts, in one memory, as during a compilation."""
    assert merge_complexity.IBIS_COMPLEXITY is not None
    memory: dict[ops.Node, int] = {}
    request = ReportRequest.of(metrics=["occupancy", "aht", "fcr"], by=["agent_id"],
                               grain="day", tz="Europe/Kyiv")
    relations = [node for node in Graph.from_bfs(plan_request(demo, request).expr.op())
                 if isinstance(node, ops.Relation)]
    assert len(relations) > 10
    for node in relations:
        assert merge_complexity.measured(node, memory) == merge_complexity.IBIS_COMPLEXITY(node)


def test_an_impure_call_counts_as_the_most_complex() -> None:
    table = ibis.table({"x": "int64"}, name="t")
    node = table.mutate(r=ibis.random()).op()
    assert merge_complexity.IBIS_COMPLEXITY is not None
    assert merge_complexity.measured(node, {}) == merge_complexity.IBIS_COMPLEXITY(node)
    assert merge_complexity.measured(node, {}) > 2**62


def test_ibis_merges_with_it_and_other_compilers_keep_ibis_own() -> None:
    """The replacement is in place (a later Ibis without ``complexity`` fails here, to
    be looked at); outside a compilation of ours, Ibis's function answers."""
    assert ibis_rewrites.complexity is merge_complexity.complexity
    table = ibis.table({"x": "int64"}, name="t")
    node = table.mutate(y=table.x + 1).op()
    assert merge_complexity._MEMORY.get() is None
    assert merge_complexity.complexity(node) == merge_complexity.IBIS_COMPLEXITY(node)
    with merge_complexity.remembered():
        assert merge_complexity.complexity(node) == merge_complexity.IBIS_COMPLEXITY(node)
        memory = merge_complexity._MEMORY.get()
        assert memory is not None and node in memory
    assert merge_complexity._MEMORY.get() is None


def test_a_fields_substitution_equals_ibis(demo: Dataset) -> None:
    """Every field of a plan, with a substitution for it, for another field, and with a
    filter or replacer other than the merge's: the same node as Ibis's own ``replace``."""
    assert ops.Field.replace is merge_complexity._field_replace  # installed
    request = ReportRequest.of(metrics=["occupancy", "aht", "fcr"], by=["agent_id"],
                               grain="day", tz="Europe/Kyiv")
    fields = [node for node in Graph.from_bfs(plan_request(demo, request).expr.op())
              if isinstance(node, ops.Field)]
    assert len(fields) > 50
    other = ops.Literal(1, "int64")
    with merge_complexity.remembered():
        for field in fields:
            for replacer in ({field: other}, {fields[0]: other}, {}):
                ours = field.replace(replacer, filter=ops.Value)
                assert ours == merge_complexity.IBIS_FIELD_REPLACE(
                    field, replacer, ops.Value)
            assert field.replace({field: other}) == other  # no filter: Ibis's own way

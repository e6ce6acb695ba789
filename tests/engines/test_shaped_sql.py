"""SQL made once per shape of the filter values is exactly the compiler's own SQL.

A drill-down or report with ``queue IN (…)`` is compiled with placeholders when its shape
comes a second time, and later requests of that shape get the SQL with their values
written in (``engine/shaped_sql.py``). Here random filter values — plain, empty, with
quotes and non-Latin letters, or equal to a literal the metric itself uses (``'voice'``) —
go through that path after two other requests of the same shape, and the SQL must equal
a fresh compilation, character for character.
"""

from __future__ import annotations

from collections.abc import Iterator

import ibis.expr.operations as ops
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ibis.common.graph import Graph

import omnikpi
from omnikpi.engine.drill import drill
from omnikpi.engine.local_duckdb import _duckdb_sql, _duckdb_text
from omnikpi.engine.run import plan_request
from omnikpi.engine.shaped_sql import ShapedSql, filter_literals
from omnikpi.request import ReportRequest
from omnikpi.schema.dataset import Dataset

from ..builders import dataset

ROWS = [
    {"contact_id": "c1", "queue": "sales", "channel": "voice", "site": "kyiv",
     "arrived_at": "2024-03-01T09:00:00Z", "first_response_at": "2024-03-01T09:00:10Z",
     "ended_at": "2024-03-01T09:05:00Z", "agent_id": "a1"},
    {"contact_id": "c2", "queue": "support", "channel": "chat", "site": "lviv",
     "arrived_at": "2024-03-01T10:00:00Z", "abandoned_at": "2024-03-01T10:01:00Z"},
    {"contact_id": "c3", "queue": "sales", "channel": "email", "site": "kyiv",
     "arrived_at": "2024-03-01T11:00:00Z", "first_response_at": "2024-03-01T13:00:00Z",
     "ended_at": "2024-03-01T13:10:00Z", "agent_id": "a2"},
]
value = st.one_of(st.sampled_from(["sales", "voice", "chat", "kyiv", "", "both"]),
                  st.text(alphabet="aZ9 _-'\\ЖÿЄ\n", max_size=6))


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dataset]:
    loaded = omnikpi.load_dataset(dataset(tmp_path_factory.mktemp("shaped"), contacts=ROWS))
    yield loaded
    loaded.close()


def _nodes(data: Dataset, dim: str, values: list[str]) -> list[ops.Node]:
    """A drill-down's expressions and a report's, filtered to ``values``."""
    found = drill(data, "service_level", {}, where={dim: values})
    report = plan_request(data, ReportRequest.of(["aht", "abandon_rate"], by=["queue"],
                                                 filters={dim: values}))
    return [found.ordered("numerator", None, True).op(), report.expr.op()]


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dim=st.sampled_from(["queue", "channel"]),
       values=st.lists(value, min_size=1, max_size=2))
def test_written_in_values_give_the_compilers_sql(data: Dataset, dim: str,
                                                  values: list[str]) -> None:
    size = len(values)
    for earlier in ([f"first{i}" for i in range(size)], [f"second{i}" for i in range(size)]):
        for node in _nodes(data, dim, earlier):
            _duckdb_sql(node)
    for node in _nodes(data, dim, values):
        assert _duckdb_sql(node) == _duckdb_text(node, pretty=False)


def test_a_shape_is_compiled_on_its_second_coming_and_then_reused(data: Dataset) -> None:
    shaped = ShapedSql()
    compiled: list[ops.Node] = []

    def compile_node(node: ops.Node) -> str:
        compiled.append(node)
        return _duckdb_text(node, pretty=False)

    def sql(queue: str) -> str:
        return shaped.sql(_nodes(data, "queue", [queue])[1], compile_node)

    sql("north")
    assert len(compiled) == 1  # seen once: compiled as it is, nothing more
    sql("south")
    assert len(compiled) == 3  # seen twice: compiled, and its shape compiled and checked
    for queue in ("sales", "support", "east"):
        assert sql(queue) == _duckdb_text(_nodes(data, "queue", [queue])[1], pretty=False)
    assert len(compiled) == 3  # every later request of the shape: written in, not compiled
    assert "'east'" in sql("east") and "'south'" not in sql("east")


def test_a_value_the_expression_uses_elsewhere_stays_in_the_shape(data: Dataset) -> None:
    """A filter value that the expression also uses outside an ``IN`` list is one node:
    it stays in the shape, so a later filter value cannot rewrite that other use."""
    node = _nodes(data, "queue", ["sales", "north"])[0]
    graph = Graph.from_bfs(node)
    used_elsewhere = {child.value for parent, children in graph.items()
                      if not isinstance(parent, ops.InValues) for child in children
                      if isinstance(child, ops.Literal) and isinstance(child.value, str)}
    assert "both" in used_elsewhere  # the drill's status column is built from it
    literals = {str(lit.value) for lit in filter_literals(node)}
    assert literals >= {"sales", "north"}
    assert not literals & used_elsewhere
    both = _nodes(data, "queue", ["both"])[0]
    assert "both" not in {str(lit.value) for lit in filter_literals(both)}


def test_an_unusual_value_is_compiled_directly(data: Dataset) -> None:
    node = _nodes(data, "queue", ["it's", "a\\b", "plain"])[1]
    assert {str(lit.value) for lit in filter_literals(node)} & {"it's", "a\\b"} == set()
    assert "plain" in {str(lit.value) for lit in filter_literals(node)}

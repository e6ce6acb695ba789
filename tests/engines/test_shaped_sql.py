"""SQL made once per shape of the variable values is exactly the compiler's own SQL.

A drill-down or report with ``queue IN (…)`` or a window of instants is compiled with
placeholders when its shape comes a second time, and later requests of that shape get the
SQL with their values written in (``engine/shaped_sql.py``). Here random filter values —
plain, empty, with quotes and non-Latin letters, or equal to a literal the metric itself
uses (``'voice'``) — and random windows and as-of instants go through that path after two
other requests of the same shape, and the SQL must equal a fresh compilation, character
for character.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.operations as ops
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ibis.common.graph import Graph

import omnikpi
from omnikpi.demo import DEMO_DATA_DIR
from omnikpi.engine.drill import drill
from omnikpi.engine.local_duckdb import _duckdb_sql, _duckdb_text
from omnikpi.engine.run import plan_request
from omnikpi.engine.shaped_sql import INSTANT_LIKE, ShapedSql, filter_literals
from omnikpi.errors import DataError, UsageError
from omnikpi.metrics.base import all_metrics
from omnikpi.request import ReportRequest
from omnikpi.schema.dataset import Dataset

from ..builders import call, dataset

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


def _counting() -> tuple[ShapedSql, list[ops.Node], Callable[[ops.Node], str]]:
    """A fresh cache of shapes, and a compiler that lists what it was asked to compile."""
    compiled: list[ops.Node] = []

    def compile_node(node: ops.Node) -> str:
        compiled.append(node)
        return _duckdb_text(node, pretty=False)

    return ShapedSql(), compiled, compile_node


def test_a_shape_is_compiled_on_its_second_coming_and_then_reused(data: Dataset) -> None:
    shaped, compiled, compile_node = _counting()

    def sql(queue: str) -> str:
        return shaped.sql(_nodes(data, "queue", [queue])[1], compile_node)

    sql("north")
    assert len(compiled) == 1  # seen once: compiled as it is, nothing more
    sql("south")
    # seen twice: its shape compiled, checked against the first one's SQL, and this
    # one's values written in (not compiled)
    assert len(compiled) == 2
    for queue in ("sales", "support", "east"):
        assert sql(queue) == _duckdb_text(_nodes(data, "queue", [queue])[1], pretty=False)
    assert len(compiled) == 2  # every later request of the shape: written in, not compiled
    assert "'east'" in sql("east") and "'south'" not in sql("east")


def test_a_shape_that_does_not_give_the_first_sql_back_is_compiled_every_time(
        data: Dataset) -> None:
    """The second coming proves the shape against the first expression's SQL; a
    compiler whose placeholder form does not give it back (here one that writes the
    placeholder of the queue as another word) leaves every expression compiled."""
    compiled: list[ops.Node] = []

    def lying(node: ops.Node) -> str:
        compiled.append(node)
        return _duckdb_text(node, pretty=False).replace("omnikpiv0x9q", "elsewhere")

    shaped = ShapedSql()
    for n, queue in enumerate(("north", "south", "east", "west")):
        node = _nodes(data, "queue", [queue])[1]
        assert shaped.sql(node, lying) == _duckdb_text(node, pretty=False)
        assert len(compiled) == [1, 3, 4, 5][n]


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


def _windowed(data: Dataset, as_of: datetime, days: int, tz: str = "Europe/Kyiv"
              ) -> list[ops.Node]:
    """A report and a drill-down over ``days`` days up to ``as_of``, by day in ``tz``."""
    start = (as_of - timedelta(days=days)).isoformat()
    report = plan_request(data, ReportRequest.of(
        ["aht", "abandon_rate", "service_level"], by=["queue"], grain="day", tz=tz,
        from_=start, to=as_of.isoformat(), as_of=as_of.isoformat()))
    found = drill(data, "asa", {}, as_of=as_of.isoformat())
    return [report.expr.op(), found.ordered("numerator", None, True).op()]


instant = st.datetimes(min_value=datetime(2001, 1, 1), max_value=datetime(2090, 1, 1),
                       timezones=st.just(UTC))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(as_of=instant, days=st.integers(1, 3))
def test_written_in_instants_give_the_compilers_sql(data: Dataset, as_of: datetime,
                                                    days: int) -> None:
    for earlier in (datetime(2024, 3, 2, tzinfo=UTC), datetime(2024, 3, 9, 7, tzinfo=UTC)):
        for node in _windowed(data, earlier, days):
            _duckdb_sql(node)
    for node in _windowed(data, as_of, days):
        assert _duckdb_sql(node) == _duckdb_text(node, pretty=False)


def test_a_new_day_reuses_the_shape_of_the_day_before(data: Dataset) -> None:
    """The same report a day later (a new window and as-of) is compiled on its second
    coming only; from the third day on its SQL is written in, and holds that day's
    instants, not an earlier day's."""
    shaped, compiled, compile_node = _counting()

    def day(n: int) -> str:
        return shaped.sql(_windowed(data, datetime(2024, 3, 5 + n, tzinfo=UTC), 1)[0],
                          compile_node)

    day(0)
    day(1)
    assert len(compiled) == 2  # first day compiled; second day: the shape, checked
    for n in (1, 2, 3, 4):
        node = _windowed(data, datetime(2024, 3, 5 + n, tzinfo=UTC), 1)[0]
        assert day(n) == _duckdb_text(node, pretty=False)
    assert len(compiled) == 2
    as_of_us = int(datetime(2024, 3, 9, tzinfo=UTC).timestamp() * 1e6)
    earlier_us = int(datetime(2024, 3, 6, tzinfo=UTC).timestamp() * 1e6)
    assert str(as_of_us) in day(4) and str(earlier_us) not in day(4)


def test_only_instants_are_variable_numbers(data: Dataset) -> None:
    """Thresholds, durations and offsets are part of a metric's definition and stay in
    the shape; the instants of the window are placeholders."""
    node = _windowed(data, datetime(2024, 3, 6, tzinfo=UTC), 1)[0]
    numbers = [lit.value for lit in filter_literals(node) if not isinstance(lit.value, str)]
    as_of_us = int(datetime(2024, 3, 6, tzinfo=UTC).timestamp() * 1e6)
    assert as_of_us in numbers and all(n >= INSTANT_LIKE for n in numbers)
    every = [lit.value for lit in node.find(ops.Literal) if isinstance(lit.value, int)]
    assert 86_400_000_000 in every and 86_400_000_000 not in numbers  # a day's length


@pytest.fixture(scope="module")
def demo() -> Iterator[Dataset]:
    loaded = omnikpi.load_dataset(DEMO_DATA_DIR)
    yield loaded
    loaded.close()


def _people_time(day: int) -> dict[str, Any]:
    """Occupancy and utilization by agent and day: the plan reads in-memory tables (the
    periods' hours), built afresh with a new name for every plan."""
    return {"metrics": ["occupancy", "utilization", "transactions_per_hour"],
            "by": ["agent_id"], "grain": "day", "tz": "Europe/Kyiv",
            "from_": f"2024-03-0{day}T00:00:00+02:00",
            "to": f"2024-03-0{day + 2}T00:00:00+02:00"}


def test_in_memory_tables_are_named_in_by_the_shape(demo: Dataset) -> None:
    """A plan reading in-memory tables is compiled on its shape's second coming only;
    later plans get the SQL with their own tables' names written in, and their rows equal
    a fresh compilation's."""
    shaped, compiled, compile_node = _counting()

    nodes = [plan_request(demo, ReportRequest.of(**_people_time(day))).expr.op()
             for day in (1, 2, 3, 4)]
    assert all(node.find(ops.InMemoryTable) for node in nodes)
    for node in nodes:
        assert shaped.sql(node, compile_node) == _duckdb_text(node, pretty=False)
    assert len(compiled) == 2
    names = {table.name for table in nodes[3].find(ops.InMemoryTable)}
    assert all(name in shaped.sql(nodes[3], compile_node) for name in names)

    for day in (1, 2, 3):  # through the engine: the third report's SQL is written in
        written = omnikpi.report(demo, **_people_time(day))
    _duckdb_sql.cache_clear()
    fresh = omnikpi.report(demo, **_people_time(3))
    assert len(fresh) > 0 and written.equals(fresh)


def test_no_plan_holds_an_unordered_list_of_names(demo: Dataset, tmp_path: Path) -> None:
    """A set of several names in a node (``Table.drop``'s) compiles in the set's
    iteration order, which depends on the process's string hashing and on how the set
    was built: a plan rebuilt with placeholders could compile to another text than the
    plan itself, its shape then never used (it happened to the hours of people-time
    plans in one process out of a few). The engine names the columns it keeps instead."""
    requests = [ReportRequest.of(metrics=[metric.id], grain="day", tz="Europe/Kyiv")
                for metric in all_metrics()]
    requests.append(ReportRequest.of(**_people_time(1)))
    ivr = omnikpi.load_dataset(dataset(
        tmp_path / "ivr", contacts=[call("c1", "2024-03-05T10:01:00Z")],
        ivr_sessions=[{"session_id": "s1", "entered_at": "2024-03-05T10:00:00Z",
                       "left_at": "2024-03-05T10:01:00Z", "result": "to_queue",
                       "contact_id": "c1"}]))
    unordered: set[tuple[str, str]] = set()
    planned = []
    for data, request in [(demo, request) for request in requests] + [
            (ivr, ReportRequest.of(metrics=["ivr_containment_rate", "avg_wait_with_ivr"],
                                   by=["queue"], grain="hour"))]:
        try:
            node = plan_request(data, request).expr.op()
        except (DataError, UsageError):  # no costs or roster in the demo; attrition is monthly
            continue
        planned.append(request.metrics)
        for part in Graph.from_bfs(node):
            unordered.update((type(part).__name__, name) for name, value
                             in zip(part.__argnames__, part.__args__, strict=True)
                             if isinstance(value, frozenset | set) and len(value) > 1)
    ivr.close()
    assert len(planned) >= 60 and ("ivr_containment_rate", "avg_wait_with_ivr") in planned
    assert not unordered


def with_dead_instant(instant: int, queue: str) -> ops.Node:
    """A filtered expression whose instant feeds a column no one reads: the compiler
    drops the column, and the instant with it (the dashboard's as-of in the chat
    sessions' relation, when a tile reads only their starts)."""
    table = ibis.table({"x": "int64", "queue": "string"}, name="contacts")
    widened = table.mutate(unused=table.x + ibis.literal(instant, "int64"),
                           kept=ibis.greatest(table.x, ibis.literal(instant + 7, "int64")))
    return widened.filter(widened.queue.isin([queue])).select("x", "kept").op()


def test_a_variable_part_the_compiler_drops_does_not_block_the_shape() -> None:
    """A placeholder missing from the shape's SQL is one the SQL does not depend on: the
    shape is still proven by the compiler's own SQL, and reused from its third coming."""
    shaped, compiled, compile_node = _counting()
    day = 1_709_762_251_739_000
    for n, queue in enumerate(("north", "south", "east", "west")):
        node = with_dead_instant(day + n * 86_400_000_000, queue)
        assert shaped.sql(node, compile_node) == _duckdb_text(node, pretty=False)
    assert len(compiled) == 2
    assert "'west'" in shaped.sql(node, compile_node)
    assert str(day + 3 * 86_400_000_000 + 7) in shaped.sql(node, compile_node)


def test_the_hours_of_a_whole_period_are_counted_by_the_query(data: Dataset) -> None:
    """Transactions per hour at grain total without from/to divide by the first to the
    last end of the handled contacts the filters keep. The query counts that span (it
    was a value computed while planning, in an in-memory table): a plan no longer
    depends on the rows, so every value of a filter has one shape."""
    shaped, compiled, compile_node = _counting()
    for queue in ("sales", "support", "north"):
        node = plan_request(data, ReportRequest.of(
            ["transactions_per_hour"], filters={"queue": [queue]})).expr.op()
        assert not node.find(ops.InMemoryTable)
        assert shaped.sql(node, compile_node) == _duckdb_text(node, pretty=False)
    assert len(compiled) == 2  # the third queue's SQL is written in
    sales = omnikpi.report(data, ["transactions_per_hour"], where={"queue": "sales"})
    # c1 ended 09:05, c3 13:10: 2 handled in 4 h 05 min
    assert sales["transactions_per_hour"].iloc[0] == pytest.approx(2 / (4 + 5 / 60))
    north = omnikpi.report(data, ["transactions_per_hour"], where={"queue": "north"})
    assert north["transactions_per_hour"].isna().all()  # no rows: no hours, no rate

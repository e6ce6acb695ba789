"""On Spark, a relation a report reads in several places is computed once
(``engine.spark_shared``): the plans Spark runs read the data's files a few times, not once
per place that reads the relation, and nothing of the report stays cached afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import omnikpi
from omnikpi.engine.backends import spark_session
from omnikpi.errors import UsageError

from ..conftest import require_spark

pytestmark = pytest.mark.spark

WORKFORCE = Path(__file__).resolve().parents[1] / "cases" / "data" / "workforce_early_leaver"
SCHEDULE_METRICS = ["adherence", "conformance", "utilization", "shrinkage"]


@pytest.fixture
def file_reads() -> Iterator[list[int]]:
    """The number of file reads (Spark's ``LogicalRelation`` leaves, a cached relation
    being read from memory instead) in each plan the session is asked for, counted when
    asked (later, a cache released by then would no longer show)."""
    require_spark()
    session = spark_session()
    kind = type(session)
    original = kind.sql
    reads: list[int] = []

    def counting(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
        frame = original(self, query, *args, **kwargs)
        leaves = frame._jdf.queryExecution().optimizedPlan().collectLeaves()
        reads.append(sum(
            leaves.apply(i).getClass().getSimpleName() == "LogicalRelation"
            for i in range(leaves.size())))
        return frame

    kind.sql = counting  # type: ignore[method-assign]
    try:
        yield reads
    finally:
        kind.sql = original  # type: ignore[method-assign]


def test_the_flattened_schedule_is_computed_once_and_released(
        file_reads: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    """Adherence, conformance, utilization and shrinkage read the flattened schedule and
    the agent states several times each: inlined, Spark read the three files 157 times
    in one plan (and took twice as long on this case). Each relation cached for the
    report is released, and its view dropped, when the report is done: a server running
    reports all day would otherwise fill the executors' memory with them."""
    frames = type(spark_session().range(1))  # the session's kind of DataFrame
    cached: list[Any] = []
    cache = frames.cache

    def recording(frame: Any) -> Any:
        cached.append(frame)
        return cache(frame)

    monkeypatch.setattr(frames, "cache", recording)
    rows = omnikpi.report_result(WORKFORCE, metrics=SCHEDULE_METRICS, grain="total",
                                 tz="UTC", engine="spark").rows
    assert rows == [{"adherence": 0.875, "conformance": 0.875, "utilization": 0.875,
                     "shrinkage": 0.125}]
    assert 0 < sum(file_reads) <= 20, file_reads
    assert len(cached) >= 2  # the schedule's shared relations were cached …
    assert not any(frame.is_cached for frame in cached)  # … and released
    views = [t.name for t in spark_session().catalog.listTables()]
    assert not [name for name in views if name.startswith("omnikpi_shared")], views


def test_off_computes_them_in_each_place(file_reads: list[int],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """``OMNIKPI_SPARK_SHARED=off`` (for executors without room for the cache, and the
    benchmark's baseline): the same rows from the plan as Spark inlines it; a value other
    than on/off is a usage error naming the variable."""
    monkeypatch.setenv("OMNIKPI_SPARK_SHARED", "off")
    rows = omnikpi.report_result(WORKFORCE, metrics=SCHEDULE_METRICS, grain="total",
                                 tz="UTC", engine="spark").rows
    assert rows == [{"adherence": 0.875, "conformance": 0.875, "utilization": 0.875,
                     "shrinkage": 0.125}]
    assert sum(file_reads) > 100, file_reads
    monkeypatch.setenv("OMNIKPI_SPARK_SHARED", "no")
    with pytest.raises(UsageError, match="OMNIKPI_SPARK_SHARED='no': expected on or off"):
        omnikpi.report_result(WORKFORCE, metrics=["adherence"], engine="spark")

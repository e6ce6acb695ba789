"""Blocked time rate when availability intervals overlap: time during which a channel was
planned, or down, counts once (``engine/intervals.py``), on every engine.

Summed, two outage reports of one widget that overlap (a monitor and a person, or an outage
exported again with a later end) made the widget down 2 h of 8 where it was down 1.5 h, and
a planned row listed twice halved the rate."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import omnikpi

from ..builders import call, dataset

DAY = datetime(2024, 3, 5)


def _at(minutes: int) -> str:
    return (DAY + timedelta(minutes=minutes)).isoformat()


def _row(start: int, end: int, status: str, queue: str = "") -> dict[str, object]:
    return {"channel": "chat", "queue": queue, "start": _at(start), "end": _at(end),
            "status": status}


def _rate(folder: Path, engine: str, rows: list[dict[str, object]], **kw: object) -> object:
    data = dataset(folder, availability=rows, contacts=[call("c", _at(600), channel="chat")])
    result = omnikpi.report_result(data, metrics=["blocked_time_rate"], engine=engine,  # type: ignore[arg-type]
                                   **kw)
    return {tuple(v for k, v in row.items() if k != "blocked_time_rate"):
            row["blocked_time_rate"] for row in result.rows}


def test_overlapping_outages_count_once(tmp_path: Path, engine: str) -> None:
    # planned 09:00–17:00 (480 min); down 10:00–11:00 and 10:30–11:30 (one outage of
    # 90 min), and 16:30–17:30 (30 min of it inside the plan) → 120 / 480
    rows = [_row(540, 1020, "planned"), _row(600, 660, "unavailable"),
            _row(630, 690, "unavailable"), _row(990, 1050, "unavailable")]
    assert _rate(tmp_path / "a", engine, rows) == {(): 0.25}
    # the plan listed twice (two exports of the same roster of hours): the same rate
    assert _rate(tmp_path / "b", engine, [*rows, _row(540, 1020, "planned")]) == {(): 0.25}


def test_an_outage_of_the_channel_and_one_of_its_queue_overlap(tmp_path: Path,
                                                               engine: str) -> None:
    # queue sales planned 09:00–17:00; the whole chat channel down 10:00–11:00 and the sales
    # queue down 10:30–11:30: sales was down 90 min of 480
    rows = [_row(540, 1020, "planned", "sales"), _row(600, 660, "unavailable"),
            _row(630, 690, "unavailable", "sales")]
    assert _rate(tmp_path, engine, rows, by=["queue"]) == {("sales",): 90 / 480}


def _union(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


INTERVALS = st.lists(st.tuples(st.integers(0, 1400), st.integers(1, 300)).map(
    lambda t: (t[0], min(t[0] + t[1], 1439))), min_size=1, max_size=5)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(planned=INTERVALS, down=st.lists(st.tuples(st.integers(0, 1400), st.integers(1, 300))
                                        .map(lambda t: (t[0], min(t[0] + t[1], 1439))),
                                        max_size=6))
def test_the_rate_is_the_measure_of_the_unions(
        tmp_path_factory: pytest.TempPathFactory, planned: list[tuple[int, int]],
        down: list[tuple[int, int]]) -> None:
    """Against a hand-written oracle: |⋃down ∩ ⋃planned| / |⋃planned|."""
    plan = _union(planned)
    out = _union(down)
    inside = sum(max(0, min(e1, e2) - max(s1, s2)) for s1, e1 in plan for s2, e2 in out)
    total = sum(e - s for s, e in plan)
    rows = [_row(s, e, "planned") for s, e in planned] + \
        [_row(s, e, "unavailable") for s, e in down]
    got = _rate(tmp_path_factory.mktemp("av"), "duckdb", rows)
    assert got == {(): pytest.approx(inside / total)}

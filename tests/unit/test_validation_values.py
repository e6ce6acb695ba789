"""Values a loader must not read as something else: a yes/no cell it cannot read is a
problem even where the column has a default (it was read as the default: ``transferred =
да`` counted as not transferred, and ``validate`` said nothing), a NaN in a typed file is
a missing number (as numpy and polars write one), and an infinite duration is a problem
(it made AHT infinite and the JSON invalid)."""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

import omnikpi
from omnikpi.schema.dataset import load_dataset

HEADER = ("contact_id,channel,queue,arrived_at,first_response_at,ended_at,agent_id,transferred,"
          "blocked")


def _problems(folder: Path) -> list[str]:
    return [f"row {p.row}: {p.column}: {p.message}" for p in load_dataset(folder).problems]


def test_an_unreadable_yes_no_is_a_problem_not_the_default(tmp_path: Path) -> None:
    (tmp_path / "contacts.csv").write_text(
        HEADER + "\n"
        "c1,voice,q,2024-03-05T10:00:00Z,2024-03-05T10:00:05Z,2024-03-05T10:03:00Z,a1,да,\n"
        "c2,voice,q,2024-03-05T10:01:00Z,2024-03-05T10:01:05Z,2024-03-05T10:04:00Z,a1,yes,\n"
        "c3,voice,q,2024-03-05T10:02:00Z,2024-03-05T10:02:05Z,2024-03-05T10:05:00Z,a1,,maybe\n"
        "c4,voice,q,2024-03-05T10:03:00Z,2024-03-05T10:03:05Z,2024-03-05T10:06:00Z,a1,no, \n")
    assert _problems(tmp_path) == [
        "row 1: transferred: cannot read 'да' as bool (true/false, 1/0 or yes/no expected)",
        "row 3: blocked: cannot read 'maybe' as bool (true/false, 1/0 or yes/no expected)"]
    # c2 transferred, c4 not (an empty cell is the default): one of two
    result = omnikpi.report_result(tmp_path, metrics=["offered", "transfer_rate"])
    assert result.rows == [{"offered": 2, "transfer_rate": 0.5}]


def _parquet(folder: Path, hold: list[float | None]) -> None:
    n = len(hold)
    table = pa.table({
        "contact_id": [f"c{i}" for i in range(n)], "channel": ["voice"] * n,
        "queue": ["q"] * n,
        "arrived_at": pa.array([datetime(2024, 3, 5, 10, i) for i in range(n)],
                               pa.timestamp("us", tz="UTC")),
        "accepted_at": pa.array([datetime(2024, 3, 5, 10, i, 5) for i in range(n)],
                                pa.timestamp("us", tz="UTC")),
        "first_response_at": pa.array([datetime(2024, 3, 5, 10, i, 10) for i in range(n)],
                                      pa.timestamp("us", tz="UTC")),
        "ended_at": pa.array([datetime(2024, 3, 5, 10, i + 1, 10) for i in range(n)],
                             pa.timestamp("us", tz="UTC")),
        "agent_id": ["a1"] * n,
        "hold_seconds": pa.array(hold, pa.float64(), from_pandas=False),
    })
    folder.mkdir()
    pq.write_table(table, folder / "contacts.parquet")


def test_a_nan_in_a_typed_file_is_a_missing_number(tmp_path: Path) -> None:
    _parquet(tmp_path / "nan", [10.0, math.nan, 20.0])
    assert _problems(tmp_path / "nan") == []
    result = omnikpi.report_result(tmp_path / "nan", metrics=["answered", "avg_hold_time"])
    # the NaN call has no hold recorded (none, as an empty cell): Σ hold / handled = 30 / 3
    assert result.rows == [{"answered": 3, "avg_hold_time": 10.0}]


def test_an_infinite_duration_is_a_problem(tmp_path: Path) -> None:
    _parquet(tmp_path / "inf", [10.0, math.inf, 20.0])
    assert _problems(tmp_path / "inf") == ["row 2: hold_seconds: infinite value"]
    result = omnikpi.report_result(tmp_path / "inf", metrics=["answered", "avg_hold_time"])
    assert result.rows == [{"answered": 2, "avg_hold_time": 15.0}]

"""A dial attempt marked converted whose result is not ``connected`` (a sale on a call
nobody answered: a dialer export that copied the lead's outcome onto every attempt) is
quarantined with its values named, on every engine and from CSV and typed Parquet alike.
It counted in ``sales`` and not in ``conversion_rate``, so the two disagreed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

import omnikpi

from ..builders import dataset


def _attempt(n: int, result: str, converted: bool) -> dict[str, Any]:
    return {"attempt_id": f"d{n}", "campaign": "k", "lead_id": f"L{n}",
            "dialed_at": f"2024-03-05T10:0{n}:00Z", "agent_id": "a1", "result": result,
            "right_party": result == "connected", "converted": converted}


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_converted_attempt_that_reached_nobody_is_quarantined(
        tmp_path: Path, engine: str, fmt: str) -> None:
    """d1 connected and sold, d2 connected without a sale, d3 a no-answer marked
    converted. Sales 1 (d1), conversion 1 / 2 right-party connects; d3 quarantined (it
    made sales 2)."""
    folder = dataset(tmp_path / "csv", dial_attempts=[
        _attempt(1, "connected", True), _attempt(2, "connected", False),
        _attempt(3, "no_answer", True)])
    data = folder
    if fmt == "parquet":
        data = tmp_path / "parquet"
        data.mkdir()
        duckdb.sql(f"COPY (SELECT * REPLACE (CAST(converted AS BOOLEAN) AS converted, "
                   f"CAST(right_party AS BOOLEAN) AS right_party) FROM "
                   f"read_csv('{folder / 'dial_attempts.csv'}')) TO "
                   f"'{data / 'dial_attempts.parquet'}' (FORMAT parquet)")
    rows = omnikpi.report_result(data, engine=engine,
                                 metrics=["sales", "conversion_rate", "attempts"]).rows
    assert rows == [{"sales": 1, "conversion_rate": 0.5, "attempts": 2}]
    loaded = omnikpi.load_dataset(data, cache=False)
    where = "dial_attempts.csv line 4 (row 3)" if fmt == "csv" else \
        "dial_attempts.parquet row 3"
    assert [str(p) for p in loaded.problems] == [
        f"{where}: column converted: converted is true but result is 'no_answer' (it needs "
        "connected)"]
    loaded.close()

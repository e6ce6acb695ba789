"""Snapshots of the SQL each engine runs for a fixed report.

A change in how a KPI compiles shows up in review as a diff of these files. Regenerate
with ``OMNIKPI_UPDATE_SNAPSHOTS=1 uv run pytest tests/engines/test_sql_snapshots.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from omnikpi.cli.main import app

from ..conftest import SPEC_EXAMPLES, spark_available

SNAPSHOTS = Path(__file__).parent / "snapshots"
ARGS = ["--metrics", "offered,answered,service_level,asa,abandon_rate,aht,transfer_rate",
        "--by", "queue", "--grain", "30min", "--tz", "Europe/Kyiv",
        "--as-of", "2024-03-05T11:00:00Z", "--param", "service_level.threshold_seconds=20"]


@pytest.mark.parametrize("engine", ["duckdb", "spark"])
def test_compiled_sql_matches_snapshot(engine: str) -> None:
    if engine == "spark" and not spark_available() and not os.environ.get(
            "OMNIKPI_REQUIRE_SPARK"):
        pytest.skip("the Spark extra is not installed here")
    result = CliRunner().invoke(app, ["report", "--data", str(SPEC_EXAMPLES / "voice_basic"),
                                      *ARGS, "--engine", engine, "--show-sql"])
    assert result.exit_code == 0, result.output
    snapshot = SNAPSHOTS / f"voice_basic_report.{engine}.sql"
    if os.environ.get("OMNIKPI_UPDATE_SNAPSHOTS"):
        snapshot.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == snapshot.read_text(encoding="utf-8")

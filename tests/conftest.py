"""Shared fixtures: the engines every engine test runs on, and dataset builders."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

SPEC_EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "spec" / "examples"
ENGINES = ["duckdb", "spark"]


def spark_available() -> bool:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return False
    return shutil.which("java") is not None


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> Iterator[str]:
    """Each engine test runs once per engine; Spark is required in CI."""
    name = str(request.param)
    if name == "spark" and not spark_available():
        if os.environ.get("OMNIKPI_REQUIRE_SPARK"):
            pytest.fail("Spark engine required (OMNIKPI_REQUIRE_SPARK) but pyspark/java missing")
        pytest.skip("Spark engine not installed here: uv sync --extra spark and Java 17")
    yield name

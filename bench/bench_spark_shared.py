"""Spark: relations read in several places computed once (cached) against inlined in
each place, on the same schedule in the same run.

    uv run --extra spark python bench/bench_spark_shared.py [--agents 100] [--days 30] [--repeat 2]

Writes the layered schedule of ``bench_layers.py`` (a work block per shift with the
breaks and the lunch laid over it, and random agent states), then reports adherence,
conformance, utilization and shrinkage by agent and day on a local Spark session, first
with ``OMNIKPI_SPARK_SHARED=off`` (the baseline: the plan as Spark inlines the SQL's
common table expressions), then with the default (``engine/spark_shared.py``). A
warm-up report on each setting runs first (the JVM compiles as it goes); the best of
``--repeat`` runs counts. The rows must be the same (the same-results check). Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_layers import write

import omnikpi

METRICS = ["adherence", "conformance", "utilization", "shrinkage"]


def timed(folder: Path, shared: str, repeat: int) -> tuple[float, list[dict[str, Any]]]:
    os.environ["OMNIKPI_SPARK_SHARED"] = shared
    best, rows = float("inf"), []
    for run in range(repeat + 1):
        began = time.perf_counter()
        rows = omnikpi.report_result(folder, metrics=METRICS, by=["agent_id"], grain="day",
                                     tz="Europe/Kyiv", engine="spark").rows
        if run:  # the first run warms the JVM up
            best = min(best, time.perf_counter() - began)
    return best, rows


def same(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> bool:
    def key(row: dict[str, Any]) -> tuple[str, str]:
        return row["agent_id"], row["period_start"]

    if len(a) != len(b):
        return False
    for x, y in zip(sorted(a, key=key), sorted(b, key=key), strict=True):
        if key(x) != key(y):
            return False
        for m in METRICS:
            if (x[m] is None) != (y[m] is None) or (
                    x[m] is not None and abs(x[m] - y[m]) > 1e-9):
                return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--agents", type=int, default=100)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=2)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "layered"
        write(folder, options.agents, options.days, layered=True)
        inlined_s, inlined_rows = timed(folder, "off", options.repeat)
        shared_s, shared_rows = timed(folder, "on", options.repeat)
    print(json.dumps({
        "agents": options.agents, "days": options.days, "rows": len(shared_rows),
        "seconds": {"inlined (baseline)": round(inlined_s, 2),
                    "computed once": round(shared_s, 2)},
        "ratio_once_to_inlined": round(shared_s / inlined_s, 2),
        "same_results": same(inlined_rows, shared_rows)}, indent=2))


if __name__ == "__main__":
    main()

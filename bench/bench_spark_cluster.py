"""The report on a Spark standalone cluster on this machine, against DuckDB in the same run.

    uv run python bench/bench_spark_cluster.py --contacts 2000000 --data /work/bigdata/x

Writes ``bench/generate.py --by-day`` data (contacts in day folders, agent states), starts
a master and two workers (1 core, 1 GiB each; ``tests/engines/spark_cluster.py``), and runs
10 KPIs by queue × day in a driver process with 512 MiB: loading, validation and
quarantine on the executors, then the report. DuckDB runs the same report on the same
files (validation included, no cache). Prints seconds, whether the rows are equal, and
the load average (other work on the machine distorts every figure: compare the ratio).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import generate  # noqa: E402
from tests.engines.spark_cluster import start_cluster  # noqa: E402
from tests.engines.test_spark_cluster import DRIVER_SCRIPT  # noqa: E402

METRICS = ["offered", "answered", "abandoned", "short_abandoned", "service_level", "asa",
           "avg_wait", "max_wait", "aht", "transfer_rate"]  # bench/run.py's 10 KPIs
REPORT = {"metrics": METRICS, "by": ["queue"], "grain": "day", "tz": "Europe/Kyiv"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=2_000_000)
    parser.add_argument("--data", type=Path, required=True)
    args = parser.parse_args()
    if not (args.data / "contacts").exists():
        generate.write(args.data, args.contacts, by_day=True)
    import omnikpi

    t0 = time.perf_counter()
    duck = omnikpi.report_result(omnikpi.load_dataset(args.data, cache=False),  # type: ignore[arg-type]
                                 **REPORT).to_frame()  # the JSON text, as the driver gives
    duck_seconds = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as work:
        cluster = start_cluster(Path(work))
        try:
            env = {**cluster.env(), "OMNIKPI_SPARK_QUARANTINE": "off"}
            t0 = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", DRIVER_SCRIPT, str(args.data),
                                   json.dumps(REPORT)], env=env, capture_output=True,
                                  text=True, check=False)
            spark_seconds = time.perf_counter() - t0
        finally:
            cluster.stop()
    if done.returncode:
        sys.exit(done.stderr[-3000:])
    spark = json.loads(done.stdout.strip().splitlines()[-1])
    rows = json.loads(duck.to_json(orient="records"))
    same = len(rows) == len(spark["rows"]) and all(
        a.keys() == b.keys() and all(
            abs(a[k] - b[k]) <= 1e-9 * max(1.0, abs(b[k])) if isinstance(a[k], float)
            else a[k] == b[k] for k in a)
        for a, b in zip(spark["rows"], rows, strict=True))
    print(json.dumps({
        "contacts": args.contacts, "duckdb_seconds": round(duck_seconds, 1),
        "cluster_seconds": round(spark_seconds, 1),
        "cluster_load_and_validate_seconds": round(spark["seconds"]["load"], 1),
        "cluster_report_seconds": round(spark["seconds"]["report"], 1),
        "ratio": round(spark_seconds / duck_seconds, 1), "same_rows": same,
        "driver_memory": env["OMNIKPI_SPARK_DRIVER_MEMORY"],
        "load_average": os.getloadavg(),
    }, indent=1))


if __name__ == "__main__":
    main()

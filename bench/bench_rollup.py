"""Rollup benchmark: a long-range dashboard read from the rollup against the same report
read from the contacts, measured in one run, and the refresh after a new day's file.

    uv run python bench/generate.py --contacts 10000000 --out /big/10m --by-day
    uv run python bench/bench_rollup.py --data /big/10m [--repeat 5] [--json FILE]
        [--no-reports]   (the load, the build and the new day only)

A year: ``generate.py --contacts 100000000 --out /big/y100m --by-day --days 365``.

Steps: load the folder (the validation cache keeps an unchanged file's verdict), build
the rollup from scratch, time the dashboard (day by day in Europe/Kyiv, the whole span,
by queue and in total) both ways, check every number equal; then write one more day
(a copy of the last day's volume, shifted after it) as a new day folder, time its load
and the rollup refresh, check the numbers again, and remove the new day (the folder is
left as it was, apart from ``_rollups``). Ratios hold on any machine; the load average
is printed because other work on the machine distorts every absolute time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from omnikpi.config import Config
from omnikpi.engine.run import plan_report
from omnikpi.rollup import refresh
from omnikpi.schema.dataset import Dataset, load_dataset

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import DAY_US, contacts

DASHBOARD = ["offered", "answered", "abandoned", "abandon_rate", "service_level", "asa",
             "avg_wait", "max_wait", "aht", "transfer_rate"]
TIMESTAMPS = ("arrived_at", "accepted_at", "first_response_at", "abandoned_at", "ended_at")


def _load() -> float:
    return os.getloadavg()[0]


def _timed(dataset: Dataset, rollups: bool, repeat: int, **request: Any
           ) -> tuple[list[float], list[dict[str, Any]], bool]:
    """Seconds of each run (the first compiles the plan), the rows, and whether the
    plan read the rollup."""
    os.environ["OMNIKPI_ROLLUPS"] = "on" if rollups else "off"
    times: list[float] = []
    rows: list[dict[str, Any]] = []
    used = False
    for _ in range(repeat):
        t0 = time.perf_counter()
        plan = plan_report(dataset, **request)
        rows = plan.run().rows
        times.append(time.perf_counter() - t0)
        used = "__rollup_sums" in plan.sql()
    return times, rows, used


def _same(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> bool:
    if len(a) != len(b):
        return False
    for x, y in zip(a, b, strict=True):
        for k in x:
            u, v = x[k], y.get(k)
            if isinstance(u, float) and isinstance(v, float):
                if abs(u - v) > 1e-9 * max(1.0, abs(u), abs(v)):
                    return False
            elif u != v:
                return False
    return True


def _compare(dataset: Dataset, repeat: int, label: str, **request: Any) -> dict[str, Any]:
    direct_t, direct_rows, _ = _timed(dataset, False, repeat, **request)
    rolled_t, rolled_rows, used = _timed(dataset, True, repeat, **request)
    direct = statistics.median(direct_t[1:] or direct_t)
    rolled = statistics.median(rolled_t[1:] or rolled_t)
    out = {"report": label, "rows": len(rolled_rows), "direct_s": round(direct, 4),
           "rollup_s": round(rolled, 4), "speedup": round(direct / rolled, 1),
           "rollup_first_s": round(rolled_t[0], 4), "read_rollup": used,
           "same": _same(direct_rows, rolled_rows), "load_avg": round(_load(), 1)}
    print(json.dumps(out), flush=True)
    return out


def _new_day(data: Path, rows: int) -> Path:
    """``rows`` contacts on the day after the data's last one, as a new day folder."""
    days = sorted(p.name for p in (data / "contacts").iterdir() if p.name.startswith("day="))
    last = days[-1].removeprefix("day=")
    last_us = int(datetime.strptime(last, "%Y-%m-%d").replace(tzinfo=UTC).timestamp()) * 10**6
    new_us = last_us + DAY_US
    table = contacts(rows, seed=4242, first_id=10**10)
    # each contact moved, as a whole, onto the new day (its durations kept)
    arrived = pc.cast(table["arrived_at"], pa.int64())
    shift = pc.add(pc.multiply(pc.divide(arrived, DAY_US), -DAY_US), new_us)
    for name in TIMESTAMPS:
        moved = pc.add(pc.cast(table[name], pa.int64()), shift)
        table = table.set_column(table.schema.get_field_index(name), name,
                                 pc.cast(moved, pa.timestamp("us")))
    folder = data / "contacts" / f"day={time.strftime('%Y-%m-%d', time.gmtime(new_us // 10**6))}"
    folder.mkdir()
    pq.write_table(table, folder / "part-new.parquet", row_group_size=1_000_000)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, required=True,
                        help="a folder written by bench/generate.py --by-day")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--no-reports", action="store_true",
                        help="time the load, the build and the new day only (no reports)")
    args = parser.parse_args()
    shutil.rmtree(args.data / "_rollups", ignore_errors=True)
    results: dict[str, Any] = {"data": str(args.data)}
    t0 = time.perf_counter()
    dataset = load_dataset(args.data)
    results["load_s"] = round(time.perf_counter() - t0, 2)
    contacts_count = dataset.con.execute("SELECT count(*) FROM contacts").fetchone()
    results["contacts"] = int(contacts_count[0]) if contacts_count else 0
    built = refresh(dataset, Config())
    results["build"] = {"seconds": round(built.seconds, 2), "days": built.days,
                        "rows": built.rows, "open_rows": built.open_rows,
                        "load_avg": round(_load(), 1)}
    print(json.dumps(results), flush=True)
    reports = [
        ("dashboard by queue and day", {"by": ["queue"], "grain": "day"}),
        ("dashboard by day", {"grain": "day"}),
        ("dashboard total", {"grain": "total"}),
        ("dashboard by hour", {"grain": "hour"}),
    ]
    results["reports"] = [] if args.no_reports else [
        _compare(dataset, args.repeat, label, metrics=DASHBOARD, tz="Europe/Kyiv", **extra)
        for label, extra in reports]
    per_day = results["contacts"] // max(built.days, 1)
    new = _new_day(args.data, per_day)
    try:
        dataset.close()
        t0 = time.perf_counter()
        dataset = load_dataset(args.data)
        load_s = time.perf_counter() - t0
        step = refresh(dataset, Config())
        results["new_day"] = {"contacts": per_day, "load_s": round(load_s, 2),
                              "refresh_s": round(step.seconds, 2), "days": step.days,
                              "full": step.full, "load_avg": round(_load(), 1)}
        print(json.dumps(results["new_day"]), flush=True)
        results["after_new_day"] = None if args.no_reports else _compare(
            dataset, args.repeat, "dashboard by queue and day", metrics=DASHBOARD,
            tz="Europe/Kyiv", by=["queue"], grain="day")
    finally:
        dataset.close()
        shutil.rmtree(new)
        shutil.rmtree(args.data / "_rollups", ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()

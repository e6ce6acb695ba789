"""Every benchmark in one run, with a table of ratios measured in that same run.

    uv run python bench/run_all.py --quick          # report at 1 M contacts, ~3 min in all
    uv run python bench/run_all.py                  # report at 1 M and 10 M
    uv run python bench/run_all.py --sizes 1000000,10000000,100000000 --spark

Results (with machine facts) go to ``bench/results/latest.json``; ``bench/RESULTS.md``
keeps the last table and how to reproduce it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

HERE = Path(__file__).resolve().parent


def run(script: str, *args: str) -> dict[str, Any]:
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, str(HERE / script), *args], capture_output=True,
                          text=True, check=False)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1:] or ["failed"]}
    text = proc.stdout[proc.stdout.index("{"):]
    result: dict[str, Any] = json.loads(text)
    result["wall_seconds"] = time.perf_counter() - started
    return result


def machine() -> dict[str, Any]:
    import duckdb
    import ibis

    return {"cpus": os.cpu_count(), "platform": platform.platform(),
            "python": platform.python_version(), "duckdb": duckdb.__version__,
            "ibis": ibis.__version__,
            "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
                                / 2**30, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--sizes", default=None, help="contacts per report run, comma list")
    parser.add_argument("--spark", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in (args.sizes or ("1000000" if args.quick else
                                             "1000000,10000000")).split(",")]
    results: dict[str, Any] = {"machine": machine(), "report": {}}
    for size in sizes:
        extra = ["--spark"] if args.spark and size <= 1_000_000 else []
        if size > 20_000_000:
            extra += ["--repeat", "2"]
        results["report"][str(size)] = run("run.py", "--contacts", str(size), *extra)
    results["import"] = run("bench_import.py", "--lines",
                            "1000000" if args.quick else "10000000")
    results["wfm"] = run("bench_wfm.py")
    results["simulate"] = run("bench_simulate.py")
    results["web"] = run("bench_web.py", "--requests", "20")
    results["new_process"] = run("bench_new_process.py", "--runs", "3")
    results["live"] = run("bench_live.py", "--clients", "50", "--rate", "100", "--seconds",
                          "10" if args.quick else "30")
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "latest.json").write_text(json.dumps(results, indent=1))
    table = Table(title="OmniKPI benchmarks (ratios measured in this run)")
    for column in ("benchmark", "measure", "value", "ratio", "target"):
        table.add_column(column, justify="left" if column in ("benchmark", "measure",
                                                               "target") else "right")
    for size, r in results["report"].items():
        if "error" in r:
            table.add_row(f"report {int(size):,}", "error", str(r["error"]), "", "")
            continue
        table.add_row(f"report {int(size):,}", "OmniKPI (validated file) / tuned SQL",
                      f"{r['engine_seconds']:.2f} s", f"{r['engine_vs_sql_ratio']:.2f}×",
                      "≤ 1.2×")
        table.add_row("", "OmniKPI (new file: validation) / SQL",
                      f"{r['engine_cold_seconds']:.2f} s",
                      f"{r['engine_cold_vs_sql_ratio']:.2f}×", "")
        if r.get("pandas_seconds") is not None:
            table.add_row("", "pandas / OmniKPI", f"{r['pandas_seconds']:.2f} s",
                          f"{r['pandas_vs_engine_ratio']:.2f}×", "≥ 5×")
        table.add_row("", "polars / OmniKPI", f"{r['polars_seconds']:.2f} s",
                      f"{r['polars_vs_engine_ratio']:.2f}×", "≥ 1×")
        table.add_row("", "same results", str(r["same_results"]), "", "true")
        fresh = r.get("fresh_process", {})
        if "peak_rss_gib" in fresh.get("engine", {}):
            table.add_row("", "peak RSS: OmniKPI / new file / SQL",
                          f"{fresh['engine']['peak_rss_gib']:.1f} / "
                          f"{fresh['engine_cold']['peak_rss_gib']:.1f} / "
                          f"{fresh['sql']['peak_rss_gib']:.1f} GiB", "", "< 8 GiB")
        if r.get("spark_same_results") is not None:
            table.add_row("", "Spark local: same rows", str(r["spark_same_results"]),
                          f"{r['spark_seconds']:.1f} s", "true")
    imp = results["import"]
    if "error" not in imp:
        table.add_row("queue_log import", "lines/s", f"{imp['lines_per_second']:,.0f}",
                      f"{imp['ours_vs_split_ratio']:.0f}× split-only", "")
    wfm = results["wfm"]
    if "error" not in wfm:
        table.add_row("Erlang staffing", "10k intervals", f"{wfm['seconds']:.2f} s",
                      f"{wfm['naive_vs_ours_ratio']:.2f}× naive", "< 1 s")
    sim = results["simulate"]
    if "error" not in sim:
        table.add_row("simulator", "contacts/s", f"{sim['contacts_per_second']:,.0f}",
                      f"{sim['ours_vs_bare_ratio']:.0f}× bare loop", "")
    fresh_process = results["new_process"]
    if "error" not in fresh_process:
        for case, r in fresh_process.items():
            table.add_row("new process", f"{case}: SQL kept on disk / compiled",
                          f"{r['kept_s']:.2f} s", f"{r['ratio']:.2f}×",
                          f"same rows: {str(r['same_rows']).lower()}")
    web = results["web"]
    if "error" not in web:
        for page, r in web["pages"].items():
            table.add_row("web", f"{page} p50 / p95",
                          f"{r['p50_seconds'] * 1000:.0f} / {r['p95_seconds'] * 1000:.0f} ms",
                          "", "")
    live = results["live"]
    if "error" not in live:
        table.add_row("wallboard, 50 SSE clients", "events accepted / s",
                      f"{live['events_per_second']:.0f}", f"of {live['rate_asked']:.0f} asked",
                      "100/s")
        table.add_row("", "event → screen p50 / p95",
                      f"{live['latency_p50_s'] * 1000:.0f} / "
                      f"{live['latency_p95_s'] * 1000:.0f} ms",
                      f"{live['deliveries']}/{live['deliveries_expected']} delivered", "< 1 s")
    Console().print(table)


if __name__ == "__main__":
    main()

"""Web response times on the demo data: p50 and p95 per page, over loopback.

    uv run python bench/bench_web.py [--requests 30]

Each request is timed cold (the app's report cache cleared first) and again warm. The
baseline, measured in the same run, is the bare report call the API makes (the engine
without HTTP), so the ratio shows what the web layer adds.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import tempfile
import threading
import time

import httpx
import uvicorn

import omnikpi
from omnikpi.demo import DEMO_DATA_DIR
from omnikpi.web.app import create_app

PAGES = {
    "dashboard": "/?tz=Europe/Kyiv",
    "drill": "/drill?metric=abandon_rate&flag=abandoned",
    "api_report": "/api/v1/report?metrics=offered,service_level,asa,aht&by=queue&grain=day",
}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    database = tempfile.mkdtemp(prefix="omnikpi-bench-db-")
    application = create_app(DEMO_DATA_DIR, auth_required=False, live_updates=False,
                             database_url=f"sqlite:///{database}/omnikpi.db")
    server = uvicorn.Server(uvicorn.Config(application, host="127.0.0.1",
                                           port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    out: dict[str, dict[str, float]] = {}
    dataset = omnikpi.load_dataset(DEMO_DATA_DIR)
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
        for name, path in PAGES.items():
            client.get(path).raise_for_status()  # warm-up
            cold, warm = [], []
            for _ in range(args.requests):
                application.state.omnikpi.cache.clear()  # computed from the data
                t0 = time.perf_counter()
                client.get(path).raise_for_status()
                cold.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                client.get(path).raise_for_status()  # the same request again: cached
                warm.append(time.perf_counter() - t0)
            out[name] = {"p50_seconds": percentile(cold, 0.5),
                         "p95_seconds": percentile(cold, 0.95),
                         "cached_p50_seconds": percentile(warm, 0.5)}
    baseline = []
    for _ in range(args.requests):
        t0 = time.perf_counter()
        omnikpi.report_result(dataset, metrics=["offered", "service_level", "asa", "aht"],
                              by=["queue"], grain="day")
        baseline.append(time.perf_counter() - t0)
    engine_p50 = statistics.median(baseline)
    out["api_report"]["vs_engine_ratio"] = out["api_report"]["p50_seconds"] / engine_p50
    server.should_exit = True
    thread.join(timeout=10)
    print(json.dumps({"pages": out, "engine_p50_seconds": engine_p50}, indent=1))


if __name__ == "__main__":
    main()

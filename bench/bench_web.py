"""Web pages on the demo data: server time (p50/p95) and bytes transferred per page.

    uv run python bench/bench_web.py [--requests 20] [--baseline-requests 5]

The app runs in this process under uvicorn on a loopback port (no accounts); times are
measured by the client over loopback, one request at a time. Every timed request is
*uncached*: the app's report cache is cleared before it, so the page's reports run again
(what a filter change or a new period costs). Bytes are the body bytes as received with
``Accept-Encoding: gzip``. Ratios are against baselines measured in the same run:

- ``uncompressed / compressed`` bytes (the same page asked with ``identity``);
- ``uncached / cached`` time (the same request again, answered from the report cache);
- dashboard filter change: a different queue each request, the shape of the request seen
  before (values substituted into SQL compiled once) against the same requests with every
  compiled query and template forgotten first (each report compiled through Ibis, as
  every filter change was before);
- the first dashboard load: the page and every static file it names (style, Plotly,
  favicon), compressed, against the same files uncompressed;
- the dashboard of a live dataset: a contact a few minutes after the last one is appended
  and the server reloads (new instants: a new as-of and window), the page's queries from
  their known shapes (``engine/shaped_sql.py``: instants and in-memory tables' names
  written in) against the same with every compiled query forgotten first (each reload
  compiled every query again, as before).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import shutil
import socket
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import uvicorn

import omnikpi
from omnikpi.demo import DEMO_DATA_DIR
from omnikpi.engine.local_duckdb import _duckdb_sql
from omnikpi.web.app import create_app

TZ = "tz=Europe/Kyiv"
PAGES = {
    "dashboard": f"/?{TZ}",
    "builder": f"/builder?{TZ}&metrics=offered,service_level,aht&by=queue",
    "agents": f"/agents?{TZ}",
    "drill": f"/drill?{TZ}&metric=abandon_rate&part=numerator",
    "wallboard": f"/wallboard?{TZ}",
    "qa": f"/qa?{TZ}",
    "api_report": "/api/v1/report?metrics=offered,service_level,asa,aht&by=queue&grain=day",
}
GZIP = {"accept-encoding": "gzip"}
IDENTITY = {"accept-encoding": "identity"}
ASSET = re.compile(r'(?:href|src)="(/static/[^"]+|/favicon\.ico)"')


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(client: httpx.Client, path: str, headers: dict[str, str]) -> tuple[float, int]:
    t0 = time.perf_counter()
    answer = client.get(path, headers=headers)
    seconds = time.perf_counter() - t0
    answer.raise_for_status()
    return seconds, answer.num_bytes_downloaded


def summary(times: list[float]) -> dict[str, float]:
    return {"p50_seconds": percentile(times, 0.5), "p95_seconds": percentile(times, 0.95)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--baseline-requests", type=int, default=5)
    args = parser.parse_args()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    database = tempfile.mkdtemp(prefix="omnikpi-bench-db-")
    data = Path(database) / "data"  # a copy: the live case appends contacts to it
    shutil.copytree(DEMO_DATA_DIR, data)
    application = create_app(data, auth_required=False, live_updates=False,
                             database_url=f"sqlite:///{database}/omnikpi.db")
    state = application.state.omnikpi
    server = uvicorn.Server(uvicorn.Config(application, host="127.0.0.1",
                                           port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)

    def clear_reports() -> None:
        state.cache.clear()

    def forget_compiled() -> None:  # as before issue 21: each new filter value compiled
        state.cache.clear()
        _duckdb_sql.cache_clear()
        getattr(state.dataset, "_omnikpi_templates", {}).clear()

    out: dict[str, Any] = {"pages": {}}
    dataset = omnikpi.load_dataset(DEMO_DATA_DIR)
    queues = [str(q) for (q,) in dataset.con.execute(
        "SELECT DISTINCT queue FROM contacts WHERE queue IS NOT NULL ORDER BY 1").fetchall()]
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=300) as client:
        for name, path in PAGES.items():
            client.get(path, headers=GZIP).raise_for_status()  # warm-up (imports, plans)
            cold, warm, sizes = [], [], []
            for _ in range(args.requests):
                clear_reports()
                seconds, size = timed(client, path, GZIP)
                cold.append(seconds)
                sizes.append(size)
                warm.append(timed(client, path, GZIP)[0])  # the same again: cached
            plain = timed(client, path, IDENTITY)[1]
            out["pages"][name] = {
                **summary(cold), "cached_p50_seconds": percentile(warm, 0.5),
                "uncached_vs_cached_ratio": percentile(cold, 0.5) / percentile(warm, 0.5),
                "bytes": statistics.median(sizes), "uncompressed_bytes": plain,
                "uncompressed_vs_compressed_ratio": plain / statistics.median(sizes)}

        # a filter change: another queue each time (one value: the same shape of request)
        def change(prepare: Callable[[], None], count: int) -> list[float]:
            times = []
            for queue in itertools.islice(itertools.cycle(queues), count):
                prepare()
                times.append(timed(client, f"/?{TZ}&queue={queue}", GZIP)[0])
            return times

        change(forget_compiled, 1)  # warm-up of the shape (its template made and checked)
        substituted = change(clear_reports, args.requests)
        compiled = change(forget_compiled, args.baseline_requests)
        out["pages"]["dashboard_filter_change"] = {
            **summary(substituted), "compiled_each_time": summary(compiled),
            "compiled_vs_substituted_p50_ratio":
                percentile(compiled, 0.5) / percentile(substituted, 0.5)}

        # the first dashboard load: the page and every static file it names
        page = client.get(PAGES["dashboard"], headers=GZIP)
        assets = sorted(set(ASSET.findall(page.text)) | {"/favicon.ico"})
        compressed = page.num_bytes_downloaded
        plain = timed(client, PAGES["dashboard"], IDENTITY)[1]
        files = {}
        for asset in assets:
            got = client.get(asset, headers=GZIP)
            files[asset] = {"bytes": got.num_bytes_downloaded,
                            "cache_control": got.headers.get("cache-control")}
            compressed += got.num_bytes_downloaded
            plain += timed(client, asset, IDENTITY)[1]
        out["first_dashboard_load"] = {
            "bytes": compressed, "uncompressed_bytes": plain,
            "uncompressed_vs_compressed_ratio": plain / compressed, "files": files,
            "target_bytes": 1_500_000, "met": compressed <= 1_500_000}

        # a live dataset: one more contact, the server reloads, the dashboard is asked
        contacts = data / "contacts.csv"
        header, *rows = contacts.read_text(encoding="utf-8").splitlines()
        columns = header.split(",")
        last = rows[-1].split(",")
        stamps = [i for i, c in enumerate(columns) if c.endswith("_at") and last[i]]
        appended = itertools.count(1)

        def one_more_contact() -> None:
            n = next(appended)
            row = list(last)
            row[columns.index("contact_id")] = f"live-{n:05d}"
            for i in stamps:
                moved = datetime.fromisoformat(last[i]) + timedelta(minutes=3 * n)
                row[i] = moved.isoformat().replace("+00:00", "Z")
            with contacts.open("a", encoding="utf-8") as out_file:
                out_file.write(",".join(row) + "\n")
            state.force_reload = True

        def reloaded(prepare: Callable[[], None], count: int) -> list[float]:
            times = []
            for _ in range(count):
                one_more_contact()
                prepare()
                times.append(timed(client, PAGES["dashboard"], GZIP)[0])
            return times

        reloaded(lambda: None, 2)  # warm-up: the shapes seen twice, made and checked
        shaped = reloaded(lambda: None, args.requests)
        compiled_again = reloaded(forget_compiled, args.baseline_requests)
        out["pages"]["dashboard_after_live_reload"] = {
            **summary(shaped), "compiled_each_time": summary(compiled_again),
            "compiled_vs_shaped_p50_ratio":
                percentile(compiled_again, 0.5) / percentile(shaped, 0.5),
            "note": "each request: one contact appended, the dataset reloaded (included)"}
    baseline = []
    for _ in range(args.requests):
        t0 = time.perf_counter()
        omnikpi.report_result(dataset, metrics=["offered", "service_level", "asa", "aht"],
                              by=["queue"], grain="day")
        baseline.append(time.perf_counter() - t0)
    engine_p50 = statistics.median(baseline)
    out["pages"]["api_report"]["vs_engine_ratio"] = \
        out["pages"]["api_report"]["p50_seconds"] / engine_p50
    out["engine_p50_seconds"] = engine_p50
    out["load_average"] = os.getloadavg()
    out["filter_change_target"] = {
        "p95_seconds": 0.3,
        "met": out["pages"]["dashboard_filter_change"]["p95_seconds"] <= 0.3}
    server.should_exit = True
    thread.join(timeout=10)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()

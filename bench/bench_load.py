"""Many people at once: concurrent uncached reports and cached dashboards on the demo data.

    uv run python bench/bench_load.py [--clients 50] [--seconds 30]

``omnikpi serve`` runs in a process of its own (as in production); the clients are
threads of this process. Each client loops for ``--seconds``: seven requests in ten are a
varied report nobody asked before (metrics, cut, grain, period and SL threshold drawn at
random, so the server's report cache never answers), three in ten the dashboard every
supervisor opens (cached after its first computation). A request with no answer within
``--timeout`` seconds counts as a hang.

The baseline, measured in the same run, is one client alone asking varied uncached
reports: the ratio p95 under load / p50 alone shows what queueing adds.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from omnikpi.demo import DEMO_DATA_DIR

METRICS = ["offered", "answered", "abandoned", "handled", "service_level", "asa",
           "abandon_rate", "aht", "art", "a1rt"]
CUTS = ["", "queue", "channel", "site", "tenant", "agent_id"]
GRAINS = ["total", "day", "hour", "30min"]
DAYS = ["2024-03-04", "2024-03-05", "2024-03-06", "2024-03-07"]


def varied_report(rnd: random.Random) -> dict[str, str]:
    first, last = sorted(rnd.sample(range(len(DAYS)), 2))
    return {"metrics": ",".join(rnd.sample(METRICS, rnd.randint(1, 4))),
            "by": rnd.choice(CUTS), "grain": rnd.choice(GRAINS), "tz": "Europe/Kyiv",
            "from": DAYS[first], "to": DAYS[last],
            "param": f"service_level.threshold_seconds={rnd.randint(5, 300)}"}


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    data = folder / "data"
    shutil.copytree(DEMO_DATA_DIR, data)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "omnikpi", "serve", "--no-auth", "--data", str(data),
         "--port", str(port), "--database-url", f"sqlite:///{folder / 'app.db'}"],
        cwd=folder, env={**os.environ}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(f"{url}/api/v1/catalog", timeout=2).status_code == 200:
                return server, url
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not start")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load(url: str, clients: int, seconds: float, timeout: float,
         seed: int) -> dict[str, Any]:
    latencies: dict[str, list[float]] = {"report": [], "dashboard": []}
    statuses: dict[str, int] = {}
    hangs = 0
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(number: int) -> None:
        nonlocal hangs
        rnd = random.Random(seed * 1000 + number)
        with httpx.Client(base_url=url, timeout=timeout) as http:
            while time.monotonic() < deadline:
                kind = "report" if rnd.random() < 0.7 else "dashboard"
                started = time.perf_counter()
                try:
                    if kind == "report":
                        answer = http.get("/api/v1/report", params=varied_report(rnd))
                    else:
                        answer = http.get("/", params={"tz": "Europe/Kyiv"})
                    status = str(answer.status_code)
                except httpx.TimeoutException:
                    status = "hang"
                except httpx.TransportError as exc:
                    status = type(exc).__name__
                elapsed = time.perf_counter() - started
                with lock:
                    statuses[status] = statuses.get(status, 0) + 1
                    if status == "200":
                        latencies[kind].append(elapsed)
                    elif status == "hang":
                        hangs += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    answered = sum(statuses.values())
    return {
        "clients": clients, "seconds": round(wall, 1), "requests": answered,
        "requests_per_second": round(answered / wall, 1), "statuses": statuses,
        "errors": answered - statuses.get("200", 0), "hangs": hangs,
        **{f"{kind}_{name}_seconds": percentile(values, q)
           for kind, values in latencies.items()
           for name, q in (("p50", 0.5), ("p95", 0.95), ("max", 1.0))},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="omnikpi-load-") as tmp:
        server, url = start_server(Path(tmp))
        try:
            httpx.get(f"{url}/", params={"tz": "Europe/Kyiv"}, timeout=120)  # warm-up
            alone = load(url, 1, min(10.0, args.seconds), args.timeout, args.seed + 1)
            cpu_before = cpu_seconds(server.pid)
            crowd = load(url, args.clients, args.seconds, args.timeout, args.seed)
            crowd["server_cpu_percent"] = round(
                100 * (cpu_seconds(server.pid) - cpu_before) / crowd["seconds"], 1)
            started = time.perf_counter()
            server.terminate()
            server.wait(timeout=30)
            stop_seconds = time.perf_counter() - started
        finally:
            if server.poll() is None:
                server.kill()
    alone_p50 = alone["report_p50_seconds"] or float("nan")
    print(json.dumps({
        "alone": alone, "load": crowd, "sigterm_seconds": round(stop_seconds, 2),
        "report_p95_under_load_vs_alone_p50": (crowd["report_p95_seconds"] or 0) / alone_p50,
    }, indent=1))


if __name__ == "__main__":
    main()

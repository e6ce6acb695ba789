"""Load test of the live wallboard: N server-sent-event clients while events arrive.

    uv run python bench/bench_live.py [--clients 200] [--rate 100] [--seconds 20] [--cuts 1]

Starts `omnikpi serve` (with accounts, on a fresh SQLite database, in its own process) on
an empty dataset folder, opens N event streams as an administrator, and posts one canonical
contact per request at ``rate`` requests per second with an API key. For each event and
each client, the latency is the time from sending the event to the first snapshot that
includes it (snapshots carry the ingest sequence number). Bounded: it stops after
``seconds`` plus a drain of a few seconds. Prints JSON: latencies (p50, p95, max), events
accepted per second, snapshots received, errors, and the server process's CPU time over
the run (user + system seconds, from ``/proc``, and as a share of one core).

``--cuts K`` spreads the clients over K different boards (the whole floor, a queue, a
channel, a site …): each cut is one more snapshot to compute per change.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _cli(*args: str, env: dict[str, str], stdin: str | None = None) -> str:
    code = "from omnikpi.cli.main import app; app()"
    done = subprocess.run([sys.executable, "-c", code, *args], input=stdin, env=env,
                          capture_output=True, text=True, check=True)
    return done.stdout.strip()


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


SEQ = re.compile(r'"seq": (-?\d+)')
CUTS = ["", "queue=q0", "channel=voice", "site=site0", "queue=q1,q2", "site=site1",
        "queue=q3", "channel=chat"]
"""The boards' filters the clients spread over (``--cuts``)."""


def _by_window(timeline: list[tuple[float, float]], width: float) -> list[float]:
    """The p95 latency of the events sent in each ``width``-second window, in order: a
    stall shows as one window, a server falling behind as a rising series."""
    if not timeline:
        return []
    first = min(t for t, _ in timeline)
    windows: dict[int, list[float]] = {}
    for sent_at, latency in timeline:
        windows.setdefault(int((sent_at - first) // width), []).append(latency)
    return [round(quantile(windows[k], 0.95), 2) for k in sorted(windows)]


def _client_loop(name: str) -> Any:
    """The client's event loop factory."""
    if name == "uvloop":
        import uvloop

        return uvloop.new_event_loop
    return asyncio.new_event_loop


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a process so far (Linux ``/proc``; None elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run(url: str, token: str, key: str, clients: int, rate: float,
              seconds: float, cuts: int = 1, server_pid: int | None = None) -> dict[str, Any]:
    sent: dict[int, float] = {}  # seq -> time the request was sent
    latencies: list[float] = []
    timeline: list[tuple[float, float]] = []  # (sent at, latency): where the tail happens
    snapshots = 0
    readings: list[list[tuple[float, int]]] = [[] for _ in range(clients)]
    """Per screen: (time, seq) of each snapshot newer than the ones before."""
    errors: list[str] = []
    done = asyncio.Event()

    async def listen(index: int, ready: asyncio.Event) -> None:
        nonlocal snapshots
        seen_seq = -1
        headers = {"Authorization": f"Bearer {token}"}
        try:
            async with httpx.AsyncClient(timeout=None) as client, client.stream(
                    "GET", f"{url}/api/v1/live/stream?{CUTS[index % cuts]}",
                    headers=headers) as stream:
                async for line in stream.aiter_lines():
                    if not line.startswith("data:"):
                        continue
                    now = time.perf_counter()
                    # the sequence number alone: parsing 200 copies of each snapshot would
                    # take the CPU the server shares with this client
                    found = SEQ.search(line)
                    if found is None:
                        continue
                    seq = int(found.group(1))
                    snapshots += 1
                    ready.set()
                    if seq > seen_seq:  # matched to the posts at the end: a post's answer
                        # (which names its seq) may come after the screens showed it
                        readings[index].append((now, seq))
                    seen_seq = max(seen_seq, seq)
                    if done.is_set():
                        return
        except Exception as exc:
            errors.append(f"client {index}: {exc!r}")

    readies = [asyncio.Event() for _ in range(clients)]
    listeners = [asyncio.create_task(listen(i, readies[i])) for i in range(clients)]
    # every screen connected first (on a loaded 2-core machine 200 take a while)
    await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), timeout=300)

    accepted = 0
    posts: list[asyncio.Task[None]] = []
    cpu_start = cpu_seconds(server_pid) if server_pid else None
    client_start = time.process_time()
    async with httpx.AsyncClient(timeout=30, headers={"X-API-Key": key}) as poster:

        async def post_one(number: int) -> None:
            nonlocal accepted
            row = {"contact_id": f"load-{number}",
                   "channel": "voice" if number % 4 else "chat",
                   "queue": f"q{number % 8}", "site": f"site{number % 2}",
                   "arrived_at": datetime.now(UTC).isoformat()}
            started = time.perf_counter()
            try:
                answer = await poster.post(f"{url}/api/v1/events",
                                           json={"table": "contacts", "rows": [row]})
                body = answer.json()
                sent.setdefault(int(body["seq"]), started)
                accepted += int(body["accepted"])
            except Exception as exc:
                errors.append(f"post {number}: {exc!r}")

        begin = time.perf_counter()
        number = 0
        while time.perf_counter() - begin < seconds:
            posts.append(asyncio.create_task(post_one(number)))
            number += 1
            await asyncio.sleep(max(0.0, begin + number / rate - time.perf_counter()))
        await asyncio.gather(*posts)
        elapsed = time.perf_counter() - begin
    cpu_end = cpu_seconds(server_pid) if server_pid else None
    cpu = None if cpu_start is None or cpu_end is None else cpu_end - cpu_start
    client_cpu = time.process_time() - client_start
    await asyncio.sleep(3.0)  # drain: the last snapshots arrive
    done.set()
    for task in listeners:
        task.cancel()
    await asyncio.gather(*listeners, return_exceptions=True)
    for seen in readings:  # each event's first snapshot on each screen
        times = [t for t, _ in seen]
        seqs = [q for _, q in seen]
        for seq, sent_at in sent.items():
            first = bisect.bisect_left(seqs, seq)
            if first < len(seqs):
                latencies.append(times[first] - sent_at)
                timeline.append((sent_at, times[first] - sent_at))
    expected_pairs = len(sent) * clients
    return {
        "clients": clients, "cuts": cuts, "rate_asked": rate, "seconds": round(elapsed, 2),
        "server_cpu_seconds": None if cpu is None else round(cpu, 2),
        "server_cpu_share_of_one_core": None if cpu is None else round(cpu / elapsed, 2),
        "client_cpu_seconds": round(client_cpu, 2),
        "load_average_1min": round(os.getloadavg()[0], 1),
        "events_posted": number, "events_accepted": accepted,
        "events_per_second": round(accepted / elapsed, 1),
        "latency_p50_s": round(quantile(latencies, 0.5), 4),
        "latency_p95_s": round(quantile(latencies, 0.95), 4),
        "latency_max_s": round(max(latencies, default=0.0), 4),
        "deliveries": len(latencies), "deliveries_expected": expected_pairs,
        "latency_p95_by_2s": _by_window(timeline, 2.0),
        "snapshots_received": snapshots, "errors": errors[:5], "error_count": len(errors),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--cuts", type=int, default=1, choices=range(1, len(CUTS) + 1))
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--client-loop", choices=("uvloop", "asyncio"), default="uvloop",
                        help="the bench client's event loop: 200 screens in one process "
                             "on the server's machine are a cost no real floor has; uvloop "
                             "(as the server uses) reads them with less of the CPU the "
                             "server shares")
    parser.add_argument("--profile", type=Path,
                        help="sample the server with py-spy (must be on PATH) into this "
                             "file of collapsed stacks, for finding where its CPU goes")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="omnikpi-live-bench-"))
    data = work / "data"
    data.mkdir()
    (data / "contacts.csv").write_text("contact_id,channel,queue,arrived_at\n")
    env = {**os.environ, "OMNIKPI_DATABASE_URL": f"sqlite:///{work / 'omnikpi.db'}"}
    _cli("db", "upgrade", env=env)
    _cli("users", "add", "bench", "--role", "admin", env=env, stdin="bench-password\n")
    key = _cli("apikeys", "add", "bench", env=env)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-c", "from omnikpi.cli.main import app; app()", "serve", "--data",
         str(data), "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE)
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{url}/login", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        token = httpx.post(f"{url}/api/v1/auth/token", data={
            "username": "bench", "password": "bench-password"}).json()["access_token"]
        spy = None if args.profile is None else subprocess.Popen(
            ["py-spy", "record", "--pid", str(server.pid), "--format", "raw", "--threads",
             "--nonblocking",
             "--rate", "50", "--output", str(args.profile)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with asyncio.Runner(loop_factory=_client_loop(args.client_loop)) as runner:
            result = runner.run(run(url, token, key, args.clients, args.rate, args.seconds,
                                    args.cuts, server.pid))
        result["client_loop"] = args.client_loop
        if spy is not None:
            spy.send_signal(2)  # py-spy writes its file on SIGINT
            spy.wait(timeout=60)
    finally:
        server.terminate()
        server.wait(timeout=10)
    import platform

    result["machine"] = {"cpus": os.cpu_count(), "platform": platform.platform(),
                         "python": platform.python_version(),
                         "note": "client and server share the machine"}
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text)


if __name__ == "__main__":
    main()

"""The first visitor after a start: the dashboard with and without the server's warm-up.

    uv run python bench/bench_warm_up.py [--runs 2] [--json out.json]

Each run starts the demo app in a fresh process with an empty cache folder (a first
start: no compiled SQL kept on disk), waits for the warm-up when there is one
(``web/warmup.py``; its seconds are reported), then asks one page after another as the
first visitor: the dashboard, then the dashboard filtered by a channel and by a queue
other than those the warm-up used. The baseline is the same in a process started
without the warm-up, in the same run. ``same_figures``: every figure of every page
(``data-raw``) equal in both.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

PAGES = {"dashboard": "/", "by_channel": "/?channel=voice", "by_queue": "/?queue=sales"}
FIGURE = re.compile(r'data-metric="([a-z_]+)" data-raw="([^"]*)"')

VISIT = r"""
import json, os, sys, time
from fastapi.testclient import TestClient
from omnikpi.demo import DEMO_DATA_DIR
from omnikpi.web.app import create_app

warm_up, pages, folder = sys.argv[1] == "on", json.loads(sys.argv[2]), sys.argv[3]
app = create_app(DEMO_DATA_DIR, auth_required=False, live_updates=False, scheduler=False,
                 database_url=f"sqlite:///{folder}/app.db", warm_up=warm_up)
out = {"pages": {}, "warm_up_s": None}
with TestClient(app) as client:
    started = time.perf_counter()
    if warm_up:
        app.state.warm_up.done.wait(600)
        out["warm_up_s"] = time.perf_counter() - started
    for name, path in pages.items():
        started = time.perf_counter()
        page = client.get(path)
        assert page.status_code == 200, (path, page.status_code)
        out["pages"][name] = {"seconds": time.perf_counter() - started, "html": page.text}
print(json.dumps(out))
"""


def visit(warm_up: bool) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "OMNIKPI_CACHE_DIR": str(Path(folder) / "cache")}
        done = subprocess.run(
            [sys.executable, "-c", VISIT, "on" if warm_up else "off", json.dumps(PAGES),
             folder], env=env, capture_output=True, text=True, check=True, timeout=900)
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    cold: dict[str, list[float]] = {name: [] for name in PAGES}
    warm: dict[str, list[float]] = {name: [] for name in PAGES}
    warm_up_s: list[float] = []
    same = True
    for _ in range(args.runs):
        baseline, warmed = visit(False), visit(True)
        warm_up_s.append(float(warmed["warm_up_s"]))  # type: ignore[arg-type]
        for name in PAGES:
            before = baseline["pages"][name]  # type: ignore[index]
            after = warmed["pages"][name]  # type: ignore[index]
            cold[name].append(before["seconds"])
            warm[name].append(after["seconds"])
            same = same and FIGURE.findall(before["html"]) == FIGURE.findall(after["html"])
    figures: dict[str, object] = {"runs": args.runs, "same_figures": same,
                                  "warm_up_s": statistics.median(warm_up_s)}
    for name in PAGES:
        cold_s, warm_s = statistics.median(cold[name]), statistics.median(warm[name])
        figures[name] = {"cold_s": cold_s, "warmed_s": warm_s, "ratio": warm_s / cold_s}
        print(f"{name:11s} without warm-up {cold_s:6.2f} s   after it {warm_s:6.2f} s   "
              f"ratio {warm_s / cold_s:.2f}×", flush=True)
    print(f"warm-up {figures['warm_up_s']:.1f} s   same figures: {same}")
    text = json.dumps(figures, indent=2) + "\n"
    print(text, end="")
    if args.json:
        args.json.write_text(text)


if __name__ == "__main__":
    main()

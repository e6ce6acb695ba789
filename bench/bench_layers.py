"""A schedule exported in layers against the same schedule exported flat.

    uv run python bench/bench_layers.py [--agents 400] [--days 120] [--repeat 3]

Writes one seeded day pattern twice: *flat* (work 08:00–10:00, break, work, lunch, work,
break, work: consecutive pieces) and *layered* (one work block 08:00–16:00 with the two
breaks and the lunch laid over it), with the same agent states. Laid flat by the engine,
both are the same schedule, so adherence, conformance and shrinkage must be equal (the
same-results check); the timing ratio layered / flat is what cutting the layers costs,
the flat schedule — only checked for overlaps — being the baseline of the same run.
Prints JSON.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import omnikpi

METRICS = ["adherence", "conformance", "shrinkage"]
DAY = (("work", 0, 120), ("break", 120, 15), ("work", 135, 105), ("lunch", 240, 30),
       ("work", 270, 90), ("break", 360, 15), ("work", 375, 105))
"""(activity, minute from 08:00, minutes): the flat day; the layered one is a work block
of 480 minutes with the others on top."""


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def write(folder: Path, agents: int, days: int, layered: bool) -> None:
    folder.mkdir(parents=True)
    rng = random.Random(7)
    base = datetime(2026, 1, 5, 8, tzinfo=UTC)
    with (folder / "shifts.csv").open("w", newline="") as shifts, \
            (folder / "shift_activities.csv").open("w", newline="") as acts, \
            (folder / "agent_states.csv").open("w", newline="") as states:
        s, a, t = csv.writer(shifts), csv.writer(acts), csv.writer(states)
        s.writerow(["agent_id", "start", "end", "paid"])
        a.writerow(["agent_id", "activity", "start", "end", "paid"])
        t.writerow(["agent_id", "state", "reason", "start", "end", "channel"])
        for agent in range(agents):
            for day in range(days):
                start = base + timedelta(days=day)
                end = start + timedelta(hours=8)
                s.writerow([f"a{agent}", _iso(start), _iso(end), "true"])
                pieces = [p for p in DAY if not layered or p[0] != "work"]
                if layered:
                    a.writerow([f"a{agent}", "work", _iso(start), _iso(end), "true"])
                for name, offset, minutes in pieces:
                    a.writerow([f"a{agent}", name, _iso(start + timedelta(minutes=offset)),
                                _iso(start + timedelta(minutes=offset + minutes)),
                                "false" if name == "lunch" else "true"])
                moment = start
                while moment < end:
                    nxt = min(end, moment + timedelta(minutes=rng.choice((15, 30, 45))))
                    state = rng.choice(("available", "handling", "not_ready"))
                    reason = rng.choice(("break", "lunch")) if state == "not_ready" else ""
                    t.writerow([f"a{agent}", state, reason, _iso(moment), _iso(nxt), ""])
                    moment = nxt


def timed(folder: Path, repeat: int) -> tuple[float, list[dict[str, Any]]]:
    best, rows = float("inf"), []
    for _ in range(repeat):
        began = time.perf_counter()
        rows = omnikpi.report_result(folder, metrics=METRICS, by=["agent_id"]).rows
        best = min(best, time.perf_counter() - began)
    return best, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--agents", type=int, default=400)
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folders = {kind: Path(scratch) / kind for kind in ("flat", "layered")}
        for kind, folder in folders.items():
            write(folder, options.agents, options.days, kind == "layered")
        flat_s, flat_rows = timed(folders["flat"], options.repeat)
        layered_s, layered_rows = timed(folders["layered"], options.repeat)
    same = len(flat_rows) == len(layered_rows) and all(
        f["agent_id"] == g["agent_id"] and all(
            (f[m] is None and g[m] is None) or abs(f[m] - g[m]) < 1e-9 for m in METRICS)
        for f, g in zip(flat_rows, layered_rows, strict=True))
    activities = options.agents * options.days
    print(json.dumps({
        "agents": options.agents, "days": options.days,
        "activity_rows": {"flat": activities * len(DAY),
                          "layered": activities * (len(DAY) - 2)},
        "seconds": {"flat": round(flat_s, 3), "layered": round(layered_s, 3)},
        "ratio_layered_to_flat": round(layered_s / flat_s, 2),
        "same_results": same}, indent=2))


if __name__ == "__main__":
    main()

"""Staffing benchmark: 10,000 intervals staffed with Erlang C (target: under a second).

The baseline, measured in the same run, is the textbook Erlang C with factorials and
powers searched agent by agent — what a spreadsheet or a naive script does.

    uv run python bench/bench_wfm.py [--intervals 10000]
"""

from __future__ import annotations

import argparse
import json
import math
import time

import numpy as np

from omnikpi.wfm.staffing import staff


def naive_staff(volume: float, aht: float, target: float, threshold: float) -> int:
    traffic = volume * aht / 1800
    n = max(1, math.floor(traffic) + 1)
    while True:
        top = traffic**n / math.factorial(n) * n / (n - traffic)
        c = top / (sum(traffic**k / math.factorial(k) for k in range(n)) + top)
        if 1 - c * math.exp(-(n - traffic) * threshold / aht) >= target:
            return n
        n += 1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--intervals", type=int, default=10_000)
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    volumes = rng.uniform(5, 400, args.intervals)  # 0.5–40 Erlangs at 180 s per 30 min
    t0 = time.perf_counter()
    ours = [staff(float(v), 30, 180, 0.8, 20).agents for v in volumes]
    ours_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    naive = [naive_staff(float(v), 180, 0.8, 20) for v in volumes]
    naive_s = time.perf_counter() - t0
    print(json.dumps({
        "intervals": args.intervals, "seconds": ours_s,
        "intervals_per_second": args.intervals / ours_s,
        "naive_seconds": naive_s, "naive_vs_ours_ratio": naive_s / ours_s,
        "same_agents": ours == naive, "target_met": ours_s < 1.0,
    }, indent=1))


if __name__ == "__main__":
    main()

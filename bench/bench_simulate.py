"""Simulator speed: simulated contacts per second on the Erlang C scenario.

The baseline, measured in the same run, is a bare M/M/n loop over the same arrivals (a
heap of agents' free times, nothing recorded): the floor any simulator in Python pays.

    uv run python bench/bench_simulate.py [--hours 500]
"""

from __future__ import annotations

import argparse
import heapq
import json
import random
import time
from pathlib import Path

from omnikpi.simulate import load_scenario, simulate

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "erlang_c.toml"


def bare_mmn(calls_per_hour: float, aht: float, agents: int, hours: float) -> int:
    rng = random.Random(1)
    free = [0.0] * agents
    t, n = 0.0, 0
    while True:
        t += rng.expovariate(calls_per_hour / 3600)
        if t > hours * 3600:
            return n
        start = max(t, free[0])
        heapq.heapreplace(free, start + rng.expovariate(1 / aht))
        n += 1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hours", type=float, default=500)
    args = parser.parse_args()
    scenario = load_scenario(SCENARIO)
    scenario = scenario.model_copy(update={"duration_hours": args.hours})
    t0 = time.perf_counter()
    result = simulate(scenario)
    ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    bare = bare_mmn(160, 180, 10, args.hours)
    floor = time.perf_counter() - t0
    print(json.dumps({
        "contacts": len(result.contacts), "seconds": ours,
        "contacts_per_second": len(result.contacts) / ours,
        "bare_loop_contacts_per_second": bare / floor,
        "ours_vs_bare_ratio": (ours / len(result.contacts)) / (floor / bare),
    }, indent=1))


if __name__ == "__main__":
    main()

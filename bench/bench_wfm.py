"""Staffing benchmark: 10,000 intervals staffed with Erlang C (target: under a second),
and Erlang A's waiting-time part on large pools.

The Erlang C baseline, measured in the same run, is the textbook Erlang C with factorials
and powers searched agent by agent — what a spreadsheet or a naive script does. The
Erlang A baseline is the dense method OmniKPI used before (the matrix exponential and
solve of the whole waiting chain, cubic in the queue's length), on the same chains; the
answers must agree.

    uv run python bench/bench_wfm.py [--intervals 10000]
"""

from __future__ import annotations

import argparse
import json
import math
import time

import numpy as np

from omnikpi.wfm.erlang import _erlang_a_states, _waiting_customer
from omnikpi.wfm.staffing import staff

ERLANG_A_POOLS = (800, 4_000, 8_000)
"""Agents of the Erlang A pools (the traffic 3 % above them, patience 120 s, AHT 160 s)."""


def naive_staff(volume: float, aht: float, target: float, threshold: float) -> int:
    traffic = volume * aht / 1800
    n = max(1, math.floor(traffic) + 1)
    while True:
        top = traffic**n / math.factorial(n) * n / (n - traffic)
        c = top / (sum(traffic**k / math.factorial(k) for k in range(n)) + top)
        if 1 - c * math.exp(-(n - traffic) * threshold / aht) >= target:
            return n
        n += 1


def dense_waiting_customer(start: np.ndarray, service_rate: float, theta: float,
                           threshold: float) -> tuple[float, float, float]:
    """The waiting customer's chain solved densely (``expm`` and ``solve`` of its whole
    generator): the method before the bidiagonal one."""
    from scipy.linalg import expm

    size = len(start)
    forward = service_rate + np.arange(size) * theta
    q = np.zeros((size, size))
    q[np.arange(size), np.arange(size)] = -(forward + theta)
    q[np.arange(1, size), np.arange(size - 1)] = forward[1:]
    p_served = np.cumprod(forward / (forward + theta))
    generator = np.zeros((size + 1, size + 1))
    generator[:size, :size] = q
    generator[0, size] = forward[0]
    within = float(start @ expm(generator * threshold)[:size, size])
    return within, float(start @ p_served), float(start @ np.linalg.solve(-q, p_served))


def erlang_a_pools() -> list[dict[str, float | int | bool]]:
    rows: list[dict[str, float | int | bool]] = []
    warm = np.ones(10)  # SciPy's sparse modules are imported by the first call
    _waiting_customer(warm, 1.0, 0.01, 20), dense_waiting_customer(warm, 1.0, 0.01, 20)
    for agents in ERLANG_A_POOLS:
        mu, theta = 1 / 160, 1 / 120
        p = _erlang_a_states(agents * 1.03 * mu, mu, theta, agents)
        start = p[agents:]
        t0 = time.perf_counter()
        ours = _waiting_customer(start, agents * mu, theta, 20)
        ours_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        dense = dense_waiting_customer(start, agents * mu, theta, 20)
        dense_s = time.perf_counter() - t0
        rows.append({"agents": agents, "queue_states": len(start), "seconds": ours_s,
                     "dense_seconds": dense_s, "dense_vs_ours_ratio": dense_s / ours_s,
                     "same_results": bool(np.allclose(ours, dense, rtol=1e-9, atol=1e-15))})
    return rows


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
        "erlang_a_waiting_chain": erlang_a_pools(),
    }, indent=1))


if __name__ == "__main__":
    main()

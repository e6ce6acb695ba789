"""queue_log import throughput: lines per second on a generated log.

The log is generated with numpy (vectorised): calls entering one of 20 queues, 80 %
answered (ENTERQUEUE, CONNECT, COMPLETE*), the rest abandoned. The baseline, measured in
the same run, is the bare minimum any importer pays: reading the file and splitting each
line on ``|``.

    uv run python bench/bench_import.py --lines 10000000      # the issue's 10 M lines
    uv run python bench/bench_import.py --lines 1000000       # quicker
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

from omnikpi.connectors.queue_log_import import import_queue_log


def generate(path: Path, lines: int, seed: int = 3) -> int:
    rng = np.random.default_rng(seed)
    calls = lines // 3
    start = 1_709_251_200 + np.sort(rng.integers(0, 30 * 86400, calls))
    queue = rng.integers(0, 20, calls)
    wait = rng.integers(0, 120, calls)
    talk = rng.integers(30, 600, calls)
    answered = rng.random(calls) < 0.8
    agent = rng.integers(0, 200, calls)
    rows = []
    for i in range(calls):  # formatting only: the numbers above are vectorised
        cid = f"{start[i]}.{i}"
        q = f"q{queue[i]}"
        rows.append(f"{start[i]}|{cid}|{q}|NONE|ENTERQUEUE||38050{i % 10_000_000:07d}|1")
        if answered[i]:
            a = f"Agent/{agent[i]}"
            rows.append(f"{start[i] + wait[i]}|{cid}|{q}|{a}|CONNECT|{wait[i]}|{cid}b|2")
            rows.append(f"{start[i] + wait[i] + talk[i]}|{cid}|{q}|{a}|COMPLETECALLER|"
                        f"{wait[i]}|{talk[i]}|1")
        else:
            rows.append(f"{start[i] + wait[i]}|{cid}|{q}|NONE|ABANDON|1|1|{wait[i]}")
    path.write_text("\n".join(rows) + "\n")
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "queue_log"
        written = generate(log, args.lines)
        t0 = time.perf_counter()
        with log.open("rb") as handle:
            for raw in handle:
                raw.split(b"|")
        floor = time.perf_counter() - t0
        t0 = time.perf_counter()
        summary = import_queue_log([log], Path(tmp) / "out")
        ours = time.perf_counter() - t0
    print(json.dumps({
        "lines": written, "seconds": ours, "lines_per_second": written / ours,
        "contacts": summary.contacts, "rejected": sum(summary.rejected.values()),
        "split_only_lines_per_second": written / floor, "ours_vs_split_ratio": ours / floor,
    }, indent=1))


if __name__ == "__main__":
    main()

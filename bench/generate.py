"""Vectorised generator of large canonical datasets for benchmarks (numpy + Arrow only).

    uv run python bench/generate.py --contacts 10000000 --out /tmp/big [--by-day [--days 365]]

Contacts: 20 voice queues over 31 days from 1 March 2024 (its DST change included;
``--days 365`` spans a year), Poisson-like arrivals, 85 % answered, 12 % abandoned, 1 %
blocked, lognormal talk, ACW and transfers. Agent states: 200 agents, 12-hour days of
alternating available / handling / ACW blocks over the first 31 days. ``--by-day`` writes
one Parquet file per day under ``contacts/day=…/``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

START_US = 1_709_251_200_000_000  # 2024-03-01T00:00:00Z
DAY_US = 86_400_000_000


def _ts(values: np.ndarray, present: np.ndarray | None = None) -> pa.Array:
    array = pa.array(values, pa.int64())
    if present is not None:
        array = pc.if_else(pa.array(present), array, pa.nulls(len(values), pa.int64()))
    return array.cast(pa.timestamp("us"))


def contacts(n: int, seed: int = 1, first_id: int = 0, days: int = 31,
             start_us: int = START_US) -> pa.Table:
    rng = np.random.default_rng(seed)
    arrived = start_us + rng.integers(0, days * DAY_US, n)
    wait = (rng.exponential(25, n) * 1e6).astype(np.int64)
    outcome = rng.random(n)
    answered = outcome < 0.85
    abandoned = (outcome >= 0.85) & (outcome < 0.97)
    blocked = outcome >= 0.99
    answered &= ~blocked
    talk = (rng.lognormal(5.3, 0.5, n) * 1e6).astype(np.int64)
    return pa.table({
        "contact_id": pa.array(np.char.add("c", np.arange(first_id, first_id + n).astype(str))),
        "channel": pa.array(np.full(n, "voice")),
        "queue": pa.array(np.char.add("q", rng.integers(0, 20, n).astype(str))),
        "arrived_at": _ts(arrived),
        "blocked": pa.array(blocked),
        "accepted_at": _ts(arrived + wait, answered),
        "first_response_at": _ts(arrived + wait, answered),
        "abandoned_at": _ts(arrived + wait, abandoned),
        "ended_at": _ts(arrived + wait + talk, answered),
        "agent_id": pa.array(np.char.add("a", rng.integers(0, 200, n).astype(str))),
        "acw_seconds": pa.array(np.round(rng.uniform(5, 60, n), 1)),
        "transferred": pa.array(rng.random(n) < 0.05),
    })


CHUNK = 5_000_000


def write_contacts(path: Path, n: int, seed: int = 1, chunk: int = CHUNK) -> None:
    """``n`` contacts as one Parquet file (row groups of 1 M), generated ``chunk`` rows at a
    time so that 100 M contacts fit in bounded memory (chunk ``i`` uses seed ``seed + i``;
    up to one chunk this is exactly ``contacts(n, seed)``)."""
    writer: pq.ParquetWriter | None = None
    try:
        for i, start in enumerate(range(0, n, chunk)):
            table = contacts(min(chunk, n - start), seed + i, first_id=start)
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema)
            writer.write_table(table, row_group_size=1_000_000)
    finally:
        if writer is not None:
            writer.close()


def agent_states(agents: int = 200, days: int = 31, seed: int = 2) -> pa.Table:
    """Each agent-day: 08:00–20:00 UTC in blocks of available, handling and ACW."""
    rng = np.random.default_rng(seed)
    blocks = 12 * 60 // 5  # 5-minute slots of a 12-hour day
    agent = np.repeat(np.arange(agents), days * blocks)
    day = np.tile(np.repeat(np.arange(days), blocks), agents)
    slot = np.tile(np.arange(blocks), agents * days)
    start = START_US + day * DAY_US + 8 * 3_600_000_000 + slot * 300_000_000
    state = rng.choice(np.array(["available", "handling", "acw"]), len(start), p=[.3, .6, .1])
    return pa.table({
        "agent_id": pa.array(np.char.add("a", agent.astype(str))),
        "state": pa.array(state), "start": _ts(start), "end": _ts(start + 300_000_000),
        "channel": pa.array(np.where(state == "available", None, "voice")),
    })


def write(out: Path, n: int, by_day: bool = False, days: int = 31) -> None:
    """``days`` other than 31 needs ``by_day`` (the one-file layout is the report
    benchmark's fixed input)."""
    if days != 31 and not by_day:
        raise SystemExit("--days needs --by-day")
    out.mkdir(parents=True, exist_ok=True)
    if days != 31:
        _write_days(out, n, days)
    elif by_day:
        for i, start in enumerate(range(0, n, CHUNK)):
            table = contacts(min(CHUNK, n - start), 1 + i, first_id=start, days=days)
            day = pc.strftime(table["arrived_at"], format="%Y-%m-%d")
            ds.write_dataset(table.append_column("day", day), out / "contacts",
                             format="parquet", basename_template=f"part-{i}-{{i}}.parquet",
                             partitioning=ds.partitioning(pa.schema([("day", pa.string())]),
                                                          flavor="hive"),
                             existing_data_behavior="overwrite_or_ignore")
    else:
        write_contacts(out / "contacts.parquet", n)
    pq.write_table(agent_states(days=min(days, 31)), out / "agent_states.parquet")


def _write_days(out: Path, n: int, days: int) -> None:
    """One file per day, as a daily export arrives (``n`` spread evenly; day ``d`` uses
    seed ``1 + d``)."""
    per_day, extra = divmod(n, days)
    first = 0
    for d in range(days):
        size = per_day + (d < extra)
        table = contacts(size, 1 + d, first_id=first, days=1, start_us=START_US + d * DAY_US)
        first += size
        day = time.strftime("%Y-%m-%d", time.gmtime((START_US + d * DAY_US) // 10**6))
        folder = out / "contacts" / f"day={day}"
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, folder / "part-0.parquet", row_group_size=1_000_000)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=10_000_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--by-day", action="store_true")
    parser.add_argument("--days", type=int, default=31,
                        help="days the arrivals span from 2024-03-01 (with --by-day)")
    args = parser.parse_args()
    t0 = time.perf_counter()
    write(args.out, args.contacts, args.by_day, args.days)
    print(f"wrote {args.contacts:,} contacts and agent states to {args.out} in "
          f"{time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()

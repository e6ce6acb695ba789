"""A live dataset's reload: a year of daily Parquet files and the JSONL file a live ingest
appends to all day.

    uv run python bench/bench_live_reload.py [--contacts 10000000] [--data DIR] [--rounds 5]

The folder holds ``contacts/day=…/`` Parquet files (``generate.py --by-day --days 365``;
an existing one under ``--data`` is reused) and ``contacts/ingest-<day>.jsonl``. Each round
appends one contact to the JSONL file, as ``POST /api/v1/events`` does, waits until the
validation cache accepts the file as settled, and loads the folder: what ``omnikpi
serve`` does when it sees the files changed. Ratios are against baselines of the same run:

- the same files loaded again (the validation cache's verdict: what a reload cannot beat);
- the same folder loaded with the cache off (every file validated: what a reload cost
  when nothing of the earlier load could be reused).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import write

import omnikpi
from omnikpi.schema.validation_cache import RACY_NS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=10_000_000)
    parser.add_argument("--data", type=Path, default=None,
                        help="folder of the day files (generated when it has none)")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["OMNIKPI_CACHE_DIR"] = str(Path(tmp) / "cache")
        folder = args.data or Path(tmp) / "data"
        if not (folder / "contacts").exists():
            write(folder, args.contacts, by_day=True, days=365)
        live = folder / "contacts" / "ingest-2025-03-01.jsonl"
        live.unlink(missing_ok=True)
        try:
            out = _measure(folder, live, args.rounds)
        finally:
            live.unlink(missing_ok=True)
    out["load_average"] = os.getloadavg()
    print(json.dumps(out, indent=1))


def _append(live: Path, n: int) -> None:
    row = {"contact_id": f"live-{n:06d}", "channel": "voice", "queue": "sales",
           "arrived_at": f"2025-03-01T10:{n % 60:02d}:00Z",
           "first_response_at": f"2025-03-01T10:{n % 60:02d}:07Z",
           "ended_at": f"2025-03-01T10:{n % 60:02d}:50Z", "agent_id": "a1"}
    with live.open("a", encoding="utf-8") as out:
        out.write(json.dumps(row) + "\n")
    time.sleep(RACY_NS / 1e9 + 0.2)  # a file changed this recently is never cached


def _timed(folder: Path, cache: bool | None = None) -> tuple[float, Any]:
    t0 = time.perf_counter()
    dataset = omnikpi.load_dataset(folder, cache=cache)
    seconds = time.perf_counter() - t0
    dataset.close()
    return seconds, dataset.from_cache


def _measure(folder: Path, live: Path, rounds: int) -> dict[str, Any]:
    _append(live, 0)
    first, _ = _timed(folder)  # the first load of the folder: every file validated
    reloads, cached, uncached = [], [], []
    for n in range(1, rounds + 1):
        _append(live, n)
        seconds, hit = _timed(folder)
        assert not hit, "a changed file must not be answered from the cache"
        reloads.append(seconds)
        seconds, hit = _timed(folder)
        assert hit, "the same files again must be answered from the cache"
        cached.append(seconds)
    for _ in range(max(1, rounds // 2)):
        uncached.append(_timed(folder, cache=False)[0])
    reload_p50 = statistics.median(reloads)
    return {
        "first_load_seconds": first,
        "reload_after_a_live_row_seconds": {"p50": reload_p50, "all": reloads},
        "same_files_again_seconds": statistics.median(cached),
        "cache_off_seconds": statistics.median(uncached),
        "reload_vs_same_files_ratio": reload_p50 / statistics.median(cached),
        "cache_off_vs_reload_ratio": statistics.median(uncached) / reload_p50,
    }


if __name__ == "__main__":
    main()

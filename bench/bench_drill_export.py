"""The drill-down's CSV download (``/drill.csv``): time and peak memory of writing every
row of a figure, against a baseline measured in the same run — the same file written one
cell at a time from a list of row dicts (how the export was made before: 2 GB and about
a minute for 800,000 rows on the server).

    uv run python bench/bench_drill_export.py --contacts 800000
    uv run python bench/bench_drill_export.py --contacts 100000     # quicker

Both writers get the same DataFrame (the drill's rows, as the server has them); the
check ``same_file`` compares their bytes. Peak memory is Python's allocations while
writing (``tracemalloc``, in a run of its own), the DataFrame itself excluded.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import write

from omnikpi.cell_text import csv_safe
from omnikpi.config import Config
from omnikpi.engine.drill import DEN, NUM, REASON, STATUS, TIME_COLUMNS, drill
from omnikpi.engine.timezones import local_datetime
from omnikpi.schema.dataset import load_dataset
from omnikpi.web.drill_export import CSV_PARTS, drill_csv
from omnikpi.web.drill_labels import counts_in

TZ = "Europe/Kyiv"


def cell_by_cell(found: Any, frame: Any, tz: str) -> bytes:
    """The baseline: every row a dict, every cell converted on its own, one string."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*found.columns, *CSV_PARTS])
    for row in frame.to_dict(orient="records"):
        cells: list[Any] = []
        for column in [*found.columns, NUM, DEN]:
            value = row[column]
            if value is None or (isinstance(value, float) and value != value):
                cells.append("")
            elif column in TIME_COLUMNS:
                cells.append(local_datetime(int(value), tz).isoformat())
            else:
                cells.append(csv_safe(value.item() if hasattr(value, "item") else value))
        cells.append(counts_in(row[STATUS], row[REASON], lambda text: text))
        writer.writerow(cells)
    return out.getvalue().encode()


def sent(pieces: Iterator[bytes]) -> tuple[int, str]:
    """What a client receives: the pieces' total size and digest (the server keeps none
    of them once sent)."""
    digest, size = hashlib.sha256(), 0
    for piece in pieces:
        digest.update(piece)
        size += len(piece)
    return size, digest.hexdigest()


def measured(make: Callable[[], tuple[int, str]]) -> tuple[tuple[int, str], float, float]:
    """The file, the seconds it took, and its peak allocations in MiB (a second run under
    ``tracemalloc``, which slows every allocation down: the times are the first run's)."""
    started = time.perf_counter()
    body = make()
    seconds = time.perf_counter() - started
    del body
    tracemalloc.start()
    body = make()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return body, seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        write(Path(folder), args.contacts)
        dataset = load_dataset(Path(folder), cache=False)
        found = drill(dataset, "aht", tz=TZ, config=Config())
        frame = found.everything("all", None, False)
        streamed, stream_s, stream_mb = measured(lambda: sent(drill_csv(found, frame, TZ)))
        baseline, base_s, base_mb = measured(
            lambda: sent(iter([cell_by_cell(found, frame, TZ)])))
    result = {"rows": len(frame), "mb": round(streamed[0] / 2**20, 1),
              "streamed_s": round(stream_s, 2), "cell_by_cell_s": round(base_s, 2),
              "time_ratio": round(stream_s / base_s, 3),
              "streamed_peak_mb": round(stream_mb), "cell_by_cell_peak_mb": round(base_mb),
              "memory_ratio": round(stream_mb / base_mb, 3),
              "same_file": streamed == baseline}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

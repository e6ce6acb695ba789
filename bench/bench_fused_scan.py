"""Would one scan do for a new file's validation and its first report? (issue 23 part 2)

A new file's first report reads the file twice: the loader's validation pass (the quick
pass, every rule decided from aggregates of the raw columns) and the report. This times,
on the same file and in the same run, the two apart against one GROUP BY that computes
both: the report's aggregates behind a "before as-of" FILTER and the quick pass's
aggregates per group, to be merged after. The quick pass's SQL is the loader's own
(captured while it loads the folder); the report is the hand-written one-pass SQL of
``bench/run.py`` (the baseline the new-file ratio is measured against).

    uv run python bench/bench_fused_scan.py --contacts 10000000 [--data FOLDER]

Prints JSON: seconds of each query (best of ``--repeat``), and ``fused / (report +
validation)``: above 1 means one scan is slower than two.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

import omnikpi
from omnikpi.engine.timezones import offset_ranges, to_us
from omnikpi.schema import quick_pass

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import write_contacts
from run import AS_OF, START, TZ, _contact_rows_sql, case_sql


def loaders_quick_pass(folder: Path) -> str:
    """The quick pass's SQL for ``folder``'s contacts, as the loader builds it."""
    captured: list[str] = []
    real = quick_pass.prove_clean

    def spy(con: Any, table: Any, reading: Any, sources: Any) -> Any:
        if table.name == "contacts":
            plan = quick_pass._plan(table, sources,
                                    quick_pass.plain_candidates(table, reading.file, sources))
            if plan is not None:
                captured.append(f"SELECT {', '.join(plan.inner)} FROM {reading.relation()}")
        return real(con, table, reading, sources)

    quick_pass.prove_clean = spy  # type: ignore[assignment]
    try:
        omnikpi.load_dataset(folder, cache=False)
    finally:
        quick_pass.prove_clean = real  # type: ignore[assignment]
    if not captured:
        raise SystemExit("the loader ran no quick pass on this file (not typed Parquet?)")
    return captured[0]


def queries(path: Path, validation: str) -> dict[str, str]:
    as_of = to_us(pd.Timestamp(AS_OF).to_pydatetime())
    ranges = [(r.start_us, r.offset_us) for r in offset_ranges(TZ, START.value // 1000, as_of)]
    handled = f"answered AND eus <= {as_of}"
    report = f"""
    WITH c AS ({_contact_rows_sql(path, as_of, ranges)})
    SELECT queue, aday, CASE WHEN {handled} THEN eday END AS eday,
      count_if(offered), count_if(answered), count_if(abandoned),
      count_if(abandoned AND wait < 5), count_if(answered AND wait <= 20),
      sum(wait) FILTER (answered), sum(wait) FILTER (answered OR abandoned),
      max(wait) FILTER (answered OR abandoned), sum(ht) FILTER ({handled}),
      count_if({handled}), count_if({handled} AND transferred)
    FROM c GROUP BY ALL"""
    aggregates = validation[len("SELECT "):validation.rindex(" FROM ")]
    arrived, ended = "epoch_us(arrived_at)", "epoch_us(ended_at)"
    keep = f"{arrived} <= {as_of}"
    answered = f"({keep} AND first_response_at IS NOT NULL AND NOT coalesce(blocked, false))"
    abandoned = (f"({keep} AND abandoned_at IS NOT NULL AND first_response_at IS NULL "
                 "AND NOT coalesce(blocked, false))")
    wait = (f"(CASE WHEN first_response_at IS NOT NULL THEN (epoch_us(first_response_at) - "
            f"{arrived}) / 1e6 WHEN abandoned_at IS NOT NULL THEN (epoch_us(abandoned_at) - "
            f"{arrived}) / 1e6 END)")
    done = f"({answered} AND {ended} <= {as_of})"
    fused = f"""
    SELECT queue, (({arrived} + {case_sql(arrived, ranges)}) // 86400000000) AS aday,
      CASE WHEN {done} THEN (({ended} + {case_sql(ended, ranges)}) // 86400000000) END AS eday,
      count_if({keep} AND NOT coalesce(blocked, false)), count_if({answered}),
      count_if({abandoned}), count_if({abandoned} AND {wait} < 5),
      count_if({answered} AND {wait} <= 20), sum({wait}) FILTER ({answered}),
      sum({wait}) FILTER ({answered} OR {abandoned}),
      max({wait}) FILTER ({answered} OR {abandoned}),
      sum(({ended} - epoch_us(accepted_at)) / 1e6 + coalesce(acw_seconds, 0)) FILTER ({done}),
      count_if({done}), count_if({done} AND transferred),
      {aggregates}
    FROM read_parquet('{path}') GROUP BY ALL"""
    return {"report": report, "validation": validation, "fused": fused}


def same_report(report: list[Any], fused: list[Any]) -> bool:
    """The fused query's report columns are the report's rows (its groups of contacts
    after the as-of only add rows of zero counts)."""
    width = len(report[0]) if report else 0

    def key(row: Any) -> tuple[Any, ...]:
        return tuple((v is None, v) for v in row[:3])

    mine = {key(r): r[:width] for r in fused}
    extra = [r for k, r in mine.items() if k not in {key(x) for x in report}]
    return all(mine.get(key(r)) is not None and all(
        a == b or (isinstance(a, float) and b is not None and abs(a - b) <= 1e-9 * abs(a))
        for a, b in zip(r, mine[key(r)], strict=True)) for r in report) and all(
        not any(v for v in r[3:width]) for r in extra)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path, default=None,
                        help="folder with contacts.parquet (generated there if missing)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.data or Path(tmp)
        path = folder / "contacts.parquet"
        if not path.exists():
            folder.mkdir(parents=True, exist_ok=True)
            write_contacts(path, args.contacts)
        sql = queries(path, re.sub(r"\s+", " ", loaders_quick_pass(folder)))
        con = duckdb.connect()
        best = dict.fromkeys(sql, float("inf"))
        rows: dict[str, list[Any]] = {}
        for _ in range(args.repeat):  # taking turns: each sees the same load
            for name, text in sql.items():
                start = time.perf_counter()
                rows[name] = con.execute(text).fetchall()
                best[name] = min(best[name], time.perf_counter() - start)
    print(json.dumps({
        "same_report": same_report(rows["report"], rows["fused"]),
        "contacts": args.contacts if args.data is None else None, "data": str(args.data),
        "seconds": best,
        "fused_vs_two_scans": best["fused"] / (best["report"] + best["validation"]),
    }, indent=1))


if __name__ == "__main__":
    main()

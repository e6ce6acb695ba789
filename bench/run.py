"""Report benchmark: OmniKPI (DuckDB engine) against tuned hand-written DuckDB SQL and pandas.

All compute the same 10 KPIs (offered, answered, abandoned, short abandoned, service level,
ASA, average wait, max wait, AHT, transfer rate) by queue and local day in Europe/Kyiv over a
generated `contacts` Parquet file, and the results are checked equal. Ratios are measured in
the same run, so they hold on any machine.

    uv run python bench/run.py --quick [--json FILE]      # 1 M contacts
    uv run python bench/run.py --contacts 10000000
    uv run python bench/run.py --contacts 100000000 --data /big/folder   # ~4 GB of Parquet

OmniKPI is timed twice: on a file it has validated before (the validation cache keeps the
verdict of an unchanged file, as in daily use) and on a never-validated file (the full
validation pass, ``engine_cold_seconds``, taking turns with the SQL). Each method also
runs alone in a fresh process to report its peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

import omnikpi

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import write_contacts

from omnikpi.engine.local_duckdb import _duckdb_sql
from omnikpi.engine.timezones import offset_ranges, to_us

TZ = "Europe/Kyiv"
SQL_FORMS = ("sql_one_pass", "sql_two_reads")
"""The hand-written DuckDB SQL in two tuned forms; the baseline is the faster one."""
METRICS = ["offered", "answered", "abandoned", "short_abandoned", "service_level", "asa",
           "avg_wait", "max_wait", "aht", "transfer_rate"]
START = pd.Timestamp("2024-03-01", tz="UTC")  # March: includes the DST change of 03-31
AS_OF = "2024-04-02T00:00:00+00:00"


def case_sql(column: str, ranges: list[tuple[int | None, int]]) -> str:
    """The zone offset of ``column`` as a CASE over the offset ranges (hand-written)."""
    parts = " ".join(
        f"WHEN {column} >= {start} THEN {off}" for start, off in reversed(ranges[1:])
    )
    return f"(CASE {parts} ELSE {ranges[0][1]} END)" if parts else str(ranges[0][1])


def _contact_rows_sql(path: Path, as_of: int, ranges: list[tuple[int | None, int]]) -> str:
    """Each contact with what the ten KPIs need: flags, wait, handle time, both day keys."""
    arrived, ended = "epoch_us(arrived_at)", "epoch_us(ended_at)"
    arr_day = f"(({arrived} + {case_sql(arrived, ranges)}) // 86400000000)"
    end_day = f"(({ended} + {case_sql(ended, ranges)}) // 86400000000)"
    return f"""
      SELECT queue, NOT coalesce(blocked, false) AS offered,
        first_response_at IS NOT NULL AND NOT coalesce(blocked, false) AS answered,
        abandoned_at IS NOT NULL AND first_response_at IS NULL AND NOT coalesce(blocked,false)
          AS abandoned,
        CASE WHEN first_response_at IS NOT NULL
             THEN (epoch_us(first_response_at) - epoch_us(arrived_at)) / 1e6
             WHEN abandoned_at IS NOT NULL
             THEN (epoch_us(abandoned_at) - epoch_us(arrived_at)) / 1e6 END AS wait,
        (epoch_us(ended_at) - epoch_us(accepted_at)) / 1e6 + coalesce(acw_seconds, 0) AS ht,
        transferred, {arr_day} AS aday, {end_day} AS eday, epoch_us(ended_at) AS eus
      FROM read_parquet('{path}') WHERE epoch_us(arrived_at) <= {as_of}"""


_RESULT_SQL = """
    SELECT coalesce(a.queue, e.queue) AS queue, coalesce(a.day, e.day) AS day,
      coalesce(offered, 0) AS offered, coalesce(answered, 0) AS answered,
      coalesce(abandoned, 0) AS abandoned, coalesce(short_abandoned, 0) AS short_abandoned,
      on_time / nullif(offered - short_abandoned, 0) AS service_level,
      ans_wait / nullif(answered, 0) AS asa,
      all_wait / nullif(answered + abandoned, 0) AS avg_wait, max_wait,
      ht / nullif(handled, 0) AS aht, transferred / nullif(handled, 0) AS transfer_rate
    FROM a FULL JOIN e ON a.queue = e.queue AND a.day = e.day ORDER BY 1, 2"""


def hand_sql_two_reads(path: Path, as_of: int, ranges: list[tuple[int | None, int]]
                       ) -> pd.DataFrame:
    """Tuned hand-written SQL, one GROUP BY per booking rule (arrival day, end day): the
    file is read once per rule, the reads running side by side."""
    con = duckdb.connect()
    sql = f"""
    WITH c AS NOT MATERIALIZED ({_contact_rows_sql(path, as_of, ranges)}),
    a AS (
      SELECT queue, aday AS day, count(*) FILTER (offered) AS offered,
        count(*) FILTER (answered) AS answered, count(*) FILTER (abandoned) AS abandoned,
        count(*) FILTER (abandoned AND wait < 5) AS short_abandoned,
        count(*) FILTER (answered AND wait <= 20) AS on_time,
        sum(wait) FILTER (answered) AS ans_wait,
        sum(wait) FILTER (answered OR abandoned) AS all_wait,
        max(wait) FILTER (answered OR abandoned) AS max_wait
      FROM c GROUP BY ALL),
    e AS (
      SELECT queue, eday AS day, count(*) AS handled, sum(ht) AS ht,
        count(*) FILTER (transferred) AS transferred
      FROM c WHERE answered AND eday IS NOT NULL AND eus <= {as_of} GROUP BY ALL)
    {_RESULT_SQL}"""
    return con.execute(sql).df()


def hand_sql_one_pass(path: Path, as_of: int, ranges: list[tuple[int | None, int]]
                      ) -> pd.DataFrame:
    """Tuned hand-written SQL, one pass: all ten KPIs in one GROUP BY over queue and both
    day keys (a small result), then summed per arrival day and per end day."""
    con = duckdb.connect()
    handled = f"answered AND eus <= {as_of}"
    sql = f"""
    WITH c AS ({_contact_rows_sql(path, as_of, ranges)}),
    g AS (
      SELECT queue, aday, CASE WHEN {handled} THEN eday END AS eday,
        count_if(offered) AS offered, count_if(answered) AS answered,
        count_if(abandoned) AS abandoned,
        count_if(abandoned AND wait < 5) AS short_abandoned,
        count_if(answered AND wait <= 20) AS on_time,
        sum(wait) FILTER (answered) AS ans_wait,
        sum(wait) FILTER (answered OR abandoned) AS all_wait,
        max(wait) FILTER (answered OR abandoned) AS max_wait,
        sum(ht) FILTER ({handled}) AS ht, count_if({handled}) AS handled,
        count_if({handled} AND transferred) AS transferred
      FROM c GROUP BY ALL),
    a AS (
      SELECT queue, aday AS day, sum(offered) AS offered, sum(answered) AS answered,
        sum(abandoned) AS abandoned, sum(short_abandoned) AS short_abandoned,
        sum(on_time) AS on_time, sum(ans_wait) AS ans_wait, sum(all_wait) AS all_wait,
        max(max_wait) AS max_wait
      FROM g GROUP BY ALL),
    e AS (
      SELECT queue, eday AS day, sum(handled) AS handled, sum(ht) AS ht,
        sum(transferred) AS transferred
      FROM g WHERE eday IS NOT NULL GROUP BY ALL)
    {_RESULT_SQL}"""
    return con.execute(sql).df()


def pandas_way(path: Path, as_of: int, tz: str) -> pd.DataFrame:
    """How a competent analyst would write it with vectorised pandas."""
    df = pd.read_parquet(path)
    cutoff = pd.Timestamp(as_of, unit="us")
    df = df[df.arrived_at <= cutoff]
    offered = ~df.blocked.fillna(False)
    answered = offered & df.first_response_at.notna()
    abandoned = offered & df.abandoned_at.notna() & ~answered
    wait = np.where(answered, (df.first_response_at - df.arrived_at).dt.total_seconds(),
                    np.where(abandoned, (df.abandoned_at - df.arrived_at).dt.total_seconds(),
                             np.nan))
    day = df.arrived_at.dt.tz_localize("UTC").dt.tz_convert(tz).dt.floor("D", ambiguous=True,
                                                                         nonexistent="shift_forward")
    a = pd.DataFrame({"queue": df.queue, "day": day, "offered": offered, "answered": answered,
                      "abandoned": abandoned, "short": abandoned & (wait < 5),
                      "on_time": answered & (wait <= 20),
                      "ans_wait": np.where(answered, wait, 0.0),
                      "all_wait": np.where(answered | abandoned, wait, 0.0),
                      "max_wait": np.where(answered | abandoned, wait, np.nan)})
    g = a.groupby(["queue", "day"]).agg(
        offered=("offered", "sum"), answered=("answered", "sum"), abandoned=("abandoned", "sum"),
        short_abandoned=("short", "sum"), on_time=("on_time", "sum"), ans_wait=("ans_wait", "sum"),
        all_wait=("all_wait", "sum"), max_wait=("max_wait", "max"))
    g["service_level"] = g.on_time / (g.offered - g.short_abandoned).replace(0, np.nan)
    g["asa"] = g.ans_wait / g.answered.replace(0, np.nan)
    g["avg_wait"] = g.all_wait / (g.answered + g.abandoned).replace(0, np.nan)
    h = df[answered & df.ended_at.notna() & (df.ended_at <= cutoff)]
    ht = (h.ended_at - h.accepted_at).dt.total_seconds() + h.acw_seconds.fillna(0)
    eday = h.ended_at.dt.tz_localize("UTC").dt.tz_convert(tz).dt.floor(
        "D", ambiguous=True, nonexistent="shift_forward")
    e = pd.DataFrame({"queue": h.queue, "day": eday, "ht": ht, "tr": h.transferred}).groupby(
        ["queue", "day"]).agg(handled=("ht", "size"), ht=("ht", "sum"), tr=("tr", "sum"))
    e["aht"] = e.ht / e.handled
    e["transfer_rate"] = e.tr / e.handled
    return g.join(e[["aht", "transfer_rate"]], how="outer").reset_index()


def polars_way(path: Path, as_of: int, tz: str) -> pd.DataFrame:
    """The peer to beat: polars lazy over the Parquet file."""
    import polars as pl

    cutoff = pd.Timestamp(as_of, unit="us").to_pydatetime()
    c = pl.scan_parquet(path).filter(pl.col("arrived_at") <= cutoff)
    offered = ~pl.col("blocked").fill_null(False)
    answered = offered & pl.col("first_response_at").is_not_null()
    abandoned = offered & pl.col("abandoned_at").is_not_null() & pl.col(
        "first_response_at").is_null()
    wait = (pl.when(answered).then(pl.col("first_response_at") - pl.col("arrived_at"))
            .when(abandoned).then(pl.col("abandoned_at") - pl.col("arrived_at"))
            .otherwise(None)).dt.total_microseconds() / 1e6

    def local_day(col: str) -> pl.Expr:
        return (pl.col(col).dt.replace_time_zone("UTC").dt.convert_time_zone(tz)
                .dt.date())

    c = c.with_columns(offered=offered, answered=answered, abandoned=abandoned, wait=wait,
                       day=local_day("arrived_at"), eday=local_day("ended_at"))
    a = c.group_by("queue", "day").agg(
        offered=pl.col("offered").sum(), answered=pl.col("answered").sum(),
        abandoned=pl.col("abandoned").sum(),
        short_abandoned=(pl.col("abandoned") & (pl.col("wait") < 5)).sum(),
        on_time=(pl.col("answered") & (pl.col("wait") <= 20)).sum(),
        ans_wait=pl.col("wait").filter(pl.col("answered")).sum(),
        all_wait=pl.col("wait").filter(pl.col("answered") | pl.col("abandoned")).sum(),
        max_wait=pl.col("wait").filter(pl.col("answered") | pl.col("abandoned")).max(),
    )
    h = c.filter(pl.col("answered") & pl.col("ended_at").is_not_null()
                 & (pl.col("ended_at") <= cutoff))
    ht = (pl.col("ended_at") - pl.col("accepted_at")).dt.total_microseconds() / 1e6 + pl.col(
        "acw_seconds").fill_null(0)
    e = h.group_by("queue", pl.col("eday").alias("day")).agg(
        handled=pl.len(), ht=ht.sum(), tr=pl.col("transferred").sum())
    out = a.join(e, on=["queue", "day"], how="full", coalesce=True).with_columns(
        service_level=pl.col("on_time") / (pl.col("offered") - pl.col("short_abandoned")),
        asa=pl.col("ans_wait") / pl.col("answered"),
        avg_wait=pl.col("all_wait") / (pl.col("answered") + pl.col("abandoned")),
        aht=pl.col("ht") / pl.col("handled"),
        transfer_rate=pl.col("tr") / pl.col("handled"),
    ).sort("queue", "day").collect()
    return out.to_pandas()


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def methods(folder: Path, n: int) -> dict[str, Callable[[], Any]]:
    """Each way of computing the report, from the Parquet file to a result table."""
    path = folder / "contacts.parquet"
    as_of = to_us(pd.Timestamp(AS_OF).to_pydatetime())
    ranges = [(r.start_us, r.offset_us) for r in offset_ranges(TZ, START.value // 1000, as_of)]

    def engine() -> pd.DataFrame:
        return omnikpi.report(folder, metrics=METRICS, by=["queue"], grain="day", tz=TZ,
                              as_of=AS_OF)

    def engine_cold() -> pd.DataFrame:
        """A file never validated, in a process that has compiled nothing yet."""
        _duckdb_sql.cache_clear()
        return omnikpi.report(omnikpi.load_dataset(folder, cache=False), metrics=METRICS,
                              by=["queue"], grain="day", tz=TZ, as_of=AS_OF)

    return {"engine": engine, "engine_cold": engine_cold,
            "sql_one_pass": lambda: hand_sql_one_pass(path, as_of, ranges),
            "sql_two_reads": lambda: hand_sql_two_reads(path, as_of, ranges),
            "polars": lambda: polars_way(path, as_of, TZ),
            "pandas": lambda: pandas_way(path, as_of, TZ)}


def child(method: str, folder: Path, n: int) -> None:
    """Run one method once in this (fresh) process; the parent reads its peak RSS."""
    seconds, _ = timed(methods(folder, n)[method], 1)
    # VmHWM: this process image's peak resident set. (getrusage's ru_maxrss of a child
    # would not do: Linux carries the parent's peak over fork and exec.)
    status = Path("/proc/self/status").read_text()
    peak_kib = int(next(line.split()[1] for line in status.splitlines()
                        if line.startswith("VmHWM:")))
    print(json.dumps({"seconds": seconds, "peak_rss_gib": peak_kib * 1024 / 2**30}))


def in_child(method: str, folder: Path, n: int) -> dict[str, float]:
    """Wall time and peak RSS of one method in a fresh process (after its imports)."""
    proc = subprocess.run(
        [sys.executable, __file__, "--child", method, "--data", str(folder),
         "--contacts", str(n)], stdout=subprocess.PIPE, text=True, check=False)
    if proc.returncode != 0:
        return {"error": float(proc.returncode)}
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def wait_until_settled(path: Path) -> None:
    """The validation cache ignores files changed in the last seconds (their timestamps
    could repeat on a coarse clock): let the freshly generated file age, as data does."""
    from omnikpi.schema.validation_cache import RACY_NS

    age = time.time_ns() - max(path.stat().st_mtime_ns, path.stat().st_ctime_ns)
    if age < RACY_NS:
        time.sleep((RACY_NS - age) / 1e9 + 0.1)


def same(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    return len(a) == len(b) and all(
        np.allclose(a[m].astype(float).fillna(-1), b[m].astype(float).fillna(-1), rtol=1e-9)
        for m in METRICS)


def machine() -> dict[str, Any]:
    import ibis
    import polars

    return {"cpus": os.cpu_count(), "python": platform.python_version(),
            "duckdb": duckdb.__version__, "ibis": ibis.__version__,
            "polars": polars.__version__, "pandas": pd.__version__,
            "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
                                / 2**30, 1),
            "platform": platform.platform()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 M contacts")
    parser.add_argument("--contacts", type=int, default=None)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=3,
                        help="timed rounds; the methods take turns within a round")
    parser.add_argument("--spark", action="store_true",
                        help="also run the report on local Spark and check the rows agree")
    parser.add_argument("--pandas-max", type=int, default=20_000_000,
                        help="skip pandas above this many contacts (it needs ~2.7 GB per 10 M)")
    parser.add_argument("--no-rss", action="store_true",
                        help="skip the fresh-process runs that measure peak RSS")
    parser.add_argument("--data", type=Path, default=None,
                        help="folder for the generated data (default: a temporary one); "
                             "an existing contacts.parquet there is reused")
    parser.add_argument("--without", default="",
                        help="comma-separated methods to leave out (e.g. polars at 100 M)")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    n = args.contacts or (1_000_000 if args.quick else 10_000_000)
    if args.child:
        child(args.child, args.data, n)
        return
    load_start = list(os.getloadavg())  # other work on the machine distorts the seconds
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.data or Path(tmp) / "data"
        folder.mkdir(parents=True, exist_ok=True)
        # a cache folder of this run only: the first validation below really runs
        os.environ["OMNIKPI_CACHE_DIR"] = str(Path(tmp) / "cache")
        path = folder / "contacts.parquet"
        t0 = time.perf_counter()
        if not path.exists():
            write_contacts(path, n)
        generate_seconds = time.perf_counter() - t0
        run = methods(folder, n)
        with_pandas = n <= args.pandas_max and "pandas" not in args.without.split(",")
        # 1. validate once with the cache on, which keeps the verdict for later loads
        wait_until_settled(path)
        validate_seconds, _ = timed(lambda: omnikpi.load_dataset(folder), 1)
        cache_hit = omnikpi.load_dataset(folder).from_cache
        # 2. the methods take turns, best of ``repeat`` rounds each; "engine_cold" is the
        # first report on a never-validated file (the full validation pass, the cache off)
        # taking its turn beside the SQL, so that both see the same load of the machine
        names = ["engine", "engine_cold", *SQL_FORMS] + [
            name for name in ["polars"] + (["pandas"] if with_pandas else [])
            if name not in args.without.split(",")]
        best: dict[str, float] = dict.fromkeys(names, float("inf"))
        results: dict[str, pd.DataFrame] = {}
        for round_ in range(args.repeat):
            for name in names:
                if name == "pandas" and round_ and n > 2_000_000:
                    continue  # seconds per run at this size; one run is telling enough
                seconds, results[name] = timed(run[name], 1)
                best[name] = min(best[name], seconds)
        spark_time = spark_same = None
        if args.spark:
            spark_time, spark_rows = timed(lambda: omnikpi.report(
                folder, metrics=METRICS, by=["queue"], grain="day", tz=TZ,
                as_of=AS_OF, engine="spark"), 1)
            spark_same = same(results["engine"], spark_rows)
        fresh = {} if args.no_rss else {
            name: in_child(name, folder, n) for name in names}
    # the tuned SQL baseline: the faster of its two hand-written forms on this file
    sql_form = min(SQL_FORMS, key=lambda form: best[form])
    best["sql"] = best[sql_form]
    if sql_form in fresh:
        fresh["sql"] = fresh[sql_form]
    engine, cold, cold_time = results["engine"], results["engine_cold"], best["engine_cold"]
    out = {
        "contacts": n, "engine_seconds": best["engine"], "sql_seconds": best["sql"],
        "polars_seconds": best.get("polars"), "pandas_seconds": best.get("pandas"),
        "engine_vs_sql_ratio": best["engine"] / best["sql"],
        "pandas_vs_engine_ratio": best["pandas"] / best["engine"] if with_pandas else None,
        "polars_vs_engine_ratio": best["polars"] / best["engine"] if "polars" in best else None,
        "same_results": bool(same(engine, cold)
                             and all(same(engine, results[m]) for m in names[1:])),
        "engine_cold_seconds": cold_time,
        "engine_cold_vs_sql_ratio": cold_time / best["sql"],
        "sql_form": sql_form,
        "sql_forms_seconds": {form: best[form] for form in SQL_FORMS},
        "validate_and_cache_seconds": validate_seconds,
        "validation_cache_hit": cache_hit,
        "fresh_process": fresh,
        "generate_seconds": generate_seconds,
        "spark_seconds": spark_time, "spark_same_results": spark_same,
        "machine": machine(),
        "load_average": {"start": load_start, "end": list(os.getloadavg())},
        "notes": ("engine: omnikpi.report on the folder of a file validated before (the "
                  "validation cache holds its verdict), best of the rounds; engine_cold: the "
                  "same on a never-validated file (full validation pass) in a process that has "
                  "compiled nothing; fresh_process: each method alone in a new process, once, "
                  "with its peak RSS"),
    }
    print(json.dumps(out, indent=1))
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()

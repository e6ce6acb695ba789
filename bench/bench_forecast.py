"""Forecast backtest on the real Anonymous Bank month (August 1999, 30-minute intervals).

Imports ``data/anonymous-bank-1999`` with its mapping, computes the interval volume and
AHT with the KPI engine (Asia/Jerusalem), trains every model on the first three weeks
(Aug 1–21) and forecasts the last ten days (Aug 22–31): WAPE of volume and AHT per model,
for all calls and per queue (``type``). Also an honest check of ``auto``: the model is
chosen on week 3 (trained on weeks 1–2) and only then scored on Aug 22–31.

    uv run python bench/bench_forecast.py [--backtest-days 10] [--markdown]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from omnikpi.engine.run import run_report
from omnikpi.schema.dataset import load_dataset
from omnikpi.wfm.backtest import backtest, choose, score
from omnikpi.wfm.forecast_models import MODELS, Series, dense_series, predict

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "anonymous-bank-1999" / "august_1999_calls.csv.gz"
MAPPING = ROOT / "mappings" / "anonymous_bank.toml"


def series_of(rows: list[dict[str, Any]]) -> Series:
    return dense_series([str(r["period_start"]) for r in rows],
                        [float(r["offered"] or 0) for r in rows],
                        [None if r["aht"] is None else float(r["aht"]) for r in rows], 30)


def nested(series: Series, days: int) -> dict[str, Any]:
    """Choose on the week before the test days, then score the choice on the test days."""
    held = days * series.per_day
    train = series.head(len(series.volume) - held)
    test = series.tail(len(series.volume) - held)
    chosen = choose(backtest(train, 7), "volume")
    chosen_aht = choose(backtest(train, 7), "aht")
    volume = score(test, predict(chosen, train, held)).volume_wape
    aht = score(test, predict(chosen_aht, train, held)).aht_wape
    return {"chosen": chosen, "chosen_aht": chosen_aht, "volume_wape": volume,
            "aht_wape": aht}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backtest-days", type=int, default=10)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "omnikpi", "import", "csv", str(RAW),
                        "--mapping", str(MAPPING), "--out", tmp], check=True,
                       capture_output=True)
        rows = run_report(load_dataset(Path(tmp)), ["offered", "aht"], by=["queue"],
                          grain="30min", tz="Asia/Jerusalem").rows
        total = run_report(load_dataset(Path(tmp)), ["offered", "aht"], grain="30min",
                           tz="Asia/Jerusalem").rows
    out: dict[str, Any] = {"backtest_days": args.backtest_days, "series": {}}
    groups = {"all calls": total} | {
        q: [r for r in rows if r["queue"] == q] for q in sorted({r["queue"] for r in rows})}
    for name, group in groups.items():
        series = series_of(group)
        started = time.perf_counter()
        scores = backtest(series, args.backtest_days)
        seconds = time.perf_counter() - started
        out["series"][name] = {
            "offered": int(series.volume.sum()),
            "models": {m: s.to_json() for m, s in scores.items()},
            "chosen": choose(scores), "chosen_aht": choose(scores, "aht"),
            "seconds": round(seconds, 2),
            "nested": nested(series, args.backtest_days)}
    if args.markdown:
        print_markdown(out)
    else:
        print(json.dumps(out, indent=1))


def print_markdown(out: dict[str, Any]) -> None:
    print("| series | offered | " + " | ".join(MODELS) + " | chosen (volume / AHT) | "
          "chosen beats profile (volume) |")
    print("|---|---|" + "---|" * len(MODELS) + "---|---|")
    for name, entry in out["series"].items():
        cells = []
        for m in MODELS:
            s = entry["models"][m]
            cells.append(f"{s['volume_wape']:.3f} / {s['aht_wape']:.3f}")
        chosen = entry["models"][entry["chosen"]]["volume_wape"]
        profile = entry["models"]["profile"]["volume_wape"]
        gain = 1 - chosen / profile
        print(f"| {name} | {entry['offered']:,} | " + " | ".join(cells)
              + f" | {entry['chosen']} / {entry['chosen_aht']} | {gain:+.0%} |")
    print()
    print("| series | chosen on week 3 (volume / AHT) | its WAPE on Aug 22–31 "
          "(volume / AHT) |")
    print("|---|---|---|")
    for name, entry in out["series"].items():
        n = entry["nested"]
        print(f"| {name} | {n['chosen']} / {n['chosen_aht']} | "
              f"{n['volume_wape']:.3f} / {n['aht_wape']:.3f} |")


if __name__ == "__main__":
    main()

"""A new process's first report: compiled SQL kept on disk against compiled afresh.

    uv run python bench/bench_new_process.py [--runs 5]

Every ``omnikpi report`` a script runs, and the web app's first dashboard after a restart,
starts in a process that has compiled nothing. Each case below runs in ``--runs`` fresh
Python processes, taking turns:

- *baseline*: ``OMNIKPI_SQL_CACHE=off`` — every query planned and compiled through Ibis;
- *kept*: the compiled-SQL store warm (``engine/shape_store.py``): two processes ran the
  case before (the first notes each shape, the second proves it), so this one writes its
  values into proven SQL.

Both use the same warm validation cache (a verdict on the demo files), so they differ
only in compiling. Each process times its own work after its imports (the imports are the
same either way) and checks that its rows equal the baseline's. Cases, on the demo data:

- ``report``: ``omnikpi report`` of the default metrics by queue and day, JSON;
- ``dashboard``: the dashboard page (``GET /``) of an app created in that process.

Prints the median seconds and the ratio kept / baseline per case, then the figures as
JSON (``--json`` also writes them to a file); ``bench/run_all.py`` runs it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

CASES: dict[str, str] = {
    "report": """
import contextlib, io, json, sys, time
from omnikpi.cli.main import app
from omnikpi.demo import DEMO_DATA_DIR
out = io.StringIO()
start = time.perf_counter()
with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
    app(["report", "--data", str(DEMO_DATA_DIR), "--by", "queue", "--grain", "day",
         "--tz", "Europe/Kyiv", "--format", "json"])
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "rows": json.loads(out.getvalue())}))
""",
    "dashboard": """
import json, re, time
from fastapi.testclient import TestClient
from omnikpi.demo import DEMO_DATA_DIR
from omnikpi.web.app import create_app
start = time.perf_counter()
client = TestClient(create_app(DEMO_DATA_DIR, auth_required=False, live_updates=False,
                               scheduler=False))
page = client.get("/?tz=Europe/Kyiv")
seconds = time.perf_counter() - start
assert page.status_code == 200, page.status_code
numbers = re.findall(r"<td[^>]*>([^<]*)</td>", page.text)
print(json.dumps({"seconds": seconds, "rows": numbers}))
""",
}


def run(case: str, env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-c", CASES[case]], env=env, capture_output=True,
                          text=True, timeout=600)
    if done.returncode:
        raise SystemExit(f"{case} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="omnikpi-bench-") as scratch:
        env = {**os.environ, "OMNIKPI_CACHE_DIR": str(Path(scratch) / "cache"),
               "OMNIKPI_DATABASE_URL": f"sqlite:///{Path(scratch) / 'app.db'}"}
        baseline_env = {**env, "OMNIKPI_SQL_CACHE": "off"}
        for case in CASES:
            run(case, baseline_env)  # the validation verdict cached for both
            run(case, env)  # every shape noted
            run(case, env)  # every shape proven
            baseline, kept = [], []
            same = True
            for _ in range(args.runs):
                first = run(case, baseline_env)
                second = run(case, env)
                baseline.append(first["seconds"])
                kept.append(second["seconds"])
                same = same and first["rows"] == second["rows"]
            figures[case] = {
                "baseline_s": statistics.median(baseline), "kept_s": statistics.median(kept),
                "ratio": statistics.median(kept) / statistics.median(baseline),
                "same_rows": same, "runs": args.runs}
            print(f"{case:10s} baseline {figures[case]['baseline_s']:.3f} s   kept "
                  f"{figures[case]['kept_s']:.3f} s   ratio {figures[case]['ratio']:.2f}×   "
                  f"same rows: {same}", flush=True)
    text = json.dumps(figures, indent=2) + "\n"
    print(text, end="")
    if args.json:
        args.json.write_text(text)


if __name__ == "__main__":
    main()
